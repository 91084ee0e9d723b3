package archive_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/archive/archivetest"
	"github.com/rules-pex/rules_pex/internal/layout"
)

// readManifest is the launcher's read of the manifest.
func readManifest(r io.ReaderAt, size int64) ([]byte, error) {
	return archive.ReadFirstEntry(r, size, layout.ManifestName, layout.MaxManifest)
}

// countingReader counts ReadAt calls, to check the shortcut is taken.
type countingReader struct {
	r     *bytes.Reader
	reads int
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	return c.r.ReadAt(p, off)
}

func sample(t testing.TB, prefix []byte) ([]byte, *layout.Manifest) {
	data, m, err := archivetest.Bytes(archivetest.App{
		Prefix:   prefix,
		Manifest: layout.Manifest{EntryPoint: "app"},
		Code:     map[string]archivetest.File{"app.py": {Data: "print(1)\n"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return data, m
}

func TestReadFirstEntryShortcut(t *testing.T) {
	for _, prefix := range [][]byte{nil, []byte("launcher bytes\x00\x01")} {
		data, m := sample(t, prefix)
		cr := &countingReader{r: bytes.NewReader(data)}
		got, err := readManifest(cr, int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		dm, err := layout.Decode(got)
		if err != nil || dm.PexHash != m.PexHash {
			t.Fatalf("manifest does not decode to the written one: %v", err)
		}
		if cr.reads != 3 {
			t.Errorf("%d reads, want 3", cr.reads)
		}
	}
}

func TestReadFirstEntrySlowPath(t *testing.T) {
	// A zip whose first entry is not the manifest (Go's archive/zip, no
	// prefix): the full reader finds it.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	good, m := sample(t, nil)
	manifest, err := readManifest(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "A", Method: zip.Store})
	w.Write([]byte("x"))
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: layout.ManifestName, Method: zip.Deflate})
	w.Write(manifest)
	zw.SetComment("a comment")
	zw.Close()
	got, err := readManifest(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if dm, err := layout.Decode(got); err != nil || dm.PexHash != m.PexHash {
		t.Fatalf("slow path: %v", err)
	}
}

func TestReadFirstEntryErrors(t *testing.T) {
	data, _ := sample(t, []byte("prefix"))
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, archive.ErrNotArchive},
		{"not a zip", []byte("#!/bin/sh\necho hello, this is not a zip at all\n"), archive.ErrNotArchive},
		{"truncated", data[:len(data)-10], archive.ErrNotArchive},
		{"cut in the middle", data[:len(data)/2], archive.ErrNotArchive},
		{"manifest corrupted", flip(data, bytes.Index(data, []byte(`"format"`))), archive.ErrCorrupt},
	} {
		_, err := readManifest(bytes.NewReader(tc.data), int64(len(tc.data)))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x20
	return c
}

// FuzzReadFirstEntry feeds arbitrary bytes to the launcher's fast path: it
// must not panic, and it returns what ReadEntry returns whenever ReadEntry
// succeeds (ReadEntry also checks the records after the first).
func FuzzReadFirstEntry(f *testing.F) {
	data, _ := sample(f, []byte("prefix"))
	f.Add(data)
	f.Add(data[:len(data)-1])
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := readManifest(bytes.NewReader(b), int64(len(b)))
		if err == nil && len(got) > len(b) {
			t.Fatalf("manifest of %d bytes from %d bytes of input", len(got), len(b))
		}
		want, werr := archive.ReadEntry(bytes.NewReader(b), int64(len(b)), layout.ManifestName, layout.MaxManifest)
		switch {
		case werr == nil && err != nil:
			t.Fatalf("ReadFirstEntry failed (%v) where ReadEntry read %d bytes", err, len(want))
		case werr == nil && !bytes.Equal(got, want):
			t.Fatalf("ReadFirstEntry read %d bytes, ReadEntry %d different ones", len(got), len(want))
		}
	})
}
