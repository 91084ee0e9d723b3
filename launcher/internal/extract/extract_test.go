package extract

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/archive/archivetest"
	"github.com/rules-pex/rules_pex/internal/layout"
)

func open(t *testing.T, data []byte) *archive.Reader {
	t.Helper()
	r, err := archive.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func under(r *archive.Reader, prefix string) []*zip.File {
	var out []*zip.File
	for _, f := range r.Files() {
		if strings.HasPrefix(f.Name, prefix) {
			out = append(out, f)
		}
	}
	return out
}

var big = strings.Repeat("0123456789abcdef", 3*BufferSize/16+7) // spans several buffers

func app(c archive.Compression, tamper string) archivetest.App {
	return archivetest.App{
		Prefix:      []byte("#!/launcher\n"),
		Compression: c,
		TamperTree:  tamper,
		Code: map[string]archivetest.File{
			"app/__init__.py": {Data: ""},
			"app/main.py":     {Data: "print('hi')\n"},
			"bin/run":         {Data: "#!/bin/sh\n", Exec: true},
			"big.bin":         {Data: big},
		},
		Dists: []archivetest.Dist{{
			Wheel: "demo-1.0-py3-none-any.whl",
			Files: map[string]archivetest.File{
				"site-packages/demo/__init__.py": {Data: "X = 1\n"},
				"scripts/demo":                   {Data: "#!python\n", Exec: true},
			},
		}},
	}
}

func TestTreeExtractsAndVerifies(t *testing.T) {
	for _, c := range []archive.Compression{archive.Store, archive.Deflate, archive.Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			data, m, err := archivetest.Bytes(app(c, ""))
			if err != nil {
				t.Fatal(err)
			}
			r := open(t, data)
			dir := t.TempDir()
			st, err := New(r, 3).Tree(under(r, layout.CodePrefix), layout.CodePrefix, dir, m.CodeHash)
			if err != nil {
				t.Fatal(err)
			}
			if st.Files != 4 || st.Bytes != int64(len(big)+len("print('hi')\n")+len("#!/bin/sh\n")) {
				t.Errorf("stats %+v", st)
			}
			got, err := os.ReadFile(filepath.Join(dir, "big.bin"))
			if err != nil || string(got) != big {
				t.Errorf("big.bin not extracted intact: %v", err)
			}
			for name, want := range map[string]os.FileMode{"bin/run": 0o555, "app/main.py": 0o444} {
				fi, err := os.Stat(filepath.Join(dir, name))
				if err != nil || fi.Mode().Perm() != want {
					t.Errorf("%s: mode %v, want %v (%v)", name, fi.Mode().Perm(), want, err)
				}
			}
			wheel := "demo-1.0-py3-none-any.whl"
			wdir := t.TempDir()
			prefix := layout.DistPrefix(wheel)
			if _, err := New(r, 1).Tree(under(r, prefix), prefix, wdir, m.Distributions[wheel].TreeHash); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(wdir, "site-packages", "demo", "__init__.py")); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestTreeRefusesWrongHash(t *testing.T) {
	data, m, err := archivetest.Bytes(app(archive.Deflate, "code"))
	if err != nil {
		t.Fatal(err)
	}
	r := open(t, data)
	_, err = New(r, 2).Tree(under(r, layout.CodePrefix), layout.CodePrefix, t.TempDir(), m.CodeHash)
	if !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("Tree with a wrong hash: %v, want ErrHashMismatch", err)
	}
}

func TestTreeRefusesExistingFiles(t *testing.T) {
	// Files are created exclusively and never through a symlink.
	data, m, err := archivetest.Bytes(app(archive.Store, ""))
	if err != nil {
		t.Fatal(err)
	}
	r := open(t, data)
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(outside, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "big.bin")); err != nil {
		t.Fatal(err)
	}
	if _, err := New(r, 2).Tree(under(r, layout.CodePrefix), layout.CodePrefix, dir, m.CodeHash); err == nil {
		t.Fatal("Tree wrote over an existing symlink")
	}
	if got, _ := os.ReadFile(outside); string(got) != "keep" {
		t.Fatalf("a file outside the tree was overwritten: %q", got)
	}
}

func TestTreeRefusesCorruptData(t *testing.T) {
	data, m, err := archivetest.Bytes(app(archive.Store, ""))
	if err != nil {
		t.Fatal(err)
	}
	// Flip a byte inside big.bin's stored data: the CRC check fails.
	i := bytes.Index(data, []byte(big[:64]))
	data[i+100] ^= 0xff
	r := open(t, data)
	_, err = New(r, 2).Tree(under(r, layout.CodePrefix), layout.CodePrefix, t.TempDir(), m.CodeHash)
	if !errors.Is(err, archive.ErrCorrupt) {
		t.Fatalf("Tree on corrupt data: %v, want ErrCorrupt", err)
	}
}
