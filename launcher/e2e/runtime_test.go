package launcher_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnsetPathSearchesTheDefaultPath runs an archive under `env -i`: with
// no PATH the launcher searches /usr/bin:/bin, as execvp and Python do.
func TestUnsetPathSearchesTheDefaultPath(t *testing.T) {
	requireInterpreter(t, cpython)
	archive := pack(t, whoAmI, "--main", "who.py")
	root := filepath.Join(t.TempDir(), "root")
	for i := 0; i < 2; i++ { // cold, then warm
		cmd := exec.Command("env", "-i", "PEX_ROOT="+root, "TMPDIR="+t.TempDir(), archive)
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		if err := cmd.Run(); err != nil || !strings.HasPrefix(so.String(), "CPython 3.11.2") {
			t.Fatalf("env -i %s (run %d): %v, printed %q\nstderr:\n%s", archive, i+1, err, so.String(), se.String())
		}
	}
}

// TestPexModuleThatDoesNotExist: PEX_MODULE naming a module or attribute
// that does not exist, an attribute that cannot be called, or no entry
// point at all exits 1 with one rules_pex: line; an ImportError raised
// while the user's module imports keeps its traceback.
func TestPexModuleThatDoesNotExist(t *testing.T) {
	archive := pack(t, app{
		"m.py":            "print('main')\n",
		"bad.py":          "import missing_dep\n",
		"pkg/__init__.py": "",
	}, "--main", "m.py")
	w := newWorld(t, cpython)
	for module, want := range map[string]string{
		"nope":           "rules_pex: no module named nope\n",
		"nope:main":      "rules_pex: no module named nope\n",
		"nope.sub":       "rules_pex: no module named nope\n",
		"pkg.nope":       "rules_pex: no module named pkg.nope\n",
		"pkg.nope:f":     "rules_pex: no module named pkg.nope\n",
		"os.path.x":      "rules_pex: no module named os.path.x: os.path is not a package\n",
		"os:nofunc":      "rules_pex: entry point os:nofunc: os has no attribute nofunc\n",
		"os:path.nofunc": "rules_pex: entry point os:path.nofunc: os:path has no attribute nofunc\n",
		"os:path":        "rules_pex: entry point os:path: os:path is a module, not callable\n",
		"os:sep":         "rules_pex: entry point os:sep: os:sep is a str, not callable\n",
		// Not an entry point at all: said before anything runs.
		" m":       "rules_pex: PEX_MODULE \" m\": not an entry point: module \" m\" starts with ' ', which cannot start a Python identifier; set it to MODULE or MODULE:FUNC\n",
		"m ":       "rules_pex: PEX_MODULE \"m \": not an entry point: module \"m \" contains ' ', which is not allowed in a Python identifier; set it to MODULE or MODULE:FUNC\n",
		":main":    "rules_pex: PEX_MODULE \":main\": not an entry point: module name is empty; set it to MODULE or MODULE:FUNC\n",
		"m:main()": "rules_pex: PEX_MODULE \"m:main()\": not an entry point: function \"main()\" contains '(', which is not allowed in a Python identifier; set it to MODULE or MODULE:FUNC\n",
	} {
		r := w.run(archive, []string{"PEX_MODULE=" + module})
		if r.code != 1 || r.stderr != want || r.stdout != "" {
			t.Errorf("PEX_MODULE=%s: exit %d, stdout %q, stderr %q; want exit 1 and %q", module, r.code, r.stdout, r.stderr, want)
		}
	}
	// PEX_INTERPRETER runs no entry point: PEX_MODULE is not looked at.
	if r := w.run(archive, []string{"PEX_MODULE= m", "PEX_INTERPRETER=1"}, "-c", "print(2)"); r.code != 0 || r.stdout != "2\n" {
		t.Errorf("PEX_INTERPRETER=1 with PEX_MODULE=\" m\": exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, module := range []string{"bad", "bad:main"} {
		r := w.run(archive, []string{"PEX_MODULE=" + module})
		if r.code != 1 || !strings.HasPrefix(r.stderr, "Traceback (most recent call last):") ||
			!strings.Contains(r.stderr, "bad.py\", line 1") || !strings.HasSuffix(r.stderr, "ModuleNotFoundError: No module named 'missing_dep'\n") {
			t.Errorf("PEX_MODULE=%s: exit %d, want the traceback of bad.py's import; stderr:\n%s", module, r.code, r.stderr)
		}
		// As in a virtual environment: no frame of the boot module.
		if strings.Contains(r.stderr, "_rules_pex_main") {
			t.Errorf("PEX_MODULE=%s: the traceback shows the boot module's frames:\n%s", module, r.stderr)
		}
	}
}
