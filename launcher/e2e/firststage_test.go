package launcher_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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
	archive := pack(t, argvApp, "--main", "show.py")
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

// A full launcher damaged in the cache (its bytes, its mode) is copied out
// again, whole, by the next start that needs it; cache verify checks every
// launcher against its name (the FNV-128a of a full launcher, the SHA-256
// of a universal file's) and removes the damaged ones, opening nothing but
// regular files, and leaves files the cache did not name alone.
func TestDamagedFullLauncher(t *testing.T) {
	archive := pack(t, argvApp, "--main", "show.py")
	w := newWorld(t, cpython)
	want := archive + " " + archive + " False ['a']\n"
	if got := w.ok(archive, nil, "a"); got != want {
		t.Fatalf("cold: printed %q, want %q", got, want)
	}
	launchers := filepath.Join(w.root, "v2", "launchers")
	entries, _ := os.ReadDir(launchers)
	if len(entries) != 1 {
		t.Fatalf("launchers %v", entries)
	}
	current := filepath.Join(launchers, entries[0].Name())
	good, err := os.ReadFile(current)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(current); fi.Mode().Perm() != 0o555 {
		t.Errorf("the full launcher in the cache has mode %v, want read-only 0555", fi.Mode().Perm())
	}
	for _, c := range []struct {
		name   string
		damage func()
	}{
		{"its bytes (same size)", func() {
			os.WriteFile(current, make([]byte, len(good)), 0o555)
		}},
		{"its mode", func() { os.Chmod(current, 0o444) }},
		{"cut short", func() { os.Truncate(current, int64(len(good)/2)) }},
	} {
		c.damage()
		// PEX_VERBOSE=1 always hands over to the full launcher.
		r := w.run(archive, []string{"PEX_VERBOSE=1"}, "a")
		if r.code != 0 || r.stdout != want {
			t.Errorf("damaged %s: exit %d, stdout %q\nstderr:\n%s", c.name, r.code, r.stdout, r.stderr)
		}
		b, _ := os.ReadFile(current)
		fi, _ := os.Stat(current)
		if !bytes.Equal(b, good) || fi.Mode().Perm() != 0o555 {
			t.Errorf("damaged %s: the full launcher was not copied out again (%d bytes, mode %v)", c.name, len(b), fi.Mode().Perm())
		}
	}

	// cache verify: the current launcher is sound; others named by an
	// FNV-128a or a SHA-256 are not, nor is a named pipe; "notes" is not
	// named by any digest.
	sum := sha256.Sum256([]byte("a universal file's launcher"))
	universal := filepath.Join(launchers, hex.EncodeToString(sum[:]))
	os.WriteFile(universal, []byte("a universal file's launcher"), 0o555)
	damaged := map[string]string{
		filepath.Join(launchers, strings.Repeat("0", 32)): "content does not match its digest",
		filepath.Join(launchers, strings.Repeat("1", 64)): "content does not match its digest",
		filepath.Join(launchers, strings.Repeat("f", 32)): "not a regular file",
	}
	for p, why := range damaged {
		if why == "not a regular file" {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			os.WriteFile(p, []byte("an older launcher, damaged"), 0o555)
		}
	}
	notes := filepath.Join(launchers, "notes")
	os.WriteFile(notes, []byte("not the cache's"), 0o644)
	r := w.runWithin(time.Minute, archive, []string{"PEX_TOOLS=1"}, "cache", "verify")
	if r.code != 3 || !strings.Contains(r.stdout, "verified 1 trees, 5 launchers and 1 environments") {
		t.Errorf("cache verify: exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	for p, why := range damaged {
		if !strings.Contains(r.stdout, "launchers/"+filepath.Base(p)+": "+why) {
			t.Errorf("cache verify did not say %s is damaged (%s):\n%s", filepath.Base(p), why, r.stdout)
		}
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("the damaged %s is still there", filepath.Base(p))
		}
	}
	for _, p := range []string{current, universal, notes} {
		if strings.Contains(r.stdout, filepath.Base(p)) {
			t.Errorf("cache verify reported the sound %s:\n%s", filepath.Base(p), r.stdout)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("cache verify removed %s: %v", filepath.Base(p), err)
		}
	}
	if got := w.ok(archive, nil, "a"); got != want {
		t.Errorf("after cache verify: printed %q, want %q", got, want)
	}
}

// A cache root on a file system mounted noexec: the full launcher cannot
// run from it, so the first stage copies it into the private fallback root
// ($TMPDIR/rules_pex-<uid>) and runs it from there; the application starts
// cold, warm and with PEX_VERBOSE. With the fallback root noexec too, the
// launcher says so in one line and exits 1. (The tests run as root, which
// may mount a tmpfs.)
func TestFullLauncherOnNoexec(t *testing.T) {
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "noexec", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Fatalf("mounting a noexec tmpfs: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	archive := pack(t, argvApp, "--main", "show.py")
	w := newWorld(t, cpython)
	root := filepath.Join(mnt, "root")
	want := archive + " " + archive + " False ['a']\n"
	for _, start := range []string{"cold", "warm", "PEX_VERBOSE=1"} {
		env := []string{"PEX_ROOT=" + root}
		if start == "PEX_VERBOSE=1" {
			env = append(env, start)
		}
		if got := w.ok(archive, env, "a"); got != want {
			t.Errorf("%s start with PEX_ROOT on a noexec file system: printed %q, want %q", start, got, want)
		}
		waitCompilers(t, root)
	}
	fallback := filepath.Join(w.tmp, "rules_pex-"+strconv.Itoa(os.Getuid()), "v2", "launchers")
	if entries, _ := os.ReadDir(fallback); len(entries) != 1 {
		t.Errorf("the fallback root's launchers: %v, want the full launcher", entries)
	}
	r := w.run(archive, []string{"PEX_ROOT=" + root, "TMPDIR=" + mnt, "PEX_VERBOSE=1"}, "a")
	if r.code != 1 || !strings.Contains(r.stderr, "mounted noexec?") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("with no root where programs may run: exit %d, want 1 and one line\nstderr:\n%s", r.code, r.stderr)
	}
}
