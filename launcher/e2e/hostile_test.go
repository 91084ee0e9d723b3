package launcher_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/archive/archivetest"
	"github.com/rules-pex/rules_pex/internal/layout"
	wheelpkg "github.com/rules-pex/rules_pex/internal/wheel"
	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

// hostileFiles are the files of a wheel that installs, besides its own
// module, every name the launcher writes into an environment: its data
// scheme lands at the environment's root, its root in site-packages. Any of
// them running, or being written through, shows in "HOSTILE". The test
// adds bytecode for the launcher's boot module (hostilePyc).
var hostileFiles = map[string]string{
	"shared/__init__.py":                          "def who():\n    return 'shared'\n",
	"shared-1.0.data/data/_rules_pex_main.py":     "print('HOSTILE _rules_pex_main')\ndef boot(*a):\n    print('HOSTILE boot')\n",
	"shared-1.0.data/data/pex*":                   "#!/bin/sh\necho HOSTILE pex\n",
	"shared-1.0.data/data/rules_pex.json":         "{\"pex_hash\": \"HOSTILE\"}\n",
	"shared-1.0.data/data/rules_pex.lock":         "HOSTILE lock\n",
	"shared-1.0.data/data/rules_pex.compile.log":  "HOSTILE log\n",
	"shared-1.0.data/data/share/shared/notes.txt": "an ordinary data file\n",
	"_rules_pex_inherit.py":                       "print('HOSTILE inherit module')\n",
	"_rules_pex_inherit.pth":                      "import sys; print('HOSTILE pth')\n",
}

// hostilePyc returns the bytecode, for the interpreter py, of a module
// that announces itself, as an unchecked-hash .pyc (PEP 552): Python runs
// it without looking at the source, so planted as the bytecode of the
// launcher's boot module it would run instead of it.
func hostilePyc(t *testing.T, py string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "m.py")
	if err := os.WriteFile(src, []byte("print('HOSTILE pyc')\ndef boot(*a):\n    print('HOSTILE boot pyc')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "m.pyc")
	cmd := exec.Command(py, "-I", "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)", src, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("compiling with %s: %v\n%s", py, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// distFromWheel reads a validated wheel into the tree archivetest writes
// into an archive: what the packer would have carried, had it agreed to.
func distFromWheel(t *testing.T, path string) (archivetest.Dist, map[string]string) {
	t.Helper()
	w, err := wheelpkg.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	d := archivetest.Dist{Wheel: filepath.Base(path), Files: map[string]archivetest.File{}, ConsoleScripts: w.ConsoleScripts()}
	want := map[string]string{}
	for _, f := range w.Files {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := f.Scheme + "/" + f.Path
		d.Files[p] = archivetest.File{Data: string(data), Exec: f.Executable}
		sum := sha256.Sum256(data)
		want[p] = hex.EncodeToString(sum[:])
	}
	return d, want
}

// treeFiles returns path -> sha256 of every file of an extracted tree.
func treeFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(data)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diffTrees lists the files of want that got lacks or holds changed, and
// the files got adds, except bytecode in a __pycache__ directory of
// site-packages, which Python and the launcher's compiler add next to the
// sources they compile.
func diffTrees(want, got map[string]string) []string {
	var out []string
	for p, h := range want {
		if got[p] != h {
			out = append(out, p+" changed or missing")
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok && !(strings.HasPrefix(p, "site-packages/") && strings.Contains(p, "__pycache__/")) {
			out = append(out, p+" added")
		}
	}
	sort.Strings(out)
	return out
}

// TestTwoAppsShareAHostileWheel: a wheel installing the names the launcher
// owns (.data/data/_rules_pex_main.py, pex, rules_pex.json, rules_pex.lock,
// site-packages _rules_pex_inherit.py/.pth) is refused by the packer; in
// archives made without it, two applications with different entry points
// share it in one cache. Run in turn, cold and warm, with and without
// inherit_path, each runs its own code, nothing of the wheel runs, and the
// wheel's extracted tree stays exactly the wheel's files.
func TestTwoAppsShareAHostileWheel(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"shared-1.0.data/data/__pycache__/_rules_pex_main.cpython-311.pyc": hostilePyc(t, cpython)}
	for k, v := range hostileFiles {
		files[k] = v
	}
	whl := wheeltest.Write(t, dir, wheeltest.Spec{Name: "shared", Version: "1.0", Files: files})

	// The real packer refuses the wheel, naming each reserved entry.
	src := filepath.Join(dir, "app_a.py")
	if err := os.WriteFile(src, []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(packerBin, "build", "-o", filepath.Join(dir, "refused"), "--launcher", launcherBin,
		"--source", "app_a.py="+src, "--wheel", whl, "--entry-point", "app_a:main").CombinedOutput()
	if code := exitCode(err); code != 1 {
		t.Fatalf("packer accepted the hostile wheel (exit %d):\n%s", code, out)
	}
	for name := range files {
		name = strings.TrimSuffix(name, "*")
		if name == "shared/__init__.py" || strings.HasSuffix(name, "notes.txt") {
			continue
		}
		if !strings.Contains(string(out), "entry "+name+" installs to") {
			t.Errorf("the packer's error does not name %s:\n%s", name, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "refused")); err == nil {
		t.Error("the refused build left an archive")
	}

	// Archives written around the wheel without the packer.
	dist, want := distFromWheel(t, whl)
	prefix, err := os.ReadFile(launcherBin)
	if err != nil {
		t.Fatal(err)
	}
	apps := map[string]string{}
	var treeHash string
	for _, name := range []string{"a", "b"} {
		path := filepath.Join(dir, "app_"+name)
		code := "import shared\ndef main():\n    print('app " + name + "', shared.who())\n"
		m, err := archivetest.Write(path, archivetest.App{
			Prefix:   prefix,
			Manifest: layout.Manifest{EntryPoint: "app_" + name + ":main", Requirements: []string{"shared"}},
			Code:     map[string]archivetest.File{"app_" + name + ".py": {Data: code}},
			Dists:    []archivetest.Dist{dist},
		})
		if err != nil {
			t.Fatal(err)
		}
		apps[name] = path
		treeHash = m.Distributions[dist.Wheel].TreeHash
	}

	w := newWorld(t, cpython)
	tree := filepath.Join(w.root, "v2", "wheels", treeHash)
	for _, inherit := range []string{"false", "prefer", "fallback"} {
		env := []string{"PEX_INHERIT_PATH=" + inherit}
		for round := 0; round < 3; round++ {
			for _, name := range []string{"a", "b", "a"} {
				r := w.run(apps[name], env)
				if r.code != 0 || r.stdout != "app "+name+" shared\n" || strings.Contains(r.stdout+r.stderr, "HOSTILE") {
					t.Fatalf("inherit %s, round %d: app %s exited %d\nstdout:\n%s\nstderr:\n%s", inherit, round, name, r.code, r.stdout, r.stderr)
				}
				if d := diffTrees(want, treeFiles(t, tree)); len(d) > 0 {
					t.Fatalf("inherit %s, round %d: after app %s the wheel's tree differs from the wheel: %v", inherit, round, name, d)
				}
			}
		}
	}

	// Each environment's own files are the launcher's: its bootstrap file
	// runs its application, its metadata names it, and it reports every
	// reserved file of the wheel as skipped.
	venvs := dirsOf(t, w.root, "venvs")
	if len(venvs) != 6 {
		t.Errorf("%d environments, want 6 (2 applications × 3 inherit modes): %v", len(venvs), venvs)
	}
	byHash := map[string]string{}
	for name, path := range apps {
		m := manifestOf(t, path)
		byHash[m.PexHash] = name
	}
	for _, v := range venvs {
		vdir := filepath.Join(w.root, "v2", "venvs", v)
		data, err := os.ReadFile(filepath.Join(vdir, layout.EnvMeta))
		if err != nil {
			t.Fatal(err)
		}
		var meta struct {
			PexHash    string   `json:"pex_hash"`
			Collisions []string `json:"collisions"`
		}
		if err := json.Unmarshal(data, &meta); err != nil {
			t.Fatalf("%s: %v\n%s", layout.EnvMeta, err, data)
		}
		name, ok := byHash[meta.PexHash]
		if !ok {
			t.Fatalf("%s names pex_hash %q, which is neither application's", vdir, meta.PexHash)
		}
		collisions := strings.Join(meta.Collisions, "\n")
		for _, f := range []string{"_rules_pex_main.py", "pex", "rules_pex.json", "rules_pex.lock", "rules_pex.compile.log", "_rules_pex_inherit.py", "_rules_pex_inherit.pth", "__pycache__"} {
			if !strings.Contains(collisions, f+" of "+dist.Wheel+" is reserved") {
				t.Errorf("%s does not report %s of the wheel as skipped:\n%s", v, f, collisions)
			}
		}
		cmd := exec.Command(filepath.Join(vdir, layout.EnvBootstrap))
		cmd.Env = w.environ()
		if out, err := cmd.CombinedOutput(); err != nil || string(out) != "app "+name+" shared\n" {
			t.Errorf("%s/pex: %v %q, want app %s's output", v, err, out, name)
		}
		if _, err := os.Stat(filepath.Join(vdir, "share", "shared", "notes.txt")); err != nil {
			t.Errorf("%s: the wheel's ordinary data file is missing: %v", v, err)
		}
	}
	if d := diffTrees(want, treeFiles(t, tree)); len(d) > 0 {
		t.Fatalf("the wheel's tree differs from the wheel: %v", d)
	}
	// And the cache verifies clean (the wheel's own bytecode is content).
	for name, path := range apps {
		if r := w.run(path, []string{"PEX_TOOLS=1"}, "cache", "verify"); r.code != 0 || !strings.Contains(r.stdout, " 0 problems") {
			t.Errorf("PEX_TOOLS=1 app_%s cache verify: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
	}
}

func manifestOf(t *testing.T, path string) *layout.Manifest {
	t.Helper()
	cmd := exec.Command(path, "info")
	cmd.Env = append(os.Environ(), "PEX_TOOLS=1", "PEX_ROOT="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("PEX_TOOLS=1 %s info: %v", path, err)
	}
	m, err := layout.Decode(out)
	if err != nil {
		t.Fatalf("PEX_TOOLS=1 %s info: %v", path, err)
	}
	return m
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
