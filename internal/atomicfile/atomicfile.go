// Package atomicfile owns replacing a file atomically, for both the packer
// and the launcher: the new content goes to a new temporary file in the
// target's directory, which is renamed over the target only once it is
// complete, so a reader sees the old file or the new one, never a part, and
// a failed write leaves no file behind. Neither function ever creates a
// directory: writing into a directory that is gone fails.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// TempInfix is in the name of every temporary file of this package, after
// the target's name: a cleaner that finds one left by a crash knows it for
// garbage.
const TempInfix = ".tmp-"

// Write streams the new content of path into a temporary file named
// ".BASE.tmp-*" in path's directory by calling write, gives it mode
// (whatever the umask), closes it and renames it to path. The packer writes
// its outputs with it. Errors from write are returned as they are; the
// others are *os.PathError or *os.LinkError, and an error creating the
// temporary file is an *os.PathError whose Op is "open".
func Write(path string, mode os.FileMode, write func(*os.File) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+TempInfix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteFile writes data to path through a new temporary file next to it
// (PATH.tmp-PID-RANDOM, created exclusively and never through a symlink),
// fsynced before the rename, so the new content is durable once it is
// visible and an existing file (a hard link into a shared tree) is never
// written through. The launcher writes its cache records with it.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	tmp := TempName(path)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// TempName returns a fresh name next to path for a temporary file or
// directory that is renamed to path once complete:
// PATH.tmp-PID-RANDOM, which cleaners recognise by TempInfix.
func TempName(path string) string {
	return path + TempInfix + strconv.Itoa(os.Getpid()) + "-" + randomHex(4)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return strconv.FormatInt(int64(os.Getpid()), 16)
	}
	return hex.EncodeToString(b)
}
