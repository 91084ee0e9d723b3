package cache

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// LockPath returns the path of the lock file of the entry at dir: held
// exclusively while the entry is built (and removed).
func LockPath(dir string) string { return dir + ".lock" }

// UseLockName is the name of the use lock inside an entry that processes
// use while they run (environments): held shared from start to exit,
// exclusively by pruning. Its modification time records the last use.
// Being inside the entry, it exists exactly when the entry does.
const UseLockName = "rules_pex.lock"

// UseLockPath returns the path of the use lock of the entry at dir.
func UseLockPath(dir string) string { return filepath.Join(dir, UseLockName) }

// workSuffix separates an entry's name from the suffix of its work
// directories, which live next to it so that the final rename stays on one
// file system.
const workSuffix = ".tmp-"

// Ensure makes the entry at dir exist. If it is missing, Ensure takes the
// entry's exclusive lock, looks again (another process may have built it
// meanwhile), removes work directories that crashed builders left behind,
// and calls build on a fresh empty work directory next to dir, renamed to
// dir when build succeeds. A failed or interrupted build leaves no entry.
// built reports whether this call built the entry.
func Ensure(dir string, build func(work string) error) (built bool, err error) {
	if exists(dir) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return false, fmt.Errorf("creating %s: %w", filepath.Dir(dir), err)
	}
	lock, err := Acquire(LockPath(dir), true)
	if err != nil {
		return false, err
	}
	defer lock.Release()
	if exists(dir) {
		return false, nil
	}
	removeWorkDirs(dir)
	work := dir + workSuffix + strconv.Itoa(os.Getpid()) + "-" + randomHex(4)
	if err := os.Mkdir(work, 0o755); err != nil {
		return false, fmt.Errorf("creating work directory: %w", err)
	}
	if err := build(work); err != nil {
		os.RemoveAll(work)
		return false, err
	}
	if err := os.Rename(work, dir); err != nil {
		os.RemoveAll(work)
		return false, fmt.Errorf("moving %s into place: %w", filepath.Base(dir), err)
	}
	lock.Touch()
	return true, nil
}

// removeWorkDirs deletes the work directories of the entry at dir. Only the
// holder of the entry's exclusive lock may call it.
func removeWorkDirs(dir string) {
	matches, _ := filepath.Glob(globEscape(dir) + workSuffix + "*")
	for _, m := range matches {
		os.RemoveAll(m)
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

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return strconv.FormatInt(int64(os.Getpid()), 16)
	}
	return hex.EncodeToString(b)
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so readers see the old content or the new one,
// never a part.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + workSuffix + strconv.Itoa(os.Getpid()) + "-" + randomHex(4)
	if err := os.WriteFile(tmp, data, perm); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
