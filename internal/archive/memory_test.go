package archive

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// stream is an io.Reader of n bytes that never holds them all: a random
// block repeated, each copy stamped with its number.
type stream struct {
	block, cur []byte
	curNum     int64
	off, n     int64
}

func newStream(n int64) *stream {
	return &stream{block: random(64<<10, 42), cur: make([]byte, 64<<10), curNum: -1, n: n}
}

func (s *stream) Read(p []byte) (int, error) {
	if s.off == s.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), s.n-s.off)]
	for done := 0; done < len(p); {
		num, in := (s.off+int64(done))/int64(len(s.block)), (s.off+int64(done))%int64(len(s.block))
		if num != s.curNum {
			copy(s.cur, s.block)
			binary.LittleEndian.PutUint64(s.cur, uint64(num))
			s.curNum = num
		}
		done += copy(p[done:], s.cur[in:])
	}
	s.off += int64(len(p))
	return len(p), nil
}

// sameStreams reports whether a and b have the same bytes, reading both
// through buffers given by the caller.
func sameStreams(a, b io.Reader, bufA, bufB []byte) (bool, error) {
	for {
		na, errA := io.ReadFull(a, bufA)
		nb, errB := io.ReadFull(b, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		if errA == io.EOF || errA == io.ErrUnexpectedEOF {
			return errB == errA, nil
		}
		if errA != nil {
			return false, errA
		}
		if errB != nil {
			return false, errB
		}
	}
}

// allocated returns the bytes f allocates on the heap. Allocation, not
// timing: a function that buffered an entry would allocate its size.
func allocated(t *testing.T, what string, f func()) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	n := after.TotalAlloc - before.TotalAlloc
	t.Logf("%s allocated %d bytes", what, n)
	return n
}

// TestMemoryBounded writes, copies raw and reads a 200 MB entry: none of them
// may allocate more than a small fixed amount.
func TestMemoryBounded(t *testing.T) {
	const size = 200 << 20
	const (
		addBound = smallEntry + 1<<20 // the small-entry buffer, allocated once per Writer
		bound    = 256 << 10
	)
	dir := t.TempDir()
	bufA, bufB := make([]byte, 1<<20), make([]byte, 1<<20)

	// Add streams the entry.
	srcPath := filepath.Join(dir, "src.zip")
	src, err := os.Create(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(src, 0, Store)
	if err != nil {
		t.Fatal(err)
	}
	if n := allocated(t, "Add", func() {
		if err := w.Add("big.so", true, newStream(size)); err != nil {
			t.Fatal(err)
		}
	}); n > addBound {
		t.Errorf("Add of a %d MB entry allocated %d bytes", size>>20, n)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}

	// AddRaw copies it.
	in, err := Open(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	outPath := filepath.Join(dir, "out.pex")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	prefix := random(1<<20, 2)
	out.Write(prefix)
	w, err = NewWriter(out, int64(len(prefix)), Deflate)
	if err != nil {
		t.Fatal(err)
	}
	if n := allocated(t, "AddRaw", func() {
		if err := w.AddRaw("lib/big.so", true, in.Lookup("big.so")); err != nil {
			t.Fatal(err)
		}
	}); n > bound {
		t.Errorf("AddRaw of a %d MB entry allocated %d bytes", size>>20, n)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}

	// The copy has the source's raw bytes, and reads back as written.
	r, err := Open(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f := r.Lookup("lib/big.so")
	srcRaw, err := in.Lookup("big.so").OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	outRaw, err := f.OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	if same, err := sameStreams(srcRaw, outRaw, bufA, bufB); !same || err != nil {
		t.Errorf("the copied entry's raw bytes differ from the source's (%v)", err)
	}
	if n := allocated(t, "reading", func() {
		rc, err := r.OpenFile(f)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if same, err := sameStreams(rc, newStream(size), bufA, bufB); !same || err != nil {
			t.Errorf("the entry read back differs from what was written (%v)", err)
		}
	}); n > bound {
		t.Errorf("reading a %d MB entry allocated %d bytes", size>>20, n)
	}
}

// TestCompressedMemoryBounded writes and reads large compressed entries: the
// compressors' memory is fixed (for Zstd, by the 8 MiB window), not the
// entry's size.
func TestCompressedMemoryBounded(t *testing.T) {
	for _, tt := range []struct {
		c                     Compression
		writeBound, readBound uint64
	}{
		{Deflate, smallEntry + 1<<20, 256 << 10},
		{Zstd, smallEntry + 3*zstdWindow, zstdWindow + 2<<20},
	} {
		t.Run(tt.c.String(), func(t *testing.T) {
			big := text(32 << 20)
			var buf bytes.Buffer
			buf.Grow(len(big))
			w, err := NewWriter(&buf, 0, tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if n := allocated(t, fmt.Sprintf("writing %d MB", len(big)>>20), func() {
				if err := w.Add("big", false, bytes.NewReader(big)); err != nil {
					t.Fatal(err)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
			}); n > tt.writeBound {
				t.Errorf("writing a %d MB entry allocated %d bytes", len(big)>>20, n)
			}

			r := openBytes(t, buf.Bytes())
			rbuf := make([]byte, 32<<10)
			if n := allocated(t, fmt.Sprintf("reading %d MB", len(big)>>20), func() {
				rc, err := r.Open("big")
				if err != nil {
					t.Fatal(err)
				}
				defer rc.Close()
				if n, err := io.CopyBuffer(io.Discard, onlyReader{rc}, rbuf); err != nil || n != int64(len(big)) {
					t.Errorf("read %d bytes: %v", n, err)
				}
			}); n > tt.readBound {
				t.Errorf("reading a %d MB entry allocated %d bytes", len(big)>>20, n)
			}
		})
	}
}
