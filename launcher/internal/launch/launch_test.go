package launch

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/interp"
	"github.com/rules-pex/rules_pex/launcher/internal/venv"
	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

func testLauncher(t *testing.T, argv, env []string) *launcher {
	t.Helper()
	l, err := newLauncher(argv, env, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	l.Exe = "/srv/app"
	return l
}

func TestCommand(t *testing.T) {
	p := &Plan{Venv: "/c/v1/venvs/k", Env: map[string]string{"APP_MODE": "packed", "ONLY_PACKED": "1"}}
	env := []string{"PATH=/bin", "APP_MODE=caller", "PEX=/old", "PEX_TOOLS=", "PEX_ROOT=/c", "PEX_MODULE=m",
		"__RULES_PEX_COMPILE=x", venv.ArgvEnv + "=stale"}
	l := testLauncher(t, []string{"./app", "a", "b"}, env)
	argv, got := l.command(p)
	if want := append(venv.Command("/c/v1/venvs/k"), "a", "b"); strings.Join(argv, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("argv %q", argv)
	}
	want := []string{"PATH=/bin", "APP_MODE=caller", "PEX_ROOT=/c", "PEX_MODULE=m", "ONLY_PACKED=1", "PEX=/srv/app", venv.ArgvEnv + "=./app"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("env\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// PEX_INTERPRETER: Python's own command line, no bootstrap.
	l = testLauncher(t, []string{"app", "-c", "pass"}, []string{"PEX_INTERPRETER=1", "PEX_MODULE=m", "PEX_SCRIPT=s"})
	argv, got = l.command(p)
	if strings.Join(argv, " ") != "/c/v1/venvs/k/bin/python -c pass" || strings.Contains(strings.Join(got, " "), "PEX_INTERPRETER") || strings.Contains(strings.Join(got, " "), venv.ArgvEnv) ||
		strings.Contains(strings.Join(got, " "), "PEX_MODULE") || strings.Contains(strings.Join(got, " "), "PEX_SCRIPT") {
		t.Errorf("interpreter mode: %q %q", argv, got)
	}
	// argv[0] without a slash becomes the path on PATH that leads to this
	// file, as a script's would (a symlink keeps its own name), or the
	// archive's path if none does.
	if l := testLauncher(t, []string{"app"}, nil); l.Argv0 != mustExecutable(t) {
		t.Errorf("argv0 %q", l.Argv0)
	}
	other, bin := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "tool"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(mustExecutable(t), filepath.Join(bin, "tool")); err != nil {
		t.Fatal(err)
	}
	path := "PATH=/nonexistent:" + other + ":" + bin + "/"
	if l := testLauncher(t, []string{"tool"}, []string{path}); l.Argv0 != bin+"/tool" {
		t.Errorf("tool on %s: argv0 %q, want %s/tool", path, l.Argv0, bin)
	}
	t.Chdir(bin) // python3 tool
	if l := testLauncher(t, []string{"tool"}, []string{"PATH=" + other}); l.Argv0 != "tool" {
		t.Errorf("tool in the working directory: argv0 %q, want tool", l.Argv0)
	}
}

func mustExecutable(t *testing.T) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func TestTruthy(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "No": false, "off": false, "1": true, "true": true, "yes": true, " 1 ": true} {
		if truthy(v) != want {
			t.Errorf("truthy(%q) = %v", v, !want)
		}
	}
}

func TestParseAge(t *testing.T) {
	for s, want := range map[string]time.Duration{"30d": 720 * time.Hour, "1.5d": 36 * time.Hour, "12h": 12 * time.Hour, "90m": 90 * time.Minute, "0s": 0} {
		if got, err := parseAge(s); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "soon", "-1d", "-3h", "d", "1y"} {
		if _, err := parseAge(s); err == nil {
			t.Errorf("parseAge(%q) accepted", s)
		}
	}
}

func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"30d", "12h", "1h30m", "0s", "-1d", "d", "1e9d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseAge(s)
		if err == nil && d < 0 {
			t.Fatalf("parseAge(%q) = %v, a negative age", s, d)
		}
	})
}

func TestPlans(t *testing.T) {
	root := cache.At(t.TempDir())
	py := filepath.Join(t.TempDir(), "python3")
	os.WriteFile(py, []byte("#!/bin/sh\n"), 0o755)
	p := &Plan{PexHash: "h", Venv: "/v", Watches: []interp.Watch{{Path: py, ID: interp.Stat(py)}}}
	savePlan(root, "k", p)
	if got := loadPlan(root, "k", nil); got == nil || got.Venv != "/v" {
		t.Fatalf("loadPlan = %+v", got)
	}
	if loadPlan(root, "other", nil) != nil {
		t.Error("a plan under another key")
	}
	time.Sleep(10 * time.Millisecond)
	os.WriteFile(py, []byte("#!/bin/sh\necho changed\n"), 0o755)
	if loadPlan(root, "k", nil) != nil {
		t.Error("a plan whose interpreter changed is still used")
	}
	// The same bytes written again, the mtime put back: only the ctime
	// tells (cp -p of a reproducible build over the interpreter).
	savePlan(root, "k", &Plan{PexHash: "h", Venv: "/v", Watches: []interp.Watch{{Path: py, ID: interp.Stat(py)}}})
	fi, _ := os.Stat(py)
	os.WriteFile(py, []byte("#!/bin/sh\necho changed\n"), 0o755)
	os.Chtimes(py, fi.ModTime(), fi.ModTime())
	if loadPlan(root, "k", nil) != nil {
		t.Error("a plan whose interpreter was rewritten with the same size and mtime is still used")
	}
	os.WriteFile(planPath(root, "k"), bytes.Replace(warm.EncodePlan(p), []byte(warm.PlanMagic+strconv.Itoa(warm.PlanFormat)), []byte(warm.PlanMagic+"2"), 1), 0o644)
	if loadPlan(root, "k", nil) != nil {
		t.Error("a plan of another format is used")
	}
	// Keys depend on every input.
	id := interp.FileID{Dev: 1, Ino: 2, Size: 3, Mtime: 4, Ctime: 5}
	keys := map[string]bool{
		warm.IdentityKey("/a", id, "s"):                                                         true,
		warm.IdentityKey("/b", id, "s"):                                                         true,
		warm.IdentityKey("/a", interp.FileID{Dev: 1, Ino: 3}, "s"):                              true,
		warm.IdentityKey("/a", interp.FileID{Dev: 1, Ino: 2, Size: 3, Mtime: 4, Ctime: 6}, "s"): true,
		warm.IdentityKey("/a", id, "t"):                                                         true,
		warm.ContentKey("h", "s"):                                                               true,
		warm.ContentKey("h", "t"):                                                               true,
	}
	if len(keys) != 7 {
		t.Errorf("keys collide: %v", keys)
	}
}

func TestSelectionKey(t *testing.T) {
	a := testLauncher(t, nil, []string{"PATH=/bin", "PEX_PYTHON=x"}).SelectionKey()
	b := testLauncher(t, nil, []string{"PATH=/bin", "PEX_PYTHON_PATH=x"}).SelectionKey()
	c := testLauncher(t, nil, []string{"PATH=/bin", "PEX_PYTHON=x", "UNRELATED=1"}).SelectionKey()
	if a == b || a != c {
		t.Errorf("selection keys: %q %q %q", a, b, c)
	}
	// A relative entry depends on the working directory.
	wd, _ := os.Getwd()
	if k := testLauncher(t, nil, []string{"PATH=bin:/usr/bin"}).SelectionKey(); !strings.Contains(k, "cwd="+wd) {
		t.Errorf("relative PATH: key %q lacks the working directory", k)
	}
	if k := testLauncher(t, nil, []string{"PATH=/bin", "PEX_PYTHON=python3"}).SelectionKey(); strings.Contains(k, "cwd=") {
		t.Errorf("a PEX_PYTHON name is not relative: key %q", k)
	}
}

func TestPlanRoundTrip(t *testing.T) {
	p := &Plan{
		PexHash: strings.Repeat("ab", 32), Venv: "/c/v1/venvs/k y", Interpreter: "/usr/bin/python3.11",
		Env:     map[string]string{"A": "1", "B C": "line\nbreak \"quoted\"", "EMPTY": ""},
		Watches: []interp.Watch{{Path: "/usr/bin", ID: interp.FileID{Dev: 1, Ino: 2, Mtime: -3, Ctime: 4, Dir: true}}, {Path: "/gone"}},
	}
	got, err := warm.DecodePlan(warm.EncodePlan(p))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Errorf("round trip:\n%+v\n%+v", got, p)
	}
	for _, bad := range []string{"", "rules_pex plan 3\n", "rules_pex plan 3\nvenv /unquoted\n", "rules_pex plan 3\nvenv \"/v\"\nwatch 1 2 3\n",
		"rules_pex plan 3\nvenv \"/v\"\nbogus x\n", "rules_pex plan 3\nvenv \"/v\"\nenv \"A\"\n",
		"rules_pex plan 2\nvenv \"/v\"\n",                           // an older format
		"rules_pex plan 3\nvenv \"/v\"\nwatch 1 2 3 4 0 \"/p\"\n"} { // a watch of format 2: no ctime
		if _, err := warm.DecodePlan([]byte(bad)); err == nil {
			t.Errorf("warm.DecodePlan(%q) accepted", bad)
		}
	}
}

func FuzzDecodePlan(f *testing.F) {
	f.Add(warm.EncodePlan(&Plan{PexHash: "h", Venv: "/v", Env: map[string]string{"K": "V"}, Watches: []interp.Watch{{Path: "/p", ID: interp.FileID{Dev: 1}}}}))
	f.Add([]byte("rules_pex plan 3\nvenv \"\\x00\"\n"))
	f.Add([]byte("rules_pex plan 3\nvenv \"/v\"\nwatch -1 0 0 0 0 0 \"/p\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := warm.DecodePlan(data)
		if err != nil {
			return
		}
		again, err := warm.DecodePlan(warm.EncodePlan(p))
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("re-encoded plan differs: %v\n%+v\n%+v", err, p, again)
		}
	})
}

// TestInheritEnv pins PEX_INHERIT_PATH: it overrides the manifest's
// inherit_path in PEX's spellings, and a wrong value names the variable.
func TestInheritEnv(t *testing.T) {
	m := &layout.Manifest{InheritPath: layout.InheritFallback}
	for v, want := range map[string]layout.InheritPath{
		"": layout.InheritFallback, " ": layout.InheritFallback,
		"false": layout.InheritFalse, "0": layout.InheritFalse,
		"PREFER": layout.InheritPrefer, "true": layout.InheritPrefer, "1": layout.InheritPrefer,
		"fallback": layout.InheritFallback,
	} {
		got, err := testLauncher(t, []string{"app"}, []string{"PEX_INHERIT_PATH=" + v}).inherit(m)
		if err != nil || got != want {
			t.Errorf("PEX_INHERIT_PATH=%q: %q, %v; want %q", v, got, err, want)
		}
	}
	_, err := testLauncher(t, []string{"app"}, []string{"PEX_INHERIT_PATH= Always"}).inherit(m)
	if want := `PEX_INHERIT_PATH="always": want false, prefer or fallback`; err == nil || err.Error() != want {
		t.Errorf("PEX_INHERIT_PATH= Always: error %v, want %q", err, want)
	}
}
