package launcher_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// replaceWithFIFOs replaces every file of dir whose name matches glob by a
// named pipe and returns their paths.
func replaceWithFIFOs(t *testing.T, dir, glob string) []string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, glob))
	if len(paths) == 0 {
		t.Fatalf("no %s in %s", glob, dir)
	}
	for _, p := range paths {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// TestNamedPipesInTheCacheAreIgnored puts named pipes where the launcher
// reads its plans, probe results, locks and an environment's metadata.
// Opened the ordinary way, each would block every start forever; the
// launcher must treat them as absent, run the application and replace them
// with regular files.
func TestNamedPipesInTheCacheAreIgnored(t *testing.T) {
	archive := pack(t, whoAmI, "--main", "who.py")
	w := newWorld(t, cpython)
	w.ok(archive, nil)
	v1 := filepath.Join(w.root, "v2")
	plans := replaceWithFIFOs(t, filepath.Join(v1, "plans"), "[0-9a-f]*[0-9a-f]")
	replaceWithFIFOs(t, filepath.Join(v1, "plans"), "*.lock")
	probes := replaceWithFIFOs(t, filepath.Join(v1, "interpreters"), "*.json")
	replaceWithFIFOs(t, filepath.Join(v1, "interpreters"), "*.lock")

	r := w.runWithin(30*time.Second, archive, []string{"PEX_VERBOSE=1"})
	if r.code != 0 || !strings.HasPrefix(r.stdout, "CPython 3.11") {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "is a named pipe, not a regular file; ignored") {
		t.Errorf("PEX_VERBOSE does not say the plan was ignored:\n%s", r.stderr)
	}
	for _, p := range append(plans, probes...) {
		if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s was not replaced by a regular file: %v %v", p, fi, err)
		}
	}
	// And the next start is warm again.
	r = w.runWithin(30*time.Second, archive, []string{"PEX_VERBOSE=1"})
	if r.code != 0 || strings.Contains(r.stderr, "ran it") {
		t.Errorf("the run after should be warm: exit %d, stderr:\n%s", r.code, r.stderr)
	}

	// An environment's metadata: the cache tools read it.
	replaceWithFIFOs(t, filepath.Join(v1, "venvs", "*"), "rules_pex.json")
	for _, tool := range [][]string{{"cache", "info"}, {"cache", "prune", "--older-than", "30d"}} {
		r := w.runWithin(30*time.Second, archive, []string{"PEX_TOOLS=1"}, tool...)
		if r.code != 0 {
			t.Errorf("%v: exit %d, stderr:\n%s", tool, r.code, r.stderr)
		}
	}
}

// TestDirectoriesInPlaceOfPlans: an empty directory where a plan or a
// probe result goes is ignored like a named pipe, and replaced by the
// record, so that the next start is warm again (and a hanging interpreter
// costs its timeout once).
func TestDirectoriesInPlaceOfPlans(t *testing.T) {
	archive := pack(t, whoAmI, "--main", "who.py")
	w := newWorld(t, cpython)
	w.ok(archive, nil)
	plans, _ := filepath.Glob(filepath.Join(w.root, "v2", "plans", "[0-9a-f]*[0-9a-f]"))
	probes, _ := filepath.Glob(filepath.Join(w.root, "v2", "interpreters", "*.json"))
	if len(plans) == 0 || len(probes) == 0 {
		t.Fatalf("after a run: plans %v, probe results %v", plans, probes)
	}
	plans = append(plans, probes...)
	for _, p := range plans {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r := w.runWithin(30*time.Second, archive, []string{"PEX_VERBOSE=1"})
	if r.code != 0 || !strings.Contains(r.stderr, "is a directory, not a regular file; ignored") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for _, p := range plans {
		if fi, err := os.Lstat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		} else if !fi.Mode().IsRegular() {
			t.Errorf("%s is still %v, not a plan", p, fi.Mode())
		}
	}
}
