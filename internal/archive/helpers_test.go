package archive

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// testEntry is a file to put in a test archive.
type testEntry struct {
	name string
	exec bool
	data []byte
}

// build returns prefix followed by an archive of entries, added with Add.
func build(t testing.TB, prefix []byte, c Compression, entries []testEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.Write(prefix)
	w, err := NewWriter(&buf, int64(len(prefix)), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := w.Add(e.name, e.exec, bytes.NewReader(e.data)); err != nil {
			t.Fatalf("Add(%q): %v", e.name, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openBytes reads an archive held in memory.
func openBytes(t testing.TB, b []byte) *Reader {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	return r
}

// text returns n bytes of compressible text.
func text(n int) []byte {
	b := make([]byte, 0, n+100)
	for i := 0; len(b) < n; i++ {
		b = append(b, "def function_"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, "(x):\n    return x * "...)
		b = strconv.AppendInt(b, int64(i%97), 10)
		b = append(b, "  # a line of Python\n"...)
	}
	return b[:n]
}

// random returns n incompressible bytes that depend only on seed.
func random(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(b)
	return b
}

// writeTemp writes b to a new file in a test directory and returns its path.
func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// python3 is the interpreter the compatibility tests run; CI provides it.
const python3 = "/usr/bin/python3.11"

// runPython runs a Python script with args and returns its output.
func runPython(t testing.TB, script string, args ...string) string {
	t.Helper()
	if _, err := os.Stat(python3); err != nil {
		t.Fatalf("%s is needed to check compatibility with Python's zipfile: %v", python3, err)
	}
	out, err := exec.Command(python3, append([]string{"-c", script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	return string(out)
}

// rawHeader is a local or central directory file header as the bytes say.
type rawHeader struct {
	offset         int64 // of the header in the file
	creatorVersion uint16
	readerVersion  uint16
	flags          uint16
	method         uint16
	time, date     uint16
	crc            uint32
	csize, usize   uint32
	extraLen       uint16
	commentLen     uint16
	diskStart      uint16
	internalAttrs  uint16
	externalAttrs  uint32
	localOffset    uint32
	name           string
}

// layout is an archive parsed independently of the code under test.
type layout struct {
	locals, centrals []rawHeader
	dirOffset        int64
	commentLen       int
}

// parseLayout parses an archive of at most 65535 entries without zip64
// records, checking that its records tile the file exactly: the prefix,
// then each local header, data and data descriptor, then the central
// directory, then the end record.
func parseLayout(t testing.TB, b []byte, prefixLen int) layout {
	t.Helper()
	le16 := func(p int) uint16 { return binary.LittleEndian.Uint16(b[p:]) }
	le32 := func(p int) uint32 { return binary.LittleEndian.Uint32(b[p:]) }
	var l layout
	end := len(b) - endLen
	if end < prefixLen || le32(end) != endSig {
		t.Fatalf("no end record in the last %d bytes", endLen)
	}
	records := int(le16(end + 10))
	if le16(end+8) != uint16(records) || le16(end+4) != 0 || le16(end+6) != 0 {
		t.Fatalf("end record: bad disk fields")
	}
	dirSize, dirOffset := int(le32(end+12)), int(le32(end+16))
	l.dirOffset, l.commentLen = int64(dirOffset), int(le16(end+20))
	if dirOffset+dirSize != end {
		t.Fatalf("central directory [%d, +%d) does not end at the end record %d: offsets are not absolute", dirOffset, dirSize, end)
	}
	for p := dirOffset; p < end; {
		if le32(p) != centralHeaderSig {
			t.Fatalf("no central header at %d", p)
		}
		h := rawHeader{
			offset: int64(p), creatorVersion: le16(p + 4), readerVersion: le16(p + 6), flags: le16(p + 8),
			method: le16(p + 10), time: le16(p + 12), date: le16(p + 14), crc: le32(p + 16),
			csize: le32(p + 20), usize: le32(p + 24), extraLen: le16(p + 30), commentLen: le16(p + 32),
			diskStart: le16(p + 34), internalAttrs: le16(p + 36), externalAttrs: le32(p + 38), localOffset: le32(p + 42),
		}
		nameLen := int(le16(p + 28))
		h.name = string(b[p+46 : p+46+nameLen])
		l.centrals = append(l.centrals, h)
		p += 46 + nameLen + int(h.extraLen) + int(h.commentLen)
	}
	if len(l.centrals) != records {
		t.Fatalf("end record says %d entries, directory has %d", records, len(l.centrals))
	}
	p := prefixLen
	for _, c := range l.centrals {
		if int(c.localOffset) != p {
			t.Fatalf("local header of %q at %d, expected at %d", c.name, c.localOffset, p)
		}
		if le32(p) != localHeaderSig {
			t.Fatalf("no local header at %d", p)
		}
		h := rawHeader{
			offset: int64(p), readerVersion: le16(p + 4), flags: le16(p + 6), method: le16(p + 8),
			time: le16(p + 10), date: le16(p + 12), crc: le32(p + 14), csize: le32(p + 18), usize: le32(p + 22),
			extraLen: le16(p + 28),
		}
		nameLen := int(le16(p + 26))
		h.name = string(b[p+30 : p+30+nameLen])
		l.locals = append(l.locals, h)
		p += 30 + nameLen + int(h.extraLen) + int(c.csize)
		if h.flags&flagDescriptor != 0 {
			if le32(p) != 0x08074b50 || le32(p+4) != c.crc || le32(p+8) != c.csize || le32(p+12) != c.usize {
				t.Fatalf("data descriptor of %q at %d does not match its central header", c.name, p)
			}
			p += 16
		}
	}
	if p != dirOffset {
		t.Fatalf("entries end at %d, central directory starts at %d", p, dirOffset)
	}
	return l
}

// readAll reads an entry through the package's Reader.
func readAll(t testing.TB, r *Reader, name string) []byte {
	t.Helper()
	rc, err := r.Open(name)
	if err != nil {
		t.Fatalf("Open(%q): %v", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %q: %v", name, err)
	}
	return b
}
