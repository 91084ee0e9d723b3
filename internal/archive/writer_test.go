package archive

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/rules-pex/rules_pex/internal/relpath"
)

// sampleEntries covers every path of Add: empty, tiny, compressible,
// incompressible, exactly the buffer size, and streamed; executable or not;
// names that need the UTF-8 flag.
func sampleEntries() []testEntry {
	return []testEntry{
		{name: "PEX-INFO", data: []byte(`{"entry_point": "app.main"}`)},
		{name: "__main__.py", exec: true, data: text(300)},
		{name: "app/__init__.py", data: nil},
		{name: "app/big.txt", data: text(3 << 20)},
		{name: "app/blob.bin", data: random(100<<10, 1)},
		{name: "app/exactly.bin", data: text(smallEntry)},
		{name: "app/main.py", exec: true, data: text(20 << 10)},
		{name: "app/noise.so", exec: true, data: random(3<<20, 2)},
		{name: "app/one.txt", data: []byte("x")},
		{name: "app/~tilde.txt", data: text(1000)},
		{name: "app/é/café.py", data: text(5000)},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, c := range []Compression{Store, Deflate, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			entries := sampleEntries()
			b := build(t, []byte("#!launcher\n"), c, entries)
			r := openBytes(t, b)
			files := r.Files()
			if len(files) != len(entries) {
				t.Fatalf("got %d files, want %d", len(files), len(entries))
			}
			wantMethod, _ := c.method()
			epoch := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
			for i, e := range entries {
				f := files[i]
				if f.Name != e.name {
					t.Fatalf("file %d is %q, want %q", i, f.Name, e.name)
				}
				if r.Lookup(e.name) != f {
					t.Errorf("Lookup(%q) is not Files()[%d]", e.name, i)
				}
				wantMode := fs.FileMode(0o644)
				if e.exec {
					wantMode = 0o755
				}
				if f.Mode() != wantMode {
					t.Errorf("%s: mode %v, want %v", e.name, f.Mode(), wantMode)
				}
				if !f.Modified.Equal(epoch) {
					t.Errorf("%s: modified %v, want %v", e.name, f.Modified, epoch)
				}
				if got := readAll(t, r, e.name); !bytes.Equal(got, e.data) {
					t.Errorf("%s: read %d bytes that differ from the %d written", e.name, len(got), len(e.data))
				}
				if got, err := r.ReadFile(e.name, int64(len(e.data))); err != nil || !bytes.Equal(got, e.data) {
					t.Errorf("ReadFile(%s): %d bytes, %v", e.name, len(got), err)
				}
				if got, err := ReadEntry(bytes.NewReader(b), int64(len(b)), e.name, int64(len(e.data))); err != nil || !bytes.Equal(got, e.data) {
					t.Errorf("ReadEntry(%s): %d bytes, %v", e.name, len(got), err)
				}
				if got, err := ReadFirstEntry(bytes.NewReader(b), int64(len(b)), e.name, int64(len(e.data))); err != nil || !bytes.Equal(got, e.data) {
					t.Errorf("ReadFirstEntry(%s): %d bytes, %v", e.name, len(got), err)
				}
				// The method: incompressible small entries are stored; the
				// rest use the writer's method.
				streamed := len(e.data) >= smallEntry
				incompressible := len(e.data) < 64 || strings.HasSuffix(e.name, ".bin") && !streamed
				switch {
				case streamed && f.Method != wantMethod:
					t.Errorf("%s: streamed entry has method %d, want %d", e.name, f.Method, wantMethod)
				case incompressible && f.Method != zip.Store:
					t.Errorf("%s: incompressible entry has method %d, want stored", e.name, f.Method)
				case !incompressible && f.Method != wantMethod:
					t.Errorf("%s: method %d, want %d", e.name, f.Method, wantMethod)
				}
				if got := f.Flags&flagDescriptor != 0; got != streamed {
					t.Errorf("%s: data descriptor flag %v, want %v", e.name, got, streamed)
				}
			}
			if _, err := r.ReadFile("app/big.txt", 100); err == nil {
				t.Error("ReadFile above its limit succeeded")
			}
			if _, err := r.Open("missing"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open(missing) = %v, want fs.ErrNotExist", err)
			}
			if r.Lookup("app") != nil || r.Lookup("app/main.pyc") != nil {
				t.Error("Lookup found a missing name")
			}

			// Go's archive/zip reads the same contents (with a Zstandard
			// decompressor for Zstd archives).
			zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			zr.RegisterDecompressor(ZstdMethod, zstd.ZipDecompressor())
			for i, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(rc)
				if err != nil || !bytes.Equal(got, entries[i].data) {
					t.Errorf("archive/zip reads %s: %d bytes, %v", f.Name, len(got), err)
				}
			}
		})
	}
}

func TestEmptyArchive(t *testing.T) {
	b := build(t, []byte("prefix"), Deflate, nil)
	r := openBytes(t, b)
	if len(r.Files()) != 0 {
		t.Fatalf("empty archive has %d files", len(r.Files()))
	}
	if l := parseLayout(t, b, 6); len(l.centrals) != 0 || l.commentLen != 0 {
		t.Fatalf("layout %+v", l)
	}
}

// chunkedReader returns data in pseudo-random short reads.
type chunkedReader struct {
	data []byte
	rng  *rand.Rand
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.rng.IntN(7000))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// TestDeterminism packs the same contents from files with different modes,
// times and umasks, read in different chunks: the bytes must not change.
func TestDeterminism(t *testing.T) {
	entries := sampleEntries()
	for _, c := range []Compression{Store, Deflate, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			pack := func(variant int) []byte {
				old := syscall.Umask([]int{0o022, 0o077}[variant])
				defer syscall.Umask(old)
				dir := t.TempDir()
				var buf bytes.Buffer
				buf.WriteString("launcher")
				w, err := NewWriter(&buf, 8, c)
				if err != nil {
					t.Fatal(err)
				}
				for i, e := range entries {
					p := filepath.Join(dir, strings.ReplaceAll(e.name, "/", "_"))
					if err := os.WriteFile(p, e.data, []fs.FileMode{0o644, 0o600}[variant]|fs.FileMode(variant*0o100)); err != nil {
						t.Fatal(err)
					}
					mtime := time.Date(2001+variant*20, 2, 3, 4, 5, 6, 0, time.Local)
					if err := os.Chtimes(p, mtime, mtime); err != nil {
						t.Fatal(err)
					}
					f, err := os.Open(p)
					if err != nil {
						t.Fatal(err)
					}
					var r io.Reader = f
					if variant == 1 {
						r = &chunkedReader{data: e.data, rng: rand.New(rand.NewPCG(uint64(i), 7))}
						if i%3 == 0 {
							r = iotest.HalfReader(bytes.NewReader(e.data))
						}
					}
					if err := w.Add(e.name, e.exec, r); err != nil {
						t.Fatal(err)
					}
					f.Close()
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			}
			a, b := pack(0), pack(1)
			if !bytes.Equal(a, b) {
				t.Fatalf("two packs of the same contents differ (%d and %d bytes)", len(a), len(b))
			}
		})
	}
}

// TestEncoderReset checks that an entry compresses to the same bytes
// whatever came before it in the archive.
func TestEncoderReset(t *testing.T) {
	for _, c := range []Compression{Deflate, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			data := text(50 << 10)
			big := text(2 << 20)
			b := build(t, nil, c, []testEntry{
				{name: "a", data: data}, {name: "b", data: big}, {name: "c", data: data}, {name: "d", data: big},
			})
			r := openBytes(t, b)
			raw := func(name string) []byte {
				rr, err := r.Lookup(name).OpenRaw()
				if err != nil {
					t.Fatal(err)
				}
				out, err := io.ReadAll(rr)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			if !bytes.Equal(raw("a"), raw("c")) {
				t.Error("the same small entry compressed differently the second time")
			}
			if !bytes.Equal(raw("b"), raw("d")) {
				t.Error("the same streamed entry compressed differently the second time")
			}
		})
	}
}

func TestWriterRejects(t *testing.T) {
	tests := []struct {
		name   string
		before []string
		add    string
		isErr  error
	}{
		{name: "out of order", before: []string{"b"}, add: "a"},
		{name: "duplicate", before: []string{"a"}, add: "a"},
		{name: "file used as directory", before: []string{"a", "a-b"}, add: "a/b"},
		{name: "file used as deep directory", before: []string{"a/b"}, add: "a/b/c/d"},
		{name: "absolute", add: "/etc/passwd", isErr: relpath.ErrUnsafe},
		{name: "dot dot", add: "a/../b", isErr: relpath.ErrUnsafe},
		{name: "directory", add: "a/", isErr: relpath.ErrUnsafe},
		{name: "backslash", add: `a\b`, isErr: relpath.ErrUnsafe},
		{name: "empty", add: "", isErr: relpath.ErrUnsafe},
		{name: "invalid UTF-8", add: "a\xff"},
		{name: "too long", add: strings.Repeat("x", 1<<16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := NewWriter(io.Discard, 0, Deflate)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range tt.before {
				if err := w.Add(n, false, strings.NewReader(n)); err != nil {
					t.Fatal(err)
				}
			}
			err = w.Add(tt.add, false, strings.NewReader("data"))
			if err == nil {
				t.Fatalf("Add(%q) succeeded", tt.add)
			}
			if tt.isErr != nil && !errors.Is(err, tt.isErr) {
				t.Fatalf("Add(%q) = %v, want %v", tt.add, err, tt.isErr)
			}
			// Refusing a name writes nothing: the writer goes on.
			if err := w.Add("zzz", false, strings.NewReader("z")); err != nil {
				t.Fatalf("Add after a refused name: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWriterErrors(t *testing.T) {
	if _, err := NewWriter(io.Discard, -1, Store); err == nil {
		t.Error("negative prefix accepted")
	}
	if _, err := NewWriter(io.Discard, 0, Compression(7)); err == nil {
		t.Error("unknown compression accepted")
	}

	w, _ := NewWriter(io.Discard, 0, Store)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Add("a", false, strings.NewReader("")); err == nil {
		t.Error("Add after Close succeeded")
	}
	if err := w.Close(); err == nil {
		t.Error("second Close succeeded")
	}

	// A reader failing before the end of a small entry: nothing is written.
	boom := errors.New("boom")
	w, _ = NewWriter(io.Discard, 0, Store)
	if err := w.Add("a", false, iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Fatalf("Add = %v, want %v", err, boom)
	}
	if err := w.Add("a", false, strings.NewReader("")); err != nil {
		t.Fatalf("Add after a failed small read: %v", err)
	}

	// A reader failing in a streamed entry: the archive is broken for good.
	w, _ = NewWriter(io.Discard, 0, Deflate)
	r := io.MultiReader(bytes.NewReader(text(smallEntry+10)), iotest.ErrReader(boom))
	if err := w.Add("a", false, r); !errors.Is(err, boom) {
		t.Fatalf("Add = %v, want %v", err, boom)
	}
	if err := w.Add("b", false, strings.NewReader("")); !errors.Is(err, boom) {
		t.Errorf("Add after a failed stream = %v, want %v", err, boom)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close after a failed stream = %v, want %v", err, boom)
	}

	// A failing output.
	w, _ = NewWriter(failingWriter{boom}, 0, Deflate)
	if err := w.Add("a", false, bytes.NewReader(random(100<<10, 1))); !errors.Is(err, boom) {
		t.Errorf("Add to a failing writer = %v, want %v", err, boom)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close of a failing writer = %v, want %v", err, boom)
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestParseCompression(t *testing.T) {
	for _, c := range []Compression{Store, Deflate, Zstd} {
		got, err := ParseCompression(c.String())
		if err != nil || got != c {
			t.Errorf("ParseCompression(%q) = %v, %v", c.String(), got, err)
		}
	}
	if _, err := ParseCompression("bzip2"); err == nil {
		t.Error("ParseCompression(bzip2) succeeded")
	}
	if s := Compression(9).String(); s != "Compression(9)" {
		t.Errorf("String of an unknown compression = %q", s)
	}
}

// TestHeaders parses the bytes of archives and checks every field that the
// package normalizes: no extra fields or comments anywhere, fixed time,
// versions, flags and modes, and local headers that agree with the central
// directory.
func TestHeaders(t *testing.T) {
	prefix := random(4099, 9)
	for _, c := range []Compression{Store, Deflate, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			entries := sampleEntries()
			b := build(t, prefix, c, entries)
			checkHeaders(t, b, len(prefix), entries)
		})
	}
}

// checkHeaders checks the normalized fields of every header in b.
func checkHeaders(t *testing.T, b []byte, prefixLen int, entries []testEntry) {
	t.Helper()
	l := parseLayout(t, b, prefixLen)
	if l.commentLen != 0 {
		t.Errorf("archive comment of %d bytes", l.commentLen)
	}
	if len(l.centrals) != len(entries) {
		t.Fatalf("%d central headers, want %d", len(l.centrals), len(entries))
	}
	for i, c := range l.centrals {
		e, loc := entries[i], l.locals[i]
		if c.name != e.name || loc.name != e.name {
			t.Fatalf("entry %d is %q (local %q), want %q", i, c.name, loc.name, e.name)
		}
		if c.extraLen != 0 || loc.extraLen != 0 || c.commentLen != 0 {
			t.Errorf("%s: extra fields (%d central, %d local bytes) or comment (%d bytes)", e.name, c.extraLen, loc.extraLen, c.commentLen)
		}
		if c.date != dosDate1980 || c.time != 0 || loc.date != dosDate1980 || loc.time != 0 {
			t.Errorf("%s: date/time %#x/%#x (local %#x/%#x), want 1980-01-01 00:00", e.name, c.date, c.time, loc.date, loc.time)
		}
		if c.creatorVersion != 3<<8|20 || c.readerVersion != 20 || loc.readerVersion != 20 {
			t.Errorf("%s: versions %#x/%d (local %d)", e.name, c.creatorVersion, c.readerVersion, loc.readerVersion)
		}
		mode := uint32(0o100644)
		if e.exec {
			mode = 0o100755
		}
		if c.externalAttrs != mode<<16 || c.internalAttrs != 0 || c.diskStart != 0 {
			t.Errorf("%s: external attributes %#o, internal %d, disk %d", e.name, c.externalAttrs>>16, c.internalAttrs, c.diskStart)
		}
		wantFlags := uint16(0)
		if strings.ContainsFunc(e.name, func(r rune) bool { return r >= 0x7e }) {
			wantFlags |= flagUTF8
		}
		streamed := c.flags&flagDescriptor != 0
		if streamed {
			wantFlags |= flagDescriptor
		}
		if c.flags != wantFlags || loc.flags != wantFlags {
			t.Errorf("%s: flags %#x (local %#x), want %#x", e.name, c.flags, loc.flags, wantFlags)
		}
		if loc.method != c.method {
			t.Errorf("%s: local method %d, central %d", e.name, loc.method, c.method)
		}
		if streamed {
			if loc.crc != 0 || loc.csize != 0 || loc.usize != 0 {
				t.Errorf("%s: streamed entry has sizes in its local header", e.name)
			}
		} else if loc.crc != c.crc || loc.csize != c.csize || loc.usize != c.usize {
			t.Errorf("%s: local crc/sizes %x/%d/%d, central %x/%d/%d", e.name, loc.crc, loc.csize, loc.usize, c.crc, c.csize, c.usize)
		}
	}
}

// TestAddStored checks the entry the packer writes for the manifest: stored
// whatever the writer's method, sizes in the local header, same rules for
// names, and readable by archive/zip with RegisterDeflate for the rest.
func TestAddStored(t *testing.T) {
	manifest := text(5000) // compressible, stored all the same
	var buf bytes.Buffer
	w, err := NewWriter(&buf, 0, Deflate)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.AddStored("PEX-INFO", false, manifest); err != nil {
		t.Fatal(err)
	}
	if err := w.AddStored("A", false, nil); err == nil {
		t.Error("AddStored out of order succeeded")
	}
	if err := w.Add("app.py", false, bytes.NewReader(manifest)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	entries := []testEntry{{name: "PEX-INFO", data: manifest}, {name: "app.py", data: manifest}}
	checkHeaders(t, b, 0, entries)
	l := parseLayout(t, b, 0)
	if l.centrals[0].method != zip.Store || l.centrals[1].method != zip.Deflate {
		t.Errorf("methods %d and %d, want stored and deflated", l.centrals[0].method, l.centrals[1].method)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	RegisterDeflate(zr)
	for i, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		if err != nil || !bytes.Equal(got, entries[i].data) {
			t.Errorf("%s: read %d bytes, %v", f.Name, len(got), err)
		}
	}
}
