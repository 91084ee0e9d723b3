package launcher_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReplacedArchiveRunsItsNewContent replaces an archive by another build
// of the same size and the same mtime, as `cp -p` of a reproducible build
// does: once in place (the same inode) and once by rm and copy (ext4 hands
// the freed inode to the new file). Each time the new content must run, not
// the environment the warm plan of the old file names.
func TestReplacedArchiveRunsItsNewContent(t *testing.T) {
	// Sources of equal length differing in one byte.
	v1 := pack(t, app{"v.py": "print('version 1')\n"}, "--main", "v.py")
	v2 := pack(t, app{"v.py": "print('version 2')\n"}, "--main", "v.py")
	fixed := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []string{v1, v2} {
		if err := os.Chtimes(p, fixed, fixed); err != nil {
			t.Fatal(err)
		}
	}
	if s1, s2 := size(t, v1), size(t, v2); s1 != s2 {
		t.Fatalf("the two builds differ in size (%d, %d): the test needs equal sizes", s1, s2)
	}
	w := newWorld(t, cpython)
	app := filepath.Join(t.TempDir(), "app")
	cp := func(src string) {
		t.Helper()
		if out, err := exec.Command("cp", "-p", src, app).CombinedOutput(); err != nil {
			t.Fatalf("cp -p %s %s: %v\n%s", src, app, err, out)
		}
	}
	want := func(how, version string) {
		t.Helper()
		// Twice: the first run may plan, the second must take the warm
		// path (the plan of this file, without reading its manifest).
		for i := 0; i < 2; i++ {
			r := w.run(app, []string{"PEX_VERBOSE=1"})
			if r.code != 0 || r.stdout != "version "+version+"\n" {
				t.Fatalf("%s (run %d): exit %d, printed %q, want version %s\nstderr:\n%s", how, i+1, r.code, r.stdout, version, r.stderr)
			}
			if i == 1 && strings.Contains(r.stderr, "manifest read") {
				t.Fatalf("%s: the second run was not warm:\n%s", how, r.stderr)
			}
		}
	}

	cp(v1)
	want("first copy", "1")
	ino := inode(t, app)

	cp(v2) // cp overwrites an existing file in place
	if inode(t, app) != ino {
		t.Fatalf("cp -p over %s made a new inode; the test needs an overwrite in place", app)
	}
	want("cp -p v2 over v1 in place", "2")

	ino = inode(t, app)
	if err := os.Remove(app); err != nil {
		t.Fatal(err)
	}
	cp(v1)
	t.Logf("rm + cp -p: inode %d, before %d", inode(t, app), ino)
	want("rm app, cp -p v1", "1")
}

func size(t *testing.T, p string) int64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}
