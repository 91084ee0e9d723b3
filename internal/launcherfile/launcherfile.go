// Package launcherfile owns the layout of a two-stage launcher: the small
// first-stage program, then a header, then the full launcher.
//
//	[first stage: an ELF or Mach-O executable][header: 64 bytes][full launcher]
//
// The first stage does a warm start alone; for anything else it execs the
// full launcher, which it copies out of its own file into the cache once.
// It finds the header at the end of its own executable image, which it
// computes from its ELF or Mach-O headers (ImageEnd): the file may go on
// (a zip payload follows the launcher in an archive), so the file's size
// says nothing. Join checks, when the launcher is built, that ImageEnd of
// the first stage is its size, so a first stage that could not find its
// header is never shipped.
//
// It imports only what the first stage may link: it must stay free of
// fmt, compression and the like (see launcher/first).
package launcherfile

import (
	"bytes"
	"compress/flate"
	"errors"
	"hash/fnv"
	"io"
	"strconv"
)

// HeaderLen is the size of the header between the two programs.
const HeaderLen = 64

// magic starts the header; its last byte is the header's version.
var magic = [8]byte{'r', 'p', 'x', 'f', 'u', 'l', 'l', 1}

// Header describes the full launcher that follows it, compressed with
// DEFLATE (RFC 1951): a Go program shrinks to about 45%, and inflating it
// happens once per launcher build and cache.
type Header struct {
	// Stored is the size of the compressed full launcher in the file.
	Stored int64
	// Size is the full launcher's size once inflated.
	Size int64
	// Digest is the inflated launcher's FNV-128a: its name in the cache,
	// and what the first stage checks it against. A checksum, not a
	// cryptographic hash: the full launcher comes from the same file as the
	// first stage, which runs it anyway; crypto/sha256 would cost the first
	// stage Go's FIPS module.
	Digest [16]byte
}

// ErrNoHeader means the file is a launcher of one stage (or not a launcher).
var ErrNoHeader = errors.New("no full launcher after the first stage")

// Encode returns the header's bytes.
func (h Header) Encode() []byte {
	b := make([]byte, HeaderLen)
	copy(b, magic[:])
	putLE64(b[8:], uint64(h.Stored))
	putLE64(b[16:], uint64(h.Size))
	copy(b[24:40], h.Digest[:])
	return b
}

// decode parses a header.
func decode(b []byte) (Header, error) {
	if len(b) < HeaderLen || [8]byte(b[:8]) != magic {
		return Header{}, ErrNoHeader
	}
	h := Header{Stored: int64(le.Uint64(b[8:])), Size: int64(le.Uint64(b[16:]))}
	copy(h.Digest[:], b[24:40])
	if h.Size <= 0 || h.Size > 1<<31 || h.Stored <= 0 || h.Stored > 1<<31 {
		return Header{}, errors.New("launcher header: bad full launcher sizes " + strconv.FormatInt(h.Stored, 10) + ", " + strconv.FormatInt(h.Size, 10))
	}
	return h, nil
}

// Locate reads the header of the two-stage launcher at the start of r: it
// returns the header and the offset of the compressed full launcher in r.
func Locate(r io.ReaderAt) (Header, int64, error) {
	end, err := ImageEnd(r)
	if err != nil {
		return Header{}, 0, err
	}
	b := make([]byte, HeaderLen)
	if _, err := r.ReadAt(b, end); err != nil {
		if err == io.EOF {
			return Header{}, 0, ErrNoHeader
		}
		return Header{}, 0, err
	}
	h, err := decode(b)
	return h, end + HeaderLen, err
}

// Join writes a two-stage launcher: first, the header, full. It fails if
// first is not an executable whose image ends where the file does (the
// first stage could not find the header then).
func Join(w io.Writer, first, full []byte) error {
	end, err := ImageEnd(byteReader(first))
	if err != nil {
		return errors.New("first stage: " + err.Error())
	}
	if end != int64(len(first)) {
		return errors.New("first stage: its executable image ends at " + strconv.FormatInt(end, 10) +
			" but the file has " + strconv.Itoa(len(first)) + " bytes; it could not find what follows it")
	}
	if _, err := ImageEnd(byteReader(full)); err != nil {
		return errors.New("full launcher: " + err.Error())
	}
	var z bytes.Buffer
	zw, _ := flate.NewWriter(&z, flate.BestCompression)
	zw.Write(full)
	zw.Close()
	d := fnv.New128a()
	d.Write(full)
	h := Header{Stored: int64(z.Len()), Size: int64(len(full)), Digest: [16]byte(d.Sum(nil))}
	for _, b := range [][]byte{first, h.Encode(), z.Bytes()} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

type byteReader []byte

func (b byteReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Extract writes the full launcher of the two-stage launcher r (whose
// compressed full launcher is at offset, per h) to w, and fails unless it
// has the size and digest the header gives.
func Extract(w io.Writer, r io.ReaderAt, h Header, offset int64) error {
	zr := flate.NewReader(io.NewSectionReader(r, offset, h.Stored))
	defer zr.Close()
	sum := fnv.New128a()
	n, err := io.Copy(io.MultiWriter(writer{w}, sum), io.LimitReader(zr, h.Size+1))
	if err != nil {
		var we *writeError
		if errors.As(err, &we) {
			return we.err
		}
		return errors.Join(ErrInflate, err)
	}
	if n != h.Size || [16]byte(sum.Sum(nil)) != h.Digest {
		return ErrDamaged
	}
	return nil
}

// ErrInflate means the compressed full launcher could not be inflated (a
// file cut short, say).
var ErrInflate = errors.New("inflating the full launcher")

// writer tells Extract's write errors (a full disk) from read errors.
type writer struct{ w io.Writer }

type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

func (w writer) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil {
		err = &writeError{err}
	}
	return n, err
}

// ErrDamaged means the full launcher does not have its header's size and
// digest.
var ErrDamaged = errors.New("the full launcher is damaged: its size or checksum differs from its header's")

// Executable formats: 64-bit little-endian ELF and Mach-O, the only ones
// the launcher is built as (linux and darwin on amd64 and arm64).
const (
	machoMagic64        = 0xfeedfacf
	machoSegment64      = 0x19
	machoCodeSignature  = 0x1d
	elfSectionNoBits    = 8
	maxHeaderRegionSize = 1 << 20
)

var errFormat = errors.New("not a 64-bit little-endian ELF or Mach-O executable")

// ImageEnd returns the offset where the executable at the start of r ends:
// past every segment, section and section header (ELF), or every segment
// and the code signature (Mach-O).
func ImageEnd(r io.ReaderAt) (int64, error) {
	var h [64]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return 0, errFormat
	}
	switch {
	case string(h[:4]) == "\x7fELF":
		if h[4] != 2 || h[5] != 1 { // ELFCLASS64, ELFDATA2LSB
			return 0, errFormat
		}
		return elfEnd(r, h[:])
	case le.Uint32(h[:]) == machoMagic64:
		return machoEnd(r, le.Uint32(h[16:]), le.Uint32(h[20:]))
	}
	return 0, errFormat
}

func elfEnd(r io.ReaderAt, h []byte) (int64, error) {
	phoff, shoff := le.Uint64(h[0x20:]), le.Uint64(h[0x28:])
	phentsize, phnum := uint64(le.Uint16(h[0x36:])), uint64(le.Uint16(h[0x38:]))
	shentsize, shnum := uint64(le.Uint16(h[0x3a:])), uint64(le.Uint16(h[0x3c:]))
	if phentsize < 56 || shnum > 0 && shentsize < 64 || phnum*phentsize > maxHeaderRegionSize || shnum*shentsize > maxHeaderRegionSize {
		return 0, errFormat
	}
	end := max(phoff+phnum*phentsize, shoff+shnum*shentsize)
	ph := make([]byte, phnum*phentsize)
	if _, err := r.ReadAt(ph, int64(phoff)); err != nil {
		return 0, errFormat
	}
	for i := uint64(0); i < phnum; i++ {
		p := ph[i*phentsize:]
		end = max(end, le.Uint64(p[8:])+le.Uint64(p[32:])) // p_offset + p_filesz
	}
	sh := make([]byte, shnum*shentsize)
	if _, err := r.ReadAt(sh, int64(shoff)); err != nil && shnum > 0 {
		return 0, errFormat
	}
	for i := uint64(0); i < shnum; i++ {
		s := sh[i*shentsize:]
		if le.Uint32(s[4:]) != elfSectionNoBits {
			end = max(end, le.Uint64(s[24:])+le.Uint64(s[32:])) // sh_offset + sh_size
		}
	}
	return int64(end), nil
}

func machoEnd(r io.ReaderAt, ncmds, sizeofcmds uint32) (int64, error) {
	if sizeofcmds > maxHeaderRegionSize {
		return 0, errFormat
	}
	cmds := make([]byte, sizeofcmds)
	if _, err := r.ReadAt(cmds, 32); err != nil {
		return 0, errFormat
	}
	end := uint64(32) + uint64(sizeofcmds)
	for i := uint32(0); i < ncmds; i++ {
		if len(cmds) < 8 {
			return 0, errFormat
		}
		cmd, size := le.Uint32(cmds), le.Uint32(cmds[4:])
		if size < 8 || int(size) > len(cmds) {
			return 0, errFormat
		}
		switch {
		case cmd == machoSegment64 && size >= 72:
			end = max(end, le.Uint64(cmds[40:])+le.Uint64(cmds[48:])) // fileoff + filesize
		case cmd == machoCodeSignature && size >= 16:
			end = max(end, uint64(le.Uint32(cmds[8:]))+uint64(le.Uint32(cmds[12:]))) // dataoff + datasize
		}
		cmds = cmds[size:]
	}
	return int64(end), nil
}

// littleEndian reads the fields of the headers (encoding/binary would link
// reflect into the first stage).
type littleEndian struct{}

var le littleEndian

func (littleEndian) Uint16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
func (littleEndian) Uint32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
func (littleEndian) Uint64(b []byte) uint64 {
	return uint64(le.Uint32(b)) | uint64(le.Uint32(b[4:]))<<32
}

func putLE64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}
