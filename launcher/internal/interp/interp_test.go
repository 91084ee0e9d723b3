package interp

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/internal/activate"
	"github.com/rules-pex/rules_pex/internal/constraint"
	"github.com/rules-pex/rules_pex/internal/layout"
)

const (
	cpython = "/usr/bin/python3.11"
	pypy    = "/usr/bin/pypy3"
)

func requireFile(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing (CI installs it): %v", p, err)
	}
}

func script(t *testing.T, path, body string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestDiscover(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, n := range []string{"python", "python3", "python3.9", "python3.12", "pypy3", "pypy3.10", "python3-config", "python2.7", "pythonw"} {
		script(t, filepath.Join(a, n), "exit 0")
	}
	os.Symlink(filepath.Join(a, "python3"), filepath.Join(b, "python3")) // the same file twice
	script(t, filepath.Join(b, "python"), "exit 0")
	os.WriteFile(filepath.Join(b, "python3.11"), nil, 0o644) // not executable
	missing := filepath.Join(t.TempDir(), "gone")
	env := map[string]string{"PATH": a + ":" + missing + "::" + b}
	get := func(k string) string { return env[k] }

	s := Discover(get)
	want := []string{"python3.12", "python3.9", "python3", "python", "pypy3.10", "pypy3"}
	var got []string
	for _, c := range s.Candidates[:len(want)] {
		got = append(got, filepath.Base(c))
	}
	if s.Source != FromPath || strings.Join(got, " ") != strings.Join(want, " ") || len(s.Candidates) != 7 || s.Candidates[6] != filepath.Join(b, "python") {
		t.Errorf("PATH candidates %v (source %s)", s.Candidates, s.Source)
	}
	if len(s.Watches) < 3 || Changed(s.Watches) {
		t.Errorf("watches %v", s.Watches)
	}
	// Installing an interpreter changes a watched directory.
	time.Sleep(10 * time.Millisecond)
	script(t, filepath.Join(b, "python3.13"), "exit 0")
	if !Changed(s.Watches) {
		t.Error("a new interpreter in a searched directory went unnoticed")
	}

	env["PEX_PYTHON"] = "pypy3"
	if s := Discover(get); s.Source != FromPexPython || len(s.Candidates) != 1 || s.Candidates[0] != filepath.Join(a, "pypy3") {
		t.Errorf("PEX_PYTHON=pypy3: %v", s.Candidates)
	}
	env["PEX_PYTHON"] = filepath.Join(b, "python")
	if s := Discover(get); len(s.Candidates) != 1 || s.Candidates[0] != filepath.Join(b, "python") {
		t.Errorf("PEX_PYTHON=path: %v", s.Candidates)
	}
	env["PEX_PYTHON"] = "nothing-like-it"
	if s := Discover(get); len(s.Candidates) != 0 {
		t.Errorf("PEX_PYTHON=unknown: %v", s.Candidates)
	}
	delete(env, "PEX_PYTHON")
	env["PEX_PYTHON_PATH"] = filepath.Join(b, "python") + ":" + a
	if s := Discover(get); s.Source != FromPexPythonPath || len(s.Candidates) != 7 || s.Candidates[0] != filepath.Join(b, "python") {
		t.Errorf("PEX_PYTHON_PATH: %v", s.Candidates)
	}
}

func TestProbeCache(t *testing.T) {
	requireFile(t, cpython)
	dir := t.TempDir()
	py := filepath.Join(dir, "bin", "python3")
	script(t, py, "exec "+cpython+` "$@"`)
	pc := &ProbeCache{Dir: filepath.Join(dir, "cache")}
	first := pc.Probe(context.Background(), py, Stat(py))
	if first.Info == nil || first.Cached {
		t.Fatalf("first probe: %+v", first)
	}
	second := pc.Probe(context.Background(), py, Stat(py))
	if second.Info == nil || !second.Cached || second.Info.Executable != first.Info.Executable {
		t.Fatalf("second probe: %+v", second)
	}
	// Replaced: probed again.
	time.Sleep(10 * time.Millisecond)
	script(t, py, `echo "not today" >&2; exit 5`)
	third := pc.Probe(context.Background(), py, Stat(py))
	if third.Info != nil || third.Cached || !strings.Contains(third.Err.Error(), "not today") {
		t.Fatalf("probe of the replaced file: %+v", third)
	}
	// Failures are cached while the file stays the same.
	fourth := pc.Probe(context.Background(), py, Stat(py))
	if fourth.Info != nil || !fourth.Cached || !strings.Contains(fourth.Err.Error(), "not today") {
		t.Fatalf("cached failure: %+v", fourth)
	}
}

func TestBaseExecutableOfAVenv(t *testing.T) {
	requireFile(t, cpython)
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command(cpython, "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	pc := &ProbeCache{}
	c := pc.Probe(context.Background(), filepath.Join(venv, "bin", "python"), FileID{})
	if c.Info == nil || !c.Info.InVenv() {
		t.Fatalf("probe: %+v", c)
	}
	base := BaseExecutable(c.Info)
	if a, b := Stat(base), Stat(cpython); a != b || strings.HasPrefix(base, venv) {
		t.Errorf("BaseExecutable = %s, want %s", base, cpython)
	}
	if VenvIncludesSystem(venv) {
		t.Error("a default venv does not include system site-packages")
	}
	c2 := pc.Probe(context.Background(), cpython, FileID{})
	if BaseExecutable(c2.Info) != c2.Info.Executable {
		t.Errorf("BaseExecutable of a plain interpreter is %s", BaseExecutable(c2.Info))
	}
}

func TestJudgeAndBest(t *testing.T) {
	requireFile(t, cpython)
	requireFile(t, pypy)
	pc := &ProbeCache{}
	s := &Search{Candidates: []string{pypy, cpython, "/nonexistent/python3"}}
	s.IDs = make([]FileID, 3)
	cands := pc.ProbeAll(context.Background(), s)
	m := &layout.Manifest{
		Requirements: []string{"native"},
		Distributions: map[string]layout.Distribution{
			"native-1.0-cp311-cp311-linux_x86_64.whl": {WheelInfo: layout.WheelInfo{Project: "native", Version: "1.0", Tags: []string{"cp311-cp311-linux_x86_64"}},
				SHA256: strings.Repeat("a", 64), TreeHash: strings.Repeat("b", 64)},
		},
	}
	set, err := activate.New(m)
	if err != nil {
		t.Fatal(err)
	}
	any, _ := constraint.ParseAll(nil)
	vs := Judge(cands, Requirements{Constraints: any, Dists: set})
	if !vs[1].Accepted || vs[0].Accepted || vs[2].Accepted {
		t.Fatalf("verdicts: %+v", vs)
	}
	if !strings.Contains(vs[0].Reason, "no compatible wheel of native") || !strings.HasPrefix(vs[2].Reason, "broken") {
		t.Errorf("reasons: %q / %q", vs[0].Reason, vs[2].Reason)
	}
	if b := Best(vs, false); b == nil || b.Path != cpython {
		t.Errorf("Best = %+v", b)
	}

	pure, _ := activate.New(&layout.Manifest{})
	for _, tc := range []struct {
		constraints []string
		oldest      bool
		want        string
	}{
		{nil, false, cpython},
		{nil, true, pypy},
		{[]string{"PyPy"}, false, pypy},
		{[]string{"CPython>=3.12", "PyPy<3.9"}, false, ""},
	} {
		cs, err := constraint.ParseAll(tc.constraints)
		if err != nil {
			t.Fatal(err)
		}
		vs := Judge(cands, Requirements{Constraints: cs, Dists: pure})
		b := Best(vs, tc.oldest)
		switch {
		case tc.want == "" && b != nil:
			t.Errorf("%v: chose %s, want none", tc.constraints, b.Path)
		case tc.want != "" && (b == nil || b.Path != tc.want):
			t.Errorf("%v oldest=%v: chose %+v, want %s", tc.constraints, tc.oldest, b, tc.want)
		}
		if tc.want == "" {
			msg := (&NoInterpreterError{Search: s, Verdicts: vs, Constraints: cs}).Error()
			for _, want := range []string{"CPython>=3.12 or PyPy<3.9", pypy + " (PyPy 3.9", cpython + " (CPython 3.11", "does not match", "/nonexistent/python3 (?): broken", "PEX_PYTHON_PATH"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q:\n%s", want, msg)
				}
			}
		}
	}
}

func TestCandidateNames(t *testing.T) {
	for s, want := range map[string]bool{"python": true, "python3": true, "python3.12": true, "pypy": true, "pypy3.10": true,
		"python2": false, "python2.7": false, "python3.": false, "python3.1a": false, "python3-config": false, "pythonw": false, "py": false} {
		if isCandidateName(s) != want {
			t.Errorf("isCandidateName(%q) = %v", s, !want)
		}
	}
}
