package wheel

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/pep508"
	"github.com/rules-pex/rules_pex/internal/wheeltest"
)

// TestWheelhouse opens every real wheel of the wheelhouse (wheels repacked
// from Debian's python3-* packages). RULES_PEX_WHEELHOUSE names the
// directory; when it is set the directory must hold wheels. When it is unset
// the repository's wheelhouse/ is used if it has been built.
func TestWheelhouse(t *testing.T) {
	dir, set := os.LookupEnv("RULES_PEX_WHEELHOUSE")
	if !set {
		dir = filepath.Join("..", "..", "wheelhouse")
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.whl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		if set {
			t.Fatalf("RULES_PEX_WHEELHOUSE=%s holds no *.whl files; build it with `make wheelhouse`", dir)
		}
		t.Skip("no wheelhouse: set RULES_PEX_WHEELHOUSE (the Makefile does) or run `make wheelhouse`")
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			w := openGood(t, p)
			if pep508.NormalizeName(w.Metadata.Name) != w.Name.NormalizedProject() {
				t.Errorf("METADATA Name %q, file name %q", w.Metadata.Name, w.Name.Project)
			}
			var records int
			for _, f := range w.Files {
				if f.IsRecord {
					records++
				}
				if strings.HasPrefix(f.Name, w.DataDir+"/") && f.Path == f.Name {
					t.Errorf("%s placed at its entry name", f.Name)
				}
				// The hashes Open computed are those of the content.
				checkContent(t, f)
			}
			if records != 1 {
				t.Errorf("%d files marked IsRecord, want 1", records)
			}
		})
	}
}

// TestWheeltestWheelsValidate checks that the wheels internal/wheeltest
// writes for other packages' tests are valid by this package's rules.
func TestWheeltestWheelsValidate(t *testing.T) {
	dir := t.TempDir()
	p := wheeltest.Write(t, dir, wheeltest.Spec{
		Name:    "demo.pkg",
		Version: "1.2",
		Tag:     "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
		Files: map[string]string{
			"demo_pkg/__init__.py":             "",
			"demo_pkg.data/x":                  "not the data dir",
			"demo_pkg-1.2.data/scripts/tool*":  "#!python\n",
			"demo_pkg-1.2.data/purelib/p.py":   "",
			"demo_pkg-1.2.data/data/share/x.1": "",
		},
		RequiresPython: ">=3.9",
		RequiresDist:   []string{"six"},
		ProvidesExtra:  []string{"test"},
	})
	w := openGood(t, p)
	if w.RootIsPurelib || len(w.Tags) != 2 || w.Metadata.RequiresPython != ">=3.9" {
		t.Errorf("wheel = %+v", w)
	}
	if f := file(t, w, "demo_pkg-1.2.data/scripts/tool"); f.Scheme != SchemeScripts || f.Path != "tool" || !f.Executable {
		t.Errorf("script = %+v", f)
	}
	if f := file(t, w, "demo_pkg.data/x"); f.Scheme != SchemeSitePackages || f.Path != "demo_pkg.data/x" {
		t.Errorf("a root directory named *.data without a version is site-packages content: %+v", f)
	}
}

// TestWheeltestEntryPoints checks that wheeltest writes the entry_points.txt
// it lists in RECORD.
func TestWheeltestEntryPoints(t *testing.T) {
	p := wheeltest.Write(t, t.TempDir(), wheeltest.Spec{
		Name:        "demo",
		Version:     "1.0",
		Files:       map[string]string{"demo/__init__.py": ""},
		EntryPoints: "[console_scripts]\ndemo = demo:main\n",
	})
	w := openGood(t, p)
	if got := w.ConsoleScripts()["demo"]; got.Module != "demo" || got.Attr != "main" {
		t.Errorf("ConsoleScripts() = %v", w.ConsoleScripts())
	}
}
