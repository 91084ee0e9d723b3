package launcher_test

import (
	"testing"

	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

// TestUnicodeEntryPointsRun: a console script whose target is a valid
// Python identifier outside ASCII (PEP 3131) is accepted by the packer and
// runs, whether it is the entry point or another script is; so does an
// --entry-point of that kind. One rule (layout.ParseEntryPoint) decides for
// the packer, the manifest and the environment.
func TestUnicodeEntryPointsRun(t *testing.T) {
	dir := t.TempDir()
	whl := wheeltest.Write(t, dir, wheeltest.Spec{Name: "demo_u", Version: "1.0",
		Files: map[string]string{
			"demo_u/__init__.py": "",
			"demo_u/café.py":     "def main():\n    print('bonjour from café')\n",
			"demo_u/plain.py":    "def main():\n    print('plain')\n",
		},
		EntryPoints: "[console_scripts]\nhello = demo_u.café:main\nother = demo_u.plain:main\n"})
	w := newWorld(t, cpython)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--script", "other"}, "plain\n"},
		{[]string{"--script", "hello"}, "bonjour from café\n"},
		{[]string{"--entry-point", "demo_u.café:main"}, "bonjour from café\n"},
	} {
		archive := pack(t, app{"x.py": ""}, append([]string{"--wheel", whl}, tc.args...)...)
		if out := w.ok(archive, nil); out != tc.want {
			t.Errorf("%v: printed %q, want %q", tc.args, out, tc.want)
		}
	}
}

// nsCheck prints how often the application sees its distributions, the
// directories of a namespace package they share and a console script.
const nsCheck = `import importlib.metadata as md, json, sys
import nsx.alpha, nsx.beta
names = [d.metadata["Name"] for d in md.distributions()]
eps = md.entry_points()
scripts = eps.select(group="console_scripts") if hasattr(eps, "select") else eps.get("console_scripts", [])
print(json.dumps({"alpha": names.count("alpha"), "beta": names.count("beta"),
                  "nsx": len(list(nsx.__path__)), "alpha_cli": [e.name for e in scripts].count("alpha-cli")}))
`

// TestMainFileSeesEachDistributionOnce: an application run through --main
// sees each distribution, each namespace package directory and each
// console script once, as the same application does through
// --entry-point, on CPython and on PyPy.
func TestMainFileSeesEachDistributionOnce(t *testing.T) {
	dir := t.TempDir()
	alpha := wheeltest.Write(t, dir, wheeltest.Spec{Name: "alpha", Version: "1.0",
		Files:       map[string]string{"nsx/alpha/__init__.py": "def main():\n    pass\n"},
		EntryPoints: "[console_scripts]\nalpha-cli = nsx.alpha:main\n"})
	beta := wheeltest.Write(t, dir, wheeltest.Spec{Name: "beta", Version: "1.0",
		Files: map[string]string{"nsx/beta/__init__.py": ""}})
	src := app{"check.py": nsCheck, "checkmod.py": nsCheck}
	byMain := pack(t, src, "--wheel", alpha, "--wheel", beta, "--main", "check.py")
	byModule := pack(t, src, "--wheel", alpha, "--wheel", beta, "--entry-point", "checkmod")
	const want = `{"alpha": 1, "beta": 1, "nsx": 1, "alpha_cli": 1}` + "\n"
	for _, py := range []string{cpython, pypy} {
		w := newWorld(t, py)
		for how, archive := range map[string]string{"--entry-point": byModule, "--main": byMain} {
			for run := 0; run < 2; run++ { // cold, then warm
				if out := w.ok(archive, nil); out != want {
					t.Errorf("%s with %s (run %d): %s, want %s", how, py, run, out, want)
				}
			}
		}
	}
}
