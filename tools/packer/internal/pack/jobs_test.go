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
			out := checkRequirements(c.roots, given, cli, &ps)
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
	checkWheelClashes(dists[1:], cli, &ps)
	wantProblems(t, ps, "")
	checkWheelClashes(dists, cli, &ps)
	wantProblems(t, ps, "are both wheels of lib for tag py3-none-any")
}

func TestCheckEntry(t *testing.T) {
	dists := testDists(t, wheeltest.Spec{Name: "tool", Version: "1.0",
		EntryPoints: "[console_scripts]\ntool = tool:main\n",
		Files:       map[string]string{"tool.py": "", "tool-1.0.data/scripts/helper*": "#!python\n"}})
	srcs := []*source{{dest: "app/main.py"}, {dest: "app/cli/__init__.py"}, {dest: "ns/mod.py"}}
	bazel := &terms{label: "//app:app", rule: "pex_binary", origins: map[string]string{}}
	for _, c := range []struct {
		name    string
		o       Options
		t       *terms
		inherit layout.InheritPath
		want    string
	}{
		{"nothing", Options{}, cli, "", ""},
		{"entry point", Options{EntryPoint: "app.main:run"}, cli, "", ""},
		{"package", Options{EntryPoint: "app.cli"}, cli, "", ""},
		{"namespace package module", Options{EntryPoint: "ns.mod:f"}, cli, "", ""},
		{"wheel module", Options{EntryPoint: "tool:main"}, cli, "", ""},
		{"stdlib", Options{EntryPoint: "json.tool"}, cli, "", ""},
		{"stdlib of 3.10", Options{EntryPoint: "formatter"}, cli, "", ""},
		{"bad entry point", Options{EntryPoint: "app-main"}, cli, "", `--entry-point "app-main": not an entry point`},
		{"typo in a source package", Options{EntryPoint: "app.mian:run"}, cli, "",
			`--entry-point "app.mian:run": package app (packed from the sources) has no module mian; did you mean app.main:run? (packed: main, cli)`},
		{"typo at the top", Options{EntryPoint: "tol:main"}, cli, "",
			`--entry-point "tol:main": no packed source or wheel has a top-level module or package tol, and the standard library has none; did you mean tool:main?`},
		{"typo, from Bazel", Options{EntryPoint: "app.mian"}, bazel, "",
			`entry_point "app.mian": package app (packed from the sources) has no module mian; did you mean entry_point = "app.main"?`},
		{"below a module", Options{EntryPoint: "app.main.x"}, cli, "", "app.main is a module, not a package, so it has no module x"},
		{"file with a function", Options{EntryPoint: "tool.py:main"}, cli, "", `--entry-point "tool.py:main" names a file, but an entry point names a module (MODULE or MODULE:FUNCTION, dotted, without .py): write --entry-point tool:main`},
		{"path, from Bazel", Options{EntryPoint: "app/main.py"}, bazel, "", `entry_point "app/main.py" names a file, but an entry point names a module (MODULE or MODULE:FUNCTION, dotted, without .py): write entry_point = "app.main"`},
		{"not looked for with inherit_path prefer", Options{EntryPoint: "nosuch:main"}, cli, layout.InheritPrefer, ""},
		{"not looked for with inherit_path fallback", Options{EntryPoint: "nosuch"}, cli, layout.InheritFallback, ""},
		{"syntax still checked with inherit_path prefer", Options{EntryPoint: "x.py"}, cli, layout.InheritPrefer, "write --entry-point x"},
		{"main", Options{Main: "app/main.py"}, cli, "", ""},
		{"missing main", Options{Main: "main.py"}, cli, "", `--main "main.py": no --source has that destination`},
		{"console script", Options{Script: "tool"}, cli, "", ""},
		{"script file", Options{Script: "helper"}, cli, "", ""},
		{"missing script", Options{Script: "helpr"}, cli, "", "(the packed wheels have: helper, tool)"},
		{"missing script, from Bazel", Options{Script: "toool"}, bazel, "",
			`script "toool": no packed wheel has a console script or .data/scripts file of that name; did you mean script = "tool"? (the packed wheels have: tool, helper); add the wheel that has it to deps, or use entry_point`},
		{"two", Options{Script: "tool", Main: "app/main.py"}, cli, "", "give at most one of --entry-point, --script and --main (got 2)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ps Problems
			inherit := c.inherit
			if inherit == "" {
				inherit = layout.InheritFalse
			}
			checkEntry(&c.o, flagValues{inherit: inherit}, c.t, srcs, dists, &ps)
			wantProblems(t, ps, c.want)
		})
	}
}

// TestBazelTerms: with --label, problems name the target, the attribute and
// the label that brought the input, and say which label to add.
func TestBazelTerms(t *testing.T) {
	dists := testDists(t,
		wheeltest.Spec{Name: "requests", Version: "2.28.1", RequiresDist: []string{"idna<4,>=2.5"}},
		wheeltest.Spec{Name: "local", Version: "1.0", RequiresDist: []string{"six"}})
	origins := []string{"broken"}
	for _, d := range dists {
		origins = append(origins, d.path+"="+map[string]string{"requests": "@pypi//requests:requests", "local": "//third_party:local_wheel"}[d.s.Project])
	}
	var ps Problems
	tm := newTerms(&Options{Label: "//app:app", Rule: "pex_binary", Origins: origins}, &ps)
	checkRequirements(nil, dists, tm, &ps)
	parseEnv([]string{"PEX_ROOT=/tmp/x", "OK=1"}, tm, &ps)
	got := tm.prefixed(ps).Error()
	for _, want := range []string{
		`pex_binary //app:app: --origin "broken": want PATH=LABEL`,
		`pex_binary //app:app: requests 2.28.1 (from @pypi//requests:requests) requires "idna<4,>=2.5", which no packed wheel provides: add @pypi//idna to deps`,
		`pex_binary //app:app: local 1.0 (from //third_party:local_wheel) requires "six", which no packed wheel provides: add a pex_wheel of six (e.g. @pypi//six) to deps`,
		`pex_binary //app:app: env key "PEX_ROOT": the launcher reads its PEX_* settings before the archive's env applies, so the value would be ignored; set it where the file runs`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nwant a line containing:\n%s", got, want)
		}
	}
	if strings.Count(got, "\n") != 3 {
		t.Errorf("want 4 problems, got:\n%s", got)
	}
	for label, want := range map[string]string{
		"@pypi//idna": "@pypi", "@pypi//idna:idna": "@pypi", "@@rules_pex~~pex~pypi//idna": "@pypi",
		"@pypi//idna:pkg": "", "//idna": "", "@pypi//a/b": "",
	} {
		if got, ok := projectRepo(label); got != want || ok != (want != "") {
			t.Errorf("projectRepo(%q) = %q, %v; want %q", label, got, ok, want)
		}
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
