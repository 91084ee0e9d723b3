package launcher_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

// The first stage starts a warm application alone, and falls back to the
// full launcher (copied out of the file into <root>/v2/launchers) on every
// kind of stale plan; each time the application runs with its arguments.
// (launcherBin is the two-stage launcher, as scripts/build-launcher builds it.)
func TestFirstStage(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "app")
	src := writeApp(t, argvApp, "show.py")
	if b, err := exec.Command(packerBin, "build", "-o", archive, "--launcher", launcherBin,
		"--source", "show.py="+src, "--main", "show.py").CombinedOutput(); err != nil {
		t.Fatalf("packer: %v\n%s", err, b)
	}
	w := newWorld(t, cpython)
	want := archive + " " + archive + " False ['a', 'b c']\n"
	run := func(what string) {
		t.Helper()
		if got := w.ok(archive, nil, "a", "b c"); got != want {
			t.Fatalf("%s: printed %q, want %q", what, got, want)
		}
	}
	launchers := filepath.Join(w.root, "v2", "launchers")
	fullUsed := func() bool { // and forget it, for the next case
		entries, _ := os.ReadDir(launchers)
		os.RemoveAll(launchers)
		return len(entries) == 1 && !strings.HasPrefix(entries[0].Name(), ".")
	}
	run("cold")
	if !fullUsed() {
		t.Fatal("the cold start did not copy the full launcher into the cache")
	}
	w.waitCompilers()
	run("warm")
	if fullUsed() {
		t.Fatal("the warm start ran the full launcher")
	}
	plans, _ := filepath.Glob(filepath.Join(w.root, "v2", "plans", "*[0-9a-f]"))
	venvs := dirsOf(t, w.root, "venvs")
	if len(venvs) != 1 {
		t.Fatalf("venvs %v", venvs)
	}
	venv := filepath.Join(w.root, "v2", "venvs", venvs[0])
	for _, c := range []struct {
		name  string
		stale func()
	}{
		{"plans removed", func() {
			for _, p := range plans {
				os.Remove(p)
			}
		}},
		{"plans malformed", func() {
			for _, p := range plans {
				os.WriteFile(p, []byte(warm.PlanMagic+strconv.Itoa(warm.PlanFormat)+"\nvenv 1\n"), 0o644)
			}
		}},
		{"plans of another format", func() {
			for _, p := range plans {
				os.WriteFile(p, []byte(warm.PlanMagic+strconv.Itoa(warm.PlanFormat-1)+"\nvenv \"/nowhere\"\n"), 0o644)
			}
		}},
		{"plans are named pipes", func() {
			for _, p := range plans {
				os.Remove(p)
				syscall.Mkfifo(p, 0o644)
			}
		}},
		{"a directory searched changed", func() {
			os.WriteFile(filepath.Join(w.path, "newfile"), nil, 0o644)
		}},
		{"bytecode not written", func() {
			os.Remove(filepath.Join(venv, "rules_pex.compiled"))
		}},
		{"environment removed", func() {
			exec.Command("chmod", "-R", "u+w", venv).Run()
			os.RemoveAll(venv)
		}},
		{"the environment's python gone", func() {
			bin := filepath.Join(venv, "bin")
			os.Chmod(bin, 0o755)
			os.Remove(filepath.Join(bin, "python"))
		}},
		{"archive replaced", func() {
			b, _ := os.ReadFile(archive)
			os.Remove(archive)
			os.WriteFile(archive, b, 0o755)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.stale()
			run(c.name)
			if !fullUsed() {
				t.Errorf("%s: the first stage did not hand over to the full launcher", c.name)
			}
			w.waitCompilers()
			run(c.name + ", then warm")
			if fullUsed() {
				t.Errorf("%s: the next start was not warm", c.name)
			}
			plans, _ = filepath.Glob(filepath.Join(w.root, "v2", "plans", "*[0-9a-f]"))
			if venvs = dirsOf(t, w.root, "venvs"); len(venvs) == 1 {
				venv = filepath.Join(w.root, "v2", "venvs", venvs[0])
			}
		})
	}
	// Pruning removes a launcher unused for longer than the age asked (an
	// older build's, say); each hand-over sets the mtime of the one it runs,
	// so the one running the prune stays.
	w.run(archive, []string{"PEX_VERBOSE=1"})
	entries, _ := os.ReadDir(launchers)
	if len(entries) != 1 {
		t.Fatalf("launchers %v", entries)
	}
	current := filepath.Join(launchers, entries[0].Name())
	stale := filepath.Join(launchers, strings.Repeat("0", 32))
	os.WriteFile(stale, []byte("an older launcher"), 0o755)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	os.Chtimes(current, old, old)
	out := w.ok(archive, []string{"PEX_TOOLS=1"}, "cache", "prune", "--older-than", "1h")
	if !strings.Contains(out, "removed launchers "+filepath.Base(stale)) || strings.Contains(out, filepath.Base(current)) {
		t.Errorf("pruning launchers unused for an hour:\n%s", out)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the unused launcher is still there")
	}
	if _, err := os.Stat(current); err != nil {
		t.Errorf("the launcher that ran the prune is gone: %v", err)
	}
	// PEX_VERBOSE is the full launcher's: the trace is complete.
	if r := w.run(archive, []string{"PEX_VERBOSE=1"}); r.code != 0 || !strings.Contains(r.stderr, "plan ") || !fullUsed() {
		t.Errorf("PEX_VERBOSE=1: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
