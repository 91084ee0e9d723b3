//go:build linux || openbsd || dragonfly

package warm

import "syscall"

// ctime returns a file's status change time in nanoseconds.
func ctime(st *syscall.Stat_t) int64 { return st.Ctim.Nano() }
