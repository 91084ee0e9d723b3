// Package payload reads the manifest of an archive without reading its
// central directory: the layout contract puts PEX-INFO first in the zip,
// stored uncompressed, so the end of central directory record, the first
// central directory record and the entry itself are enough — three small
// reads whatever the size of the archive. Archives this shortcut does not
// cover (zip64, a long comment, a manifest that is not first) are read with
// internal/archive instead.
package payload

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/layout"
)

// MaxManifest bounds the size of the manifest read into memory.
const MaxManifest = 64 << 20

// Zip record sizes and signatures (APPNOTE 4.3).
const (
	endLen     = 22
	centralLen = 46
	localLen   = 30
	endSig     = 0x06054b50
	centralSig = 0x02014b50
	localSig   = 0x04034b50
	tailLen    = 1024
)

// errSlowPath means the shortcut does not apply; the full reader decides.
var errSlowPath = errors.New("manifest not reachable by the shortcut")

// ReadManifest returns the bytes of the PEX-INFO entry of the archive held
// in the first size bytes of r.
func ReadManifest(r io.ReaderAt, size int64) ([]byte, error) {
	data, err := fast(r, size)
	if err == nil {
		return data, nil
	}
	if !errors.Is(err, errSlowPath) {
		return nil, err
	}
	ar, err := archive.NewReader(r, size)
	if err != nil {
		return nil, err
	}
	data, err = ar.ReadFile(layout.ManifestName, MaxManifest)
	if err != nil {
		return nil, fmt.Errorf("reading the manifest: %w", err)
	}
	return data, nil
}

func fast(r io.ReaderAt, size int64) ([]byte, error) {
	if size < endLen {
		return nil, fmt.Errorf("%w: %d bytes are too few for a zip", archive.ErrNotArchive, size)
	}
	tail := make([]byte, min(size, tailLen))
	tailOff := size - int64(len(tail))
	if _, err := r.ReadAt(tail, tailOff); err != nil {
		return nil, fmt.Errorf("reading the end of the archive: %w", err)
	}
	at := -1
	for i := len(tail) - endLen; i >= 0; i-- {
		if le32(tail[i:]) == endSig && i+endLen+int(le16(tail[i+20:])) == len(tail) {
			at = i
			break
		}
	}
	if at < 0 {
		return nil, errSlowPath
	}
	end := tail[at:]
	records, dirSize, dirOffset := le16(end[10:]), int64(le32(end[12:])), int64(le32(end[16:]))
	if records == 0xffff || dirSize == 0xffffffff || dirOffset == 0xffffffff || records == 0 {
		return nil, errSlowPath
	}
	endOff := tailOff + int64(at)
	dirStart := endOff - dirSize
	if dirStart < 0 || dirSize < centralLen {
		return nil, errSlowPath
	}
	// Offsets in the zip are absolute when the packer wrote them so, or
	// relative to the zip's start when the zip was appended as is.
	base := dirStart - dirOffset

	head := make([]byte, min(dirSize, int64(centralLen+len(layout.ManifestName))))
	if _, err := r.ReadAt(head, dirStart); err != nil {
		return nil, fmt.Errorf("reading the central directory: %w", err)
	}
	if len(head) < centralLen+len(layout.ManifestName) || le32(head) != centralSig {
		return nil, errSlowPath
	}
	method, crc := le16(head[10:]), le32(head[16:])
	csize, usize := int64(le32(head[20:])), int64(le32(head[24:]))
	nameLen := int(le16(head[28:]))
	local := int64(le32(head[42:]))
	if string(head[centralLen:]) != layout.ManifestName || nameLen != len(layout.ManifestName) ||
		method != 0 || csize != usize || usize > MaxManifest || local == 0xffffffff {
		return nil, errSlowPath
	}
	local += base
	if local < 0 || local+localLen+int64(nameLen)+usize > dirStart {
		return nil, fmt.Errorf("%w: the manifest's data lies outside the archive", archive.ErrCorrupt)
	}
	// The local header and the data, assuming no extra field (the packer
	// writes none); read again if there is one.
	buf := make([]byte, localLen+int64(nameLen)+usize)
	if _, err := r.ReadAt(buf, local); err != nil {
		return nil, fmt.Errorf("reading the manifest: %w", err)
	}
	if le32(buf) != localSig || int(le16(buf[26:])) != nameLen {
		return nil, fmt.Errorf("%w: bad local header of the manifest", archive.ErrCorrupt)
	}
	data := buf[localLen+nameLen:]
	if extra := int64(le16(buf[28:])); extra > 0 {
		data = make([]byte, usize)
		if local+localLen+int64(nameLen)+extra+usize > dirStart {
			return nil, fmt.Errorf("%w: the manifest's data lies outside the archive", archive.ErrCorrupt)
		}
		if _, err := r.ReadAt(data, local+localLen+int64(nameLen)+extra); err != nil {
			return nil, fmt.Errorf("reading the manifest: %w", err)
		}
	}
	if crc32.ChecksumIEEE(data) != crc {
		return nil, fmt.Errorf("%w: the manifest fails its CRC-32 check", archive.ErrCorrupt)
	}
	return data, nil
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
