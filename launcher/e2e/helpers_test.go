// Package launcher_test runs archives made by the real packer with the real
// launcher on the real interpreters of this machine, as users run them: a
// separate process, its own cache root, a controlled PATH. It covers the
// launcher's contract (docs/launcher.md): entry points, interpreter choice,
// isolation, concurrency, faults, process semantics, bytecode and the
// PEX_* variables.
//
// It needs the wheelhouse (RULES_PEX_WHEELHOUSE, or ./wheelhouse from
// `make wheelhouse`) and the interpreters named below (CI installs them).
package launcher_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/launcher/internal/cache"
)

// Interpreters the tests use, overridable for other machines.
var (
	cpython = envOr("RULES_PEX_TEST_CPYTHON", "/usr/bin/python3.11")                              // Debian's 3.11.2
	pyenvPy = envOr("RULES_PEX_TEST_PYENV_PYTHON", "/root/.pyenv/versions/3.11.7/bin/python3.11") // 3.11.7, boto3 in its site-packages
	pypy    = envOr("RULES_PEX_TEST_PYPY", "/usr/bin/pypy3")                                      // PyPy 3.9
)

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

var (
	binDir      string
	launcherBin string
	packerBin   string
	wheelhouse  string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "launcher-e2e")
	if err != nil {
		panic(err)
	}
	binDir = dir
	launcherBin = filepath.Join(dir, "launcher")
	packerBin = filepath.Join(dir, "packer")
	// The launcher as shipped: two stages (scripts/build-launcher).
	for _, build := range []*exec.Cmd{
		exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", packerBin, "./tools/packer"),
		exec.Command(filepath.Join(repoRoot(), "scripts", "build-launcher"), launcherBin),
	} {
		build.Dir = repoRoot()
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n%s", strings.Join(build.Args, " "), err, b)
			os.Exit(1)
		}
	}
	wheelhouse = os.Getenv("RULES_PEX_WHEELHOUSE")
	if wheelhouse == "" {
		wheelhouse = filepath.Join(repoRoot(), "wheelhouse")
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func repoRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("no go.mod above the test directory")
		}
		dir = parent
	}
}

// wheel returns the path of the wheelhouse's wheel whose file name starts
// with prefix ("numpy-").
func wheel(t testing.TB, prefix string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(wheelhouse, prefix+"*.whl"))
	if len(matches) != 1 {
		t.Fatalf("wheelhouse %s has %d wheels matching %s*; build it with `make wheelhouse` or set RULES_PEX_WHEELHOUSE", wheelhouse, len(matches), prefix)
	}
	return matches[0]
}

// wheels returns --wheel arguments for every wheel of the wheelhouse: the
// launcher, not the packer, decides which ones an interpreter needs.
func allWheels(t testing.TB) []string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(wheelhouse, "*.whl"))
	if len(matches) < 10 {
		t.Fatalf("wheelhouse %s has %d wheels; build it with `make wheelhouse` or set RULES_PEX_WHEELHOUSE", wheelhouse, len(matches))
	}
	var args []string
	for _, m := range matches {
		args = append(args, "--wheel", m)
	}
	return args
}

func requireInterpreter(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("interpreter %s is missing (CI installs it; or set RULES_PEX_TEST_*): %v", path, err)
	}
}

// app is a source tree written for a test.
type app map[string]string

// pack writes the sources into a fresh directory and packs them with args
// (the packer's build options after the sources), returning the archive.
func pack(t testing.TB, sources app, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	full := []string{"build", "-o", filepath.Join(dir, "app"), "--launcher", launcherBin}
	for dest, content := range sources {
		p := filepath.Join(dir, "src", dest)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		full = append(full, "--source", dest+"="+p)
	}
	full = append(full, args...)
	cmd := exec.Command(packerBin, full...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("packer %s: %v\n%s", strings.Join(full, " "), err, out)
	}
	return filepath.Join(dir, "app")
}

// world is the environment a test runs archives in: its own cache root,
// temporary directory and a PATH holding only the interpreters it chose.
type world struct {
	t     testing.TB
	root  string
	tmp   string
	path  string
	extra []string
}

// newWorld makes a world whose PATH has one directory per interpreter
// given, each holding a link named after the interpreter's base name.
func newWorld(t testing.TB, interpreters ...string) *world {
	t.Helper()
	w := &world{t: t, root: filepath.Join(t.TempDir(), "root"), tmp: t.TempDir()}
	// The cache's trees are read-only: remove them before TempDir tries.
	t.Cleanup(func() { cache.RemoveAll(w.root) })
	var dirs []string
	for i, py := range interpreters {
		requireInterpreter(t, py)
		d := filepath.Join(t.TempDir(), fmt.Sprintf("bin%d", i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(py, filepath.Join(d, filepath.Base(py))); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	w.path = strings.Join(dirs, ":")
	// Cold starts leave background byte-compilers running (see
	// bytecode_test.go): none outlives the test.
	t.Cleanup(w.stopCompilers)
	return w
}

func (w *world) environ(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		// The tests of bytecode set PYTHONDONTWRITEBYTECODE themselves.
		if strings.HasPrefix(k, "PEX") || k == "PATH" || k == "TMPDIR" || k == "PYTHONPATH" ||
			k == "PYTHONDONTWRITEBYTECODE" || strings.HasPrefix(k, "__RULES_PEX") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PEX_ROOT="+w.root, "TMPDIR="+w.tmp, "PATH="+w.path)
	env = append(env, w.extra...)
	return append(env, extra...)
}

type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

// run runs the archive with args and extra environment variables.
func (w *world) run(archive string, env []string, args ...string) result {
	w.t.Helper()
	return w.runWithin(3*time.Minute, archive, env, args...)
}

// runArgv runs a command (an archive, or "python3 ARCHIVE") in the world.
func (w *world) runArgv(env []string, argv ...string) result {
	w.t.Helper()
	return w.runWithin(3*time.Minute, argv[0], env, argv[1:]...)
}

// runWithin is run failing the test if the archive takes longer than d.
func (w *world) runWithin(d time.Duration, archive string, env []string, args ...string) result {
	w.t.Helper()
	cmd := exec.Command(archive, args...)
	cmd.Env = w.environ(env...)
	cmd.Dir = w.tmp
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	start := time.Now()
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(d):
		cmd.Process.Kill()
		w.t.Fatalf("%s %q did not finish in %v; stderr:\n%s", archive, args, d, se.String())
	}
	r := result{stdout: so.String(), stderr: se.String(), elapsed: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatal(err)
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
		w.t.Fatalf("the launcher printed a Go stack trace:\n%s", r.stderr)
	}
	return r
}

// ok runs the archive and fails the test unless it exits 0.
func (w *world) ok(archive string, env []string, args ...string) string {
	w.t.Helper()
	r := w.run(archive, env, args...)
	if r.code != 0 {
		w.t.Fatalf("%s %q exited %d\nstdout:\n%s\nstderr:\n%s", filepath.Base(archive), args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// decodeJSON decodes the JSON a test app printed.
func decodeJSON(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, s)
	}
}

// dirsOf lists the entries of a cache kind (no locks, no markers).
func dirsOf(t testing.TB, root, kind string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "v2", kind))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") && !strings.HasSuffix(e.Name(), cache.MarkerSuffix) {
			out = append(out, e.Name())
		}
	}
	return out
}

func execOut(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

// peakRSS runs the archive under GNU time and returns its peak RSS in KiB
// (the launcher's and, after exec, Python's: Linux keeps the maximum
// across exec).
func (w *world) peakRSS(archive string, env ...string) int64 {
	w.t.Helper()
	out := filepath.Join(w.tmp, "rss")
	cmd := exec.Command("/usr/bin/time", "-f", "%M", "-o", out, archive)
	cmd.Env = w.environ(env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		w.t.Fatalf("%s under /usr/bin/time (apt-get install time): %v\n%s", archive, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		w.t.Fatal(err)
	}
	var kib int64
	if _, err := fmt.Sscan(string(b), &kib); err != nil {
		w.t.Fatalf("reading GNU time's output %q: %v", b, err)
	}
	return kib
}
