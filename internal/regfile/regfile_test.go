package regfile

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOpenRefusesWhatIsNotARegularFileWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, what string }{
		{fifo, "is a named pipe, not a regular file"},
		{link, "is a named pipe, not a regular file"},
		{sock, "is a socket, not a regular file"},
		{dir, "is a directory, not a regular file"},
		{"/dev/null", "is a character device, not a regular file"},
	} {
		done := make(chan error, 2)
		go func() {
			_, err := ReadFile(c.path, 1<<20)
			done <- err
			f, err := Open(c.path)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		for i := 0; i < 2; i++ {
			select {
			case err := <-done:
				if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), c.path+" "+c.what) {
					t.Errorf("%s: got %v, want an error saying it %s", c.path, err, c.what)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: opening it blocked", c.path)
			}
		}
	}
}

func TestOpenReadsRegularFilesThroughSymlinks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("file", link); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFile(link, 1<<20)
	if err != nil || string(data) != "hello" {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
	f, err := Open(link)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The descriptor is blocking again (without f.Fd, which would make it so).
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fl uintptr
	var errno syscall.Errno
	rc.Control(func(fd uintptr) { fl, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0) })
	if errno != 0 || fl&syscall.O_NONBLOCK != 0 {
		t.Errorf("flags %#x, %v: want O_NONBLOCK cleared", fl, errno)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want ErrNotExist", err)
	}
	if _, err := ReadFile(file, 3); err == nil {
		t.Errorf("a file over the limit was read")
	}
}
