package archive

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rules-pex/rules_pex/internal/relpath"
)

const (
	// smallEntry is the size up to which Add buffers an entry, so that it
	// can pick Store when compression does not help and write the sizes in
	// the local header. Larger entries are streamed.
	smallEntry = 1 << 20
	// copyBufferSize is the buffer of streamed and raw copies.
	copyBufferSize = 256 << 10
)

// Writer writes the zip part of an archive deterministically (see the package
// documentation for the rules). It is not safe for concurrent use.
//
// After an error that happens once an entry has been started (a failed
// write, or a reader failing in the middle of a large entry) the output is
// unusable, and every later call returns that error.
type Writer struct {
	zw     *zip.Writer
	method uint16
	enc    encoder       // nil for Store
	stream *entryEncoder // the encoder of the entry being streamed

	last  string              // name of the last entry added
	names map[string]struct{} // every name added, to refuse a file used as a directory

	small   []byte       // holds a small entry, allocated on first use
	packed  bytes.Buffer // a small entry compressed
	copyBuf []byte

	err    error // sticky error
	closed bool
}

// NewWriter returns a Writer that writes a zip to w. The caller has already
// written prefixLen bytes (the launcher) before w's current position: the zip
// records offsets from the start of the whole file, so zip readers work on it
// unchanged. New entries are compressed with c.
func NewWriter(w io.Writer, prefixLen int64, c Compression) (*Writer, error) {
	if prefixLen < 0 {
		return nil, fmt.Errorf("negative prefix length %d", prefixLen)
	}
	method, err := c.method()
	if err != nil {
		return nil, err
	}
	enc, err := newEncoder(c)
	if err != nil {
		return nil, fmt.Errorf("creating the %v compressor: %w", c, err)
	}
	zw := zip.NewWriter(w)
	zw.SetOffset(prefixLen)
	aw := &Writer{
		zw:      zw,
		method:  method,
		enc:     enc,
		names:   make(map[string]struct{}),
		copyBuf: make([]byte, copyBufferSize),
	}
	if enc != nil {
		zw.RegisterCompressor(method, func(out io.Writer) (io.WriteCloser, error) {
			enc.Reset(out)
			aw.stream = &entryEncoder{enc: enc}
			return aw.stream, nil
		})
	}
	return aw, nil
}

// Add adds a regular file named name with the contents of r, mode 0755 if
// executable and 0644 otherwise. Names must be safe relative paths (see
// relpath.Check), valid UTF-8, and come in strictly increasing byte order;
// no name may be a parent directory of another.
//
// Entries smaller than 1 MiB are compressed in memory and stored
// uncompressed when compression does not make them smaller (empty files, tiny
// files, compressed data); their sizes and CRC-32 are in the local header.
// Entries of 1 MiB or more are always compressed with the Writer's method and
// streamed: their local header has flag bit 3 and a data descriptor follows
// their data. The choice depends only on the contents, so output stays
// deterministic.
func (w *Writer) Add(name string, executable bool, r io.Reader) error {
	if err := w.check(name); err != nil {
		return err
	}
	if w.small == nil {
		w.small = make([]byte, smallEntry)
	}
	n, err := io.ReadFull(r, w.small)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return w.addSmall(name, executable, w.small[:n])
	case err != nil:
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return w.addStream(name, executable, w.small, r)
}

// addSmall writes an entry whose data is all in memory.
func (w *Writer) addSmall(name string, executable bool, data []byte) error {
	method, payload := uint16(zip.Store), data
	if w.enc != nil && len(data) > 0 {
		w.packed.Reset()
		w.enc.Reset(&w.packed)
		if _, err := w.enc.Write(data); err != nil {
			return fmt.Errorf("compressing %s: %w", name, err)
		}
		if err := w.enc.Close(); err != nil {
			return fmt.Errorf("compressing %s: %w", name, err)
		}
		if w.packed.Len() < len(data) {
			method, payload = w.method, w.packed.Bytes()
		}
	}
	return w.addBytes(name, executable, method, data, payload)
}

// AddStored adds a regular file named name (same rules as Add) whose data
// is stored uncompressed whatever the Writer's method, with its sizes and
// CRC-32 in the local header, so a reader can use it straight from the
// file. It is meant for small entries held in memory, such as the manifest.
func (w *Writer) AddStored(name string, executable bool, data []byte) error {
	if err := w.check(name); err != nil {
		return err
	}
	return w.addBytes(name, executable, zip.Store, data, data)
}

// addBytes writes an entry whose uncompressed data is data and whose bytes in
// the archive, in method, are payload; sizes and CRC-32 go in the local
// header.
func (w *Writer) addBytes(name string, executable bool, method uint16, data, payload []byte) error {
	fh := header(name, executable, method)
	fh.CRC32 = crc32.ChecksumIEEE(data)
	fh.CompressedSize64 = uint64(len(payload))
	fh.UncompressedSize64 = uint64(len(data))
	fw, err := w.zw.CreateRaw(fh)
	if err != nil {
		return w.fail(fmt.Errorf("writing the header of %s: %w", name, err))
	}
	if _, err := fw.Write(payload); err != nil {
		return w.fail(fmt.Errorf("writing %s: %w", name, err))
	}
	w.added(name)
	return nil
}

// addStream writes an entry too large to buffer: head, then the rest of r.
func (w *Writer) addStream(name string, executable bool, head []byte, r io.Reader) error {
	// CreateHeader sets the data descriptor flag and, by the same rule as
	// header, the UTF-8 flag.
	fw, err := w.zw.CreateHeader(header(name, executable, w.method))
	if err != nil {
		return w.fail(fmt.Errorf("writing the header of %s: %w", name, err))
	}
	if _, err := fw.Write(head); err != nil {
		return w.fail(fmt.Errorf("writing %s: %w", name, err))
	}
	if _, err := io.CopyBuffer(onlyWriter{fw}, onlyReader{r}, w.copyBuf); err != nil {
		return w.fail(fmt.Errorf("writing %s: %w", name, err))
	}
	if w.stream != nil {
		// Free the encoder for the next entry (see entryEncoder).
		if err := w.stream.Close(); err != nil {
			return w.fail(fmt.Errorf("compressing %s: %w", name, err))
		}
		w.stream = nil
	}
	w.added(name)
	return nil
}

// AddRaw adds a regular file named name (same rules as Add) with the
// contents of src, an entry of another zip. When src is stored, deflated or
// Zstd-compressed, its compressed bytes are copied unchanged with its CRC-32
// and sizes, through a fixed buffer: nothing is decompressed, recompressed or
// held in memory. Only the data is copied: the header is this package's
// (fixed time, mode from executable, normalized flags, no extra fields). The
// CRC-32 is trusted, not recomputed; the bytes are checked when the archive
// is read. Raw Zstd entries must use a window of at most 8 MiB, as this
// package's do, or the Reader will refuse them. Entries with other methods are
// decompressed (src's zip.Reader must have a decompressor for them) and added
// with Add.
func (w *Writer) AddRaw(name string, executable bool, src *zip.File) error {
	if err := w.check(name); err != nil {
		return err
	}
	if src.Flags&(flagEncrypted|flagStrongCrypt|flagMaskedCD) != 0 {
		return fmt.Errorf("copying %s to %s: %w: encrypted entry", src.Name, name, ErrUnsupported)
	}
	if t := src.Mode().Type(); t != 0 || strings.HasSuffix(src.Name, "/") {
		return fmt.Errorf("copying %s to %s: not a regular file (mode %v)", src.Name, name, src.Mode())
	}
	switch src.Method {
	case zip.Store:
		if src.CompressedSize64 != src.UncompressedSize64 {
			return fmt.Errorf("copying %s to %s: %w: stored entry has %d compressed and %d uncompressed bytes",
				src.Name, name, ErrCorrupt, src.CompressedSize64, src.UncompressedSize64)
		}
	case zip.Deflate, ZstdMethod:
	default:
		rc, err := src.Open()
		if err != nil {
			return fmt.Errorf("copying %s to %s: %w", src.Name, name, err)
		}
		defer rc.Close()
		return w.Add(name, executable, rc)
	}
	raw, err := src.OpenRaw()
	if err != nil {
		return fmt.Errorf("copying %s to %s: %w", src.Name, name, err)
	}

	fh := header(name, executable, src.Method)
	fh.CRC32 = src.CRC32
	fh.CompressedSize64 = src.CompressedSize64
	fh.UncompressedSize64 = src.UncompressedSize64
	if fh.CompressedSize64 >= uint32max || fh.UncompressedSize64 >= uint32max {
		// The local header has no zip64 field: give the sizes in a zip64
		// data descriptor, as CreateHeader does for large entries.
		fh.Flags |= flagDescriptor
		fh.ReaderVersion = zipVersion45
	}
	fw, err := w.zw.CreateRaw(fh)
	if err != nil {
		return w.fail(fmt.Errorf("writing the header of %s: %w", name, err))
	}
	n, err := io.CopyBuffer(onlyWriter{fw}, onlyReader{raw}, w.copyBuf)
	if err != nil {
		return w.fail(fmt.Errorf("copying %s to %s: %w", src.Name, name, err))
	}
	if uint64(n) != src.CompressedSize64 {
		return w.fail(fmt.Errorf("copying %s to %s: %w: source ends after %d of %d compressed bytes",
			src.Name, name, ErrCorrupt, n, src.CompressedSize64))
	}
	w.added(name)
	return nil
}

// Close writes the central directory and the end records. It does not close
// the underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("archive writer closed twice")
	}
	w.closed = true
	if err := w.zw.Close(); err != nil {
		return w.fail(fmt.Errorf("writing the central directory: %w", err))
	}
	return nil
}

// check returns an error if name cannot be the next entry.
func (w *Writer) check(name string) error {
	switch {
	case w.err != nil:
		return w.err
	case w.closed:
		return fmt.Errorf("adding %s: archive writer is closed", name)
	}
	if err := relpath.Check(name); err != nil {
		return err
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("entry name %q is not valid UTF-8", name)
	}
	if len(name) > 0xffff {
		return fmt.Errorf("entry name of %d bytes is longer than 65535 bytes", len(name))
	}
	if len(w.names) > 0 && name <= w.last {
		return fmt.Errorf("entry %q added after %q: entries must be added in strictly increasing name order", name, w.last)
	}
	for i := strings.IndexByte(name, '/'); i >= 0; i = nextSlash(name, i) {
		if _, ok := w.names[name[:i]]; ok {
			return fmt.Errorf("entry %q is inside %q, which is a file", name, name[:i])
		}
	}
	return nil
}

// nextSlash returns the index of the next '/' in name after i, or -1.
func nextSlash(name string, i int) int {
	j := strings.IndexByte(name[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

func (w *Writer) added(name string) {
	w.last = name
	w.names[name] = struct{}{}
}

func (w *Writer) fail(err error) error {
	w.err = err
	return err
}

// header returns the normalized header of a regular file.
func header(name string, executable bool, method uint16) *zip.FileHeader {
	perm := uint32(0o644)
	if executable {
		perm = 0o755
	}
	fh := &zip.FileHeader{
		Name:           name,
		Method:         method,
		CreatorVersion: creatorUnix<<8 | zipVersion20,
		ReaderVersion:  zipVersion20,
		ModifiedDate:   dosDate1980,
		ModifiedTime:   dosTimeMidnight,
		ExternalAttrs:  (modeRegular | perm) << 16,
	}
	if needsUTF8Flag(name) {
		fh.Flags |= flagUTF8
	}
	return fh
}

// needsUTF8Flag reports whether name, valid UTF-8, needs the UTF-8 flag:
// whether it has characters outside the part of ASCII that CP-437 and the
// common legacy encodings agree on. This is archive/zip's rule, which
// CreateHeader applies, so streamed and buffered entries agree.
func needsUTF8Flag(name string) bool {
	return strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r > 0x7d || r == '\\' })
}

// onlyWriter and onlyReader hide ReadFrom and WriteTo, so io.CopyBuffer uses
// the Writer's buffer rather than allocating one per copy.
type onlyWriter struct{ io.Writer }
type onlyReader struct{ io.Reader }
