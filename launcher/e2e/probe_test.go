package launcher_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pyenvRoot is the pyenv installation whose real shims a test puts on PATH.
var pyenvRoot = envOr("RULES_PEX_TEST_PYENV_ROOT", "/root/.pyenv")

// newApp packs whoAmI made different by n, so each is a new application
// with its own cold start.
func newApp(t *testing.T, n int, args ...string) string {
	t.Helper()
	src := app{"who.py": whoAmI["who.py"] + strings.Repeat("#", n) + "\n"}
	return pack(t, src, append([]string{"--main", "who.py"}, args...)...)
}

// badInterpreter writes a fake interpreter running body after logging its
// run to log. PATH is the test's: body names programs by their paths.
func badInterpreter(t *testing.T, path, log, body string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho run >> "+log+"\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func countRuns(t *testing.T, log string) int {
	t.Helper()
	data, _ := os.ReadFile(log)
	return strings.Count(string(data), "\n")
}

// TestHangingInterpreterCostsItsTimeoutOnce puts a python3 that hangs and
// eight python3.N that hang first on PATH. The first cold start waits one
// probe timeout (PEX_PROBE_TIMEOUT) for all of them together, not one per
// group of probes; the cold start of a different application then finds
// the failures in the probe cache and runs none of them again.
func TestHangingInterpreterCostsItsTimeoutOnce(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	bin := filepath.Join(dir, "bin")
	badInterpreter(t, filepath.Join(bin, "python3"), log, "exec /bin/sleep 60")
	for minor := 20; minor < 28; minor++ {
		badInterpreter(t, filepath.Join(bin, "python3."+strconv.Itoa(minor)), log, "exec /bin/sleep 60")
	}
	badInterpreter(t, filepath.Join(bin, "python"), log, "echo broken >&2; exit 3")
	w := newWorld(t, cpython)
	w.path = bin + ":" + w.path
	const timeout = 2 * time.Second
	env := []string{"PEX_PROBE_TIMEOUT=2s", "PEX_VERBOSE=1"}

	r := w.run(newApp(t, 1), env)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "CPython 3.11") {
		t.Fatalf("first app: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if n := countRuns(t, log); n != 10 {
		t.Errorf("%d bad interpreters ran, want 10", n)
	}
	// Four probe slots held until each probe ends would make nine hanging
	// candidates cost three timeouts; the bound between one and three
	// leaves a loaded machine room.
	if r.elapsed > 5*timeout/2 {
		t.Errorf("the first cold start took %v: nine hanging candidates should cost about one timeout (%v)", r.elapsed, timeout)
	}

	r = w.run(newApp(t, 2), env)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "CPython 3.11") {
		t.Fatalf("second app: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if n := countRuns(t, log); n != 10 {
		t.Errorf("the second app's cold start ran bad interpreters again (%d runs in all, want 10):\n%s", n, r.stderr)
	}
	if !strings.Contains(r.stderr, "probe of "+filepath.Join(bin, "python3")+": from the cache") {
		t.Errorf("PEX_VERBOSE does not show the cached failure:\n%s", r.stderr)
	}
}

// TestTransientProbeFailureIsRetried: a python3 killed by a signal (as the
// OOM killer would) during its first probe is not remembered as broken;
// the next cold start probes it again and uses it.
func TestTransientProbeFailureIsRetried(t *testing.T) {
	dir := t.TempDir()
	log, flag := filepath.Join(dir, "log"), filepath.Join(dir, "killed-once")
	py := filepath.Join(dir, "bin", "python3")
	badInterpreter(t, py, log, `if [ ! -e `+flag+` ]; then : > `+flag+`; kill -KILL $$; fi
exec `+pyenvPy+` "$@"`)
	w := newWorld(t, cpython)
	w.path = filepath.Dir(py) + ":" + w.path
	if out := w.ok(newApp(t, 1), nil); !strings.HasPrefix(out, "CPython 3.11.2") {
		t.Errorf("with python3 killed: printed %q, want the other interpreter", out)
	}
	if out := w.ok(newApp(t, 2), nil); !strings.HasPrefix(out, "CPython 3.11.7") {
		t.Errorf("after python3 was killed once: printed %q, want python3 (3.11.7) probed again and chosen", out)
	}
	if n := countRuns(t, log); n != 2 {
		t.Errorf("python3 ran %d times, want 2", n)
	}
	w.ok(newApp(t, 3), nil)
	if n := countRuns(t, log); n != 2 {
		t.Errorf("a successful probe was not cached: python3 ran %d times, want 2", n)
	}
}

// TestPyenvShimsOfOtherVersionsInOneLine puts pyenv's real shims directory
// on PATH, with 3.11.7 selected: the shims of versions not selected are
// recognised without running them and reported in one line each.
func TestPyenvShimsOfOtherVersionsInOneLine(t *testing.T) {
	shims := filepath.Join(pyenvRoot, "shims")
	requireInterpreter(t, filepath.Join(shims, "python3"))
	w := newWorld(t)
	w.path = shims + ":/usr/bin:/bin" // the shims run bash
	// The selected version comes from $PYENV_ROOT/version (or a
	// .python-version above the working directory): not from the variable.
	r := w.run(newApp(t, 1, "--interpreter-constraint", "CPython>=3.99"), []string{"PYENV_VERSION="})
	if r.code != 1 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	_, list, ok := strings.Cut(r.stderr, "\ncandidates:\n")
	if !ok {
		t.Fatalf("no candidates listed:\n%s", r.stderr)
	}
	list, _, _ = strings.Cut(list, "\nchoose the interpreter")
	lines := strings.Split(list, "\n")
	names, _ := filepath.Glob(filepath.Join(shims, "python*"))
	var want, shimLines, notRun int
	for _, n := range names {
		b := filepath.Base(n)
		if minor, ok := strings.CutPrefix(b, "python3."); b == "python" || b == "python3" || ok && isNumber(minor) {
			want++
		}
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "  /") {
			t.Errorf("a candidate line that does not start with its path: %q", l)
		}
		if !strings.HasPrefix(l, "  "+shims+"/") {
			continue
		}
		shimLines++
		switch {
		case strings.Contains(l, "pyenv shim, not run"):
			notRun++
		case !strings.Contains(l, "(CPython 3.11.7): does not match"):
			t.Errorf("a shim neither recognised nor run: %q", l)
		}
	}
	if shimLines != want || notRun == 0 {
		t.Errorf("%d lines for %d shims (%d not run):\n%s", shimLines, want, notRun, r.stderr)
	}
	for _, bad := range []string{"command not found", "pyenv help global"} {
		if strings.Contains(r.stderr, bad) {
			t.Errorf("the error carries pyenv's advice %q:\n%s", bad, r.stderr)
		}
	}
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil && !strings.HasPrefix(s, "+")
}
