//go:build unix

package interp

import (
	"os"
	"syscall"
)

func fileID(fi os.FileInfo) FileID {
	id := FileID{Size: fi.Size(), Mtime: fi.ModTime().UnixNano(), Dir: fi.IsDir()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.Dev, id.Ino, id.Ctime = uint64(st.Dev), uint64(st.Ino), ctime(st)
	}
	if id.Dir {
		// A directory's size is meaningless; its mtime says whether
		// entries were added, removed or renamed.
		id.Size = 0
	}
	return id
}

// executable reports whether the current user may execute path.
func executable(path string) bool {
	return syscall.Access(path, 0x1 /* X_OK */) == nil
}
