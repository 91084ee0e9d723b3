package pack

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

// file writes content to a new file in dir and returns its path.
func file(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantProblems checks that ps holds exactly one problem containing want,
// or none if want is "".
func wantProblems(t *testing.T, ps Problems, want string) {
	t.Helper()
	switch {
	case want == "" && len(ps) > 0:
		t.Errorf("problems %q, want none", ps)
	case want != "" && (len(ps) != 1 || !strings.Contains(ps[0], want)):
		t.Errorf("problems %q, want one containing %q", ps, want)
	}
}

func TestCheckFlags(t *testing.T) {
	launcher := file(t, t.TempDir(), "launcher", "ELF")
	for _, c := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"defaults", func(*Options) {}, ""},
		{"compression", func(o *Options) { o.Compression = "lzma" }, `--compression "lzma"`},
		{"inherit path", func(o *Options) { o.InheritPath = "true" }, `--inherit-path "true"`},
		{"selection", func(o *Options) { o.InterpreterSelection = "any" }, `--interpreter-selection "any"`},
		{"constraint", func(o *Options) { o.InterpreterConstraints = []string{"CPython>=x"} }, "--interpreter-constraint"},
		{"env", func(o *Options) { o.Env = []string{"NOVALUE"} }, `--env "NOVALUE"`},
		{"env twice", func(o *Options) { o.Env = []string{"A=1", "A=2"} }, "given twice"},
		{"launcher", func(o *Options) { o.Launcher = filepath.Dir(launcher) }, "not a regular file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := &Options{Launcher: launcher, Compression: "deflate", InheritPath: "false", InterpreterSelection: "newest"}
			c.edit(o)
			var ps Problems
			checkFlags(o, cli, &ps)
			wantProblems(t, ps, c.want)
		})
	}
}

func TestReadSources(t *testing.T) {
	dir := t.TempDir()
	a := file(t, dir, "a.py", "print('a')\n")
	for _, c := range []struct {
		name  string
		specs []string
		want  string
	}{
		{"ok", []string{"app/a.py=" + a, "b.py=" + a}, ""},
		{"no path", []string{"a.py"}, "want DEST=PATH"},
		{"escapes", []string{"../a.py=" + a}, "destination"},
		{"reserved", []string{"_rules_pex_x.py=" + a}, "a name the launcher owns"},
		{"twice", []string{"a.py=" + a, "a.py=" + a}, "also claimed"},
		{"file and directory", []string{"a=" + a, "a/b.py=" + a}, "not a directory"},
		{"missing", []string{"a.py=" + filepath.Join(dir, "gone")}, "no such file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ps Problems
			srcs := readSources(c.specs, cli, &ps)
			wantProblems(t, ps, c.want)
			if c.want == "" {
				sum := sha256.Sum256([]byte("print('a')\n"))
				if len(srcs) != 2 || srcs[0].dest != "app/a.py" || srcs[0].sha256 != hex.EncodeToString(sum[:]) || srcs[0].size != 11 {
					t.Errorf("sources %+v", srcs)
				}
			}
		})
	}
}

// The hash of the whole file comes out right whatever the order and the
// size of the reads through the hashing reader.
func TestHashingReader(t *testing.T) {
	data := make([]byte, 100_000)
	rand.New(rand.NewSource(1)).Read(data)
	want := sha256.Sum256(data)
	type span struct{ off, n int64 }
	forward := func(step, skip int64) []span {
		var out []span
		for off := int64(0); off < int64(len(data)); off += step + skip {
			out = append(out, span{off, min(step, int64(len(data))-off)})
		}
		return out
	}
	for _, c := range []struct {
		name  string
		reads []span
	}{
		{"none", nil},
		{"sequential", forward(4096, 0)},
		{"small gaps", forward(1000, 30)},
		{"large gaps", forward(1000, 10_000)},
		{"end first", append([]span{{90_000, 10_000}}, forward(5000, 0)...)},
		{"overlapping", []span{{0, 100}, {50, 100}, {20, 10}, {149, 1}}},
		{"backwards", []span{{99_000, 1000}, {50_000, 1000}, {0, 1000}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			hr := newHashingReader(strings.NewReader(string(data)), int64(len(data)))
			for _, r := range c.reads {
				p := make([]byte, r.n)
				if n, err := hr.ReadAt(p, r.off); n != len(p) || string(p) != string(data[r.off:r.off+r.n]) {
					t.Fatalf("ReadAt(%d, %d) = %d, %v, or wrong bytes", r.n, r.off, n, err)
				}
			}
			got, err := hr.sum()
			if err != nil || got != hex.EncodeToString(want[:]) {
				t.Errorf("sum = %s, %v, want %x", got, err, want)
			}
		})
	}
}

// fileSum returns the sha256 of the file at path.
func fileSum(t testing.TB, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Every wheel of the wheelhouse opens, its sha256 is its file's, and the
// summary check-wheel writes opens it again as a checked wheel with the
// same summary.
func TestOpenWheelsOfTheWheelhouse(t *testing.T) {
	dir := t.TempDir()
	whls := wheelhouse(t)
	var checked []string
	for _, p := range whls {
		out := filepath.Join(dir, filepath.Base(p)+".json")
		if err := CheckWheel(p, out); err != nil {
			t.Fatal(err)
		}
		checked = append(checked, p+"="+out)
	}
	var ps Problems
	dists := openWheels(whls, nil, &ps)
	checkedDists := openWheels(nil, checked, &ps)
	if len(ps) > 0 || len(dists) != len(whls) || len(checkedDists) != len(whls) {
		t.Fatalf("%d and %d of %d wheels opened: %v", len(dists), len(checkedDists), len(whls), ps)
	}
	for i, d := range dists {
		if want := fileSum(t, d.path); d.s.SHA256 != want {
			t.Errorf("%s: sha256 %s, want %s", d.path, d.s.SHA256, want)
		}
		c := checkedDists[i]
		if c.s.File != d.s.File || c.s.Directory != d.s.Directory || len(c.entries) != len(d.entries) || c.s.SHA256 != d.s.SHA256 {
			t.Errorf("%s: the checked wheel differs from the wheel", d.path)
		}
		d.close()
		c.close()
	}
}

func TestOpenWheels(t *testing.T) {
	dir := t.TempDir()
	good := wheeltest.Write(t, dir, wheeltest.Spec{Name: "demo", Version: "1.0", Files: map[string]string{"demo.py": ""}})
	reserved := wheeltest.Write(t, dir, wheeltest.Spec{Name: "bad", Version: "1.0", Files: map[string]string{"bad-1.0.data/data/pex": ""}})
	other := t.TempDir()
	again := wheeltest.Write(t, other, wheeltest.Spec{Name: "demo", Version: "1.0", Files: map[string]string{"demo.py": "x"}})
	summary := file(t, dir, "demo.json", "{}")
	for _, c := range []struct {
		name            string
		wheels, checked []string
		want            string
	}{
		{"ok", []string{good}, nil, ""},
		{"missing", []string{filepath.Join(dir, "gone-1.0-py3-none-any.whl")}, nil, "no such file"},
		{"reserved", []string{reserved}, nil, "a name the launcher owns"},
		{"same file name", []string{good, again}, nil, "is also given as"},
		{"checked spec", nil, []string{good}, "want WHEEL=SUMMARY"},
		{"stale summary", nil, []string{good + "=" + summary}, "summary format 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ps Problems
			for _, d := range openWheels(c.wheels, c.checked, &ps) {
				d.close()
			}
			wantProblems(t, ps, c.want)
		})
	}
}

// The summary check-wheel writes is an interface between Bazel actions: its
// keys, in this order, with the manifest's wheel facts (layout.WheelInfo)
// flat among them, and decoded back to what was written.
func TestCheckWheelSummary(t *testing.T) {
	dir := t.TempDir()
	whl := wheeltest.Write(t, dir, wheeltest.Spec{Name: "Demo.Pkg", Version: "1.0", RequiresPython: ">=3.8",
		RequiresDist: []string{"dep"}, ProvidesExtra: []string{"x"}, EntryPoints: "[console_scripts]\ndemo = demo:main\n",
		Files: map[string]string{"demo.py": ""}})
	out := filepath.Join(dir, "summary.json")
	if err := CheckWheel(whl, out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, line := range strings.Split(string(data), "\n") {
		if k, _, ok := strings.Cut(line, ":"); ok && strings.HasPrefix(line, ` "`) {
			keys = append(keys, strings.Trim(k, ` "`))
		}
	}
	want := "format file sha256 size directory project version tags requires_python requires_dist provides_extra console_scripts files"
	if strings.Join(keys, " ") != want {
		t.Errorf("summary keys %q, want %q", keys, want)
	}
	var ps Problems
	ds := openWheels(nil, []string{whl + "=" + out}, &ps)
	if len(ps) > 0 || len(ds) != 1 {
		t.Fatal(ps)
	}
	defer ds[0].close()
	s := ds[0].s
	if s.Project != "demo-pkg" || s.RequiresPython != ">=3.8" || s.ConsoleScripts["demo"] != "demo:main" || s.SHA256 != fileSum(t, whl) {
		t.Errorf("summary %+v", s)
	}
}

// cli words problems as for a command line (no --label).
var cli = &terms{rule: "target", origins: map[string]string{}}
