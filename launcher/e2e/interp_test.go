package launcher_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// whoAmI prints the implementation and version of the interpreter running it.
var whoAmI = app{"who.py": "import platform, sys\nprint(platform.python_implementation(), platform.python_version())\n"}

func TestConstraintOnlyPyPySatisfiesPicksPyPy(t *testing.T) {
	archive := pack(t, whoAmI, "--main", "who.py", "--interpreter-constraint", "PyPy")
	w := newWorld(t, cpython, pypy) // CPython first on PATH
	if out := w.ok(archive, nil); !strings.HasPrefix(out, "PyPy 3.9") {
		t.Errorf("printed %q, want PyPy", out)
	}
	// Without constraints the newest wins: CPython 3.11.
	any := pack(t, whoAmI, "--main", "who.py")
	if out := w.ok(any, nil); !strings.HasPrefix(out, "CPython 3.11") {
		t.Errorf("printed %q, want CPython 3.11", out)
	}
	// Oldest, if the archive says so.
	oldest := pack(t, whoAmI, "--main", "who.py", "--interpreter-selection", "oldest")
	if out := w.ok(oldest, nil); !strings.HasPrefix(out, "PyPy 3.9") {
		t.Errorf("oldest printed %q, want PyPy 3.9", out)
	}
}

func TestPexPythonAndPexPythonPath(t *testing.T) {
	archive := pack(t, whoAmI, "--main", "who.py")
	w := newWorld(t, cpython, pypy)
	for _, tc := range []struct {
		env  string
		want string
	}{
		{"PEX_PYTHON=" + pypy, "PyPy"},
		{"PEX_PYTHON=pypy3", "PyPy"}, // a name looked up on PATH
		{"PEX_PYTHON=" + pyenvPy, "CPython 3.11.7"},
		{"PEX_PYTHON_PATH=" + pypy, "PyPy"},
		{"PEX_PYTHON_PATH=" + filepath.Dir(pyenvPy), "CPython 3.11.7"}, // a directory
		{"PEX_PYTHON_PATH=" + cpython + ":" + pypy, "CPython 3.11.2"},
	} {
		if out := w.ok(archive, []string{tc.env}); !strings.HasPrefix(out, tc.want) {
			t.Errorf("%s: printed %q, want %s", tc.env, out, tc.want)
		}
	}
	r := w.run(archive, []string{"PEX_PYTHON=/nonexistent/python"})
	if r.code == 0 || !strings.Contains(r.stderr, "PEX_PYTHON=/nonexistent/python") || !strings.Contains(r.stderr, "no interpreter found there") {
		t.Errorf("PEX_PYTHON to a missing file: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func TestNativeWheelsRefusePyPyWithAClearError(t *testing.T) {
	archive := pack(t, webApp, webArgs(t, "--entry-point", "app.main:run")...)
	w := newWorld(t, pypy)
	r := w.run(archive, nil)
	if r.code != 1 {
		t.Errorf("exit code %d, want 1", r.code)
	}
	for _, want := range []string{
		"no compatible Python interpreter found",
		"searched PATH=" + w.path,
		"pypy3 (PyPy 3.9.16)",
		"no compatible wheel of",
		"cp311-cp311-linux_x86_64",
		"PEX_PYTHON", "PEX_PYTHON_PATH", "PEX_VERBOSE=1",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("error does not mention %q:\n%s", want, r.stderr)
		}
	}
	if got := dirsOf(t, w.root, "wheels"); len(got) != 0 {
		t.Errorf("a refused run extracted %v", got)
	}
	// Constraint and broken-candidate reasons are listed too.
	cons := pack(t, whoAmI, "--main", "who.py", "--interpreter-constraint", "CPython>=3.12")
	broken := filepath.Join(t.TempDir(), "python3")
	os.WriteFile(broken, []byte("#!/bin/sh\necho not python >&2\nexit 3\n"), 0o755)
	w.path += ":" + filepath.Dir(broken)
	r = w.run(cons, nil)
	for _, want := range []string{"interpreter constraints: CPython>=3.12", "does not match the interpreter constraints", broken + " (?): broken", "not python"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("error does not mention %q:\n%s", want, r.stderr)
		}
	}
}

func TestMarkersChooseWheelsPerInterpreter(t *testing.T) {
	// markdown needs importlib-metadata (and zipp, more-itertools) only
	// before Python 3.10: PyPy 3.9 gets them, CPython 3.11 does not.
	src := app{"md.py": "import importlib.util as u, markdown\nprint(markdown.markdown('*x*'), [m for m in ('importlib_metadata', 'zipp') if u.find_spec(m)])\n"}
	archive := pack(t, src, append([]string{"--main", "md.py", "--requirement", "markdown"}, allWheels(t)...)...)
	w := newWorld(t, cpython, pypy)
	if out := w.ok(archive, nil); out != "<p><em>x</em></p> []\n" {
		t.Errorf("CPython printed %q", out)
	}
	if out := w.ok(archive, []string{"PEX_PYTHON=" + pypy}); out != "<p><em>x</em></p> ['importlib_metadata', 'zipp']\n" {
		t.Errorf("PyPy printed %q", out)
	}
}

func TestReplacedInterpreterIsProbedAgain(t *testing.T) {
	archive := pack(t, whoAmI, "--main", "who.py")
	w := newWorld(t)
	dir := t.TempDir()
	py := filepath.Join(dir, "python3")
	write := func(target string) {
		tmp := py + ".new"
		os.WriteFile(tmp, []byte("#!/bin/sh\nexec "+target+" \"$@\"\n"), 0o755)
		if err := os.Rename(tmp, py); err != nil {
			t.Fatal(err)
		}
	}
	write(cpython)
	w.path = dir
	if out := w.ok(archive, nil); !strings.HasPrefix(out, "CPython 3.11.2") {
		t.Fatalf("printed %q", out)
	}
	time.Sleep(10 * time.Millisecond) // a distinct mtime even on coarse clocks
	write(pypy)
	r := w.run(archive, []string{"PEX_VERBOSE=1"})
	if !strings.HasPrefix(r.stdout, "PyPy") || !strings.Contains(r.stderr, "probe of "+py+": ran it") {
		t.Errorf("after replacing the interpreter: stdout %q\nstderr:\n%s", r.stdout, r.stderr)
	}
	r = w.run(archive, []string{"PEX_VERBOSE=1"})
	if !strings.HasPrefix(r.stdout, "PyPy") || strings.Contains(r.stderr, "ran it") {
		t.Errorf("the next run should be warm: stdout %q\nstderr:\n%s", r.stdout, r.stderr)
	}
}

func TestIsolationFromSitePackages(t *testing.T) {
	// A package of the interpreter's own site-packages (pyenv's 3.11.7 has
	// boto3 and a hundred others).
	pkg := sitePackage(t, pyenvPy)
	src := app{"iso.py": "import importlib.util as u\nprint(u.find_spec('" + pkg + "') is not None)\n"}
	w := newWorld(t, pyenvPy)
	for _, tc := range []struct {
		inherit string
		env     []string
		want    string
	}{
		{"false", nil, "False\n"},
		{"fallback", nil, "True\n"},
		{"prefer", nil, "True\n"},
		{"false", []string{"PEX_INHERIT_PATH=fallback"}, "True\n"},
		{"prefer", []string{"PEX_INHERIT_PATH=false"}, "False\n"},
	} {
		archive := pack(t, src, "--main", "iso.py", "--inherit-path", tc.inherit)
		if out := w.ok(archive, tc.env); out != tc.want {
			t.Errorf("inherit_path %s %v: printed %q, want %q", tc.inherit, tc.env, out, tc.want)
		}
	}
	// A venv's python counts as its base interpreter: the venv's packages
	// stay invisible unless inherited.
	venvDir := filepath.Join(t.TempDir(), "venv")
	if out, err := execOut(cpython, "-m", "venv", "--without-pip", venvDir); err != nil {
		t.Fatalf("making a venv: %v\n%s", err, out)
	}
	sp, _ := filepath.Glob(filepath.Join(venvDir, "lib", "python3*", "site-packages"))
	os.WriteFile(filepath.Join(sp[0], "only_in_venv.py"), []byte(""), 0o644)
	src = app{"iso.py": "import importlib.util as u, sys\nprint(u.find_spec('only_in_venv') is not None, sys._base_executable if hasattr(sys, '_base_executable') else '')\n"}
	for _, tc := range []struct{ inherit, want string }{{"false", "False"}, {"fallback", "True"}} {
		archive := pack(t, src, "--main", "iso.py", "--inherit-path", tc.inherit)
		out := w.ok(archive, []string{"PEX_PYTHON=" + filepath.Join(venvDir, "bin", "python")})
		if !strings.HasPrefix(out, tc.want+" ") {
			t.Errorf("venv interpreter, inherit_path %s: printed %q", tc.inherit, out)
		}
	}
}

// sitePackage returns the name of a top-level package in the site-packages
// of the interpreter py.
func sitePackage(t *testing.T, py string) string {
	t.Helper()
	requireInterpreter(t, py)
	out, err := execOut(py, "-c", `import os, site
for d in site.getsitepackages():
    for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if n.isidentifier() and not n.startswith("_") and os.path.isfile(os.path.join(d, n, "__init__.py")):
            print(n)
            raise SystemExit
`)
	name := strings.TrimSpace(out)
	if err != nil || name == "" {
		t.Fatalf("%s has no package in its site-packages to test isolation with (%v): %s", py, err, out)
	}
	return name
}
