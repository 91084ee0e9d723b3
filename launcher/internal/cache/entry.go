package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/rules-pex/rules_pex/internal/atomicfile"
	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

// LockPath returns the path of the lock file of the entry at dir: held
// exclusively while the entry is built (and removed).
func LockPath(dir string) string { return dir + ".lock" }

// MarkerSuffix names the completion marker of an entry, next to it.
const MarkerSuffix = ".complete"

// MarkerPath returns the path of the completion marker of the entry at dir:
// an empty file created after the entry's files were made durable and the
// entry renamed into place, and removed first when the entry is removed.
// An entry is complete only while its marker exists; a directory without
// one (a crashed build's, or one something re-created after pruning) is
// garbage that the next Ensure moves aside.
func MarkerPath(dir string) string { return dir + MarkerSuffix }

// UseLockName is the name of the use lock inside an entry that processes
// use while they run (environments): held shared from start to exit,
// exclusively by pruning. Its modification time records the last use. It
// is created last in the work directory, before the rename that publishes
// the entry, so a directory holding it was complete when it was published
// (the warm start relies on that and looks no further).
const UseLockName = warm.UseLockName

// UseLockPath returns the path of the use lock of the entry at dir.
func UseLockPath(dir string) string { return filepath.Join(dir, UseLockName) }

// workSuffix separates an entry's name from the suffix of its work
// directories, which live next to it so that the final rename stays on one
// file system. It is atomicfile's too, so pruning finds the temporary files
// of a crashed atomicfile.WriteFile with the work directories.
const workSuffix = atomicfile.TempInfix

// Complete reports whether the entry at dir is complete: its marker exists
// and so does its directory.
func Complete(dir string) bool {
	if _, err := os.Lstat(MarkerPath(dir)); err != nil {
		return false
	}
	fi, err := os.Lstat(dir)
	return err == nil && fi.IsDir()
}

// Ensure makes the entry at dir exist and be complete. If it is not
// complete, or check (if not nil) finds a complete one damaged, Ensure
// takes the entry's exclusive lock, looks again (another process may have
// built it meanwhile), moves what is there aside, removes work directories
// that crashed builders left behind, and calls build on a fresh empty work
// directory next to dir. When build succeeds the work directory is renamed
// to dir, the rename made durable, and the marker written. A failed or
// interrupted build leaves no complete entry. build must make the files it
// writes durable (fsync) and may make the tree read-only (see Seal); built
// reports whether this call built the entry.
func Ensure(dir string, check func(dir string) error, build func(work string) error) (built bool, err error) {
	sound := func() bool { return Complete(dir) && (check == nil || check(dir) == nil) }
	if sound() {
		return false, nil
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return false, fmt.Errorf("creating %s: %w", parent, err)
	}
	lock, err := Acquire(LockPath(dir), true)
	if err != nil {
		return false, err
	}
	defer lock.Release()
	if sound() {
		return false, nil
	}
	if err := discard(dir); err != nil {
		return false, err
	}
	removeWorkDirs(dir)
	work := atomicfile.TempName(dir)
	if err := os.Mkdir(work, 0o755); err != nil {
		return false, fmt.Errorf("creating work directory: %w", err)
	}
	if err := build(work); err != nil {
		RemoveAll(work)
		return false, err
	}
	if err := os.Rename(work, dir); err != nil {
		RemoveAll(work)
		return false, fmt.Errorf("moving %s into place: %w", filepath.Base(dir), err)
	}
	if err := SyncDir(parent); err != nil {
		return false, fmt.Errorf("moving %s into place: %w", filepath.Base(dir), err)
	}
	if err := writeMarker(dir); err != nil {
		return false, err
	}
	lock.Touch()
	return true, nil
}

// writeMarker creates the marker of the entry at dir and makes it durable.
func writeMarker(dir string) error {
	f, err := os.OpenFile(MarkerPath(dir), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|syscall.O_NOFOLLOW, 0o444)
	if err != nil {
		return fmt.Errorf("marking %s complete: %w", dir, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("marking %s complete: %w", dir, err)
	}
	if err := SyncDir(filepath.Dir(dir)); err != nil {
		return fmt.Errorf("marking %s complete: %w", dir, err)
	}
	return nil
}

// Discard removes the entry at dir if check (or the lack of a marker) says
// it is damaged, under the entry's exclusive lock, so that the next Ensure
// rebuilds it. It reports whether it removed anything. A nil check means
// the entry is damaged whatever it holds.
func Discard(dir string, check func(dir string) error) (bool, error) {
	lock, err := Acquire(LockPath(dir), true)
	if err != nil {
		return false, err
	}
	defer lock.Release()
	if check != nil && Complete(dir) && check(dir) == nil {
		return false, nil
	}
	if !exists(dir) && !exists(MarkerPath(dir)) {
		return false, nil
	}
	return true, discard(dir)
}

// discard removes the entry at dir, whose exclusive lock the caller holds:
// its marker first (so nobody takes it for complete any more), then the
// directory, renamed out of the way first (so nobody sees half of it).
func discard(dir string) error {
	if err := os.Remove(MarkerPath(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", MarkerPath(dir), err)
	}
	if !exists(dir) {
		return nil
	}
	trash := atomicfile.TempName(dir)
	if err := os.Rename(dir, trash); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	if err := RemoveAll(trash); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	return nil
}

// removeWorkDirs deletes the work directories of the entry at dir. Only the
// holder of the entry's exclusive lock may call it.
func removeWorkDirs(dir string) {
	matches, _ := filepath.Glob(globEscape(dir) + workSuffix + "*")
	for _, m := range matches {
		RemoveAll(m)
	}
}

func globEscape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', '\\':
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// SyncDir makes the entries of the directory at path durable (fsync).
func SyncDir(path string) error { return syncPath(path) }

// syncPath fsyncs the file or directory at path. A file system that
// cannot sync (EINVAL, ENOTSUP) has nothing to make durable.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		err = nil
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// RemoveAll is os.RemoveAll for cache entries, whose directories are
// read-only: where a removal is refused, it makes the directories below
// path writable (never following a symlink) and tries again.
func RemoveAll(path string) error {
	err := os.RemoveAll(path)
	if err == nil {
		return nil
	}
	filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			if fi, err := d.Info(); err == nil && fi.Mode().Perm()&0o700 != 0o700 {
				os.Chmod(p, fi.Mode().Perm()|0o700)
			}
		}
		return nil
	})
	return os.RemoveAll(path)
}

// Seal prepares the work directory of a tree or an environment for
// publishing: it creates an empty __pycache__ directory (writable, for the
// launcher's byte-compiler) next to every Python source that lacks one,
// fsyncs the regular files only this tree holds (a file with one link: one
// it wrote; hard links into other trees are theirs, made durable when they
// were written) if syncFiles is set, makes every directory below work
// read-only (0555; __pycache__ directories stay 0755, and work itself too
// if keepRoot is set) and fsyncs each directory. On Linux one syncfs of the
// file system does all of that (SyncsFileSystems), whatever syncFiles says.
func Seal(work string, syncFiles, keepRoot bool) error {
	var dirs []string
	pycache := map[string]bool{}
	err := filepath.WalkDir(work, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			dirs = append(dirs, p)
		case d.Type().IsRegular():
			if pc := filepath.Join(filepath.Dir(p), "__pycache__"); strings.HasSuffix(d.Name(), ".py") && !pycache[pc] {
				pycache[pc] = true
				if err := os.Mkdir(pc, 0o755); err == nil {
					dirs = append(dirs, pc)
				} else if !errors.Is(err, fs.ErrExist) {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sealing %s: %w", work, err)
	}
	for _, d := range dirs {
		if d != work || !keepRoot {
			if filepath.Base(d) != "__pycache__" {
				if err := os.Chmod(d, 0o555); err != nil {
					return fmt.Errorf("sealing %s: %w", work, err)
				}
			}
		}
	}
	// One syncfs makes every file and directory written durable (the
	// extractor's files too: it does not fsync them on Linux); without it,
	// an fsync of each.
	synced := false
	if SyncsFileSystems {
		synced, err = syncFileSystem(work)
	}
	if err == nil && !synced {
		err = syncEach(work, syncFiles || SyncsFileSystems)
	}
	if err != nil {
		return fmt.Errorf("sealing %s: %w", work, err)
	}
	return nil
}

// syncEach fsyncs every directory of work and, if files is set, every
// regular file only this tree holds.
func syncEach(work string, files bool) error {
	return filepath.WalkDir(work, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			return SyncDir(p)
		case files && d.Type().IsRegular():
			return syncIfOwn(p)
		}
		return nil
	})
}

// syncIfOwn fsyncs the regular file at p unless it has other links.
func syncIfOwn(p string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
		return nil
	}
	return syncPath(p)
}
