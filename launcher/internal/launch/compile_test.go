package launch

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const testPython = "/usr/bin/python3.11"

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadedFrom imports module from dir with python -v and returns whether
// its code came from its .pyc.
func loadedFrom(t *testing.T, dir, module string) string {
	t.Helper()
	cmd := exec.Command(testPython, "-I", "-B", "-v", "-c", "import sys; sys.path.insert(0, sys.argv[1]); import "+module, dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("importing %s: %v\n%s", module, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if what, ok := strings.CutPrefix(line, "# code object from "); ok && strings.Contains(what, dir) && strings.Contains(what, module[strings.LastIndex(module, ".")+1:]+".") {
			return strings.Trim(what, "'")
		}
	}
	t.Fatalf("python -v did not say where %s came from:\n%s", module, out)
	return ""
}

// compileRun runs compile.py with python, as compileEnvironment does, in
// the environment directory env; it returns the exit code and the log.
func compileRun(t *testing.T, python, env string, files, dirs []string) (int, string) {
	t.Helper()
	tmp, err := os.CreateTemp(env, compileLogFile+tempInfix+"*")
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Close()
	args := append([]string{"-I", "-S", "-B", "-c", compileScript, env, "3", tmp.Name(), compileLogFile, compiledFile, "--files"}, files...)
	cmd := exec.Command(python, append(append(args, "--dirs"), dirs...)...)
	cmd.ExtraFiles = []*os.File{tmp}
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(tmp.Name()); err == nil {
		t.Errorf("the log was not renamed into place")
	}
	log, _ := os.ReadFile(filepath.Join(env, compileLogFile))
	return code, string(log)
}

func TestCompileScript(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"pkg/__init__.py": "",
		"pkg/mod.py":      "VALUE = 42\n",
		"pkg/py2.py":      "print 'python 2'\n",
		"pkg/sub/deep.py": "def f():\n    return 1\n",
		"pkg/data.txt":    "not python\n",
		"pkg/__pycache__/mod.cpython-311.pyc.tmp-1-ab": "left by a killed compiler",
		"top.py":         "import pkg.mod\n",
		"pkg/shipped.py": "y = 1\n",
		"pkg/__pycache__/shipped.cpython-311.pyc":       "bytecode the archive ships",
		"pkg/__pycache__/stale.cpython-311.pyc.tmp-2-c": "",
	})
	shipped := filepath.Join(dir, "pkg", "__pycache__", "shipped.cpython-311.pyc")
	os.Chmod(shipped, 0o444) // extracted files are read-only
	marker := filepath.Join(dir, compiledFile)
	code, log := compileRun(t, testPython, dir, []string{filepath.Join(dir, "top.py")}, []string{filepath.Join(dir, "pkg"), filepath.Join(dir, "gone")})
	if code != 0 || !strings.Contains(log, "4 .pyc files written, 0 already valid, 1 shipped by the archive; 1 sources do not compile, 0 are in") || !exists(marker) {
		t.Errorf("exit %d, marker %v; log:\n%s", code, exists(marker), log)
	}
	if !strings.Contains(log, "py2.py: SyntaxError") {
		t.Errorf("log does not name the source that does not compile:\n%s", log)
	}
	if exists(filepath.Join(dir, "gone")) {
		t.Errorf("the compiler created a directory that was not there")
	}
	if data, _ := os.ReadFile(shipped); string(data) != "bytecode the archive ships" {
		t.Errorf("the archive's own .pyc was replaced")
	}
	if fi, err := os.Stat(filepath.Join(dir, "pkg", "__pycache__", "mod.cpython-311.pyc")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("a written .pyc: %v, %v, want mode 0644 as Python writes them", fi.Mode(), err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "pkg", "__pycache__", "*.tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	for _, m := range []string{"top", "pkg.mod", "pkg.sub.deep"} {
		if from := loadedFrom(t, dir, m); !strings.HasSuffix(from, ".cpython-311.pyc") {
			t.Errorf("%s was loaded from %s, not its .pyc", m, from)
		}
	}
	// Valid files are kept; a truncated one (an old launcher on a full
	// disk) is replaced.
	pyc := filepath.Join(dir, "pkg", "__pycache__", "mod.cpython-311.pyc")
	data, err := os.ReadFile(pyc)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(pyc, data[:len(data)-3], 0o644)
	os.Remove(marker)
	code, log = compileRun(t, testPython, dir, nil, []string{dir})
	if code != 0 || !strings.Contains(log, "1 .pyc files written, 3 already valid, 1 shipped") {
		t.Errorf("compiling again: exit %d; log:\n%s", code, log)
	}
	if again, _ := os.ReadFile(pyc); !bytes.Equal(again, data) {
		t.Errorf("the truncated .pyc was not replaced by the same bytes")
	}
	// A write that fails stops the compiler, with no marker, and leaves
	// nothing behind.
	os.Remove(marker)
	writeFiles(t, dir, map[string]string{"blocked/x.py": "x = 1\n", "blocked/__pycache__": "a file, not a directory"})
	code, log = compileRun(t, testPython, dir, nil, []string{filepath.Join(dir, "blocked")})
	if code == 0 || !strings.Contains(log, "byte-compiling stopped: writing into "+filepath.Join(dir, "blocked", "__pycache__")) || exists(marker) {
		t.Errorf("a failed write: exit %d, marker %v; log:\n%s", code, exists(marker), log)
	}
}

// Another user's read-only tree cannot be compiled into: for good, so it
// is skipped, not an error that would make every run try again.
func TestCompileScriptSkipsWhatItMayNotWrite(t *testing.T) {
	// Not under $TMPDIR: a test's temporary directory (Bazel's TEST_TMPDIR
	// inside its output base, say) may be one that user nobody cannot reach.
	dir, err := os.MkdirTemp("/tmp", "compile-other-user-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	writeFiles(t, dir, map[string]string{"env/x": "", "theirs/mod.py": "x = 1\n", "mine/mod.py": "x = 2\n"})
	for _, d := range []string{"", "env", "mine"} {
		os.Chown(filepath.Join(dir, d), 65534, 65534)
		os.Chmod(filepath.Join(dir, d), 0o755)
	}
	os.Chmod(filepath.Join(dir, "theirs"), 0o555)
	nobody := filepath.Join(dir, "python-as-nobody")
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		setpriv = "/usr/bin/setpriv" // util-linux's; Bazel's test PATH may not name it
	}
	os.WriteFile(nobody, []byte("#!/bin/sh\nexec "+setpriv+" --reuid=65534 --regid=65534 --clear-groups "+testPython+" \"$@\"\n"), 0o755)
	code, log := compileRun(t, nobody, filepath.Join(dir, "env"), nil, []string{filepath.Join(dir, "theirs"), filepath.Join(dir, "mine")})
	if code != 0 || !strings.Contains(log, "1 .pyc files written, 0 already valid, 0 shipped by the archive; 0 sources do not compile, 1 are in directories this user may not write") {
		t.Errorf("exit %d; log:\n%s", code, log)
	}
	if fi, err := os.Stat(filepath.Join(dir, "theirs")); err != nil || fi.Mode().Perm() != 0o555 {
		t.Errorf("theirs: %v %v", fi.Mode(), err)
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
