package packer_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/archive/archivetest"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

// TestReservedNamesAreRefused: no input may claim a name the launcher owns
// in an environment (layout.ReservedEnvPath): the packer refuses sources,
// wheel files and console scripts that do, with --wheel, check-wheel and
// --checked-wheel alike, naming the input, the entry and what to do.
func TestReservedNamesAreRefused(t *testing.T) {
	dir := t.TempDir()
	base := fixture(t, dir)
	write := wheelWriter(t, dir)
	hostile := func(name string, files map[string]string, eps string) string {
		files["hostile/__init__.py"] = ""
		return write(name, wheeltest.Spec{Name: "hostile", Version: "1.0", Files: files, EntryPoints: eps})
	}
	for _, tc := range []struct {
		name string
		args func() []string
		want []string
	}{
		{"data main module", func() []string {
			return []string{"--wheel", hostile("w1", map[string]string{"hostile-1.0.data/data/_rules_pex_main.py": "x\n"}, "")}
		}, []string{"hostile-1.0.data/data/_rules_pex_main.py", "the environment's root: _rules_pex_main.py", "a name the launcher owns", "remove or rename"}},
		{"data bootstrap", func() []string {
			return []string{"--wheel", hostile("w2", map[string]string{"hostile-1.0.data/data/pex": "x\n"}, "")}
		}, []string{"hostile-1.0.data/data/pex", "bootstrap"}},
		{"data metadata", func() []string {
			return []string{"--wheel", hostile("w3", map[string]string{"hostile-1.0.data/data/rules_pex.json": "{}\n", "hostile-1.0.data/data/rules_pex.lock": ""}, "")}
		}, []string{"hostile-1.0.data/data/rules_pex.json", "hostile-1.0.data/data/rules_pex.lock"}},
		{"data python", func() []string {
			return []string{"--wheel", hostile("w4", map[string]string{"hostile-1.0.data/data/bin/python3": "x\n"}, "")}
		}, []string{"hostile-1.0.data/data/bin/python3", "environment's python"}},
		{"site-packages inherit", func() []string {
			return []string{"--wheel", hostile("w5", map[string]string{"_rules_pex_inherit.pth": "import os\n"}, "")}
		}, []string{"_rules_pex_inherit.pth", "site-packages"}},
		{"purelib inherit", func() []string {
			return []string{"--wheel", hostile("w6", map[string]string{"hostile-1.0.data/purelib/_rules_pex_inherit.py": "x\n"}, "")}
		}, []string{"hostile-1.0.data/purelib/_rules_pex_inherit.py"}},
		{"script python", func() []string {
			return []string{"--wheel", hostile("w7", map[string]string{"hostile-1.0.data/scripts/python*": "#!python\n"}, "")}
		}, []string{"hostile-1.0.data/scripts/python", "environment's python"}},
		{"console script python3", func() []string {
			return []string{"--wheel", hostile("w8", map[string]string{}, "[console_scripts]\npython3 = hostile:main\n")}
		}, []string{"console script python3", "rename the console script"}},
		{"source inherit module", func() []string {
			return []string{"--source", "_rules_pex_inherit.py=src/app/data.txt"}
		}, []string{"--source _rules_pex_inherit.py=src/app/data.txt", "launcher owns", "choose another destination"}},
		{"source main module", func() []string {
			return []string{"--source", "_rules_pex_main.py=src/app/data.txt"}
		}, []string{"_rules_pex_main.py", "launcher owns"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, base...), tc.args()...)
			r := packer(t, dir, nil, "", args...)
			if r.code != 1 {
				t.Fatalf("exit code %d, want 1; stderr:\n%s", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, r.stderr)
				}
			}
			if tc.args()[0] != "--wheel" {
				return
			}
			w := tc.args()[1]
			if r := packer(t, dir, nil, "", "check-wheel", "-o", w+".json", w); r.code != 1 || !strings.Contains(r.stderr, "launcher owns") {
				t.Errorf("check-wheel %s: exit %d, stderr %q; want it refused", w, r.code, r.stderr)
			}
		})
	}

	// A summary (from an older packer, or edited) that claims a reserved
	// path is refused too.
	clean := write("clean", wheeltest.Spec{Name: "hostile", Version: "1.0", Files: map[string]string{"hostile/__init__.py": "", "hostile/x.py": "x\n"}})
	if r := packer(t, dir, nil, "", "check-wheel", "-o", clean+".json", clean); r.code != 0 {
		t.Fatalf("check-wheel: %s", r.stderr)
	}
	data, _ := os.ReadFile(clean + ".json")
	var s map[string]any
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	for _, f := range s["files"].([]any) {
		if f := f.(map[string]any); f["path"] == "hostile/x.py" {
			f["scheme"], f["path"] = "data", "rules_pex.json"
		}
	}
	data, _ = json.Marshal(s)
	os.WriteFile(clean+".json", data, 0o644)
	r := packer(t, dir, nil, "", append(append([]string{}, base...), "--checked-wheel", clean+"="+clean+".json")...)
	if r.code != 1 || !strings.Contains(r.stderr, "--checked-wheel") || !strings.Contains(r.stderr, "root: rules_pex.json") {
		t.Errorf("a summary claiming rules_pex.json: exit %d, stderr %q; want it refused", r.code, r.stderr)
	}
}

// TestVerifyRefusesReservedNames: `packer verify` refuses an archive (not
// made by the packer) whose trees claim names the launcher owns.
func TestVerifyRefusesReservedNames(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hostile")
	_, err := archivetest.Write(path, archivetest.App{
		Prefix:   []byte("#!/bin/sh\n"),
		Manifest: layout.Manifest{EntryPoint: "app"},
		Code:     map[string]archivetest.File{"app.py": {Data: "print(1)\n"}, "_rules_pex_inherit.py": {Data: "x\n"}},
		Dists: []archivetest.Dist{{
			Wheel:          "hostile-1.0-py3-none-any.whl",
			ConsoleScripts: map[string]string{"python3": "hostile:main"},
			Files: map[string]archivetest.File{
				"data/_rules_pex_main.py":    {Data: "x\n"},
				"data/pex":                   {Data: "x\n", Exec: true},
				"site-packages/hostile.py":   {Data: "def main(): pass\n"},
				"site-packages/_rules_pex_x": {Data: "x\n"},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := packer(t, dir, nil, "", "verify", path)
	if r.code != 1 {
		t.Fatalf("verify accepted the archive: exit %d, %q", r.code, r.stderr)
	}
	for _, w := range []string{"code/_rules_pex_inherit.py", "deps/hostile-1.0-py3-none-any.whl/data/_rules_pex_main.py",
		"deps/hostile-1.0-py3-none-any.whl/data/pex", "deps/hostile-1.0-py3-none-any.whl/site-packages/_rules_pex_x", "console script python3"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("verify does not mention %s:\n%s", w, r.stderr)
		}
	}
}

// TestUnicodeConsoleScriptIsAccepted: a console script whose target is a
// valid (non-ASCII) Python identifier is packed, and the manifest keeps it.
func TestUnicodeConsoleScriptIsAccepted(t *testing.T) {
	dir := t.TempDir()
	base := fixture(t, dir)
	w := wheeltest.Write(t, filepath.Join(dir), wheeltest.Spec{Name: "uni", Version: "1.0",
		Files:       map[string]string{"demo_u/__init__.py": "", "demo_u/café.py": "def main():\n    print('bonjour')\n"},
		EntryPoints: "[console_scripts]\nhello = demo_u.café:main\n"})
	r := packer(t, dir, nil, "", append(base, "--wheel", w)...)
	if r.code != 0 {
		t.Fatalf("packer refused a console script with a Unicode identifier: %s", r.stderr)
	}
	r = packer(t, dir, nil, "", "inspect", "out")
	if r.code != 0 || !strings.Contains(r.stdout, `"hello": "demo_u.café:main"`) {
		t.Errorf("inspect: exit %d, %s", r.code, r.stdout)
	}
}
