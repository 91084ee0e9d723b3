package archive

import (
	"archive/zip"
	"fmt"
	"hash/crc32"
)

// AddStored adds a regular file named name (same rules as Add) whose data
// is stored uncompressed whatever the Writer's method, with its sizes and
// CRC-32 in the local header, so a reader can use it straight from the
// file. It is meant for small entries held in memory, such as the manifest.
func (w *Writer) AddStored(name string, executable bool, data []byte) error {
	if err := w.check(name); err != nil {
		return err
	}
	fh := header(name, executable, zip.Store)
	fh.CRC32 = crc32.ChecksumIEEE(data)
	fh.CompressedSize64 = uint64(len(data))
	fh.UncompressedSize64 = uint64(len(data))
	fw, err := w.zw.CreateRaw(fh)
	if err != nil {
		return w.fail(fmt.Errorf("writing the header of %s: %w", name, err))
	}
	if _, err := fw.Write(data); err != nil {
		return w.fail(fmt.Errorf("writing %s: %w", name, err))
	}
	w.added(name)
	return nil
}
