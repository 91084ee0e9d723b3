package archive

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"

	"github.com/rules-pex/rules_pex/internal/relpath"
)

// ReadEntry returns the contents of the entry named name in the archive in
// the first size bytes of r, if it has at most limit bytes. It reads the end
// of the file, the central directory and that entry, and allocates nothing
// per other entry. It checks that entry as NewReader would (safe name,
// present once, regular file, supported method, sizes and offsets, CRC-32)
// but not the others: use NewReader before extracting anything else.
// ReadFirstEntry, which the launcher uses for the manifest, is cheaper when
// the entry comes first.
func ReadEntry(r io.ReaderAt, size int64, name string, limit int64) ([]byte, error) {
	if err := relpath.Check(name); err != nil {
		return nil, err
	}
	d, err := findDirectory(readerAt{r}, size)
	if err != nil {
		return nil, err
	}
	// Compare names in place; parse only the record that matches.
	var rec centralRecord
	found := false
	for p := 0; p < int(d.size); {
		h := d.region[p:d.size]
		if len(h) < centralHeaderLen || le32(h) != centralHeaderSig {
			return nil, fmt.Errorf("%w: malformed central directory record at offset %d", ErrCorrupt, d.start+int64(p))
		}
		nameLen := int(le16(h[28:]))
		next := p + centralHeaderLen + nameLen + int(le16(h[30:])) + int(le16(h[32:]))
		if next > int(d.size) {
			return nil, fmt.Errorf("%w: central directory record at offset %d runs past the directory", ErrCorrupt, d.start+int64(p))
		}
		if nameLen == len(name) && string(h[centralHeaderLen:centralHeaderLen+nameLen]) == name {
			if found {
				return nil, fmt.Errorf("%w: duplicate entry %q", ErrCorrupt, name)
			}
			if rec, _, err = d.record(p); err != nil {
				return nil, err
			}
			found = true
		}
		p = next
	}
	if !found {
		return nil, fmt.Errorf("reading %s: %w", name, fs.ErrNotExist)
	}
	if err := checkRecord(name, rec); err != nil {
		return nil, err
	}
	if rec.usize > uint64(max(limit, 0)) {
		return nil, fmt.Errorf("reading %s: entry has %d bytes, more than the limit of %d", name, rec.usize, limit)
	}

	// The local header gives where the data starts.
	var h [localHeaderLen]byte
	if rec.offset+localHeaderLen > d.start {
		return nil, fmt.Errorf("%w: local header of %q runs into the central directory", ErrCorrupt, name)
	}
	if err := readFull(readerAt{r}, h[:], rec.offset); err != nil {
		return nil, readError(name, err)
	}
	if le32(h[:]) != localHeaderSig {
		return nil, fmt.Errorf("%w: entry %q: bad local header signature", ErrCorrupt, name)
	}
	start := rec.offset + localHeaderLen + int64(le16(h[26:])) + int64(le16(h[28:]))
	if start > d.start || rec.csize > uint64(d.start-start) {
		return nil, fmt.Errorf("%w: data of entry %q (%d bytes at offset %d) runs into the central directory at %d",
			ErrCorrupt, name, rec.csize, start, d.start)
	}
	raw := io.NewSectionReader(readerAt{r}, start, int64(rec.csize))
	rc := newEntryReader(name, rec.method, rec.crc, rec.usize, raw)
	defer rc.Close()
	return readAllEntry(rc, name, rec.usize)
}

// ReadFirstEntry is ReadEntry for the entry the caller expects first in the
// central directory, where the layout contract puts the manifest: the
// launcher's fast path. When the entry is there it reads the end of the file,
// that first record and the entry: three small reads, whatever the size of
// the directory. It checks that entry as ReadEntry does, but not the records
// after it, so a later entry of the same name goes unnoticed (NewReader
// rejects it). In every other case (another first entry, a long archive
// comment, zip64 fields in the entry's record, any fault) it returns what
// ReadEntry returns.
func ReadFirstEntry(r io.ReaderAt, size int64, name string, limit int64) ([]byte, error) {
	if b, ok := readFirst(readerAt{r}, size, name, limit); ok {
		return b, nil
	}
	return ReadEntry(r, size, name, limit)
}

// firstTail is how much of the end of the file ReadFirstEntry reads: the end
// records, zip64 ones included, and a comment of up to 900 bytes or so.
const firstTail = 1024

// readFirst is ReadFirstEntry's fast path; false means it does not apply, or
// something is wrong, and ReadEntry is to decide.
func readFirst(r io.ReaderAt, size int64, name string, limit int64) ([]byte, bool) {
	if relpath.Check(name) != nil {
		return nil, false
	}
	d, _, _, err := locateDirectory(r, size, firstTail)
	if err != nil || d.size < centralHeaderLen+int64(len(name)) {
		return nil, false
	}
	h := make([]byte, centralHeaderLen+len(name))
	if readFull(r, h, d.start) != nil || le32(h) != centralHeaderSig {
		return nil, false
	}
	rec, offset, nameLen, _, _ := fixedFields(h)
	if nameLen != len(name) || string(h[centralHeaderLen:]) != name ||
		rec.usize == 0xffffffff || rec.csize == 0xffffffff || offset == 0xffffffff {
		return nil, false // zip64 fields live in the extra field, which ReadEntry parses
	}
	if rec.offset, err = d.localOffset(h[centralHeaderLen:], offset); err != nil ||
		checkRecord(name, rec) != nil || rec.usize > uint64(max(limit, 0)) {
		return nil, false
	}
	// The local header and the data in one read, if the local header has the
	// same name length and no extra field (the Writer writes none).
	start := rec.offset + localHeaderLen + int64(len(name))
	if start > d.start || rec.csize > uint64(d.start-start) {
		return nil, false
	}
	buf := make([]byte, start-rec.offset+int64(rec.csize))
	if readFull(r, buf, rec.offset) != nil || le32(buf) != localHeaderSig ||
		int(le16(buf[26:]))+int(le16(buf[28:])) != len(name) {
		return nil, false
	}
	rc := newEntryReader(name, rec.method, rec.crc, rec.usize, bytes.NewReader(buf[start-rec.offset:]))
	defer rc.Close()
	b, err := readAllEntry(rc, name, rec.usize)
	return b, err == nil
}

// checkRecord applies checkFile's rules to a record parsed by this package.
func checkRecord(name string, rec centralRecord) error {
	f := &zip.File{FileHeader: zip.FileHeader{
		Name:               name,
		CreatorVersion:     rec.creator,
		Flags:              rec.flags,
		Method:             rec.method,
		CRC32:              rec.crc,
		CompressedSize64:   rec.csize,
		UncompressedSize64: rec.usize,
		ExternalAttrs:      rec.external,
	}}
	return checkFile(f)
}

// readAllEntry reads an entry of size bytes to its end, so that its size and
// CRC-32 are checked.
func readAllEntry(rc io.Reader, name string, size uint64) ([]byte, error) {
	// One byte more than the size, to reach io.EOF and so the checks.
	buf := make([]byte, size+1)
	n, err := io.ReadFull(rc, buf)
	switch err {
	case io.EOF, io.ErrUnexpectedEOF:
		return buf[:n], nil
	case nil:
		return nil, fmt.Errorf("%w: entry %q is longer than its size", ErrCorrupt, name)
	}
	return nil, err
}

// entryReader decompresses an entry and checks its size and CRC-32.
type entryReader struct {
	name string
	size uint64
	crc  uint32
	dec  io.ReadCloser
	hash hash.Hash32
	n    uint64
	err  error // sticky: the final result, io.EOF included
}

// newEntryReader returns a reader of the uncompressed bytes of raw, an
// entry's data in method, which must be one decompressor knows.
func newEntryReader(name string, method uint16, crc uint32, size uint64, raw io.Reader) *entryReader {
	return &entryReader{
		name: name,
		size: size,
		crc:  crc,
		dec:  decompressor(method)(raw),
		hash: crc32.NewIEEE(),
	}
}

func (e *entryReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.dec.Read(p)
	e.n += uint64(n)
	e.hash.Write(p[:n])
	switch {
	case e.n > e.size:
		e.err = fmt.Errorf("%w: entry %q is longer than its size of %d bytes", ErrCorrupt, e.name, e.size)
		return 0, e.err
	case err == io.EOF && e.n < e.size:
		e.err = fmt.Errorf("%w: entry %q ends after %d of its %d bytes: %w", ErrCorrupt, e.name, e.n, e.size, io.ErrUnexpectedEOF)
	case err == io.EOF && e.hash.Sum32() != e.crc:
		e.err = fmt.Errorf("%w: entry %q: %w", ErrCorrupt, e.name, zip.ErrChecksum)
	case err != nil:
		e.err = err
		if err != io.EOF {
			e.err = readError(e.name, err)
		}
	}
	if e.err != nil && e.err != io.EOF {
		return 0, e.err
	}
	return n, e.err
}

// Close releases the decompressor.
func (e *entryReader) Close() error {
	if e.err == nil {
		e.err = errReadAfterClose
	}
	return e.dec.Close()
}

// readError classifies an error met while reading the data of an entry:
// failures of the underlying reader are returned as they are, anything else
// means the data is corrupt.
func readError(name string, err error) error {
	var ioe *ioError
	if errors.As(err, &ioe) {
		return fmt.Errorf("reading %s: %w", name, ioe.err)
	}
	if errors.Is(err, ErrCorrupt) {
		return err
	}
	return fmt.Errorf("%w: reading %s: %w", ErrCorrupt, name, err)
}

// readerAt marks the errors of the underlying reader, so that they are not
// taken for corruption.
type readerAt struct{ r io.ReaderAt }

func (r readerAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	if err != nil && err != io.EOF {
		err = &ioError{err}
	}
	return n, err
}

// cachedReaderAt serves reads of the region at the end of the file (the
// central directory) from memory, and marks errors like readerAt.
type cachedReaderAt struct {
	r     io.ReaderAt
	off   int64
	cache []byte
}

func (c *cachedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= c.off && off-c.off <= int64(len(c.cache)) {
		n := copy(p, c.cache[off-c.off:])
		if n < len(p) {
			return n, io.EOF // the region ends where the file does
		}
		return n, nil
	}
	return readerAt{c.r}.ReadAt(p, off)
}

// ioError is an error of the underlying reader.
type ioError struct{ err error }

func (e *ioError) Error() string { return e.err.Error() }
func (e *ioError) Unwrap() error { return e.err }
