package archive

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// manyEntries returns n entries shaped like an application with its
// installed wheels: a manifest, then modules under per-wheel prefixes.
func manyEntries(n int) []testEntry {
	entries := []testEntry{{name: "PEX-INFO", data: []byte(`{"entry_point": "app.main", "code_hash": "0123456789abcdef"}`)}}
	for i := range n - 1 {
		name := fmt.Sprintf(".deps/pkg%02d-1.%d.0-py3-none-any.whl/pkg%02d/sub%d/module_%04d.py", i%40, i%7, i%40, i%13, i)
		entries = append(entries, testEntry{name: name, data: text(500 + i%3000)})
	}
	slices.SortFunc(entries, func(a, b testEntry) int { return strings.Compare(a.name, b.name) })
	return entries
}

// BenchmarkOpen measures what the launcher pays on every start: open an
// archive of 10,000 entries behind a 4 MB launcher, validate its central
// directory, and read the manifest.
func BenchmarkOpen(b *testing.B) {
	path := writeTemp(b, "app.pex", build(b, random(4<<20, 1), Deflate, manyEntries(10_000)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.ReadFile("PEX-INFO", 1<<20); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkReadEntry measures reading the manifest without the file list,
// on the same archive: open the file, read the end records and the whole
// central directory, and the manifest.
func BenchmarkReadEntry(b *testing.B) {
	benchmarkManifest(b, ReadEntry)
}

// BenchmarkReadFirstEntry measures the launcher's fast path on the same
// archive: the end records, the first central directory record and the
// manifest.
func BenchmarkReadFirstEntry(b *testing.B) {
	benchmarkManifest(b, ReadFirstEntry)
}

func benchmarkManifest(b *testing.B, read func(io.ReaderAt, int64, string, int64) ([]byte, error)) {
	path := writeTemp(b, "app.pex", build(b, random(4<<20, 1), Deflate, manyEntries(10_000)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		fi, err := f.Stat()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := read(f, fi.Size(), "PEX-INFO", 1<<20); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkAddRaw measures copying 10,000 compressed entries from one
// archive to another, as the packer copies wheels.
func BenchmarkAddRaw(b *testing.B) {
	path := writeTemp(b, "src.zip", build(b, nil, Deflate, manyEntries(10_000)))
	src, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	var size int64
	for _, f := range src.Files() {
		size += int64(f.CompressedSize64)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewWriter(io.Discard, 0, Deflate)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range src.Files() {
			if err := w.AddRaw(f.Name, false, f); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
