// Package packer_test runs the packer CLI as users and Bazel run it: as a
// separate binary, on real files. It checks reproducibility, the whole
// wheelhouse, the golden manifest, and that every bad input gives a clear
// error and leaves nothing behind.
package packer_test

import (
	"archive/zip"
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

var update = flag.Bool("update", false, "rewrite golden files")

var packerBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "packer-e2e")
	if err != nil {
		panic(err)
	}
	packerBin = filepath.Join(dir, "packer")
	build := exec.Command("go", "build", "-trimpath", "-o", packerBin, "github.com/rules-pex/rules_pex/tools/packer")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// packer runs the packer with args in dir, with extra environment and an
// optional umask (applied through sh, as umask is per process).
func packer(t *testing.T, dir string, env []string, umask string, args ...string) result {
	t.Helper()
	var cmd *exec.Cmd
	if umask != "" {
		cmd = exec.Command("sh", append([]string{"-c", `umask ` + umask + ` && exec "$0" "$@"`, packerBin}, args...)...)
	} else {
		cmd = exec.Command(packerBin, args...)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(se.String(), "goroutine ") || strings.Contains(se.String(), "panic:") {
		t.Fatalf("packer printed a Go stack trace:\n%s", se.String())
	}
	return result{code, so.String(), se.String()}
}

// fixture writes a small app (sources, a data file, an executable script)
// and three wheels into dir and returns the build arguments, all relative
// to dir, with the output named out.
func fixture(t *testing.T, dir string) []string {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "src/app"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "src/app/__init__.py"), nil, 0o644))
	must(os.WriteFile(filepath.Join(dir, "src/app/main.py"), []byte("def run():\n    print('hello')\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "src/app/data.txt"), []byte("some data\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "src/tool.sh"), []byte("#!/bin/sh\necho tool\n"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "launcher"), []byte("#!/bin/sh\necho launcher stand-in\n"), 0o755))
	wheeltest.Write(t, dir, wheeltest.Spec{
		Name: "demo", Version: "1.0", RequiresDist: []string{"helper>=0.5", `extra-only; extra == "x"`},
		ProvidesExtra: []string{"x"}, RequiresPython: ">=3.8",
		Files:       map[string]string{"demo/__init__.py": "VALUE = 1\n", "demo-1.0.data/scripts/demo-tool*": "#!python\nprint(1)\n"},
		EntryPoints: "[console_scripts]\ndemo = demo:main\n",
	})
	wheeltest.Write(t, dir, wheeltest.Spec{Name: "helper", Version: "0.5", Files: map[string]string{"helper.py": "X = 2\n"}})
	wheeltest.Write(t, dir, wheeltest.Spec{Name: "helper", Version: "0.5", Tag: "cp311-cp311-linux_x86_64",
		Files: map[string]string{"helper.py": "X = 3\n", "_helper.cpython-311-x86_64-linux-gnu.so": "\x7fELF not really"}})
	return []string{
		"build", "-o", "out", "--launcher", "launcher",
		"--source", "app/__init__.py=src/app/__init__.py",
		"--source", "app/main.py=src/app/main.py",
		"--source", "app/data.txt=src/app/data.txt",
		"--source", "bin/tool.sh=src/tool.sh",
		"--wheel", "demo-1.0-py3-none-any.whl",
		"--wheel", "helper-0.5-py3-none-any.whl",
		"--wheel", "helper-0.5-cp311-cp311-linux_x86_64.whl",
		"--requirement", "demo",
		"--entry-point", "app.main:run",
		"--interpreter-constraint", "CPython>=3.9,<3.13",
		"--interpreter-constraint", "PyPy",
		"--env", "APP_MODE=test",
	}
}

// wheelWriter returns a function that writes a wheel into its own
// subdirectory name of dir (wheels of one name may then differ) and
// returns its path.
func wheelWriter(t *testing.T, dir string) func(name string, s wheeltest.Spec) string {
	return func(name string, s wheeltest.Spec) string {
		t.Helper()
		sub := filepath.Join(dir, name)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		return wheeltest.Write(t, sub, s)
	}
}

// reorder reverses the order of repeated flags, keeping each flag with its value.
func reorder(args []string) []string {
	head := args[:5]
	var pairs [][2]string
	for i := 5; i+1 < len(args); i += 2 {
		pairs = append(pairs, [2]string{args[i], args[i+1]})
	}
	out := append([]string{}, head...)
	for i := len(pairs) - 1; i >= 0; i-- {
		out = append(out, pairs[i][0], pairs[i][1])
	}
	return out
}

func TestReproducible(t *testing.T) {
	a, b := t.TempDir(), filepath.Join(t.TempDir(), "elsewhere", "deeper")
	if err := os.MkdirAll(b, 0o755); err != nil {
		t.Fatal(err)
	}
	args := fixture(t, a)
	fixture(t, b)
	// Different mtimes of every input in b.
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	filepath.Walk(b, func(p string, _ os.FileInfo, _ error) error { return os.Chtimes(p, old, old) })

	r1 := packer(t, a, []string{"TZ=UTC"}, "022", args...)
	r2 := packer(t, b, []string{"TZ=Asia/Kolkata", "LC_ALL=C"}, "077", reorder(args)...)
	if r1.code != 0 || r2.code != 0 {
		t.Fatalf("build failed: %d %s / %d %s", r1.code, r1.stderr, r2.code, r2.stderr)
	}
	out1, err := os.ReadFile(filepath.Join(a, "out"))
	if err != nil {
		t.Fatal(err)
	}
	out2, err := os.ReadFile(filepath.Join(b, "out"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out1, out2) {
		i := 0
		for i < len(out1) && out1[i] == out2[i] {
			i++
		}
		t.Fatalf("builds differ: %d vs %d bytes, first at offset %d: %q vs %q", len(out1), len(out2), i, out1[max(0, i-40):min(len(out1), i+40)], out2[max(0, i-40):min(len(out2), i+40)])
	}
	st, err := os.Stat(filepath.Join(b, "out"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o755 {
		t.Errorf("output mode %v under umask 077, want 0755", st.Mode().Perm())
	}
	if !bytes.HasPrefix(out1, []byte("#!/bin/sh\necho launcher stand-in\n")) {
		t.Error("output does not start with the launcher")
	}
	// A params file gives the same bytes.
	params := filepath.Join(a, "params")
	if err := os.WriteFile(params, []byte("-o\nout2\n"+strings.Join(args[5:], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := packer(t, a, nil, "", "build", "--launcher", "launcher", "@params"); r.code != 0 {
		t.Fatalf("params build failed: %s", r.stderr)
	}
	out3, _ := os.ReadFile(filepath.Join(a, "out2"))
	if !bytes.Equal(out1, out3) {
		t.Fatal("a params-file build differs from the command-line build")
	}
	// The result is a zip that others can read and that verifies.
	zr, err := zip.NewReader(bytes.NewReader(out1), int64(len(out1)))
	if err != nil {
		t.Fatalf("archive/zip cannot read the output: %v", err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if len(f.Extra) != 0 {
			t.Errorf("entry %s has extra fields", f.Name)
		}
		if f.Modified.Year() != 1980 {
			t.Errorf("entry %s has time %v, want 1980-01-01", f.Name, f.Modified)
		}
	}
	if !sort.StringsAreSorted(names) || names[0] != "PEX-INFO" {
		t.Errorf("entries are not sorted with PEX-INFO first: %v", names)
	}
	if r := packer(t, a, nil, "", "verify", "out"); r.code != 0 {
		t.Fatalf("verify failed: %s", r.stderr)
	}
}

func TestInspectGolden(t *testing.T) {
	dir := t.TempDir()
	args := fixture(t, dir)
	if r := packer(t, dir, nil, "", args...); r.code != 0 {
		t.Fatalf("build failed: %s", r.stderr)
	}
	r := packer(t, dir, nil, "", "inspect", "out")
	if r.code != 0 {
		t.Fatalf("inspect failed: %s", r.stderr)
	}
	golden := filepath.Join("testdata", "inspect.golden.json")
	if *update {
		if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./tools/packer/e2e -update to create it)", err)
	}
	if r.stdout != string(want) {
		t.Errorf("inspect output differs from %s (rerun with -update if the change is intended):\n%s", golden, r.stdout)
	}
	// The listing of the archive, as unzip would print it, is golden too.
	data, err := os.ReadFile(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var listing strings.Builder
	for _, f := range zr.File {
		listing.WriteString(f.Mode().String() + " " + f.Name + "\n")
	}
	goldenList := filepath.Join("testdata", "listing.golden.txt")
	if *update {
		os.WriteFile(goldenList, []byte(listing.String()), 0o644)
	}
	wantList, err := os.ReadFile(goldenList)
	if err != nil || listing.String() != string(wantList) {
		t.Errorf("entry listing differs from %s:\n%s", goldenList, listing.String())
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	base := fixture(t, dir)
	write := wheelWriter(t, dir)
	badHash := write("badhash", wheeltest.Spec{Name: "bad", Version: "1.0", Files: map[string]string{"bad.py": "x = 1\n"},
		Edit: func(f map[string]string) { f["bad.py"] = "x = 2\n" }})
	noWheel := write("nowheel", wheeltest.Spec{Name: "bad", Version: "1.0", Files: map[string]string{"bad.py": "x\n"},
		Edit: func(f map[string]string) { f["WHEEL"] = "" }})
	badMeta := write("badmeta", wheeltest.Spec{Name: "bad", Version: "1.0", Files: map[string]string{"bad.py": "x\n"},
		Edit: func(f map[string]string) { f["METADATA"] = "this is not metadata" }})
	noRecord := write("norecord", wheeltest.Spec{Name: "bad", Version: "1.0", Files: map[string]string{"bad.py": "x\n"},
		Edit: func(f map[string]string) { f["RECORD"] = "" }})
	misnamed := write("misnamed", wheeltest.Spec{Name: "bad", Version: "1.0", FileName: "other-1.0-py3-none-any.whl",
		Files: map[string]string{"bad.py": "x\n"}})
	unsafe := write("unsafe", wheeltest.Spec{Name: "bad", Version: "1.0", Files: map[string]string{"../evil.py": "x\n"}})
	sameTag := write("sametag", wheeltest.Spec{Name: "helper", Version: "0.6", Files: map[string]string{"helper.py": "X = 4\n"}})
	notZip := filepath.Join(dir, "junk-1.0-py3-none-any.whl")
	os.WriteFile(notZip, []byte("not a zip"), 0o644)
	os.Mkdir(filepath.Join(dir, "adir"), 0o755)

	for _, tc := range []struct {
		name string
		args []string // added to the base arguments
		drop bool     // use only the -o/--launcher part of base plus args
		want []string // substrings of stderr
		code int
	}{
		{"record hash", []string{"--wheel", badHash}, false, []string{badHash, "bad.py", "hash"}, 1},
		{"missing WHEEL", []string{"--wheel", noWheel}, false, []string{noWheel, "WHEEL"}, 1},
		{"malformed METADATA", []string{"--wheel", badMeta}, false, []string{badMeta, "METADATA"}, 1},
		{"missing RECORD", []string{"--wheel", noRecord}, false, []string{noRecord, "RECORD"}, 1},
		{"name disagrees", []string{"--wheel", misnamed}, false, []string{misnamed}, 1},
		{"unsafe entry", []string{"--wheel", unsafe}, false, []string{unsafe, "../evil.py"}, 1},
		{"not a zip", []string{"--wheel", notZip}, false, []string{notZip}, 1},
		{"missing wheel file", []string{"--wheel", "nope-1.0-py3-none-any.whl"}, false, []string{"nope-1.0-py3-none-any.whl", "no such file"}, 1},
		{"same project and tag", []string{"--wheel", sameTag}, false, []string{"helper", "py3-none-any", "give only one"}, 1},
		{"same dest twice", []string{"--source", "app/main.py=src/app/data.txt"}, false, []string{"app/main.py", "also claimed"}, 1},
		{"file and dir", []string{"--source", "app/main.py/x=src/app/data.txt"}, false, []string{"app/main.py", "not a directory"}, 1},
		{"absolute dest", []string{"--source", "/etc/x=src/app/data.txt"}, false, []string{"/etc/x", "absolute"}, 1},
		{"dotdot dest", []string{"--source", "../x=src/app/data.txt"}, false, []string{"../x"}, 1},
		{"drive dest", []string{"--source", "C:/x=src/app/data.txt"}, false, []string{"C:/x", "drive"}, 1},
		{"NUL dest", []string{"--source", "a\x01b=src/app/data.txt"}, false, []string{"control character"}, 1},
		{"directory source", []string{"--source", "d=adir"}, false, []string{"adir", "not a regular file"}, 1},
		{"missing source", []string{"--source", "d=nothere.py"}, false, []string{"nothere.py", "no such file"}, 1},
		{"unknown script", []string{"--script", "nosuch"}, true, []string{"nosuch", "the packed wheels have: demo, demo-tool"}, 1},
		{"bad constraint", []string{"--interpreter-constraint", "CPythn>=3.9"}, false, []string{"CPythn", "unknown implementation"}, 1},
		{"bad constraint version", []string{"--interpreter-constraint", "CPython>=three"}, false, []string{"CPython>=three"}, 1},
		{"bad entry point", []string{"--entry-point", "app.main:"}, true, []string{"app.main:", "MODULE:FUNCTION"}, 1},
		{"two entry kinds", []string{"--entry-point", "a", "--main", "app/main.py"}, true, []string{"at most one"}, 1},
		{"main not a source", []string{"--main", "nope.py"}, true, []string{"nope.py"}, 1},
		{"bad requirement", []string{"--requirement", "demo>>1"}, false, []string{"demo>>1"}, 1},
		{"missing root", []string{"--requirement", "absent"}, false, []string{"absent", "no --wheel"}, 1},
		{"unsatisfiable root", []string{"--requirement", "demo>=2"}, false, []string{"demo>=2", "no given wheel"}, 1},
		{"bad compression", []string{"--compression", "lzma"}, false, []string{"lzma"}, 1},
		{"bad inherit path", []string{"--inherit-path", "always"}, false, []string{"always"}, 1},
		{"bad env", []string{"--env", "NOVALUE"}, false, []string{"NOVALUE", "KEY=VALUE"}, 1},
		{"unknown flag", []string{"--frobnicate"}, false, []string{"frobnicate"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{}, base...)
			if tc.drop {
				var kept []string
				for i := 0; i < len(args); i++ {
					if args[i] == "--entry-point" {
						i++
						continue
					}
					kept = append(kept, args[i])
				}
				args = kept
			}
			args = append(args, tc.args...)
			os.Remove(filepath.Join(dir, "out"))
			r := packer(t, dir, nil, "", args...)
			if r.code != tc.code {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, r.stderr)
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
				if tc.code == 1 && !strings.HasPrefix(line, "packer: ") {
					t.Errorf("problem line without the tool prefix: %q", line)
				}
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, "*out*"))
			if len(leftovers) > 0 {
				t.Errorf("a failed build left files behind: %v", leftovers)
			}
		})
	}
}

func TestCorruptArchive(t *testing.T) {
	dir := t.TempDir()
	data := buildFixture(t, dir)
	// Flip a byte inside the compressed data of code/app/main.py.
	i := bytes.Index(data, []byte("code/app/main.py"))
	flipped := append([]byte{}, data...)
	flipped[i+len("code/app/main.py")+2] ^= 0xff
	os.WriteFile(filepath.Join(dir, "flipped"), flipped, 0o755)
	os.WriteFile(filepath.Join(dir, "truncated"), data[:len(data)/2], 0o755)
	os.WriteFile(filepath.Join(dir, "plain"), []byte("#!/bin/sh\n"), 0o755)
	for _, name := range []string{"flipped", "truncated", "plain"} {
		r := packer(t, dir, nil, "", "verify", name)
		if r.code != 1 || !strings.Contains(r.stderr, name) {
			t.Errorf("verify %s: exit %d, stderr %q; want exit 1 naming the file", name, r.code, r.stderr)
		}
	}
}

// TestWholeWheelhouse packs every wheel of the real wheelhouse into one
// archive and reads it back with unzip and Python's zipfile.
func TestWholeWheelhouse(t *testing.T) {
	wh := os.Getenv("RULES_PEX_WHEELHOUSE")
	if wh == "" {
		t.Skip("RULES_PEX_WHEELHOUSE is not set; `make test` sets it")
	}
	wheels, _ := filepath.Glob(filepath.Join(wh, "*.whl"))
	if len(wheels) < 25 {
		t.Fatalf("the wheelhouse %s has %d wheels, want at least 25 (run make wheelhouse)", wh, len(wheels))
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "launcher"), []byte("#!/bin/sh\n"), 0o755)
	args := []string{"build", "-o", "all.pex", "--launcher", "launcher", "--entry-point", "json.tool"}
	for _, w := range wheels {
		args = append(args, "--wheel", w)
	}
	if r := packer(t, dir, nil, "", args...); r.code != 0 {
		t.Fatalf("packing the wheelhouse failed:\n%s", r.stderr)
	}
	if r := packer(t, dir, nil, "", "verify", "all.pex"); r.code != 0 {
		t.Fatalf("verify failed:\n%s", r.stderr)
	}
	out, err := exec.Command("unzip", "-l", filepath.Join(dir, "all.pex")).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "extra bytes at beginning") {
		t.Fatalf("unzip -l failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "site-packages/numpy/__init__.py") {
		t.Errorf("unzip -l does not list numpy")
	}
	py := exec.Command("/usr/bin/python3.11", "-c", `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
assert bad is None, bad
print(len(z.namelist()))`, filepath.Join(dir, "all.pex"))
	if out, err := py.CombinedOutput(); err != nil {
		t.Fatalf("Python's zipfile cannot read the archive: %v\n%s", err, out)
	}
}

// TestCheckedWheels: wheels validated once by check-wheel pack into the same
// bytes as wheels validated while packing, and a summary that does not
// belong to its wheel is refused.
func TestCheckedWheels(t *testing.T) {
	dir := t.TempDir()
	args := fixture(t, dir)
	if r := packer(t, dir, nil, "", args...); r.code != 0 {
		t.Fatalf("build failed: %s", r.stderr)
	}
	var checked []string
	for i := 0; i < len(args); i++ {
		if args[i] != "--wheel" {
			checked = append(checked, args[i])
			continue
		}
		w := args[i+1]
		i++
		if r := packer(t, dir, nil, "", "check-wheel", "-o", w+".json", w); r.code != 0 {
			t.Fatalf("check-wheel %s: %s", w, r.stderr)
		}
		checked = append(checked, "--checked-wheel", w+"="+w+".json")
	}
	checked[2] = "out-checked"
	if r := packer(t, dir, nil, "", checked...); r.code != 0 {
		t.Fatalf("build with checked wheels failed: %s", r.stderr)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "out"))
	b, _ := os.ReadFile(filepath.Join(dir, "out-checked"))
	if !bytes.Equal(a, b) {
		t.Fatal("--checked-wheel and --wheel give different archives")
	}

	// A summary of another wheel, a changed wheel, a broken summary, and
	// check-wheel on a bad wheel.
	sub := filepath.Join(dir, "bad")
	os.MkdirAll(sub, 0o755)
	badHash := wheeltest.Write(t, sub, wheeltest.Spec{Name: "bad", Version: "1.0", Files: map[string]string{"bad.py": "x = 1\n"},
		Edit: func(f map[string]string) { f["bad.py"] = "x = 2\n" }})
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--checked-wheel", "helper-0.5-py3-none-any.whl=demo-1.0-py3-none-any.whl.json"}, "describes demo-1.0-py3-none-any.whl"},
		{[]string{"--checked-wheel", "demo-1.0-py3-none-any.whl=broken.json"}, "regenerate it"},
		{[]string{"--checked-wheel", "demo-1.0-py3-none-any.whl"}, "want WHEEL=SUMMARY"},
	} {
		r := packer(t, dir, nil, "", append([]string{"build", "-o", "x", "--launcher", "launcher"}, tc.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 mentioning %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	// The wheel changes after it was checked.
	demo := filepath.Join(dir, "demo-1.0-py3-none-any.whl")
	data, _ := os.ReadFile(demo)
	os.WriteFile(demo, append(data, 0), 0o644)
	r := packer(t, dir, nil, "", "build", "-o", "x", "--launcher", "launcher", "--checked-wheel", "demo-1.0-py3-none-any.whl=demo-1.0-py3-none-any.whl.json")
	if r.code != 1 || !strings.Contains(r.stderr, "not the one the summary was made from") {
		t.Errorf("a changed wheel was accepted with its old summary: exit %d, %q", r.code, r.stderr)
	}
	r = packer(t, dir, nil, "", "check-wheel", "-o", "bad.json", badHash)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.py") {
		t.Errorf("check-wheel accepted a wheel with a wrong hash: exit %d, %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.json")); err == nil {
		t.Error("a failed check-wheel left a summary behind")
	}
}
