package interp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRewriteOfTheSameSizeAndMtimeChangesTheFileID rewrites an interpreter
// in place with other bytes of the same length and puts its mtime back, as
// `cp -p` does: the inode, size and mtime stay; the ctime does not, and the
// probe cache must run the new file.
func TestRewriteOfTheSameSizeAndMtimeChangesTheFileID(t *testing.T) {
	requireFile(t, cpython)
	requireFile(t, pypy)
	dir := t.TempDir()
	py := filepath.Join(dir, "python3")
	a := "#!/bin/sh\nexec " + cpython + " \"$@\"\n"
	b := "#!/bin/sh\nexec " + pypy + " \"$@\""
	b += strings.Repeat(" ", len(a)-len(b)-1) + "\n"
	if len(a) != len(b) {
		t.Fatalf("scripts of %d and %d bytes", len(a), len(b))
	}
	if err := os.WriteFile(py, []byte(a), 0o755); err != nil {
		t.Fatal(err)
	}
	pc := &ProbeCache{Dir: filepath.Join(dir, "cache")}
	before := Stat(py)
	if c := pc.Probe(context.Background(), py, before); c.Info == nil || c.Info.ImplementationName != "cpython" {
		t.Fatalf("first probe: %+v", c)
	}
	fi, _ := os.Stat(py)
	if err := os.WriteFile(py, []byte(b), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(py, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	after := Stat(py)
	if after.Ino != before.Ino || after.Size != before.Size || after.Mtime != before.Mtime {
		t.Fatalf("the rewrite changed more than the ctime: %+v, %+v", before, after)
	}
	if after == before {
		t.Fatalf("FileID %+v unchanged by a rewrite", after)
	}
	c := pc.Probe(context.Background(), py, after)
	if c.Cached || c.Info == nil || c.Info.ImplementationName != "pypy" {
		t.Fatalf("probe after the rewrite: cached %v, %+v, %v", c.Cached, c.Info, c.Err)
	}
}
