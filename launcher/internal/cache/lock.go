package cache

import "github.com/rules-pex/rules_pex/launcher/internal/flock"

// The cache's locks are package flock's; these names keep the cache's
// callers reading as before.
type Lock = flock.Lock

// ErrLocked is returned by TryAcquire when another process holds a
// conflicting lock.
var ErrLocked = flock.ErrLocked

// Acquire takes a lock on the file at path, creating it if needed, waiting
// as long as another process holds a conflicting lock.
func Acquire(path string, exclusive bool) (*Lock, error) { return flock.Acquire(path, exclusive) }

// AcquireExisting is Acquire for a lock file that must already exist.
func AcquireExisting(path string, exclusive bool) (*Lock, error) {
	return flock.AcquireExisting(path, exclusive)
}

// TryAcquire is Acquire without waiting: ErrLocked if the lock is held.
func TryAcquire(path string, exclusive bool) (*Lock, error) { return flock.TryAcquire(path, exclusive) }

// TryAcquireExisting is TryAcquire for a lock file that must already exist.
func TryAcquireExisting(path string, exclusive bool) (*Lock, error) {
	return flock.TryAcquireExisting(path, exclusive)
}
