// Package extract owns writing a tree of archive entries (the code, or one
// wheel's installed tree) to disk: streamed through a fixed-size buffer,
// hashed as it is written, and verified against the tree hash the manifest
// records, so an extracted tree is exactly what the packer put in.
//
// It writes only regular files and directories inside a fresh directory, so
// no entry can escape it: names are checked again (relative, clean, no
// "..") and files are created exclusively without following symlinks.
// Files are created read-only (0444, or 0555 if executable: a tree is
// immutable once extracted) and fsynced as they are written (or, with
// NoSync, by the caller before it publishes the tree), so that a tree
// published after a machine crash never holds empty or partial files.
package extract

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/relpath"
)

// BufferSize is the size of the copy buffer of one file being extracted.
const BufferSize = 128 << 10

// ErrHashMismatch is wrapped by the error Tree returns when the extracted
// content does not match the recorded tree hash.
var ErrHashMismatch = errors.New("extracted content does not match the manifest")

// Stats says what an extraction wrote.
type Stats struct {
	Files int
	Bytes int64
}

// Extractor extracts trees, running at most its concurrency's worth of file
// copies at once across every tree it is asked for, each with its own
// buffer: memory use is bounded whatever the size of the files.
type Extractor struct {
	r     *archive.Reader
	sem   chan []byte
	umask os.FileMode
	// NoSync leaves making the files durable to the caller, which then
	// syncs the whole tree at once (cache.Seal on Linux).
	NoSync bool
}

// New returns an Extractor reading r that copies at most concurrency files
// at a time.
func New(r *archive.Reader, concurrency int) *Extractor {
	if concurrency < 1 {
		concurrency = 1
	}
	e := &Extractor{r: r, sem: make(chan []byte, concurrency), umask: umask()}
	for i := 0; i < concurrency; i++ {
		e.sem <- make([]byte, BufferSize)
	}
	return e
}

// Tree writes files (entries of the archive, all under prefix) into dir, an
// existing empty directory, at their names relative to prefix, and checks
// that their layout.TreeHash is wantHash.
func (e *Extractor) Tree(files []*zip.File, prefix, dir, wantHash string) (Stats, error) {
	return e.TreeParts([]Part{{Files: files, Prefix: prefix}}, dir, wantHash)
}

// Part is a set of archive entries under one prefix that a tree is made
// of: a tree is one part, or two (its files, and the bytecode the archive
// ships for it under another prefix).
type Part struct {
	Files  []*zip.File
	Prefix string
}

// TreeParts is Tree for a tree made of several parts: each part's files at
// their names relative to its prefix, and the hash taken over them all.
func (e *Extractor) TreeParts(parts []Part, dir, wantHash string) (Stats, error) {
	var files []*zip.File
	var prefixes []string
	for _, p := range parts {
		files = append(files, p.Files...)
		for range p.Files {
			prefixes = append(prefixes, p.Prefix)
		}
	}
	prefix := parts[0].Prefix
	entries := make([]layout.TreeEntry, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	var mkdirs sync.Map
	for i, f := range files {
		rel, ok := strings.CutPrefix(f.Name, prefixes[i])
		if !ok {
			return Stats{}, fmt.Errorf("entry %s is not under %s", f.Name, prefixes[i])
		}
		if err := relpath.Check(rel); err != nil {
			return Stats{}, fmt.Errorf("entry %s: %w", f.Name, err)
		}
		buf := <-e.sem
		wg.Add(1)
		go func() {
			defer func() { e.sem <- buf; wg.Done() }()
			entries[i], errs[i] = e.file(f, rel, dir, buf, &mkdirs)
		}()
	}
	wg.Wait()
	var st Stats
	for i, err := range errs {
		if err != nil {
			return Stats{}, err
		}
		st.Files++
		st.Bytes += entries[i].Size
	}
	if got := layout.TreeHash(entries); got != wantHash {
		return Stats{}, fmt.Errorf("%w: %s has tree hash %s, the manifest says %s", ErrHashMismatch, strings.TrimSuffix(prefix, "/"), got, wantHash)
	}
	return st, nil
}

// file extracts one entry to dir/rel.
func (e *Extractor) file(f *zip.File, rel, dir string, buf []byte, mkdirs *sync.Map) (layout.TreeEntry, error) {
	target := filepath.Join(dir, filepath.FromSlash(rel))
	parent := filepath.Dir(target)
	if _, done := mkdirs.Load(parent); !done {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return layout.TreeEntry{}, fmt.Errorf("extracting %s: %w", f.Name, err)
		}
		mkdirs.Store(parent, true)
	}
	exec := f.Mode()&0o111 != 0
	perm := os.FileMode(0o444)
	if exec {
		perm = 0o555
	}
	rc, err := e.r.OpenFile(f)
	if err != nil {
		return layout.TreeEntry{}, fmt.Errorf("extracting %s: %w", f.Name, err)
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, perm)
	if err != nil {
		return layout.TreeEntry{}, fmt.Errorf("extracting %s: %w", f.Name, err)
	}
	h := sha256.New()
	n, err := copyBuffer(io.MultiWriter(out, h), rc, buf)
	if err == nil && !e.NoSync {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return layout.TreeEntry{}, fmt.Errorf("extracting %s: %w", f.Name, err)
	}
	// Creation modes pass through the umask; the tree's modes are exact.
	if perm&e.umask != 0 {
		if err := os.Chmod(target, perm); err != nil {
			return layout.TreeEntry{}, fmt.Errorf("extracting %s: %w", f.Name, err)
		}
	}
	return layout.TreeEntry{Path: rel, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), Executable: exec}, nil
}

// copyBuffer copies src to dst through buf only (io.CopyBuffer would let
// either side bring its own buffer).
func copyBuffer(dst io.Writer, src io.Reader, buf []byte) (int64, error) {
	var n int64
	for {
		r, err := src.Read(buf)
		if r > 0 {
			w, werr := dst.Write(buf[:r])
			n += int64(w)
			if werr != nil {
				return n, werr
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// umask returns the process's file mode creation mask. Reading it means
// setting it, so call it before starting goroutines that create files.
func umask() os.FileMode {
	old := syscall.Umask(0)
	syscall.Umask(old)
	return os.FileMode(old)
}
