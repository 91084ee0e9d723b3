//go:build unix

package cache

import (
	"os"
	"syscall"
)

func openLock(path string, create bool) (int, error) {
	flags := syscall.O_RDONLY | syscall.O_CLOEXEC
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

// privateDir reports whether path is a real directory (not a symlink) owned
// by this user and closed to everyone else.
func privateDir(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// ReadSmallFile reads a whole small file with raw system calls (no
// os.File, so no poller set-up): the warm start path reads its plan so.
func ReadSmallFile(path string, limit int) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	buf := make([]byte, 0, 8192)
	for {
		if len(buf) == cap(buf) {
			if cap(buf) >= limit {
				return nil, &os.PathError{Op: "read", Path: path, Err: syscall.EFBIG}
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}
