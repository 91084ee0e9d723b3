//go:build unix

package flock

import "syscall"

func openLock(path string, create bool) (int, error) {
	// O_NONBLOCK: a named pipe in place of a lock file must not make
	// the open wait for a writer (flock works on it all the same).
	flags := syscall.O_RDONLY | syscall.O_CLOEXEC | syscall.O_NONBLOCK | syscall.O_NOCTTY
	if create {
		flags |= syscall.O_CREAT
	}
	for {
		fd, err := syscall.Open(path, flags, 0o644)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func closeFd(fd int) error { return syscall.Close(fd) }

func flock(fd int, exclusive, wait bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if !wait {
		how |= syscall.LOCK_NB
	}
	for {
		err := syscall.Flock(fd, how)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EWOULDBLOCK:
			return ErrLocked
		}
		return err
	}
}

// sameFile reports whether path still names the open file fd.
func sameFile(fd int, path string) (bool, error) {
	var a, b syscall.Stat_t
	if err := syscall.Fstat(fd, &a); err != nil {
		return false, err
	}
	if err := syscall.Stat(path, &b); err != nil {
		return false, err
	}
	return a.Dev == b.Dev && a.Ino == b.Ino, nil
}

func dupInheritable(fd int) (int, error) {
	// dup never sets close-on-exec on the new descriptor.
	return syscall.Dup(fd)
}
