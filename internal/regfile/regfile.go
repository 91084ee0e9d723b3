// Package regfile owns opening files that must be regular files, for both
// the packer and the launcher: a named pipe, a device, a socket or a
// directory where a regular file is expected is refused with an error that
// names the file and says what it is, and opening never blocks (a FIFO
// opened for reading the ordinary way waits for a writer forever).
package regfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is matched (errors.Is) by every *NotRegularError.
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError is returned for a path that exists but is not a regular
// file (after following symlinks).
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return e.Path + " is " + Describe(e.Mode) + ", not a regular file"
}

// Is makes errors.Is(err, ErrNotRegular) true.
func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

// Describe names the type of a file mode for an error message: "a named
// pipe", "a directory", ...
func Describe(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "an irregular file"
}

// ClearDir removes an empty directory at path, where a regular file is about
// to be renamed into place: a rename cannot replace a directory, so a cache
// record that found one in its way would never be written again.
func ClearDir(path string) {
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		os.Remove(path)
	}
}

// Open opens path for reading, following symlinks, if it is a regular file.
// It opens with O_NONBLOCK (so a named pipe does not wait for a writer),
// checks the open file's type with fstat, and only then makes the
// descriptor blocking again. Errors are *os.PathError or *NotRegularError.
func Open(path string) (*os.File, error) {
	fd, err := openFd(path)
	if err != nil {
		return nil, err
	}
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, &os.PathError{Op: "fcntl", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// openFd opens path (O_RDONLY, O_CLOEXEC, O_NONBLOCK) and returns the
// descriptor if it is a regular file. O_NONBLOCK stays set: it changes
// nothing for reads of a regular file.
func openFd(path string) (int, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		// A socket cannot be opened at all (ENXIO); say what it is.
		if fi, serr := os.Stat(path); serr == nil && !fi.Mode().IsRegular() {
			return -1, &NotRegularError{Path: path, Mode: fi.Mode()}
		}
		return -1, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return -1, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return -1, &NotRegularError{Path: path, Mode: modeOf(uint32(st.Mode))}
	}
	return fd, nil
}

// ReadFile reads the whole regular file at path, refusing one larger than
// limit bytes. It uses raw system calls (no os.File, so no poller set-up):
// the launcher's warm start reads its plan with it.
func ReadFile(path string, limit int) ([]byte, error) {
	fd, err := openFd(path)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	buf := make([]byte, 0, 8192)
	for {
		if len(buf) > limit {
			return nil, &os.PathError{Op: "read", Path: path, Err: syscall.EFBIG}
		}
		if len(buf) == cap(buf) {
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

// modeOf converts the type bits of a stat mode to an fs.FileMode.
func modeOf(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	case syscall.S_IFLNK:
		return fs.ModeSymlink
	}
	return fs.ModeIrregular
}
