package launcher_test

// Shipped bytecode (docs/launcher.md, Bytecode): an archive packed with
// bytecode bundles for CPython 3.11 imports its modules from the shipped
// .pyc files on its very first run, the background compiler finds nothing
// to do for them, cache verify accepts them, tracebacks name the real
// files, and an interpreter of another cache tag gets the trees without.

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// bundle compiles a bytecode bundle with the interpreter py.
func bundle(t *testing.T, py, out string, args ...string) string {
	t.Helper()
	cmd := exec.Command(py, append([]string{filepath.Join(repoRoot(), "tools", "precompile", "precompile.py"), "--out", out}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("precompile.py %v: %v\n%s", args, err, b)
	}
	return out
}

const precompiledMain = `import sys
import requests, yaml, six
def run():
    for m in (requests, yaml, six, sys.modules[__name__]):
        print(m.__name__, m.__spec__.cached)
    if sys.argv[1:] == ["boom"]:
        raise RuntimeError("boom")
`

func TestPrecompiledFirstRun(t *testing.T) {
	requireInterpreter(t, cpython)
	dir := t.TempDir()
	srcDir := filepath.Join(dir, "src")
	os.MkdirAll(filepath.Join(srcDir, "app"), 0o755)
	os.WriteFile(filepath.Join(srcDir, "app", "__init__.py"), nil, 0o644)
	os.WriteFile(filepath.Join(srcDir, "app", "main.py"), []byte(precompiledMain), 0o644)
	args := []string{"build", "-o", filepath.Join(dir, "app.pex"), "--launcher", launcherBin, "--entry-point", "app.main:run",
		"--interpreter-constraint", "CPython==3.11.*", "--interpreter-constraint", "PyPy"}
	srcs := []string{"--source", "app/__init__.py=" + filepath.Join(srcDir, "app", "__init__.py"), "--source", "app/main.py=" + filepath.Join(srcDir, "app", "main.py")}
	args = append(args, srcs...)
	args = append(args, "--bytecode", bundle(t, cpython, filepath.Join(dir, "code.bc"), srcs...))
	for _, p := range []string{"requests-", "urllib3-", "idna-", "charset_normalizer-", "certifi-", "chardet-", "pyyaml-", "six-"} {
		w := wheel(t, p)
		args = append(args, "--wheel", w, "--bytecode", bundle(t, cpython, filepath.Join(dir, p+"bc"), "--wheel", w))
	}
	if out, err := exec.Command(packerBin, args...).CombinedOutput(); err != nil {
		t.Fatalf("packer: %v\n%s", err, out)
	}
	archive := filepath.Join(dir, "app.pex")

	w := newWorld(t, cpython)
	// The first run: every module of ours comes from a shipped .pyc
	// (Python's -v says "code object from '<the .pyc>'"), none from a
	// source, except the launcher's boot module.
	r := w.run(archive, []string{"PYTHONVERBOSE=1"})
	if r.code != 0 {
		t.Fatalf("first run exited %d:\n%s", r.code, r.stderr)
	}
	fromSource := regexp.MustCompile(`# code object from '?(` + regexp.QuoteMeta(w.root) + `[^'\s]*\.py)'?$`)
	fromPyc := 0
	for _, line := range strings.Split(r.stderr, "\n") {
		if m := fromSource.FindStringSubmatch(line); m != nil && !strings.HasSuffix(m[1], "/_rules_pex_main.py") {
			t.Errorf("first run compiled %s from its source", m[1])
		}
		if strings.HasPrefix(line, "# code object from '"+w.root) && strings.HasSuffix(line, ".cpython-311.pyc'") {
			fromPyc++
		}
	}
	if fromPyc < 50 {
		t.Errorf("first run loaded %d modules from shipped .pyc files, want more than 50", fromPyc)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.HasSuffix(line, ".cpython-311.pyc") {
			t.Errorf("module not from bytecode: %s", line)
		}
	}
	// The background compiler found nothing to do but the boot module.
	w.waitCompilers()
	venv := onlyVenv(t, w)
	log := compileLog(venv)
	if !strings.Contains(log, "rules_pex: 1 .pyc files written") || !regexp.MustCompile(`[1-9][0-9]+ shipped by the archive`).MatchString(log) {
		t.Errorf("compile log:\n%s", log)
	}
	// Every .pyc in the trees is shipped: read-only; the only written one
	// is the boot module's.
	filepath.WalkDir(w.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".pyc") {
			return nil
		}
		fi, _ := d.Info()
		if fi.Mode()&0o200 != 0 && filepath.Base(p) != "_rules_pex_main.cpython-311.pyc" {
			t.Errorf("%s was written after extraction (mode %v)", p, fi.Mode())
		}
		return nil
	})
	// verify accepts them; a traceback names the file in the cache.
	if r := w.run(archive, []string{"PEX_TOOLS=1"}, "cache", "verify"); r.code != 0 {
		t.Errorf("cache verify exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = w.run(archive, nil, "boom")
	if r.code == 0 || !regexp.MustCompile(`File "`+regexp.QuoteMeta(w.root)+`/v2/venvs/[0-9a-f]+/lib/python3.11/site-packages/app/main.py", line 7, in run`).MatchString(r.stderr) {
		t.Errorf("traceback does not name the cached source:\n%s", r.stderr)
	}

	// PyPy (cache tag pypy39) gets the trees without bytecode: other
	// directories, whose hash is the manifest's tree_hash.
	if _, err := os.Stat(pypy); err != nil {
		t.Logf("no %s: not checking another cache tag", pypy)
		return
	}
	six := wheel(t, "six-")
	small := filepath.Join(dir, "six.pex")
	smallArgs := []string{"build", "-o", small, "--launcher", launcherBin, "--entry-point", "six",
		"--wheel", six, "--bytecode", filepath.Join(dir, "six-bc")}
	if out, err := exec.Command(packerBin, smallArgs...).CombinedOutput(); err != nil {
		t.Fatalf("packer: %v\n%s", err, out)
	}
	w2 := newWorld(t, pypy)
	if out := w2.ok(small, []string{"PEX_INTERPRETER=1"}, "-c", "import six; print(six.__spec__.cached)"); strings.Contains(out, "cpython-311") {
		t.Errorf("PyPy used CPython's bytecode: %s", out)
	}
	var info struct {
		Distributions map[string]struct {
			TreeHash string `json:"tree_hash"`
		}
	}
	decodeJSON(t, w2.ok(small, []string{"PEX_TOOLS=1"}, "info"), &info)
	d := info.Distributions[filepath.Base(six)]
	if got := dirsOf(t, w2.root, "wheels"); len(got) != 1 || got[0] != d.TreeHash {
		t.Errorf("PyPy's trees %v, want the one without bytecode, %s", got, d.TreeHash)
	}
}
