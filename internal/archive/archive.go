// Package archive owns the zip container of single-file executables: launcher
// bytes followed by a standard zip whose offsets are absolute, so that
// `unzip -l`, Python's zipfile and this package read the whole file as is.
//
// The Writer produces deterministic bytes. For the same sequence of calls with
// the same contents the output is identical whatever the machine, clock,
// umask, file modes or read chunking of the inputs:
//
//   - entries are regular files, added in strictly increasing byte order of
//     their names (the caller sorts); no directory entries, no symlinks;
//   - every timestamp is 1980-01-01 00:00:00 in the MS-DOS date/time fields;
//   - modes are 0644 or 0755 with a Unix creator, and no uid or gid;
//   - no extra fields in any header and no comments (except the zip64 extra
//     field that the format requires for entries or offsets of 4 GiB or more);
//   - general purpose flags are normalized: bit 11 (UTF-8) is set when the name
//     has characters outside the CP-437-compatible ASCII subset (the rule of
//     Go's archive/zip), bit 3 (data descriptor) only for entries streamed
//     without knowing their size (see Writer.Add) and raw copies of 4 GiB or
//     more; no other bit is ever set;
//   - compressors run with fixed settings: Deflate is klauspost/compress/flate
//     at level 5, Zstd is klauspost/compress/zstd with the options in
//     zstdEncoderOptions, single-threaded.
//
// Archives written with Zstd use zip method 93 (WinZip's Zstandard). Python's
// zipfile (before 3.14) and Info-ZIP unzip cannot decompress them: files
// packed with `--compression zstd` need this package's Reader (which the
// launcher uses). Store and Deflate archives are readable by any zip tool.
//
// The Reader finds the zip after any prefix, validates the whole central
// directory up front (safe names, no duplicates, regular files only, sizes and
// offsets consistent with the file) and verifies each entry's size and CRC-32
// when it is read to the end. NewReader reads only the end of the file and the
// central directory (one or two reads). ReadEntry reads one entry with the
// same reads, checking only that entry, and allocates nothing per other
// entry. ReadFirstEntry is the launcher's fast path to the manifest, which
// the layout contract puts first: the end of the file, the first central
// directory record and the entry, three small reads whatever the number of
// entries. The packer (inspect, verify) and the launcher's extraction use
// the Reader: this package is the one reader of these archives on both sides.
//
// Memory does not grow with entry sizes: writing streams through fixed
// buffers (1 MiB for small entries, 256 KiB for copies), raw copies decompress
// nothing, and reading holds one decompressor (Zstd: at most its 8 MiB
// window). It grows with the number of entries, through the central directory.
package archive

import (
	"archive/zip"
	"errors"
	"fmt"
	"strings"
)

// Compression selects how Writer.Add compresses new entries.
type Compression int

const (
	// Store writes entries uncompressed (zip method 0).
	Store Compression = iota
	// Deflate compresses with DEFLATE (zip method 8).
	Deflate
	// Zstd compresses with Zstandard (zip method 93). Only this package's
	// Reader can read such entries; Python's zipfile and unzip cannot.
	Zstd
)

// ZstdMethod is the zip compression method number of Zstandard entries, as
// assigned by WinZip and used by klauspost/compress.
const ZstdMethod uint16 = 93

var compressionNames = [...]string{Store: "store", Deflate: "deflate", Zstd: "zstd"}

// String returns the name ParseCompression accepts.
func (c Compression) String() string {
	if c < 0 || int(c) >= len(compressionNames) {
		return fmt.Sprintf("Compression(%d)", int(c))
	}
	return compressionNames[c]
}

// ParseCompression parses "store", "deflate" or "zstd".
func ParseCompression(s string) (Compression, error) {
	for c, name := range compressionNames {
		if s == name {
			return Compression(c), nil
		}
	}
	return 0, fmt.Errorf("unknown compression %q (want %s)", s, strings.Join(compressionNames[:], ", "))
}

// method returns the zip method number of c.
func (c Compression) method() (uint16, error) {
	switch c {
	case Store:
		return zip.Store, nil
	case Deflate:
		return zip.Deflate, nil
	case Zstd:
		return ZstdMethod, nil
	}
	return 0, fmt.Errorf("unknown compression %v", c)
}

var (
	// ErrNotArchive means the input has no zip end of central directory
	// record: it is not an archive, or it was cut before its end.
	ErrNotArchive = errors.New("not a zip archive")
	// ErrCorrupt means the archive is inconsistent: truncated, overwritten,
	// failing a checksum, or breaking a rule of this package such as unsafe or
	// duplicate names. Errors from reading entries wrap it when the data,
	// rather than the underlying reader, is at fault.
	ErrCorrupt = errors.New("corrupt archive")
	// ErrUnsupported means the archive uses a zip feature this package does
	// not read: another compression method, encryption, or several disks.
	ErrUnsupported = errors.New("unsupported zip feature")
)

// Header values shared by the writer (which sets them) and the tests.
const (
	// dosDate1980 is 1980-01-01 in MS-DOS date format: (year-1980)<<9 | month<<5 | day.
	dosDate1980 = 0<<9 | 1<<5 | 1
	// dosTimeMidnight is 00:00:00 in MS-DOS time format.
	dosTimeMidnight = 0

	creatorUnix     = 3
	zipVersion20    = 20 // version 2.0: DEFLATE, the baseline of every reader
	zipVersion45    = 45 // version 4.5: zip64
	flagEncrypted   = 0x1
	flagDescriptor  = 0x8
	flagStrongCrypt = 0x40
	flagUTF8        = 0x800
	flagMaskedCD    = 0x2000

	modeRegular = 0o100000 // S_IFREG
	uint32max   = 1<<32 - 1
)
