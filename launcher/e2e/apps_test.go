package launcher_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The application used by most tests: a package with a data file, a
// module:function entry point and a main file, and the wheelhouse's
// requests (pure) and numpy, cryptography, yaml (native).
var webApp = app{
	"app/__init__.py": "",
	"app/data.txt":    "data next to the module\n",
	"app/main.py": `import json, os, sys
def run():
    import requests, certifi, numpy, yaml, cryptography
    from cryptography.hazmat.primitives import hashes
    h = hashes.Hash(hashes.SHA256()); h.update(b"abc")
    here = os.path.dirname(__file__)
    print(json.dumps({
        "argv": sys.argv, "pex": os.environ.get("PEX"), "executable": sys.executable,
        "requests": requests.__version__, "numpy": int(numpy.arange(4).sum()),
        "yaml": yaml.safe_load("a: [1, 2]"), "sha256": h.finalize().hex()[:16],
        "file_real": os.path.isfile(__file__) and os.path.isfile(numpy.__file__),
        "data": open(os.path.join(here, "data.txt")).read(),
        "cacert": os.path.isfile(certifi.where()),
        "env": os.environ.get("APP_MODE"),
        "leaked": [k for k in os.environ if k.startswith("__RULES_PEX") or k in ("PEX_INTERPRETER", "PEX_MODULE", "PEX_SCRIPT")],
    }))
    return int(os.environ.get("APP_EXIT", "0"))
`,
	"app/cli.py":      "import sys\nprint('main file', __name__, sys.argv[1:])\n",
	"app/__main__.py": "import sys\nprint('module main', __name__, sys.argv[0] == __import__('os').environ['PEX'])\n",
}

func webArgs(t testing.TB, extra ...string) []string {
	args := append([]string{"--requirement", "requests", "--requirement", "numpy", "--requirement", "pyyaml",
		"--requirement", "cryptography", "--env", "APP_MODE=packed"}, allWheels(t)...)
	return append(args, extra...)
}

func TestRunsPureAndNativeApp(t *testing.T) {
	archive := pack(t, webApp, webArgs(t, "--entry-point", "app.main:run")...)
	w := newWorld(t, cpython)
	for _, run := range []string{"cold", "warm"} {
		var got struct {
			Argv       []string
			Pex        string
			Executable string
			Requests   string
			Numpy      int
			Yaml       map[string][]int
			Sha256     string
			FileReal   bool `json:"file_real"`
			Data       string
			Cacert     bool
			Env        string
			Leaked     []string
		}
		decodeJSON(t, w.ok(archive, nil, "x", "--flag"), &got)
		if strings.Join(got.Argv, " ") != archive+" x --flag" || got.Pex != archive {
			t.Errorf("%s: argv %q, PEX %q; want the archive's path", run, got.Argv, got.Pex)
		}
		if got.Requests != "2.28.1" || got.Numpy != 6 || len(got.Yaml["a"]) != 2 || got.Sha256 != "ba7816bf8f01cfea" {
			t.Errorf("%s: dependencies misbehave: %+v", run, got)
		}
		if !got.FileReal || got.Data != "data next to the module\n" || !got.Cacert {
			t.Errorf("%s: files are not real files on disk: %+v", run, got)
		}
		if got.Env != "packed" || len(got.Leaked) != 0 {
			t.Errorf("%s: environment: APP_MODE=%q, leaked %v", run, got.Env, got.Leaked)
		}
		if !strings.HasPrefix(got.Executable, w.root) {
			t.Errorf("%s: sys.executable %s is not the environment's python under the cache", run, got.Executable)
		}
	}
	// The caller's environment wins over the packed env; the exit code is the app's.
	r := w.run(archive, []string{"APP_MODE=caller", "APP_EXIT=42"})
	if r.code != 42 || !strings.Contains(r.stdout, `"env": "caller"`) {
		t.Errorf("exit %d, stdout %s; want 42 and APP_MODE from the caller", r.code, r.stdout)
	}
}

func TestEntryPointKinds(t *testing.T) {
	w := newWorld(t, cpython)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"module", []string{"--entry-point", "app"}, "module main __main__ True\n"},
		{"main file", []string{"--main", "app/cli.py"}, "main file __main__ ['a', 'b']\n"},
		{"console script", []string{"--script", "pygmentize", "--requirement", "pygments"}, "Pygments version 2.14.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			archive := pack(t, webApp, append(tc.args, allWheels(t)...)...)
			out := w.ok(archive, nil, argsFor(tc.name)...)
			if !strings.Contains(out, tc.want) {
				t.Errorf("printed %q, want %q", out, tc.want)
			}
		})
	}
}

func argsFor(kind string) []string {
	switch kind {
	case "main file":
		return []string{"a", "b"}
	case "console script":
		return []string{"-V"}
	}
	return nil
}

func TestEnvironmentOverrides(t *testing.T) {
	archive := pack(t, webApp, webArgs(t, "--entry-point", "app.main:run", "--requirement", "pygments")...)
	w := newWorld(t, cpython)
	if out := w.ok(archive, []string{"PEX_MODULE=app"}); out != "module main __main__ True\n" {
		t.Errorf("PEX_MODULE=app printed %q", out)
	}
	if out := w.ok(archive, []string{"PEX_MODULE=app.cli"}, "z"); out != "main file __main__ ['z']\n" {
		t.Errorf("PEX_MODULE=app.cli printed %q", out)
	}
	if out := w.ok(archive, []string{"PEX_SCRIPT=pygmentize"}, "-V"); !strings.Contains(out, "Pygments version") {
		t.Errorf("PEX_SCRIPT=pygmentize printed %q", out)
	}
	r := w.run(archive, []string{"PEX_SCRIPT=nope"})
	if r.code == 0 || !strings.Contains(r.stderr, "no console script or script named 'nope'") || !strings.Contains(r.stderr, "pygmentize") {
		t.Errorf("PEX_SCRIPT=nope: exit %d, stderr %s", r.code, r.stderr)
	}
	// PEX_INTERPRETER: Python's own command line inside the environment.
	out := w.ok(archive, []string{"PEX_INTERPRETER=1"}, "-c", "import sys, numpy, os; print(sys.argv[1:], 'PEX_INTERPRETER' in os.environ)", "q")
	if out != "['q'] False\n" {
		t.Errorf("PEX_INTERPRETER=1 -c printed %q", out)
	}
	script := filepath.Join(t.TempDir(), "s.py")
	os.WriteFile(script, []byte("import yaml, sys\nprint('script', sys.argv[1:])\n"), 0o644)
	if out := w.ok(archive, []string{"PEX_INTERPRETER=1"}, script, "r"); out != "script ['r']\n" {
		t.Errorf("PEX_INTERPRETER=1 script printed %q", out)
	}
	// PEX_VERBOSE explains the decisions.
	fresh := filepath.Join(t.TempDir(), "fresh")
	t.Cleanup((&world{root: fresh}).stopCompilers)
	r = w.run(archive, []string{"PEX_VERBOSE=1", "PEX_ROOT=" + fresh})
	for _, want := range []string{"interpreter candidates from PATH", "accepted", "chose", "extracted numpy", "exec "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("PEX_VERBOSE output lacks %q:\n%s", want, r.stderr)
		}
	}
	r = w.run(archive, []string{"PEX_VERBOSE=1"})
	if !strings.Contains(r.stderr, "plan ") || strings.Contains(r.stderr, "extracted") {
		t.Errorf("a warm PEX_VERBOSE run should use a plan and extract nothing:\n%s", r.stderr)
	}
}
