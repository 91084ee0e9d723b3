package archive

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/internal/relpath"
)

// Reader reads an archive whose central directory has been validated.
// Its methods are safe for concurrent use, and so are the readers they return
// (each by one goroutine).
type Reader struct {
	zr      *zip.Reader
	entries []entry // sorted by name
	closer  io.Closer
}

// entry is a file of the archive with the end of the space its data may use.
type entry struct {
	f     *zip.File
	limit int64 // offset of the next local header, or of the central directory
}

// Open opens the archive at path. Only the end of the file and the central
// directory are read: usually one or two reads.
func Open(path string) (*Reader, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	r, err := NewReader(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading archive %s: %w", path, err)
	}
	r.closer = f
	return r, nil
}

// NewReader reads the archive in the first size bytes of r, which may start
// with any prefix (the launcher). It checks the whole central directory:
//
//   - every name passes relpath.Check, is valid UTF-8 and is unique, and no
//     entry is a parent directory of another;
//   - every entry is a regular file (no directories, symlinks or devices),
//     not encrypted, stored, deflated or Zstd-compressed;
//   - sizes are consistent with the method, and local headers with their
//     data lie in order, without overlapping, before the central directory.
//
// The errors wrap ErrNotArchive, ErrCorrupt or ErrUnsupported, or are the
// errors of r.
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	d, err := findDirectory(readerAt{r}, size)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(&cachedReaderAt{r: r, off: d.regionOff, cache: d.region}, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are checked below
		var ioe *ioError
		if errors.As(err, &ioe) {
			return nil, fmt.Errorf("reading the central directory: %w", ioe.err)
		}
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if uint64(len(zr.File)) != d.records {
		return nil, fmt.Errorf("%w: the end record announces %d entries, the central directory has %d",
			ErrCorrupt, d.records, len(zr.File))
	}
	for _, m := range []uint16{zip.Deflate, ZstdMethod} {
		zr.RegisterDecompressor(m, decompressor(m))
	}
	entries, err := check(zr.File, d)
	if err != nil {
		return nil, err
	}
	return &Reader{zr: zr, entries: entries}, nil
}

// check validates the files against a second reading of the directory, and
// returns them sorted by name, with limits.
func check(files []*zip.File, d *directory) ([]entry, error) {
	entries := make([]entry, len(files))
	var prevEnd int64
	p := 0
	for i, f := range files {
		rec, next, err := d.record(p)
		if err != nil {
			return nil, err
		}
		p = next
		if f.Name != string(rec.name) { // no allocation: the compiler compares in place
			return nil, fmt.Errorf("%w: entry %d is %q in one reading of the central directory and %q in another",
				ErrCorrupt, i, f.Name, rec.name)
		}
		if err := checkFile(f); err != nil {
			return nil, err
		}
		// The local header holds at least the fixed fields and the name.
		if rec.offset < prevEnd {
			return nil, fmt.Errorf("%w: entry %q at offset %d overlaps the previous entry or the prefix",
				ErrCorrupt, f.Name, rec.offset)
		}
		end := rec.offset + localHeaderLen + int64(len(f.Name))
		if end > d.start || f.CompressedSize64 > uint64(d.start-end) {
			return nil, fmt.Errorf("%w: entry %q (%d bytes at offset %d) runs into the central directory at %d",
				ErrCorrupt, f.Name, f.CompressedSize64, rec.offset, d.start)
		}
		prevEnd = end + int64(f.CompressedSize64)
		entries[i] = entry{f: f, limit: d.start}
		if i > 0 {
			entries[i-1].limit = rec.offset
		}
	}
	if p != int(d.size) {
		return nil, fmt.Errorf("%w: %d bytes of the central directory after its last entry", ErrCorrupt, int(d.size)-p)
	}

	byName := func(a, b entry) int { return strings.Compare(a.f.Name, b.f.Name) }
	if !slices.IsSortedFunc(entries, byName) {
		slices.SortFunc(entries, byName)
	}
	for i, e := range entries {
		name := e.f.Name
		if i+1 == len(entries) || !strings.HasPrefix(entries[i+1].f.Name, name) {
			continue // the common case: nothing starts with name
		}
		if entries[i+1].f.Name == name {
			return nil, fmt.Errorf("%w: duplicate entry %q", ErrCorrupt, name)
		}
		// Names inside name+"/" follow name and the names that extend it
		// with a character that sorts before '/'.
		dir := name + "/"
		rest := entries[i+1:]
		j, _ := slices.BinarySearchFunc(rest, dir, func(e entry, t string) int { return strings.Compare(e.f.Name, t) })
		if j < len(rest) && strings.HasPrefix(rest[j].f.Name, dir) {
			return nil, fmt.Errorf("%w: entry %q is inside %q, which is a file", ErrCorrupt, rest[j].f.Name, name)
		}
	}
	return entries, nil
}

// checkFile validates the central directory header of one file.
func checkFile(f *zip.File) error {
	if err := relpath.Check(f.Name); err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if !utf8.ValidString(f.Name) {
		return fmt.Errorf("%w: entry name %q is not valid UTF-8", ErrCorrupt, f.Name)
	}
	if f.Flags&(flagEncrypted|flagStrongCrypt|flagMaskedCD) != 0 {
		return fmt.Errorf("%w: entry %q is encrypted", ErrUnsupported, f.Name)
	}
	if t := f.Mode().Type(); t != 0 {
		return fmt.Errorf("%w: entry %q is not a regular file (mode %v)", ErrCorrupt, f.Name, f.Mode())
	}
	c, u := f.CompressedSize64, f.UncompressedSize64
	if c > 1<<62 || u > 1<<62 {
		return fmt.Errorf("%w: entry %q has impossible sizes %d and %d", ErrCorrupt, f.Name, c, u)
	}
	// The largest expansion each method allows: DEFLATE 1032:1 (a 258-byte
	// match in two bits), Zstandard 32768:1 (a 4-byte RLE block of 128 KiB).
	switch f.Method {
	case zip.Store:
		if c != u {
			return fmt.Errorf("%w: stored entry %q has %d compressed and %d uncompressed bytes", ErrCorrupt, f.Name, c, u)
		}
	case zip.Deflate:
		if u > c*1032+1024 {
			return fmt.Errorf("%w: deflated entry %q cannot expand from %d to %d bytes", ErrCorrupt, f.Name, c, u)
		}
	case ZstdMethod:
		if u > c*32768 {
			return fmt.Errorf("%w: Zstandard entry %q cannot expand from %d to %d bytes", ErrCorrupt, f.Name, c, u)
		}
	default:
		return fmt.Errorf("%w: entry %q uses compression method %d", ErrUnsupported, f.Name, f.Method)
	}
	return nil
}

// Close closes the file that Open opened. It does nothing for readers made
// by NewReader.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// Files returns the entries in central directory order, which is name order
// for archives made by Writer. The slice must not be modified.
func (r *Reader) Files() []*zip.File {
	return r.zr.File
}

// Lookup returns the entry named name, or nil.
func (r *Reader) Lookup(name string) *zip.File {
	if i, ok := r.find(name); ok {
		return r.entries[i].f
	}
	return nil
}

func (r *Reader) find(name string) (int, bool) {
	return slices.BinarySearchFunc(r.entries, name, func(e entry, t string) int { return strings.Compare(e.f.Name, t) })
}

// Open opens the entry named name; see OpenFile. A missing entry gives an
// error wrapping fs.ErrNotExist.
func (r *Reader) Open(name string) (io.ReadCloser, error) {
	f := r.Lookup(name)
	if f == nil {
		return nil, fmt.Errorf("opening %s: %w", name, fs.ErrNotExist)
	}
	return r.OpenFile(f)
}

// OpenFile opens an entry of this archive for reading its uncompressed bytes.
// Read returns io.EOF only after the data has matched the entry's size and
// CRC-32; corrupt data gives an error wrapping ErrCorrupt (and zip.ErrChecksum
// for a CRC mismatch), a failure of the underlying file its own error. Use it
// rather than zip.File.Open, which skips the CRC when the header's CRC is 0.
func (r *Reader) OpenFile(f *zip.File) (io.ReadCloser, error) {
	i, ok := r.find(f.Name)
	if !ok || r.entries[i].f != f {
		return nil, fmt.Errorf("opening %s: entry is not from this archive", f.Name)
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, readError(f.Name, err)
	}
	var start int64
	if sr, ok := raw.(*io.SectionReader); ok {
		_, start, _ = sr.Outer()
	} else if start, err = f.DataOffset(); err != nil {
		return nil, readError(f.Name, err)
	}
	if start+int64(f.CompressedSize64) > r.entries[i].limit {
		return nil, fmt.Errorf("%w: data of entry %q (%d bytes at offset %d) overlaps what follows it at %d",
			ErrCorrupt, f.Name, f.CompressedSize64, start, r.entries[i].limit)
	}
	return newEntryReader(f.Name, f.Method, f.CRC32, f.UncompressedSize64, raw), nil
}

// ReadFile returns the contents of the entry named name, if it has at most
// limit bytes. It is meant for small entries such as the manifest.
func (r *Reader) ReadFile(name string, limit int64) ([]byte, error) {
	f := r.Lookup(name)
	if f == nil {
		return nil, fmt.Errorf("reading %s: %w", name, fs.ErrNotExist)
	}
	if f.UncompressedSize64 > uint64(max(limit, 0)) {
		return nil, fmt.Errorf("reading %s: entry has %d bytes, more than the limit of %d", name, f.UncompressedSize64, limit)
	}
	rc, err := r.OpenFile(f)
	if err != nil {
		return nil, err
	}
	return readAllEntry(rc, f.Name, f.UncompressedSize64)
}
