package archive

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/relpath"
)

// FuzzNewReader feeds arbitrary bytes to NewReader: it must not panic, its
// errors must be classified, what it accepts must satisfy its checks, and
// every entry must read to its exact size and CRC or fail cleanly.
func FuzzNewReader(f *testing.F) {
	small := []testEntry{{name: "PEX-INFO", data: []byte(`{"a": 1}`)}, {name: "a/b.py", exec: true, data: text(3000)}, {name: "c", data: random(200, 1)}}
	for _, c := range []Compression{Store, Deflate, Zstd} {
		b := build(f, []byte("#!launcher"), c, small)
		f.Add(b)
		f.Add(b[:len(b)-1])
		f.Add(zip64End(f, b))
	}
	f.Add(build(f, nil, Store, nil))
	f.Add(append(random(300, 2), build(f, nil, Zstd, small)...))
	for _, files := range [][]stdFile{
		{file("a", "1"), file("a/b", "2")},
		{file("../x", "1")},
		{file("b", "1"), file("a", "2")},
		{withMode(file("l", "target"), fs.ModeSymlink|0o777)},
	} {
		f.Add(stdZipF(f, files...))
	}
	f.Add([]byte{})
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))

	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := ReadEntry(bytes.NewReader(data), int64(len(data)), "PEX-INFO", 1<<20); err == nil && len(m) > 1<<20 {
			t.Fatalf("ReadEntry returned %d bytes, over its limit", len(m))
		}
		r, err := NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.Is(err, ErrNotArchive) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, zf := range r.Files() {
			if err := relpath.Check(zf.Name); err != nil {
				t.Fatalf("accepted unsafe name: %v", err)
			}
			if seen[zf.Name] {
				t.Fatalf("accepted duplicate %q", zf.Name)
			}
			seen[zf.Name] = true
			if zf.Mode().Type() != 0 {
				t.Fatalf("accepted %q of mode %v", zf.Name, zf.Mode())
			}
			if r.Lookup(zf.Name) != zf {
				t.Fatalf("Lookup(%q) is not the file", zf.Name)
			}
			rc, err := r.OpenFile(zf)
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("OpenFile(%q): unclassified error %v", zf.Name, err)
				}
				continue
			}
			n, err := io.Copy(io.Discard, rc)
			if uint64(n) > zf.UncompressedSize64 {
				t.Fatalf("%q: read %d bytes, more than its size %d", zf.Name, n, zf.UncompressedSize64)
			}
			switch {
			case err == nil && uint64(n) != zf.UncompressedSize64:
				t.Fatalf("%q: read %d bytes without error, size is %d", zf.Name, n, zf.UncompressedSize64)
			case err != nil && !errors.Is(err, ErrCorrupt):
				t.Fatalf("%q: unclassified read error %v", zf.Name, err)
			}
			rc.Close()
			// What the Reader reads, the fast path reads the same.
			if err == nil && zf.UncompressedSize64 < 1<<24 {
				want, err := r.ReadFile(zf.Name, 1<<24)
				if err != nil {
					t.Fatalf("%q: ReadFile after a clean read: %v", zf.Name, err)
				}
				got, err := ReadEntry(bytes.NewReader(data), int64(len(data)), zf.Name, 1<<24)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("%q: ReadEntry = %d bytes, %v; ReadFile read %d bytes", zf.Name, len(got), err, len(want))
				}
				got, err = ReadFirstEntry(bytes.NewReader(data), int64(len(data)), zf.Name, 1<<24)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("%q: ReadFirstEntry = %d bytes, %v; ReadFile read %d bytes", zf.Name, len(got), err, len(want))
				}
			}
		}
		for name := range seen {
			for i := strings.IndexByte(name, '/'); i >= 0; i = nextSlash(name, i) {
				if seen[name[:i]] {
					t.Fatalf("accepted %q inside the file %q", name, name[:i])
				}
			}
		}
	})
}

// stdZipF is stdZip for fuzz seeds.
func stdZipF(f *testing.F, files ...stdFile) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, sf := range files {
		fw, err := w.CreateHeader(sf.fh)
		if err != nil {
			f.Fatal(err)
		}
		fw.Write(sf.data)
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzWriterRoundTrip adds entries named by the lines of names with slices
// of data: Add refuses or accepts each; what it accepts reads back exactly,
// with normalized headers, and the same calls give the same bytes.
func FuzzWriterRoundTrip(f *testing.F) {
	f.Add("a\nb/c\nd", []byte("hello, world"), uint8(1), uint8(0), false)
	f.Add("PEX-INFO\n__main__.py\napp/x.py", text(5000), uint8(2), uint8(2), true)
	f.Add("b\na\na/../x\n/abs\nc\nc/d\ncafé~", random(3000, 3), uint8(0), uint8(5), false)
	f.Add("x", []byte{}, uint8(1), uint8(1), true)

	f.Fuzz(func(t *testing.T, names string, data []byte, comp, execMask uint8, large bool) {
		c := Compression(comp % 3)
		lines := strings.Split(names, "\n")
		if len(lines) > 50 {
			lines = lines[:50]
		}
		parts := make([][]byte, len(lines))
		for i := range lines {
			parts[i] = data[i*len(data)/len(lines) : (i+1)*len(data)/len(lines)]
		}
		if large {
			last := len(parts) - 1
			parts[last] = bytes.Repeat(append(parts[last], 'x'), smallEntry/(len(parts[last])+1)+1)
		}
		pack := func() ([]byte, []testEntry) {
			var buf bytes.Buffer
			buf.WriteString("prefix")
			w, err := NewWriter(&buf, 6, c)
			if err != nil {
				t.Fatal(err)
			}
			var added []testEntry
			for i, name := range lines {
				exec := execMask&(1<<(i%8)) != 0
				if err := w.Add(name, exec, bytes.NewReader(parts[i])); err != nil {
					continue // refused names write nothing
				}
				added = append(added, testEntry{name: name, exec: exec, data: parts[i]})
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes(), added
		}
		b, added := pack()
		if again, _ := pack(); !bytes.Equal(b, again) {
			t.Fatal("the same calls gave different bytes")
		}
		checkHeaders(t, b, 6, added)
		r, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("NewReader of a written archive: %v", err)
		}
		if len(r.Files()) != len(added) {
			t.Fatalf("%d files, added %d", len(r.Files()), len(added))
		}
		for i, e := range added {
			zf := r.Files()[i]
			if zf.Name != e.name {
				t.Fatalf("file %d is %q, want %q", i, zf.Name, e.name)
			}
			if got := readAll(t, r, e.name); !bytes.Equal(got, e.data) {
				t.Fatalf("%q reads back differently", e.name)
			}
		}
	})
}
