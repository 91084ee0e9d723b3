package archive

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rules-pex/rules_pex/internal/relpath"
)

// stdZip writes a zip with Go's archive/zip, which allows what Writer
// refuses. Each header is used as given, with the data after it.
func stdZip(t *testing.T, prefix []byte, files ...stdFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.Write(prefix)
	w := zip.NewWriter(&buf)
	w.SetOffset(int64(len(prefix)))
	w.RegisterCompressor(12, func(w io.Writer) (io.WriteCloser, error) { return nopWriteCloser{w}, nil })
	for _, f := range files {
		fw, err := w.CreateHeader(f.fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type stdFile struct {
	fh   *zip.FileHeader
	data []byte
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// file returns a deflated regular file for stdZip.
func file(name, data string) stdFile {
	return stdFile{fh: &zip.FileHeader{Name: name, Method: zip.Deflate}, data: []byte(data)}
}

func withMode(f stdFile, mode fs.FileMode) stdFile {
	f.fh.SetMode(mode)
	return f
}

func withMethod(f stdFile, method uint16) stdFile {
	f.fh.Method = method
	return f
}

// patch returns a copy of b with v written little-endian at off.
func patch[T uint16 | uint32](b []byte, off int64, v T) []byte {
	b = bytes.Clone(b)
	switch v := any(v).(type) {
	case uint16:
		binary.LittleEndian.PutUint16(b[off:], v)
	case uint32:
		binary.LittleEndian.PutUint32(b[off:], v)
	}
	return b
}

// Offsets of fields in a central directory header.
const (
	cdFlags       = 8
	cdCRC         = 16
	cdUSize       = 24
	cdLocalOffset = 42
)

func TestReaderRejects(t *testing.T) {
	good := build(t, []byte("prefix"), Deflate, []testEntry{
		{name: "a.txt", data: text(5000)}, {name: "b.bin", data: random(300, 1)}, {name: "c.txt", data: text(7000)},
	})
	l := parseLayout(t, good, 6)
	cd := func(i int, field int64) int64 { return l.centrals[i].offset + field }
	end := int64(len(good) - endLen)

	tests := []struct {
		name string
		data []byte
		is   []error
	}{
		{name: "empty", data: nil, is: []error{ErrNotArchive}},
		{name: "not a zip", data: random(10000, 3), is: []error{ErrNotArchive}},
		{name: "dot dot", data: stdZip(t, nil, file("../evil", "x")), is: []error{ErrCorrupt, relpath.ErrUnsafe}},
		{name: "absolute", data: stdZip(t, nil, file("/etc/evil", "x")), is: []error{ErrCorrupt, relpath.ErrUnsafe}},
		{name: "backslash", data: stdZip(t, nil, file(`a\..\..\evil`, "x")), is: []error{ErrCorrupt, relpath.ErrUnsafe}},
		{name: "drive", data: stdZip(t, nil, file("c:/evil", "x")), is: []error{ErrCorrupt, relpath.ErrUnsafe}},
		{name: "directory entry", data: stdZip(t, nil, file("dir/", "")), is: []error{ErrCorrupt}},
		{name: "directory mode", data: stdZip(t, nil, withMode(file("dir", ""), fs.ModeDir|0o755)), is: []error{ErrCorrupt}},
		{name: "symlink", data: stdZip(t, nil, withMode(file("link", "/etc/passwd"), fs.ModeSymlink|0o777)), is: []error{ErrCorrupt}},
		{name: "device", data: stdZip(t, nil, withMode(file("dev", ""), fs.ModeDevice|0o600)), is: []error{ErrCorrupt}},
		{name: "invalid UTF-8", data: stdZip(t, nil, file("a\xff", "x")), is: []error{ErrCorrupt}},
		{name: "duplicate", data: stdZip(t, nil, file("a", "1"), file("a", "2")), is: []error{ErrCorrupt}},
		{name: "unsorted duplicate", data: stdZip(t, nil, file("b", "1"), file("a", "2"), file("b", "3")), is: []error{ErrCorrupt}},
		{name: "file used as directory", data: stdZip(t, nil, file("a", "1"), file("a/b", "2")), is: []error{ErrCorrupt}},
		{name: "file used as directory, apart", data: stdZip(t, nil, file("a", "1"), file("a!", "2"), file("a-b", "3"), file("a/b/c", "4")), is: []error{ErrCorrupt}},
		{name: "unsupported method", data: stdZip(t, nil, withMethod(file("a", "x"), 12)), is: []error{ErrUnsupported}},
		{name: "encrypted", data: patch(good, cd(1, cdFlags), uint16(1)), is: []error{ErrUnsupported}},
		{name: "stored size mismatch", data: patch(good, cd(1, cdUSize), uint32(301)), is: []error{ErrCorrupt}},
		{name: "impossible expansion", data: patch(good, cd(0, cdUSize), uint32(1<<31)), is: []error{ErrCorrupt}},
		{name: "local header past directory", data: patch(good, cd(2, cdLocalOffset), uint32(l.dirOffset+1)), is: []error{ErrCorrupt}},
		{name: "data runs into directory", data: patch(good, cd(2, cdLocalOffset), uint32(l.dirOffset-40)), is: []error{ErrCorrupt}},
		{name: "overlapping entries", data: patch(good, cd(1, cdLocalOffset), uint32(l.centrals[0].localOffset)), is: []error{ErrCorrupt}},
		{name: "entry inside the prefix", data: patch(good, cd(0, cdLocalOffset), uint32(0)), is: nil}, // allowed: the prefix is not part of the zip
		{name: "wrong entry count", data: patch(good, end+10, uint16(2)), is: []error{ErrCorrupt}},
		{name: "several disks", data: patch(good, end+4, uint16(1)), is: []error{ErrUnsupported}},
		{name: "directory offset past end", data: patch(good, end+16, uint32(len(good))), is: []error{ErrCorrupt}},
		{name: "directory size too large", data: patch(good, end+12, uint32(l.dirOffset+100)), is: []error{ErrCorrupt}},
		{name: "comment past end", data: patch(good, end+20, uint16(5)), is: []error{ErrNotArchive}},
		{name: "central signature", data: patch(good, cd(1, 0), uint32(0x12345678)), is: []error{ErrCorrupt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tt.data), int64(len(tt.data)))
			if tt.is == nil {
				if err != nil {
					t.Fatalf("NewReader: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("NewReader accepted it: %d files", len(r.Files()))
			}
			for _, want := range tt.is {
				if !errors.Is(err, want) {
					t.Errorf("NewReader error %q does not wrap %q", err, want)
				}
			}
		})
	}
}

// TestReadCorrupt checks that corrupt data is caught when an entry is read,
// including a CRC of zero, which archive/zip does not check.
func TestReadCorrupt(t *testing.T) {
	data := text(5000)
	for _, c := range []Compression{Store, Deflate, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			good := build(t, nil, c, []testEntry{{name: "a", data: data}, {name: "b", data: text(100)}})
			l := parseLayout(t, good, 0)
			dataStart := l.locals[0].offset + localHeaderLen + 1
			tests := []struct {
				name string
				b    []byte
				is   error
			}{
				{name: "flipped data byte", b: flip(good, dataStart+int64(l.centrals[0].csize)/2), is: ErrCorrupt},
				{name: "central CRC", b: patch(good, l.centrals[0].offset+cdCRC, l.centrals[0].crc^1), is: zip.ErrChecksum},
				{name: "CRC zero", b: patch(patch(good, l.centrals[0].offset+cdCRC, uint32(0)), l.locals[0].offset+14, uint32(0)), is: zip.ErrChecksum},
				{name: "size too small", b: patch(good, l.centrals[0].offset+cdUSize, uint32(len(data)-1)), is: ErrCorrupt},
				{name: "size too large", b: patch(good, l.centrals[0].offset+cdUSize, uint32(len(data)+1)), is: ErrCorrupt},
				{name: "local signature", b: patch(good, l.locals[0].offset, uint32(0)), is: ErrCorrupt},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					r, err := NewReader(bytes.NewReader(tt.b), int64(len(tt.b)))
					if err != nil {
						if c == Store && strings.Contains(tt.name, "size") {
							// A stored entry's sizes must agree: caught up front.
							if !errors.Is(err, ErrCorrupt) {
								t.Fatalf("NewReader = %v, want ErrCorrupt", err)
							}
							return
						}
						t.Fatalf("NewReader: %v", err)
					}
					_, err = r.ReadFile("a", 1<<20)
					if !errors.Is(err, tt.is) || !errors.Is(err, ErrCorrupt) {
						t.Fatalf("ReadFile = %v, want %v and ErrCorrupt", err, tt.is)
					}
					if got := readAll(t, r, "b"); !bytes.Equal(got, text(100)) {
						t.Error("the other entry no longer reads")
					}
				})
			}
		})
	}
}

func flip(b []byte, off int64) []byte {
	b = bytes.Clone(b)
	b[off] ^= 0x40
	return b
}

func TestTruncated(t *testing.T) {
	b := build(t, []byte("#!/launcher"), Deflate, []testEntry{{name: "a", data: text(3000)}, {name: "b", data: text(30)}})
	for n := 0; n < len(b); n++ {
		_, err := NewReader(bytes.NewReader(b[:n]), int64(n))
		if !errors.Is(err, ErrNotArchive) && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("archive cut to %d of %d bytes: NewReader = %v, want ErrNotArchive or ErrCorrupt", n, len(b), err)
		}
	}
	// The size says more than the reader has.
	_, err := NewReader(bytes.NewReader(b[:len(b)-1]), int64(len(b)))
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("short reader: NewReader = %v, want ErrCorrupt", err)
	}
}

func TestPrefix(t *testing.T) {
	entries := []testEntry{{name: "a", data: text(2000)}, {name: "b/c", exec: true, data: random(500, 4)}}
	fake := append([]byte("PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00PK\x01\x02"), make([]byte, 20)...)
	prefixes := map[string][]byte{
		"none":                nil,
		"one byte":            {0x7f},
		"random":              random(4099, 5),
		"beyond the tail":     random(tailLen+123, 6),
		"fake zip signatures": append(random(100, 7), fake...),
	}
	for name, prefix := range prefixes {
		t.Run(name, func(t *testing.T) {
			b := build(t, prefix, Deflate, entries)
			parseLayout(t, b, len(prefix)) // offsets are absolute
			r := openBytes(t, b)
			for _, e := range entries {
				if !bytes.Equal(readAll(t, r, e.name), e.data) {
					t.Errorf("%s differs", e.name)
				}
			}
			if _, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err != nil {
				t.Errorf("archive/zip: %v", err)
			}
		})
	}
	// A zip written without its prefix length and appended to other bytes
	// has offsets relative to its own start: it still reads.
	t.Run("appended", func(t *testing.T) {
		b := append(random(777, 8), build(t, nil, Zstd, entries)...)
		r := openBytes(t, b)
		for _, e := range entries {
			if !bytes.Equal(readAll(t, r, e.name), e.data) {
				t.Errorf("%s differs", e.name)
			}
		}
	})
}

// countingReaderAt counts the reads and bytes asked of a ReaderAt.
type countingReaderAt struct {
	r            io.ReaderAt
	reads, bytes int
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	c.bytes += len(p)
	return c.r.ReadAt(p, off)
}

// TestOpenReadsLittle checks what the launcher does at every start: open the
// archive and read the manifest costs the end of the file, the central
// directory and the manifest, not the rest.
func TestOpenReadsLittle(t *testing.T) {
	entries := []testEntry{{name: "PEX-INFO", data: []byte(`{"code_hash": "abc"}`)}}
	for i := range 3000 {
		entries = append(entries, testEntry{name: "site-packages/pkg/mod" + strings.Repeat("x", i%40) + string(rune('a'+i%26)) + strconv.Itoa(i) + ".py", data: text(2000 + i%3000)})
	}
	slices.SortFunc(entries, func(a, b testEntry) int { return strings.Compare(a.name, b.name) })
	b := build(t, random(3<<20, 1), Deflate, entries)
	l := parseLayout(t, b, 3<<20)
	dirLen := len(b) - int(l.dirOffset)

	c := &countingReaderAt{r: bytes.NewReader(b)}
	r, err := NewReader(c, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if c.reads > 2 || c.bytes > dirLen+tailLen {
		t.Errorf("NewReader made %d reads of %d bytes; the directory and end records are %d bytes", c.reads, c.bytes, dirLen)
	}
	c.reads, c.bytes = 0, 0
	m, err := r.ReadFile("PEX-INFO", 1<<20)
	if err != nil || string(m) != `{"code_hash": "abc"}` {
		t.Fatalf("ReadFile = %q, %v", m, err)
	}
	if c.bytes > 4096+len(m) {
		t.Errorf("reading the manifest read %d bytes", c.bytes)
	}

	// The fast path reads the same, without building the file list.
	c.reads, c.bytes = 0, 0
	m, err = ReadEntry(c, int64(len(b)), "PEX-INFO", 1<<20)
	if err != nil || string(m) != `{"code_hash": "abc"}` {
		t.Fatalf("ReadEntry = %q, %v", m, err)
	}
	if c.reads > 4 || c.bytes > dirLen+tailLen+4096+len(m) {
		t.Errorf("ReadEntry made %d reads of %d bytes; the directory and end records are %d bytes", c.reads, c.bytes, dirLen)
	}

	// The launcher's path reads the end records, the manifest's record and
	// the manifest, not the directory.
	c.reads, c.bytes = 0, 0
	m, err = ReadFirstEntry(c, int64(len(b)), "PEX-INFO", 1<<20)
	if err != nil || string(m) != `{"code_hash": "abc"}` {
		t.Fatalf("ReadFirstEntry = %q, %v", m, err)
	}
	if c.reads != 3 || c.bytes > firstTail+centralHeaderLen+localHeaderLen+2*len("PEX-INFO")+len(m) {
		t.Errorf("ReadFirstEntry made %d reads of %d bytes, want 3 of at most %d", c.reads, c.bytes, firstTail+centralHeaderLen+localHeaderLen+2*len("PEX-INFO")+len(m))
	}
}

func TestReadEntryRejects(t *testing.T) {
	good := build(t, []byte("launcher"), Deflate, []testEntry{
		{name: "PEX-INFO", data: []byte(`{"a": 1}`)}, {name: "b", data: text(3000)},
	})
	l := parseLayout(t, good, 8)
	tests := []struct {
		name  string
		data  []byte
		entry string
		limit int64
		is    []error
	}{
		{name: "not an archive", data: []byte("launcher only"), is: []error{ErrNotArchive}},
		{name: "truncated", data: good[:len(good)-3], is: []error{ErrNotArchive}},
		{name: "missing", data: good, entry: "PEX-INFO.json", is: []error{fs.ErrNotExist}},
		{name: "unsafe name", data: good, entry: "../PEX-INFO", is: []error{relpath.ErrUnsafe}},
		{name: "over the limit", data: good, limit: 3},
		{name: "duplicate", data: stdZip(t, nil, file("PEX-INFO", "1"), file("PEX-INFO", "2")), is: []error{ErrCorrupt}},
		{name: "symlink", data: stdZip(t, nil, withMode(file("PEX-INFO", "/etc/passwd"), fs.ModeSymlink|0o777)), is: []error{ErrCorrupt}},
		{name: "unsupported method", data: stdZip(t, nil, withMethod(file("PEX-INFO", "x"), 12)), is: []error{ErrUnsupported}},
		{name: "bad CRC", data: patch(good, l.centrals[0].offset+cdCRC, l.centrals[0].crc+1), is: []error{ErrCorrupt, zip.ErrChecksum}},
		{name: "bad local signature", data: patch(good, l.locals[0].offset, uint32(0)), is: []error{ErrCorrupt}},
		{name: "local header past directory", data: patch(good, l.centrals[0].offset+cdLocalOffset, uint32(l.dirOffset-10)), is: []error{ErrCorrupt}},
		{name: "data past directory", data: patch(good, l.locals[0].offset+28, uint16(60000)), is: []error{ErrCorrupt}},
		{name: "another entry is corrupt", data: patch(good, l.centrals[1].offset+cdCRC, uint32(0))}, // not checked: succeeds
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entry, limit := cmp.Or(tt.entry, "PEX-INFO"), cmp.Or(tt.limit, 1<<20)
			got, err := ReadEntry(bytes.NewReader(tt.data), int64(len(tt.data)), entry, limit)
			if tt.is == nil && tt.limit == 0 {
				if err != nil || string(got) != `{"a": 1}` {
					t.Fatalf("ReadEntry = %q, %v", got, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadEntry succeeded: %q", got)
			}
			for _, want := range tt.is {
				if !errors.Is(err, want) {
					t.Errorf("ReadEntry error %q does not wrap %q", err, want)
				}
			}
		})
	}
}

// failingReaderAt fails every read at or after off.
type failingReaderAt struct {
	r   io.ReaderAt
	off int64
	err error
}

func (f *failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.off {
		return 0, f.err
	}
	return f.r.ReadAt(p, off)
}

// TestIOErrors checks that failures of the underlying file are reported as
// such, not as corruption.
func TestIOErrors(t *testing.T) {
	b := build(t, nil, Deflate, []testEntry{{name: "a", data: text(50 << 10)}})
	l := parseLayout(t, b, 0)
	eio := errors.New("input/output error")

	_, err := NewReader(&failingReaderAt{r: bytes.NewReader(b), off: 0, err: eio}, int64(len(b)))
	if !errors.Is(err, eio) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotArchive) {
		t.Errorf("NewReader on a failing file = %v, want only %v", err, eio)
	}

	fr := &failingReaderAt{r: bytes.NewReader(b), off: int64(len(b)), err: eio}
	r, err := NewReader(fr, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	fr.off = l.dirOffset / 2 // the middle of the entry's data
	_, err = r.ReadFile("a", 1<<20)
	if !errors.Is(err, eio) || errors.Is(err, ErrCorrupt) {
		t.Errorf("ReadFile on a failing file = %v, want only %v", err, eio)
	}
}

func TestOpenFileForeign(t *testing.T) {
	b := build(t, nil, Store, []testEntry{{name: "a", data: []byte("x")}})
	r1, r2 := openBytes(t, b), openBytes(t, b)
	if _, err := r1.OpenFile(r2.Files()[0]); err == nil {
		t.Error("OpenFile accepted an entry of another reader")
	}
}

func TestOpenPath(t *testing.T) {
	entries := []testEntry{{name: "m", data: []byte("manifest")}}
	p := writeTemp(t, "app.pex", build(t, []byte("launcher"), Zstd, entries))
	r, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r, "m"); string(got) != "manifest" {
		t.Errorf("read %q", got)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p + ".missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v", err)
	}
	notZip := writeTemp(t, "launcher", []byte("just a launcher"))
	if _, err := Open(notZip); !errors.Is(err, ErrNotArchive) {
		t.Errorf("Open(launcher without payload) = %v, want ErrNotArchive", err)
	}
}

// TestConcurrentReads reads every entry from several goroutines at once, as
// an extractor may: run with -race, it checks the shared decompressor pools.
func TestConcurrentReads(t *testing.T) {
	for _, c := range []Compression{Deflate, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			var entries []testEntry
			for i := range 20 {
				entries = append(entries, testEntry{name: "f" + strconv.Itoa(100+i), data: text(1000 + i*5000)})
			}
			r := openBytes(t, build(t, nil, c, entries))
			var wg sync.WaitGroup
			for g := range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range entries {
						e := entries[(i+g)%len(entries)]
						got, err := r.ReadFile(e.name, 1<<20)
						if err != nil || !bytes.Equal(got, e.data) {
							t.Errorf("%s: %d bytes, %v", e.name, len(got), err)
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}
