// Package flock owns the cache's advisory locks (flock(2) on lock files):
// shared and exclusive, waiting or not, safe against a lock file removed
// while it is opened, and inheritable across exec. The warm start takes
// one, so it imports nothing costly (no fmt).
package flock

import (
	"errors"
	"os"
	"time"
)

// ErrLocked is returned by TryAcquire when another process holds a
// conflicting lock.
var ErrLocked = errors.New("locked by another process")

// Lock is an advisory lock (flock) on a lock file. Shared locks coexist;
// an exclusive lock excludes every other lock. The lock belongs to the open
// file, so a descriptor inherited across exec keeps holding it (see
// Lock.Inherit). Locks use raw descriptors rather than os.File: the warm
// start path takes one, and this keeps it to a few system calls.
type Lock struct {
	fd   int
	path string
}

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

// Acquire takes a lock on the file at path, creating it if needed, waiting
// as long as another process holds a conflicting lock.
func Acquire(path string, exclusive bool) (*Lock, error) {
	return acquire(path, exclusive, true, true)
}

// AcquireExisting is Acquire for a lock file that must already exist: it
// returns an error wrapping os.ErrNotExist otherwise. It never writes, so it
// works on a read-only cache.
func AcquireExisting(path string, exclusive bool) (*Lock, error) {
	return acquire(path, exclusive, true, false)
}

// TryAcquire is Acquire without waiting: it returns ErrLocked if another
// process holds a conflicting lock.
func TryAcquire(path string, exclusive bool) (*Lock, error) {
	return acquire(path, exclusive, false, true)
}

// TryAcquireExisting is TryAcquire for a lock file that must already exist
// (see AcquireExisting).
func TryAcquireExisting(path string, exclusive bool) (*Lock, error) {
	return acquire(path, exclusive, false, false)
}

// acquire opens and locks path. A lock file may be removed (by pruning,
// which holds it exclusively while it does) between our open and our lock:
// then the lock is on a file nobody else will ever open again, so we check
// that path still names the locked file and start over if not.
func acquire(path string, exclusive, wait, create bool) (*Lock, error) {
	for attempt := 0; ; attempt++ {
		fd, err := openLock(path, create)
		if err != nil {
			return nil, &os.PathError{Op: "opening lock", Path: path, Err: err}
		}
		if err := flock(fd, exclusive, wait); err != nil {
			closeFd(fd)
			if errors.Is(err, ErrLocked) {
				return nil, err
			}
			return nil, &os.PathError{Op: "locking", Path: path, Err: err}
		}
		same, err := sameFile(fd, path)
		if same {
			return &Lock{fd: fd, path: path}, nil
		}
		closeFd(fd)
		if err != nil && !create {
			return nil, &os.PathError{Op: "opening lock", Path: path, Err: err}
		}
		if attempt > 100 {
			return nil, &os.PathError{Op: "locking", Path: path, Err: errors.New("the lock file keeps being replaced")}
		}
	}
}

// Release unlocks and closes the lock file.
func (l *Lock) Release() error {
	if l == nil || l.fd < 0 {
		return nil
	}
	err := closeFd(l.fd) // closing the last descriptor releases the flock
	l.fd = -1
	return err
}

// Remove deletes the lock file while the (exclusive) lock is held, then
// releases it. Processes waiting on the old file notice and start over.
func (l *Lock) Remove() error {
	err := os.Remove(l.path)
	if rerr := l.Release(); err == nil {
		err = rerr
	}
	return err
}

// Touch records a use of the entry the lock guards: it sets the lock file's
// modification time to now. Pruning reads it.
func (l *Lock) Touch() error {
	now := time.Now()
	return os.Chtimes(l.path, now, now)
}

// Inherit returns a descriptor of the lock file that survives exec (no
// close-on-exec flag), so the process image that replaces this one keeps
// holding the lock until it exits. The Lock itself must not be released
// before exec: the descriptors share one lock.
func (l *Lock) Inherit() (int, error) {
	return dupInheritable(l.fd)
}
