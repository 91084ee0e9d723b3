package archive

import "archive/zip"

// RegisterDeflate makes zr read Deflate entries with this package's pooled
// klauspost/compress decompressor, about twice as fast as the standard
// library's. Readers of other zips, such as wheels, use it to verify their
// contents quickly.
func RegisterDeflate(zr *zip.Reader) {
	zr.RegisterDecompressor(zip.Deflate, decompressor(zip.Deflate))
}
