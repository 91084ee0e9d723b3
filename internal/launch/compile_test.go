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
	var log bytes.Buffer
	c, err := startCompiler(testPython, nil, &log)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.do('F', []string{filepath.Join(dir, "top.py")}); err != nil {
		t.Fatal(err)
	}
	if err := c.do('D', []string{filepath.Join(dir, "pkg"), filepath.Join(dir, "gone")}); err != nil {
		t.Fatal(err)
	}
	if c.total != (compileCounts{Compiled: 4, Shipped: 1, Skipped: 1}) {
		t.Errorf("counts %+v; log:\n%s", c.total, log.String())
	}
	if data, _ := os.ReadFile(shipped); string(data) != "bytecode the archive ships" {
		t.Errorf("the archive's own .pyc was replaced")
	}
	if fi, err := os.Stat(filepath.Join(dir, "pkg", "__pycache__", "mod.cpython-311.pyc")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("a written .pyc: %v, %v, want mode 0644 as Python writes them", fi.Mode(), err)
	}
	if !strings.Contains(log.String(), "py2.py: SyntaxError") {
		t.Errorf("log does not name the source that does not compile:\n%s", log.String())
	}
	if _, err := os.Lstat(filepath.Join(dir, "gone")); err == nil {
		t.Errorf("the compiler created a directory that was not there")
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
	c.total = compileCounts{}
	if err := c.do('D', []string{dir}); err != nil {
		t.Fatal(err)
	}
	if c.total != (compileCounts{Compiled: 1, Valid: 3, Shipped: 1, Skipped: 1}) {
		t.Errorf("compiling again: counts %+v; log:\n%s", c.total, log.String())
	}
	if again, _ := os.ReadFile(pyc); !bytes.Equal(again, data) {
		t.Errorf("the truncated .pyc was not replaced by the same bytes")
	}
	// A write that fails stops the compiler with an error, and leaves
	// nothing behind.
	writeFiles(t, dir, map[string]string{"blocked/x.py": "x = 1\n", "blocked/__pycache__": "a file, not a directory"})
	err = c.do('D', []string{filepath.Join(dir, "blocked")})
	if err == nil || !strings.Contains(err.Error(), "__pycache__") {
		t.Errorf("a failed write: %v", err)
	}
	if err := c.close(); err == nil {
		t.Errorf("the compiler exited 0 after a failed write")
	}
}

// Another user's read-only tree cannot be compiled into: for good, so it
// is skipped, not an error that would make every run try again.
func TestCompileScriptSkipsWhatItMayNotWrite(t *testing.T) {
	dir, err := os.MkdirTemp("", "compile-other-user-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	writeFiles(t, dir, map[string]string{"theirs/mod.py": "x = 1\n", "mine/mod.py": "x = 2\n"})
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Join(dir, "theirs"), 0o555)
	os.Chown(filepath.Join(dir, "mine"), 65534, 65534)
	nobody := filepath.Join(dir, "python-as-nobody")
	os.WriteFile(nobody, []byte("#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups "+testPython+" \"$@\"\n"), 0o755)
	var log bytes.Buffer
	c, err := startCompiler(nobody, nil, &log)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.do('D', []string{filepath.Join(dir, "theirs"), filepath.Join(dir, "mine")}); err != nil {
		t.Fatalf("%v; log:\n%s", err, log.String())
	}
	if err := c.close(); err != nil {
		t.Fatal(err)
	}
	if c.total != (compileCounts{Compiled: 1, Unwritable: 1}) {
		t.Errorf("counts %+v; log:\n%s", c.total, log.String())
	}
	if fi, err := os.Stat(filepath.Join(dir, "theirs")); err != nil || fi.Mode().Perm() != 0o555 {
		t.Errorf("theirs: %v %v", fi.Mode(), err)
	}
}
