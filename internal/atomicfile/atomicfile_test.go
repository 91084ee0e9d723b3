package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// Writing into an entry that is gone fails rather than bringing back a
// directory of its name (the background compiler's marker after pruning).
func TestWriteFileNeverCreatesDirectories(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "venvs", "gone")
	if err := WriteFile(filepath.Join(dir, "rules_pex.compiled"), nil, 0o644); err == nil {
		t.Error("WriteFile wrote into a missing directory")
	}
	if exists(dir) {
		t.Errorf("WriteFile created %s", dir)
	}
	// It never writes through an existing file (a hard link into a tree).
	parent := t.TempDir()
	shared := filepath.Join(parent, "shared")
	os.WriteFile(shared, []byte("tree"), 0o444)
	link := filepath.Join(parent, "link")
	os.Link(shared, link)
	if err := WriteFile(link, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(shared); string(b) != "tree" {
		t.Errorf("wrote through a hard link: %q", b)
	}
}

// writers are the two ways to write a file, for the properties they share.
var writers = []struct {
	name  string
	write func(path string, data []byte) error
}{
	{"WriteFile", func(path string, data []byte) error { return WriteFile(path, data, 0o644) }},
	{"Write", func(path string, data []byte) error {
		return Write(path, 0o644, func(f *os.File) error { _, err := f.Write(data); return err })
	}},
}

// Both replace the file's content, never create its directory, never write
// through an existing file and leave no temporary file behind.
func TestWriters(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			parent := t.TempDir()
			gone := filepath.Join(parent, "gone")
			if err := w.write(filepath.Join(gone, "f"), []byte("x")); err == nil || exists(gone) {
				t.Errorf("writing into a missing directory: err %v, directory created: %v", err, exists(gone))
			}
			shared := filepath.Join(parent, "shared")
			os.WriteFile(shared, []byte("tree"), 0o444)
			link := filepath.Join(parent, "link")
			if err := os.Link(shared, link); err != nil {
				t.Fatal(err)
			}
			for _, content := range []string{"mine", "mine again"} {
				if err := w.write(link, []byte(content)); err != nil {
					t.Fatal(err)
				}
				if b, _ := os.ReadFile(link); string(b) != content {
					t.Errorf("content %q, want %q", b, content)
				}
			}
			if b, _ := os.ReadFile(shared); string(b) != "tree" {
				t.Errorf("wrote through a hard link: %q", b)
			}
			entries, _ := os.ReadDir(parent)
			for _, e := range entries {
				if strings.Contains(e.Name(), TempInfix) {
					t.Errorf("left %s behind", e.Name())
				}
			}
		})
	}
}

// Write gives the file its mode whatever the umask, returns the callback's
// error as it is and then leaves nothing behind, and reports a directory it
// cannot create in as an *os.PathError of Op "open".
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	old := syscall.Umask(0o077)
	err := Write(path, 0o755, func(f *os.File) error { _, err := f.WriteString("#!"); return err })
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, want 0755", fi.Mode().Perm())
	}
	boom := errors.New("boom")
	if err := Write(filepath.Join(dir, "failed"), 0o644, func(*os.File) error { return boom }); err != boom {
		t.Errorf("Write = %v, want the callback's error", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a failed write left files: %v", entries)
	}
	var pe *os.PathError
	if err := Write(filepath.Join(dir, "gone", "out"), 0o644, func(*os.File) error { return nil }); !errors.As(err, &pe) || pe.Op != "open" {
		t.Errorf("Write into a missing directory = %#v, want an *os.PathError of Op open", err)
	}
}
