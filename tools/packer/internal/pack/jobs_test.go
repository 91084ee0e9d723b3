package pack

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

// testDists opens wheels written by wheeltest.
func testDists(t *testing.T, specs ...wheeltest.Spec) []*dist {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, s := range specs {
		paths = append(paths, wheeltest.Write(t, dir, s))
	}
	var ps Problems
	dists := openWheels(paths, nil, &ps)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	t.Cleanup(func() {
		for _, d := range dists {
			d.close()
		}
	})
	return dists
}

func TestCheckRequirements(t *testing.T) {
	dists := testDists(t,
		wheeltest.Spec{Name: "app", Version: "1.0", RequiresDist: []string{"lib>=2", `win; sys_platform == "win32"`}},
		wheeltest.Spec{Name: "lib", Version: "2.1"},
		wheeltest.Spec{Name: "needy", Version: "1.0", RequiresDist: []string{"lib<2"}},
		wheeltest.Spec{Name: "orphan", Version: "1.0", RequiresDist: []string{"missing"}},
	)
	for _, c := range []struct {
		name  string
		roots []string
		wheel []string // the projects of dists to give
		want  string
		out   []string
	}{
		{"all projects by default", nil, []string{"app", "lib"}, "", []string{"app", "lib"}},
		{"roots sorted and unique", []string{"lib", "app>=1", "lib"}, []string{"app", "lib"}, "", []string{"app>=1", "lib"}},
		{"root missing", []string{"other"}, []string{"lib"}, "no --wheel of project other", []string{"other"}},
		{"root version", []string{"lib<2"}, []string{"lib"}, "no given wheel of lib has a version in <2", []string{"lib<2"}},
		{"root URL", []string{"lib @ https://x/lib.whl"}, []string{"lib"}, "URL requirements are not supported", []string{"lib@ https://x/lib.whl"}},
		{"bad root", []string{"lib>>"}, []string{"lib"}, `--requirement "lib>>"`, []string{}},
		{"dependency version", []string{"needy"}, []string{"needy", "lib"}, `needy requires "lib<2" but no given wheel of lib has a matching version`, []string{"needy"}},
		{"dependency missing", []string{"orphan"}, []string{"orphan"}, `orphan requires "missing" but no wheel of missing was given`, []string{"orphan"}},
		{"dependency under a marker", []string{"app"}, []string{"app", "lib"}, "", []string{"app"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var given []*dist
			for _, d := range dists {
				for _, p := range c.wheel {
					if d.s.Project == p {
						given = append(given, d)
					}
				}
			}
			var ps Problems
			out := checkRequirements(c.roots, given, &ps)
			wantProblems(t, ps, c.want)
			if c.want == "" && strings.Join(out, ",") != strings.Join(c.out, ",") {
				t.Errorf("requirements %q, want %q", out, c.out)
			}
		})
	}
}

func TestCheckWheelClashes(t *testing.T) {
	dists := testDists(t,
		wheeltest.Spec{Name: "lib", Version: "1.0"},
		wheeltest.Spec{Name: "lib", Version: "2.0"},
		wheeltest.Spec{Name: "lib", Version: "2.0", Tag: "cp311-cp311-linux_x86_64"},
	)
	var ps Problems
	checkWheelClashes(dists[1:], &ps)
	wantProblems(t, ps, "")
	checkWheelClashes(dists, &ps)
	wantProblems(t, ps, "are both wheels of lib for tag py3-none-any")
}

func TestCheckEntry(t *testing.T) {
	dists := testDists(t, wheeltest.Spec{Name: "tool", Version: "1.0",
		EntryPoints: "[console_scripts]\ntool = tool:main\n",
		Files:       map[string]string{"tool.py": "", "tool-1.0.data/scripts/helper*": "#!python\n"}})
	srcs := []*source{{dest: "app/main.py"}}
	for _, c := range []struct {
		name string
		o    Options
		want string
	}{
		{"nothing", Options{}, ""},
		{"entry point", Options{EntryPoint: "app.main:run"}, ""},
		{"bad entry point", Options{EntryPoint: "app-main"}, `--entry-point "app-main"`},
		{"main", Options{Main: "app/main.py"}, ""},
		{"missing main", Options{Main: "main.py"}, "no --source has that destination"},
		{"console script", Options{Script: "tool"}, ""},
		{"script file", Options{Script: "helper"}, ""},
		{"missing script", Options{Script: "other"}, "(known: helper, tool)"},
		{"two", Options{Script: "tool", Main: "app/main.py"}, "give at most one of --entry-point, --script and --main (got 2)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ps Problems
			checkEntry(&c.o, srcs, dists, &ps)
			wantProblems(t, ps, c.want)
		})
	}
}

// A build of wheels and sources writes an archive that Verify accepts,
// whose manifest describes every input, and whose bytes do not depend on
// the order of the flags; a build that fails leaves no file.
func TestBuild(t *testing.T) {
	dir := t.TempDir()
	launcher := file(t, dir, "launcher", "#!launcher\n")
	src := file(t, dir, "main.py", "import demo\n")
	wdir := t.TempDir()
	demo := wheeltest.Write(t, wdir, wheeltest.Spec{Name: "demo", Version: "1.0", RequiresDist: []string{"dep"},
		Files: map[string]string{"demo/__init__.py": "x = 1\n", "demo-1.0.data/scripts/run*": "#!python\n"}})
	dep := wheeltest.Write(t, wdir, wheeltest.Spec{Name: "dep", Version: "0.1", Files: map[string]string{"dep.py": ""}})
	build := func(out string, wheels ...string) error {
		return Build(&Options{Output: out, Launcher: launcher, Sources: []string{"app/main.py=" + src},
			Wheels: wheels, Main: "app/main.py", Compression: "deflate", InheritPath: "false", InterpreterSelection: "newest"})
	}
	a, b := filepath.Join(dir, "a.pex"), filepath.Join(dir, "b.pex")
	if err := build(a, demo, dep); err != nil {
		t.Fatal(err)
	}
	if err := build(b, dep, demo); err != nil {
		t.Fatal(err)
	}
	if err := Verify(a); err != nil {
		t.Fatal(err)
	}
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if string(ab) != string(bb) || !strings.HasPrefix(string(ab), "#!launcher\n") {
		t.Error("the archive depends on the order of --wheel, or does not start with the launcher")
	}
	if fi, _ := os.Stat(a); fi.Mode().Perm() != 0o755 {
		t.Errorf("archive mode %v, want 0755", fi.Mode().Perm())
	}
	var sb strings.Builder
	if err := Inspect(a, &sb); err != nil {
		t.Fatal(err)
	}
	m, err := layout.Decode([]byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	d := m.Distributions[filepath.Base(demo)]
	if m.CodeFiles != 1 || len(m.Distributions) != 2 || d.Project != "demo" || d.SHA256 != fileSum(t, demo) ||
		strings.Join(d.Scripts, ",") != "run" || strings.Join(m.Requirements, ",") != "demo,dep" {
		t.Errorf("manifest %+v", m)
	}
	failed := filepath.Join(dir, "c.pex")
	var ps Problems
	if err := build(failed, demo); !errors.As(err, &ps) || !strings.Contains(err.Error(), "no wheel of dep was given") {
		t.Errorf("Build without dep = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("files after a failed build: %v", entries)
	}
}

// writeOutput names the -o flag in its own errors, returns write's as they
// are, and leaves nothing behind when either fails.
func TestWriteOutput(t *testing.T) {
	dir := t.TempDir()
	boom := errors.New("boom")
	for _, c := range []struct {
		name, path string
		write      func(*os.File) error
		want       string
	}{
		{"ok", filepath.Join(dir, "ok"), func(f *os.File) error { _, err := f.WriteString("x"); return err }, ""},
		{"write fails", filepath.Join(dir, "w"), func(*os.File) error { return boom }, "boom"},
		{"no directory", filepath.Join(dir, "gone", "x"), func(*os.File) error { return nil }, "-o " + filepath.Join(dir, "gone", "x") + ": no such file or directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := writeOutput(c.path, 0o644, c.write)
			if (err == nil) != (c.want == "") || err != nil && err.Error() != c.want {
				t.Errorf("writeOutput = %v, want %q", err, c.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != "ok" {
		t.Errorf("files left: %v", entries)
	}
}
