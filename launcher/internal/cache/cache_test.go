package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestPreferred(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PEX_ROOT": "/r", "XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/r"},
		{map[string]string{"XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/x/rules_pex"},
		{map[string]string{"XDG_CACHE_HOME": "relative", "HOME": "/h"}, "/h/.cache/rules_pex"},
		{map[string]string{"HOME": "/h"}, "/h/.cache/rules_pex"},
		{map[string]string{}, ""},
	} {
		if got := Preferred(env(tc.env)); got != tc.want {
			t.Errorf("Preferred(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestOpenFallsBack(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	r, warning, err := Open(env(map[string]string{"PEX_ROOT": filepath.Join(file, "sub")}))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Fallback || r.Base != filepath.Join(tmp, fmt.Sprintf("rules_pex-%d", os.Getuid())) || !strings.Contains(warning, "is not writable") {
		t.Errorf("Open = %+v, %q", r, warning)
	}
	// A fallback name taken by something that is not a private directory
	// is not used.
	os.RemoveAll(r.Base)
	os.Mkdir(r.Base, 0o777)
	os.Chmod(r.Base, 0o777)
	r2, _, err := Open(env(map[string]string{"PEX_ROOT": filepath.Join(file, "sub")}))
	if err != nil {
		t.Fatal(err)
	}
	if r2.Base == r.Base || !r2.Fallback {
		t.Errorf("used the shared directory %s", r2.Base)
	}
	good, warning, err := Open(env(map[string]string{"PEX_ROOT": filepath.Join(tmp, "root")}))
	if err != nil || good.Fallback || warning != "" || good.Dir != filepath.Join(tmp, "root", Version) {
		t.Errorf("Open of a writable root = %+v, %q, %v", good, warning, err)
	}
}

func TestEnsureBuildsOnceUnderContention(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wheels", "abc")
	var builds atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := Ensure(dir, nil, func(work string) error {
				builds.Add(1)
				time.Sleep(20 * time.Millisecond)
				return os.WriteFile(filepath.Join(work, "f"), []byte("x"), 0o644)
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if builds.Load() != 1 {
		t.Errorf("built %d times, want once", builds.Load())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "f")); err != nil || string(b) != "x" {
		t.Errorf("entry content: %q %v", b, err)
	}
}

func TestEnsureFailureAndLeftovers(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "e")
	// A crashed builder's work directory.
	os.MkdirAll(dir+".tmp-1-dead/sub", 0o755)
	boom := errors.New("boom")
	if _, err := Ensure(dir, nil, func(work string) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Ensure = %v, want boom", err)
	}
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if e.Name() != "e.lock" {
			t.Errorf("left %s behind", e.Name())
		}
	}
	built, err := Ensure(dir, nil, func(work string) error { return nil })
	if err != nil || !built {
		t.Fatalf("Ensure = %v, %v", built, err)
	}
	built, err = Ensure(dir, nil, func(work string) error { t.Error("built twice"); return nil })
	if err != nil || built {
		t.Fatalf("second Ensure = %v, %v", built, err)
	}
}

func TestLocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	if _, err := AcquireExisting(path, false); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("AcquireExisting of a missing file: %v", err)
	}
	a, err := Acquire(path, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := TryAcquire(path, false)
	if err != nil {
		t.Fatalf("two shared locks conflict: %v", err)
	}
	if _, err := TryAcquire(path, true); !errors.Is(err, ErrLocked) {
		t.Fatalf("exclusive lock while shared ones are held: %v", err)
	}
	a.Release()
	b.Release()
	c, err := TryAcquire(path, true)
	if err != nil {
		t.Fatal(err)
	}
	// Removing the file while a waiter has it open: the waiter starts over
	// on the new file instead of holding a lock on the dead one.
	got := make(chan *Lock)
	go func() {
		l, err := Acquire(path, true)
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	time.Sleep(50 * time.Millisecond)
	c.Remove()
	l := <-got
	fd, err := l.Inherit()
	if err != nil || fd < 0 {
		t.Fatalf("Inherit = %d, %v", fd, err)
	}
	var held, named syscall.Stat_t
	if err := errors.Join(syscall.Fstat(fd, &held), syscall.Stat(path, &named)); err != nil || held.Ino != named.Ino || held.Dev != named.Dev {
		t.Errorf("the waiter holds a lock on a removed file: %v", err)
	}
	syscall.Close(fd)
	l.Release()
}

func TestPrune(t *testing.T) {
	r := At(t.TempDir())
	mk := func(kind, key string, age time.Duration) string {
		dir := r.Path(kind, key)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "f"), []byte("12345"), 0o644)
		os.WriteFile(MarkerPath(dir), nil, 0o444)
		l, err := Acquire(LockPath(dir), false)
		if err != nil {
			t.Fatal(err)
		}
		l.Release()
		old := time.Now().Add(-age)
		os.Chtimes(LockPath(dir), old, old)
		if kind == Venvs {
			os.WriteFile(UseLockPath(dir), nil, 0o644)
			os.Chtimes(UseLockPath(dir), old, old)
		}
		return dir
	}
	oldVenv := mk(Venvs, "old", 48*time.Hour)
	busyVenv := mk(Venvs, "busy", 48*time.Hour)
	newVenv := mk(Venvs, "new", 0)
	shared := mk(Wheels, "shared", 48*time.Hour) // used by busy
	orphan := mk(Wheels, "orphan", 48*time.Hour) // used by old only
	fresh := mk(Wheels, "fresh", 0)              // recently extracted
	work := r.Path(Wheels, "x.tmp-1-dead")       // abandoned work directory
	os.MkdirAll(work, 0o755)
	os.Chtimes(work, time.Now().Add(-2*time.Hour), time.Now().Add(-2*time.Hour))
	refs := map[string][]string{oldVenv: {orphan}, busyVenv: {shared}, newVenv: {}}

	hold, err := AcquireExisting(UseLockPath(busyVenv), false) // a running application
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Prune(time.Now().Add(-24*time.Hour), func(d string) []string { return refs[d] })
	if err != nil {
		t.Fatal(err)
	}
	hold.Release()
	for path, want := range map[string]bool{oldVenv: false, busyVenv: true, newVenv: true, shared: true, orphan: false, fresh: true, work: false} {
		if _, err := os.Stat(path); (err == nil) != want {
			t.Errorf("%s: exists=%v, want %v", path, err == nil, want)
		}
		if path != work && Complete(path) != want {
			t.Errorf("%s: complete=%v, want %v", path, Complete(path), want)
		}
		if _, err := os.Stat(MarkerPath(path)); !want && err == nil {
			t.Errorf("pruning left the marker of %s", path)
		}
	}
	if len(res.Removed) != 2 || res.Bytes != 10 {
		t.Errorf("result %+v", res)
	}
	entries, _ := r.Entries(Venvs)
	if len(entries) != 2 {
		t.Errorf("Entries(venvs) = %+v", entries)
	}
}

// A directory without its marker is not an entry: the one a crashed
// builder published, or one that something re-created after pruning
// (holding only __pycache__, say). Ensure moves it aside and builds.
func TestEnsureRebuildsWithoutMarker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wheels", "abc")
	if err := os.MkdirAll(filepath.Join(dir, "site-packages", "pkg", "__pycache__"), 0o755); err != nil {
		t.Fatal(err)
	}
	if Complete(dir) {
		t.Fatal("a directory without a marker is complete")
	}
	built, err := Ensure(dir, nil, func(work string) error {
		return os.WriteFile(filepath.Join(work, "f"), []byte("x"), 0o644)
	})
	if err != nil || !built {
		t.Fatalf("Ensure = %v, %v; want a rebuild", built, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "site-packages")); err == nil {
		t.Error("the incomplete directory's content survived")
	}
	if !Complete(dir) {
		t.Error("the entry is not complete after Ensure")
	}
	// A marker without its directory is not complete either.
	os.RemoveAll(dir)
	if Complete(dir) {
		t.Error("a marker without a directory is complete")
	}
}

// A complete entry that check finds damaged is rebuilt; Discard removes one.
func TestEnsureRebuildsDamaged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "venvs", "k")
	write := func(work string) error { return os.WriteFile(filepath.Join(work, "essential"), nil, 0o644) }
	check := func(d string) error { _, err := os.Stat(filepath.Join(d, "essential")); return err }
	if _, err := Ensure(dir, check, write); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "essential"))
	built, err := Ensure(dir, check, write)
	if err != nil || !built || check(dir) != nil {
		t.Fatalf("Ensure of a damaged entry = %v, %v", built, err)
	}
	if removed, err := Discard(dir, check); removed || err != nil {
		t.Errorf("Discard of a sound entry = %v, %v", removed, err)
	}
	if removed, err := Discard(dir, nil); !removed || err != nil || exists(dir) || exists(MarkerPath(dir)) {
		t.Errorf("Discard = %v, %v", removed, err)
	}
}

// Seal makes a tree read-only except its __pycache__ directories, which it
// creates next to Python sources; RemoveAll removes it anyway.
func TestSealAndRemoveAll(t *testing.T) {
	work := filepath.Join(t.TempDir(), "tree")
	os.MkdirAll(filepath.Join(work, "pkg", "data"), 0o755)
	os.WriteFile(filepath.Join(work, "pkg", "__init__.py"), nil, 0o444)
	os.WriteFile(filepath.Join(work, "pkg", "data", "x.txt"), nil, 0o444)
	if err := Seal(work, true, false); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]os.FileMode{".": 0o555, "pkg": 0o555, "pkg/data": 0o555, "pkg/__pycache__": 0o755} {
		fi, err := os.Stat(filepath.Join(work, rel))
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", rel, fi.Mode(), err, want)
		}
	}
	if exists(filepath.Join(work, "pkg", "data", "__pycache__")) {
		t.Error("__pycache__ where there is no Python source")
	}
	if err := RemoveAll(work); err != nil || exists(work) {
		t.Errorf("RemoveAll = %v", err)
	}
}
