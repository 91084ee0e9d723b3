package venv

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/layout"
)

// metadataCheck prints how often the environment's distributions, the
// namespace package's directories and a console script are seen: each once
// in a right environment.
const metadataCheck = `import importlib.metadata as md, json, sys
import ns
names = [d.metadata["Name"] for d in md.distributions()]
eps = md.entry_points()
scripts = eps.select(group="console_scripts") if hasattr(eps, "select") else eps.get("console_scripts", [])
sp = [p for p in sys.path if p.endswith("site-packages")]
print(json.dumps({"alpha": names.count("alpha"), "beta": names.count("beta"), "ns_path": len(list(ns.__path__)),
                  "alpha_cli": [e.name for e in scripts].count("alpha-cli"), "site_packages": len(sp)}))
`

// TestMainFileSeesSitePackagesOnce: a main file at the top of the code is
// in site-packages; running it must not put site-packages on sys.path a
// second time (importlib.metadata would list every distribution twice, a
// namespace package would get two __path__ entries, PyPy 3.9's
// entry_points() would double). The same check as a module entry point is
// the reference.
func TestMainFileSeesSitePackagesOnce(t *testing.T) {
	for _, py := range []string{"/usr/bin/python3.11", "/usr/bin/pypy3"} {
		t.Run(filepath.Base(py), func(t *testing.T) {
			in := describe(t, py)
			code, dists := fixture(t)
			writeTree(t, code, map[string]string{"check.py": metadataCheck, "app/check.py": metadataCheck})
			want := `{"alpha": 1, "beta": 1, "ns_path": 1, "alpha_cli": 1, "site_packages": 1}` + "\n"
			for _, entry := range []Entry{{EntryPoint: "app.check"}, {Main: "check.py"}, {Main: "app/check.py"}} {
				env := build(t, Spec{Interpreter: in, Code: code, Dists: dists, Entry: entry})
				if out := run(t, nil, Python(env), filepath.Join(env, Bootstrap)); out != want {
					t.Errorf("%+v through the bootstrap file: %s, want %s", entry, out, want)
				}
				cmd := Command(env)
				if out := run(t, nil, cmd[0], cmd[1:]...); out != want {
					t.Errorf("%+v through the launcher's command: %s, want %s", entry, out, want)
				}
			}
		})
	}
}

// hashTree returns path -> sha256 of every file under dir, and the mode
// of every entry.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[rel] = "dir " + fi.Mode().String()
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out[rel] = hex.EncodeToString(sum[:]) + " " + fi.Mode().String()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTreesClaimingLauncherNamesAreSkipped: trees (from an archive the
// packer did not make) that provide files under the names the launcher
// owns are skipped and reported, and the launcher's files are its own: no
// write reaches a tree through a link, and the environment runs its own
// entry point.
func TestTreesClaimingLauncherNamesAreSkipped(t *testing.T) {
	in := describe(t, interpreters[0])
	code, dists := fixture(t)
	writeTree(t, code, map[string]string{
		"_rules_pex_inherit.py": "raise SystemExit('hostile inherit module from the code ran')\n",
	})
	hostile := filepath.Join(t.TempDir(), "hostile")
	bad := "raise SystemExit('hostile file ran')\n"
	writeTree(t, hostile, map[string]string{
		"data/pex":                "x:#!/bin/sh\necho hostile pex\n",
		"data/_rules_pex_main.py": bad,
		"data/pyvenv.cfg":         "home = /nowhere\n",
		"data/rules_pex.json":     "{}\n",
		"data/rules_pex.lock":     "",
		"data/rules_pex.compiled": "",
		"data/__pycache__/_rules_pex_main.cpython-311.pyc": "not really bytecode",
		"data/bin/python3":                                      "x:#!/bin/sh\necho hostile python\n",
		"data/share/hostile/ok.txt":                             "an ordinary data file\n",
		"data/" + in.SitePackages() + "/_rules_pex_inherit.pth": "import sys; sys.exit('hostile pth from data')\n",
		"site-packages/_rules_pex_inherit.py":                   bad,
		"site-packages/_rules_pex_inherit.pth":                  "import sys; sys.exit('hostile pth ran')\n",
		"site-packages/hostile/__init__.py":                     "",
		"scripts/python":                                        "x:#!/bin/sh\necho hostile script\n",
	})
	dists = append(dists, Dist{Wheel: "hostile-1.0-py3-none-any.whl", Project: "hostile", Dir: hostile,
		ConsoleScripts: map[string]string{"python3.11": "hostile:main", "_rules_pex_x": "hostile:main"}, Scripts: []string{"python"}})
	before, beforeCode := hashTree(t, hostile), hashTree(t, code)

	parent := t.TempDir()
	final := filepath.Join(parent, "env")
	if err := os.Mkdir(final, 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := Build(final, Spec{Dir: final, Interpreter: in, Code: code, Dists: dists, Inherit: layout.InheritPrefer, InheritSystem: true,
		Entry: Entry{EntryPoint: "app.main:run"}})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	env := final
	for _, name := range []string{"pex", "_rules_pex_main.py", "pyvenv.cfg", "rules_pex.json", "rules_pex.lock", "rules_pex.compiled", "__pycache__",
		"bin/python3", "bin/python", "bin/python3.11", "bin/_rules_pex_x", in.SitePackages() + "/_rules_pex_inherit.py", in.SitePackages() + "/_rules_pex_inherit.pth"} {
		if !strings.Contains(strings.Join(res.Collisions, "\n"), name+" of ") {
			t.Errorf("no collision reported for %s:\n%s", name, strings.Join(res.Collisions, "\n"))
		}
	}
	// The launcher writes its metadata files after Build: none may exist.
	for _, name := range []string{"rules_pex.json", "rules_pex.lock", "rules_pex.compiled"} {
		if _, err := os.Lstat(filepath.Join(env, name)); err == nil {
			t.Errorf("%s was placed in the environment from a tree", name)
		}
	}
	if _, err := os.Stat(filepath.Join(env, "share", "hostile", "ok.txt")); err != nil {
		t.Errorf("an ordinary data file was not installed: %v", err)
	}
	if after := hashTree(t, hostile); !equalTrees(before, after) {
		t.Errorf("the tree changed:\nbefore %v\nafter  %v", before, after)
	}
	if after := hashTree(t, code); !equalTrees(beforeCode, after) {
		t.Errorf("the code tree changed:\nbefore %v\nafter  %v", beforeCode, after)
	}
	for _, rel := range []string{"pex", "_rules_pex_main.py", "pyvenv.cfg", in.SitePackages() + "/_rules_pex_inherit.py", in.SitePackages() + "/_rules_pex_inherit.pth"} {
		fi, err := os.Lstat(filepath.Join(env, rel))
		if err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("%s: %v, want the launcher's own regular file", rel, err)
		}
		for _, tree := range []string{hostile, code} {
			filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
				if ti, err := os.Stat(p); err == nil && !d.IsDir() && os.SameFile(fi, ti) {
					t.Errorf("%s of the environment is %s of a tree", rel, p)
				}
				return nil
			})
		}
	}
	cmd := Command(env)
	out, err := execIn(env, cmd, "z")
	if !strings.Contains(out, "run ['z']") {
		t.Errorf("the environment ran %q (%v), want its own entry point", out, err)
	}
	c := exec.Command(cmd[0], cmd[1:]...)
	c.Env = append(os.Environ(), "PEX_SCRIPT=python3.11")
	if out, _ := c.CombinedOutput(); !strings.Contains(string(out), "no console script or script named 'python3.11'") {
		t.Errorf("PEX_SCRIPT ran a console script skipped for its name: %q", out)
	}
	if out := run(t, nil, filepath.Join(env, "bin", "python3"), "-c", "import sys; print(sys.prefix)"); strings.TrimSpace(out) != env {
		t.Errorf("bin/python3 is not the environment's python: %q", out)
	}
}

func execIn(env string, cmd []string, args ...string) (string, error) {
	c := exec.Command(cmd[0], append(cmd[1:], args...)...)
	c.Dir = env
	out, err := c.CombinedOutput()
	return string(out), err
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
