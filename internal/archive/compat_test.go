package archive

import (
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sourceFiles are the files put in the source zips of the AddRaw tests.
func sourceFiles() map[string][]byte {
	return map[string][]byte{
		"pkg/__init__.py":          text(4000),
		"pkg/big.so":               append(random(1<<20, 11), text(1<<20)...),
		"pkg/data.bin":             random(5000, 12),
		"pkg/empty.txt":            nil,
		"pkg/naïve.py":             text(700),
		"pkg/old-bz2.txt":          text(9000),
		"pkg/sub/tool.py":          text(100),
		"pkg/~backup.txt":          text(40),
		"pkg-1.0.dist-info/RECORD": text(300),
	}
}

// writeSourceTree writes files under a new directory and returns it.
func writeSourceTree(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// pythonSource writes a zip with Python's zipfile to an unseekable stream,
// so every entry has a data descriptor; data.bin is stored, old-bz2.txt is
// bzip2-compressed (method 12), the rest deflated.
const pythonSource = `
import io, os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
class Unseekable(io.RawIOBase):
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b): return self.f.write(b)
with open(out, "wb") as raw, zipfile.ZipFile(Unseekable(raw), "w") as z:
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            arc = os.path.relpath(p, root)
            method = zipfile.ZIP_DEFLATED
            if n == "data.bin":
                method = zipfile.ZIP_STORED
            if n == "old-bz2.txt":
                method = zipfile.ZIP_BZIP2
            z.write(p, arc, compress_type=method)
`

// sourceZips builds the same tree into zips made by different tools, with
// their own habits: Python (data descriptors, UTF-8 flag, bzip2), Info-ZIP
// (directory entries, extra fields), Go with modification times (extended
// timestamp extra fields), and this package with Zstd.
func sourceZips(t *testing.T, files map[string][]byte) map[string]string {
	t.Helper()
	root := writeSourceTree(t, files)
	out := t.TempDir()
	zips := map[string]string{}

	zips["python"] = filepath.Join(out, "python.zip")
	runPython(t, pythonSource, root, zips["python"])

	zips["infozip"] = filepath.Join(out, "infozip.zip")
	cmd := exec.Command("zip", "-q", "-r", zips["infozip"], ".")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("zip (apt-get install zip): %v\n%s", err, b)
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedNames(files) {
		fh := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)}
		if strings.HasSuffix(name, ".bin") {
			fh.Method = zip.Store
		}
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zips["go"] = writeTemp(t, "go.zip", buf.Bytes())

	var entries []testEntry
	for _, name := range sortedNames(files) {
		entries = append(entries, testEntry{name: name, data: files[name]})
	}
	zips["zstd"] = writeTemp(t, "zstd.zip", build(t, []byte("other launcher"), Zstd, entries))
	return zips
}

func sortedNames(files map[string][]byte) []string {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// openSource opens a source zip with archive/zip, as the wheel reader does,
// with decompressors for bzip2 and Zstd.
func openSource(t *testing.T, path string) *zip.ReadCloser {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zr.Close() })
	zr.RegisterDecompressor(12, func(r io.Reader) io.ReadCloser { return io.NopCloser(bzip2.NewReader(r)) })
	zr.RegisterDecompressor(ZstdMethod, decompressor(ZstdMethod))
	return zr
}

func rawBytes(t *testing.T, f *zip.File) []byte {
	t.Helper()
	r, err := f.OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAddRaw copies every entry of each source zip and checks that the
// compressed bytes, CRC-32 and sizes are unchanged, the headers are
// normalized, and the contents read back.
func TestAddRaw(t *testing.T) {
	files := sourceFiles()
	for tool, path := range sourceZips(t, files) {
		t.Run(tool, func(t *testing.T) {
			src := openSource(t, path)
			var sources []*zip.File
			for _, f := range src.File {
				if !strings.HasSuffix(f.Name, "/") {
					sources = append(sources, f)
				}
			}
			slices.SortFunc(sources, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })

			prefix := random(1000, 13)
			var buf bytes.Buffer
			buf.Write(prefix)
			w, err := NewWriter(&buf, int64(len(prefix)), Deflate)
			if err != nil {
				t.Fatal(err)
			}
			var entries []testEntry
			for _, f := range sources {
				isExec := strings.HasSuffix(f.Name, ".so")
				if err := w.AddRaw(f.Name, isExec, f); err != nil {
					t.Fatalf("AddRaw(%s): %v", f.Name, err)
				}
				entries = append(entries, testEntry{name: f.Name, exec: isExec, data: files[f.Name]})
			}
			if len(entries) != len(files) {
				t.Fatalf("source has %d files, want %d", len(entries), len(files))
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			checkHeaders(t, b, len(prefix), entries)

			r := openBytes(t, b)
			for i, f := range r.Files() {
				s := sources[i]
				if got := readAll(t, r, f.Name); !bytes.Equal(got, files[f.Name]) {
					t.Errorf("%s: contents differ", f.Name)
				}
				if s.Method == 12 {
					// Not a method this package copies: recompressed.
					if f.Method != zip.Deflate {
						t.Errorf("%s: bzip2 entry became method %d, want deflate", f.Name, f.Method)
					}
					continue
				}
				if f.Method != s.Method || f.CRC32 != s.CRC32 || f.CompressedSize64 != s.CompressedSize64 || f.UncompressedSize64 != s.UncompressedSize64 {
					t.Errorf("%s: method/crc/sizes %d/%x/%d/%d, source %d/%x/%d/%d", f.Name,
						f.Method, f.CRC32, f.CompressedSize64, f.UncompressedSize64, s.Method, s.CRC32, s.CompressedSize64, s.UncompressedSize64)
				}
				if !bytes.Equal(rawBytes(t, f), rawBytes(t, s)) {
					t.Errorf("%s: compressed bytes differ from the source's", f.Name)
				}
			}
			if tool != "zstd" {
				checkWithPython(t, writeTemp(t, "out.pex", b), entries, 0)
				checkWithUnzip(t, writeTemp(t, "out.pex", b))
			}
		})
	}
}

func TestAddRawRejects(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(14, func(w io.Writer) (io.WriteCloser, error) { return nopWriteCloser{w}, nil })
	add := func(fh *zip.FileHeader, data string) {
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, data)
	}
	add(&zip.FileHeader{Name: "dir/"}, "")
	link := &zip.FileHeader{Name: "link"}
	link.SetMode(fs.ModeSymlink | 0o777)
	add(link, "/etc/passwd")
	add(&zip.FileHeader{Name: "lzma", Method: 14}, "")
	add(&zip.FileHeader{Name: "ok", Method: zip.Deflate}, "fine")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(io.Discard, 0, Store)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File[:3] {
		if err := w.AddRaw("a/"+strings.TrimSuffix(f.Name, "/"), false, f); err == nil {
			t.Errorf("AddRaw(%s) succeeded", f.Name)
		}
	}
	// Refusals write nothing: the writer goes on.
	if err := w.AddRaw("b", false, zr.File[3]); err != nil {
		t.Fatalf("AddRaw after refusals: %v", err)
	}

	// A source whose data is cut short breaks the output for good.
	short := &failingReaderAt{r: bytes.NewReader(b), off: int64(len(b)), err: io.EOF}
	zr, err = zip.NewReader(short, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	off, err := zr.File[3].DataOffset()
	if err != nil {
		t.Fatal(err)
	}
	short.off = off + 1
	w, _ = NewWriter(io.Discard, 0, Store)
	if err := w.AddRaw("b", false, zr.File[3]); !errors.Is(err, ErrCorrupt) {
		t.Errorf("AddRaw of a truncated source = %v, want ErrCorrupt", err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close after a failed copy succeeded")
	}
}

// pythonCheck tests an archive with Python's zipfile and prints, for each
// entry, what Python makes of it.
const pythonCheck = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
assert bad is None, "bad entry: %s" % bad
out = []
for i in z.infolist():
    out.append({"name": i.filename, "mode": i.external_attr >> 16, "date_time": list(i.date_time),
                "sha256": hashlib.sha256(z.read(i)).hexdigest(), "extra": len(i.extra), "system": i.create_system})
print(json.dumps(out))
`

// checkWithPython checks that Python's zipfile reads the archive at path
// (launcher prefix included) and sees entries as written, with extraLen
// bytes of extra fields in each central header.
func checkWithPython(t *testing.T, path string, entries []testEntry, extraLen int) {
	t.Helper()
	var got []struct {
		Name     string `json:"name"`
		Mode     uint32 `json:"mode"`
		DateTime []int  `json:"date_time"`
		SHA256   string `json:"sha256"`
		Extra    int    `json:"extra"`
		System   int    `json:"system"`
	}
	if err := json.Unmarshal([]byte(runPython(t, pythonCheck, path)), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(entries) {
		t.Fatalf("Python sees %d entries, want %d", len(got), len(entries))
	}
	for i, e := range entries {
		g := got[i]
		sum := sha256.Sum256(e.data)
		mode := uint32(0o100644)
		if e.exec {
			mode = 0o100755
		}
		want := fmt.Sprint(e.name, mode, []int{1980, 1, 1, 0, 0, 0}, hex.EncodeToString(sum[:]), extraLen, 3)
		if s := fmt.Sprint(g.Name, g.Mode, g.DateTime, g.SHA256, g.Extra, g.System); s != want {
			t.Errorf("Python sees %s, want %s", s, want)
		}
	}
}

// checkWithUnzip runs Info-ZIP's unzip -t, which must find no error and say
// nothing about the prefix.
func checkWithUnzip(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command("unzip", "-t", path).CombinedOutput()
	if err != nil {
		t.Fatalf("unzip -t (apt-get install unzip): %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "No errors detected") || strings.Contains(string(out), "warning") {
		t.Errorf("unzip -t:\n%s", out)
	}
}

// TestPythonZipfile checks that Store and Deflate archives written by Add,
// with a launcher prefix, pass Python's zipfile testzip and unzip -t.
// Zstd archives (method 93) are not readable by Python 3.11 or unzip.
func TestPythonZipfile(t *testing.T) {
	for _, c := range []Compression{Store, Deflate} {
		t.Run(c.String(), func(t *testing.T) {
			entries := sampleEntries()
			path := writeTemp(t, "app.pex", build(t, random(5000, 14), c, entries))
			checkWithPython(t, path, entries, 0)
			checkWithUnzip(t, path)
		})
	}
}

// TestZstdNeedsThisReader documents the limit stated in the package
// documentation: Python's zipfile refuses method 93.
func TestZstdNeedsThisReader(t *testing.T) {
	path := writeTemp(t, "app.pex", build(t, nil, Zstd, []testEntry{{name: "a.py", data: text(1000)}}))
	out, err := exec.Command(python3, "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).read('a.py')", path).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "compression method is not supported") {
		t.Errorf("Python read a Zstd entry (update the package documentation): %v\n%s", err, out)
	}
}
