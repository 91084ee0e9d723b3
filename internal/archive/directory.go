package archive

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Sizes and signatures of the zip records this file parses (APPNOTE 4.3).
const (
	endLen           = 22 // end of central directory record, without comment
	end64LocatorLen  = 20 // zip64 end of central directory locator
	end64Len         = 56 // zip64 end of central directory record, without extensible data
	centralHeaderLen = 46 // central directory file header, without name, extra, comment
	localHeaderLen   = 30 // local file header, without name and extra

	endSig           = 0x06054b50
	end64LocatorSig  = 0x07064b50
	end64Sig         = 0x06064b50
	centralHeaderSig = 0x02014b50
	localHeaderSig   = 0x04034b50

	zip64ExtraID = 0x0001

	// tailLen is how much of the end of the file is searched for the end
	// record: the record, the longest comment, and room for the zip64
	// locator that precedes the record. archive/zip searches the same span.
	tailLen = 65 * 1024

	// maxDirectory bounds the central directory this package loads into
	// memory (about half a million entries).
	maxDirectory = 64 << 20
)

// directory locates the central directory of an archive. All offsets are
// absolute positions in the whole file, prefix included.
type directory struct {
	start   int64  // first central directory record
	size    int64  // length of the central directory
	records uint64 // number of records the end record announces
	base    int64  // added to offsets stored in the archive to make them absolute
	// region holds the file from regionOff to its end: the central directory,
	// the end records and the comment.
	region    []byte
	regionOff int64
}

// findDirectory reads the end of the file and the central directory, with at
// most two reads: the tail, then the part of the directory not in the tail.
// It follows archive/zip's rules for finding the end record, so both agree on
// where the directory is.
func findDirectory(r io.ReaderAt, size int64) (*directory, error) {
	d, tail, tailOff, err := locateDirectory(r, size, tailLen)
	if err != nil {
		return nil, err
	}
	// Keep everything from the directory to the end of the file in memory.
	if d.start >= tailOff {
		d.region, d.regionOff = tail[d.start-tailOff:], d.start
	} else {
		if size-d.start > maxDirectory+tailLen {
			return nil, fmt.Errorf("%w: %d bytes between the central directory and the end of the file", ErrCorrupt, size-d.start)
		}
		d.region, d.regionOff = make([]byte, size-d.start), d.start
		if err := readFull(r, d.region[:tailOff-d.start], d.start); err != nil {
			return nil, fmt.Errorf("reading the central directory: %w", err)
		}
		copy(d.region[tailOff-d.start:], tail)
	}
	return d, nil
}

// locateDirectory reads the last n bytes of the file (n is at most tailLen)
// and finds the central directory from the end records in them, without
// reading it: d.region is empty. It returns the tail it read, which starts at
// tailOff.
func locateDirectory(r io.ReaderAt, size, n int64) (d *directory, tail []byte, tailOff int64, err error) {
	if size < endLen {
		return nil, nil, 0, fmt.Errorf("%w: %d bytes are too few for an end of central directory record", ErrNotArchive, size)
	}
	tail = make([]byte, min(size, n))
	tailOff = size - int64(len(tail))
	if err := readFull(r, tail, tailOff); err != nil {
		return nil, nil, 0, fmt.Errorf("reading the end of central directory record: %w", err)
	}
	at := lastEndRecord(tail)
	if at < 0 {
		return nil, nil, 0, fmt.Errorf("%w: no end of central directory record in the last %d bytes", ErrNotArchive, len(tail))
	}
	endOff := tailOff + int64(at)
	e := tail[at:]
	disk, dirDisk := uint32(le16(e[4:])), uint32(le16(e[6:]))
	d = &directory{records: uint64(le16(e[10:]))}
	dirSize, dirOffset := uint64(le32(e[12:])), uint64(le32(e[16:]))

	if d.records == 0xffff || dirSize == 0xffffffff || dirOffset == 0xffffffff {
		// A zip64 archive, if the locator is right before the end record.
		if locOff := endOff - end64LocatorLen; locOff >= 0 {
			loc := make([]byte, end64LocatorLen)
			if err := readAt(r, tail, tailOff, loc, locOff); err != nil {
				return nil, nil, 0, fmt.Errorf("reading the zip64 end of central directory locator: %w", err)
			}
			if le32(loc) == end64LocatorSig && le32(loc[4:]) == 0 && le32(loc[16:]) == 1 {
				end64Off := le64(loc[8:])
				if size < end64Len || end64Off > uint64(size-end64Len) {
					return nil, nil, 0, fmt.Errorf("%w: zip64 end of central directory record at %d is outside the file", ErrCorrupt, end64Off)
				}
				endOff = int64(end64Off)
				e64 := make([]byte, end64Len)
				if err := readAt(r, tail, tailOff, e64, endOff); err != nil {
					return nil, nil, 0, fmt.Errorf("reading the zip64 end of central directory record: %w", err)
				}
				if le32(e64) != end64Sig {
					return nil, nil, 0, fmt.Errorf("%w: bad zip64 end of central directory record signature", ErrCorrupt)
				}
				disk, dirDisk = le32(e64[16:]), le32(e64[20:])
				d.records = le64(e64[32:])
				dirSize, dirOffset = le64(e64[40:]), le64(e64[48:])
			}
		}
	}
	if disk != 0 || dirDisk != 0 {
		return nil, nil, 0, fmt.Errorf("%w: archive spans several disks", ErrUnsupported)
	}
	if dirSize > uint64(endOff) || dirOffset > uint64(endOff) {
		return nil, nil, 0, fmt.Errorf("%w: central directory (offset %d, size %d) does not fit before its end record at %d",
			ErrCorrupt, dirOffset, dirSize, endOff)
	}
	d.size = int64(dirSize)
	d.base = endOff - d.size - int64(dirOffset)
	if d.base < 0 {
		return nil, nil, 0, fmt.Errorf("%w: central directory (offset %d, size %d) overlaps its end record at %d",
			ErrCorrupt, dirOffset, dirSize, endOff)
	}
	if d.base > 0 {
		// Offsets are relative to a zip that was appended to other bytes,
		// unless the directory is where it says (a directory followed by
		// junk): archive/zip makes the same choice.
		sig := make([]byte, 4)
		if readAt(r, tail, tailOff, sig, int64(dirOffset)) == nil && le32(sig) == centralHeaderSig {
			d.base = 0
		}
	}
	d.start = d.base + int64(dirOffset)
	if d.start+d.size > endOff {
		return nil, nil, 0, fmt.Errorf("%w: central directory (offset %d, size %d) overlaps its end record at %d",
			ErrCorrupt, d.start, d.size, endOff)
	}
	if d.size > maxDirectory {
		return nil, nil, 0, fmt.Errorf("%w: central directory of %d bytes is larger than the limit of %d", ErrUnsupported, d.size, maxDirectory)
	}
	return d, tail, tailOff, nil
}

// lastEndRecord returns the position of the last end of central directory
// record in b whose comment fits in b, or -1. Like archive/zip, it gives up if
// the last signature has a comment that runs past the end.
func lastEndRecord(b []byte) int {
	for i := len(b) - endLen; i >= 0; i-- {
		if le32(b[i:]) == endSig {
			if i+endLen+int(le16(b[i+20:])) > len(b) {
				return -1
			}
			return i
		}
	}
	return -1
}

// centralRecord is a central directory file header, with the zip64 fields
// resolved.
type centralRecord struct {
	name     []byte // aliases the directory bytes
	creator  uint16
	flags    uint16
	method   uint16
	crc      uint32
	csize    uint64
	usize    uint64
	external uint32
	offset   int64 // absolute offset of the local file header
}

// record parses the central directory record at position p of the
// directory, and returns it with the position of the next one.
func (d *directory) record(p int) (centralRecord, int, error) {
	h := d.region[p:d.size]
	if len(h) < centralHeaderLen || le32(h) != centralHeaderSig {
		return centralRecord{}, 0, fmt.Errorf("%w: malformed central directory record at offset %d", ErrCorrupt, d.start+int64(p))
	}
	rec, offset, nameLen, extraLen, commentLen := fixedFields(h)
	n := centralHeaderLen + nameLen + extraLen + commentLen
	if len(h) < n {
		return centralRecord{}, 0, fmt.Errorf("%w: central directory record at offset %d runs past the directory", ErrCorrupt, d.start+int64(p))
	}
	rec.name = h[centralHeaderLen : centralHeaderLen+nameLen]
	if rec.usize == 0xffffffff || rec.csize == 0xffffffff || offset == 0xffffffff {
		extra := h[centralHeaderLen+nameLen : centralHeaderLen+nameLen+extraLen]
		if !zip64Fields(extra, &rec.usize, &rec.csize, &offset) {
			return centralRecord{}, 0, fmt.Errorf("%w: entry %q has a truncated zip64 extra field", ErrCorrupt, rec.name)
		}
	}
	var err error
	if rec.offset, err = d.localOffset(rec.name, offset); err != nil {
		return centralRecord{}, 0, err
	}
	return rec, p + n, nil
}

// fixedFields parses the fixed part of the central directory record at the
// start of h, which has at least centralHeaderLen bytes: the record without
// its name and offset, the offset as stored, and the lengths of the variable
// fields.
func fixedFields(h []byte) (rec centralRecord, offset uint64, nameLen, extraLen, commentLen int) {
	rec = centralRecord{
		creator:  le16(h[4:]),
		flags:    le16(h[8:]),
		method:   le16(h[10:]),
		crc:      le32(h[16:]),
		csize:    uint64(le32(h[20:])),
		usize:    uint64(le32(h[24:])),
		external: le32(h[38:]),
	}
	return rec, uint64(le32(h[42:])), int(le16(h[28:])), int(le16(h[30:])), int(le16(h[32:]))
}

// localOffset returns the absolute position of the local header that the
// record of name places at offset.
func (d *directory) localOffset(name []byte, offset uint64) (int64, error) {
	if offset > uint64(d.start) || d.base+int64(offset) > d.start {
		return 0, fmt.Errorf("%w: entry %q has its local header at %d, past the central directory", ErrCorrupt, name, offset)
	}
	return d.base + int64(offset), nil
}

// zip64Fields replaces the fields that are 0xffffffff by their values in the
// zip64 extended information of extra. That block holds only the fields that
// overflowed, in a fixed order: uncompressed size, compressed size, offset.
// As in archive/zip, the first zip64 block must supply every such field, and
// without a block the fields keep their 32-bit values.
func zip64Fields(extra []byte, usize, csize, offset *uint64) bool {
	for len(extra) >= 4 {
		id, size := le16(extra), int(le16(extra[2:]))
		if len(extra)-4 < size {
			return true // archive/zip ignores a malformed extra area
		}
		field := extra[4 : 4+size]
		extra = extra[4+size:]
		if id != zip64ExtraID {
			continue
		}
		for _, v := range []*uint64{usize, csize, offset} {
			if *v != 0xffffffff {
				continue
			}
			if len(field) < 8 {
				return false
			}
			*v, field = le64(field), field[8:]
		}
		return true
	}
	return true
}

// readFull reads exactly len(p) bytes at off.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		return fmt.Errorf("%w: file ends %d bytes into a %d byte read at offset %d", ErrCorrupt, n, len(p), off)
	}
	return err
}

// readAt fills p from offset off, using tail (which starts at tailOff) when it
// covers the range.
func readAt(r io.ReaderAt, tail []byte, tailOff int64, p []byte, off int64) error {
	if off >= tailOff && off-tailOff+int64(len(p)) <= int64(len(tail)) {
		copy(p, tail[off-tailOff:])
		return nil
	}
	return readFull(r, p, off)
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
