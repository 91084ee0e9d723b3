package warm

import (
	"os"
	"syscall"
)

// FileID identifies a file's current content cheaply: a replaced or
// rewritten file gets a different FileID. The zero FileID means the file
// did not exist.
//
// Dev, Ino, Size and Mtime alone do not catch every replacement: `cp -p`
// of a reproducible build (same size, same mtime) over a file keeps its
// inode, and a file removed and copied again often gets the freed inode
// back. Ctime does: the kernel sets it from its own clock on every write,
// rename, link or chmod, and no user can set it. See docs/launcher.md.
type FileID struct {
	Dev   uint64 `json:"dev"`
	Ino   uint64 `json:"ino"`
	Size  int64  `json:"size"`
	Mtime int64  `json:"mtime_ns"`
	Ctime int64  `json:"ctime_ns"`
	Dir   bool   `json:"dir,omitempty"`
}

// Stat returns the FileID of path, following symlinks; the zero FileID if
// it does not exist or cannot be read.
func Stat(path string) FileID {
	fi, err := os.Stat(path)
	if err != nil {
		return FileID{}
	}
	return fileID(fi)
}

// IdentityOf returns the FileID of a file's info.
func IdentityOf(fi os.FileInfo) FileID { return fileID(fi) }

// Watch is a file or directory whose identity a choice depends on: if any
// changes (an interpreter is replaced, installed or removed), the choice
// must be made again.
type Watch struct {
	Path string `json:"path"`
	ID   FileID `json:"id"`
}

// Changed reports whether any watched path has a different identity now.
func Changed(ws []Watch) bool {
	for _, w := range ws {
		if Stat(w.Path) != w.ID {
			return true
		}
	}
	return false
}

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
