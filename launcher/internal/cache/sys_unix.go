//go:build unix

package cache

import (
	"os"
	"syscall"
)

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
