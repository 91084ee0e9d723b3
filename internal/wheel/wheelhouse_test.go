package wheel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/pep508"
	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
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
	manifest := readManifest(t, dir)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			w := openGood(t, p)
			if manifest != nil {
				want, ok := manifest[filepath.Base(p)]
				if !ok {
					t.Fatalf("not in wheelhouse.json")
				}
				checkAgainstManifest(t, w, want)
			}
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

// manifestProject is what the wheelhouse manifest (wheelhouse.json, written
// by scripts/wheelhouse with Python's own metadata readers) says of a wheel.
type manifestProject struct {
	Wheel          string   `json:"wheel"`
	Name           string   `json:"name"`
	Version        string   `json:"version"`
	RequiresDist   []string `json:"requires_dist"`
	ConsoleScripts []string `json:"console_scripts"`
}

// readManifest returns the wheelhouse manifest by wheel file name, or nil
// when the wheelhouse has none.
func readManifest(t *testing.T, dir string) map[string]manifestProject {
	data, err := os.ReadFile(filepath.Join(dir, "wheelhouse.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Projects []manifestProject `json:"projects"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("wheelhouse.json: %v", err)
	}
	byWheel := make(map[string]manifestProject)
	for _, p := range m.Projects {
		byWheel[p.Wheel] = p
	}
	return byWheel
}

// checkAgainstManifest compares what Open parsed with what Python read.
func checkAgainstManifest(t *testing.T, w *Wheel, want manifestProject) {
	t.Helper()
	if pep508.NormalizeName(w.Metadata.Name) != pep508.NormalizeName(want.Name) || w.Metadata.Version != want.Version {
		t.Errorf("METADATA %s %s, manifest %s %s", w.Metadata.Name, w.Metadata.Version, want.Name, want.Version)
	}
	if got := w.Metadata.RequiresDist; !(len(got) == 0 && len(want.RequiresDist) == 0) && !reflect.DeepEqual(got, want.RequiresDist) {
		t.Errorf("Requires-Dist\n%q\nmanifest\n%q", got, want.RequiresDist)
	}
	var scripts []string
	for name := range w.ConsoleScripts() {
		scripts = append(scripts, name)
	}
	slices.Sort(scripts)
	wantScripts := slices.Sorted(slices.Values(want.ConsoleScripts))
	if !(len(scripts) == 0 && len(wantScripts) == 0) && !reflect.DeepEqual(scripts, wantScripts) {
		t.Errorf("console scripts %q, manifest %q", scripts, wantScripts)
	}
}

// TestWheeltestWheelsValidate checks that the wheels internal/wheel/wheeltest
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
	if got := w.ConsoleScripts()["demo"]; got != "demo:main" {
		t.Errorf("ConsoleScripts() = %v", w.ConsoleScripts())
	}
}

// TestSchemesMatchLayout keeps the scheme names the same as the archive
// contract's, so File.Scheme can be used as a layout scheme directly.
func TestSchemesMatchLayout(t *testing.T) {
	got := []string{SchemeData, SchemeHeaders, SchemeScripts, SchemeSitePackages}
	if !reflect.DeepEqual(got, layout.Schemes) {
		t.Errorf("schemes %q, layout.Schemes %q", got, layout.Schemes)
	}
	for sub, scheme := range dataSchemes {
		if !slices.Contains(layout.Schemes, scheme) {
			t.Errorf(".data/%s/ maps to %q, not a layout scheme", sub, scheme)
		}
	}
}
