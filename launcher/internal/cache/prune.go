package cache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// PruneLock is the name, under the version directory, of the lock that
// creators hold shared and pruning holds exclusively, so pruning never
// removes a tree that an environment being built is about to link to.
const PruneLock = "prune.lock"

// Entry describes one cache entry.
type Entry struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
	Path string `json:"path"`
	// LastUsed is when the entry was last used (its lock file's
	// modification time, which runs update), or created.
	LastUsed time.Time `json:"last_used"`
	// InUse reports that a running process holds the entry's lock.
	InUse bool  `json:"in_use"`
	Bytes int64 `json:"bytes"`
	Files int   `json:"files"`
}

// Entries lists the entries of a kind (complete ones: no work
// directories, no lock files) sorted by key.
func (r *Root) Entries(kind string) ([]Entry, error) {
	dir := filepath.Join(r.Dir, kind)
	names, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, n := range names {
		name := n.Name()
		if strings.HasSuffix(name, ".lock") || strings.HasSuffix(name, MarkerSuffix) || strings.Contains(name, workSuffix) || strings.HasPrefix(name, ".") {
			continue
		}
		e := Entry{Kind: kind, Key: strings.TrimSuffix(name, ".json"), Path: filepath.Join(dir, name)}
		for _, p := range []string{UseLockPath(e.Path), LockPath(e.Path), e.Path} {
			if fi, err := os.Stat(p); err == nil {
				e.LastUsed = fi.ModTime()
				break
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Measure fills in the size, file count and use of e.
func Measure(e *Entry) {
	filepath.WalkDir(e.Path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				e.Bytes += fi.Size()
				e.Files++
			}
		}
		return nil
	})
	if _, err := os.Stat(UseLockPath(e.Path)); err == nil {
		if l, err := TryAcquire(UseLockPath(e.Path), true); err == nil {
			l.Release()
		} else if errors.Is(err, ErrLocked) {
			e.InUse = true
		}
	}
}

// PruneResult lists what Prune removed and kept.
type PruneResult struct {
	Removed []Entry `json:"removed"`
	Kept    int     `json:"kept"`
	Bytes   int64   `json:"bytes_freed"`
}

// Prune removes entries unused since cutoff. An environment is removed only
// if no process holds its lock (a running application holds it shared from
// start to exit); a tree (wheels, code) only if no remaining environment
// refers to it, as refs reports for each kept environment. Probe results
// and plans unused since cutoff go too, as do work directories abandoned
// by crashed processes.
func (r *Root) Prune(cutoff time.Time, refs func(venvDir string) []string) (*PruneResult, error) {
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return nil, err
	}
	global, err := Acquire(filepath.Join(r.Dir, PruneLock), true)
	if err != nil {
		return nil, err
	}
	defer global.Release()
	res := &PruneResult{}
	referenced := map[string]bool{}

	venvs, err := r.Entries(Venvs)
	if err != nil {
		return nil, err
	}
	for _, e := range venvs {
		if !e.LastUsed.Before(cutoff) {
			r.keep(res, e, refs, referenced)
			continue
		}
		// The build lock, then the use lock that running applications
		// hold shared.
		lock, err := TryAcquire(LockPath(e.Path), true)
		if err != nil {
			r.keep(res, e, refs, referenced)
			continue
		}
		use, err := TryAcquire(UseLockPath(e.Path), true)
		if err != nil {
			lock.Release()
			r.keep(res, e, refs, referenced)
			continue
		}
		err = r.remove(res, e, lock)
		use.Release()
		if err != nil {
			return res, err
		}
	}
	for _, kind := range []string{Wheels, Code} {
		entries, err := r.Entries(kind)
		if err != nil {
			return res, err
		}
		for _, e := range entries {
			if referenced[filepath.Clean(e.Path)] || !e.LastUsed.Before(cutoff) {
				res.Kept++
				continue
			}
			lock, err := TryAcquire(LockPath(e.Path), true)
			if err != nil {
				res.Kept++
				continue
			}
			if err := r.remove(res, e, lock); err != nil {
				return res, err
			}
		}
	}
	// Files nobody locks. A launcher's mtime is its last use: the first
	// stage sets it whenever it runs one (a universal file's is its copy's
	// time); one removed just before a start is copied out again.
	for _, kind := range []string{Interpreters, Plans, Launchers} {
		entries, err := r.Entries(kind)
		if err != nil {
			return res, err
		}
		for _, e := range entries {
			fi, err := os.Stat(e.Path)
			if err != nil || !fi.ModTime().Before(cutoff) {
				res.Kept++
				continue
			}
			e.Bytes = fi.Size()
			e.Files = 1
			if os.Remove(e.Path) == nil {
				// Its lock, if any: a process holding it notices the
				// file is gone and starts over (see acquire).
				os.Remove(LockPath(e.Path))
				res.Removed = append(res.Removed, e)
				res.Bytes += e.Bytes
			}
		}
	}
	r.removeAbandonedWork(time.Now().Add(-time.Hour))
	return res, nil
}

func (r *Root) keep(res *PruneResult, e Entry, refs func(string) []string, referenced map[string]bool) {
	res.Kept++
	for _, p := range refs(e.Path) {
		referenced[filepath.Clean(p)] = true
	}
}

// remove deletes an entry whose exclusive locks are held: first its
// marker, then the directory, renamed out of the way first (so it is never
// seen half-deleted, and a process opening its use lock finds none), then
// its lock file.
func (r *Root) remove(res *PruneResult, e Entry, lock *Lock) error {
	Measure(&e)
	if err := discard(e.Path); err != nil {
		lock.Release()
		return err
	}
	lock.Remove()
	e.InUse = false
	res.Removed = append(res.Removed, e)
	res.Bytes += e.Bytes
	return nil
}

// removeAbandonedWork deletes work directories older than before whose
// entry lock nobody holds.
func (r *Root) removeAbandonedWork(before time.Time) {
	for _, kind := range Kinds {
		matches, _ := filepath.Glob(filepath.Join(globEscape(filepath.Join(r.Dir, kind)), "*"+workSuffix+"*"))
		for _, m := range matches {
			fi, err := os.Lstat(m)
			if err != nil || !fi.ModTime().Before(before) {
				continue
			}
			if kind == Interpreters || kind == Plans || kind == Launchers {
				os.Remove(m) // a file written atomically; nobody locks these
				continue
			}
			entry := m[:strings.Index(m, workSuffix)]
			lock, err := TryAcquire(LockPath(entry), true)
			if err != nil {
				continue
			}
			RemoveAll(m)
			lock.Release()
		}
	}
}
