package archive

import (
	"archive/zip"
	"errors"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zstd"
)

// Compression settings. Changing any of them changes the bytes of every
// archive: they are part of the output format.
const (
	// deflateLevel is the klauspost/compress/flate level of Deflate entries.
	deflateLevel = 5
	// zstdWindow is the Zstandard window of Zstd entries, and the largest
	// window the Reader accepts: it bounds the decoder's memory.
	zstdWindow = 8 << 20
)

// zstdEncoderOptions are the fixed settings of Zstd entries. One goroutine
// makes the output independent of the machine; no frame checksum, since the
// zip CRC-32 already covers every entry.
func zstdEncoderOptions() []zstd.EOption {
	return []zstd.EOption{
		zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithWindowSize(zstdWindow),
		zstd.WithEncoderConcurrency(1),
		zstd.WithConcurrentBlocks(false),
		zstd.WithEncoderCRC(false),
		zstd.WithZeroFrames(true),
		zstd.WithLowerEncoderMem(false),
	}
}

// encoder is a reusable compressor: flate.Writer and zstd.Encoder both are.
type encoder interface {
	io.WriteCloser
	Reset(w io.Writer)
}

// newEncoder returns the compressor of c, or nil for Store.
func newEncoder(c Compression) (encoder, error) {
	switch c {
	case Deflate:
		return flate.NewWriter(nil, deflateLevel)
	case Zstd:
		return zstd.NewWriter(nil, zstdEncoderOptions()...)
	}
	return nil, nil
}

// entryEncoder hands the Writer's single encoder to archive/zip for one
// streamed entry. The Writer closes it as soon as the entry's data is written,
// so the encoder can serve the next entry at once; archive/zip closes it
// again when the next entry starts, which does nothing. Both closes write to
// the entry: the bytes are counted the same.
type entryEncoder struct {
	enc    encoder
	closed bool
}

func (e *entryEncoder) Write(p []byte) (int, error) { return e.enc.Write(p) }

func (e *entryEncoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	return e.enc.Close()
}

// decompressor returns a reader of the uncompressed bytes of a method this
// package reads, or nil.
func decompressor(method uint16) zip.Decompressor {
	switch method {
	case zip.Store:
		return io.NopCloser
	case zip.Deflate:
		return newFlateReader
	case ZstdMethod:
		return zstdReader
	}
	return nil
}

// zstdReader decodes Zstd entries from a pool of single-goroutine decoders
// that refuse windows larger than the writer's.
var zstdReader = zstd.ZipDecompressor(
	zstd.WithDecoderMaxWindow(zstdWindow),
	zstd.WithDecoderLowmem(true),
)

var flateReaders sync.Pool

// newFlateReader returns a pooled DEFLATE decompressor reading r.
func newFlateReader(r io.Reader) io.ReadCloser {
	if fr, ok := flateReaders.Get().(io.ReadCloser); ok {
		if err := fr.(flate.Resetter).Reset(r, nil); err == nil {
			return &pooledFlateReader{fr: fr}
		}
	}
	return &pooledFlateReader{fr: flate.NewReader(r)}
}

// pooledFlateReader returns its decompressor to the pool on Close.
type pooledFlateReader struct {
	fr io.ReadCloser
}

var errReadAfterClose = errors.New("read after close")

func (p *pooledFlateReader) Read(b []byte) (int, error) {
	if p.fr == nil {
		return 0, errReadAfterClose
	}
	return p.fr.Read(b)
}

func (p *pooledFlateReader) Close() error {
	if p.fr == nil {
		return nil
	}
	err := p.fr.Close()
	flateReaders.Put(p.fr)
	p.fr = nil
	return err
}
