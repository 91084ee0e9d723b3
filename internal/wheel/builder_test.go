package wheel

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ent is one zip entry of a test wheel.
type ent struct {
	name     string
	body     string
	mode     fs.FileMode           // 0 means 0644 (0755 for directories)
	noRecord bool                  // leave the entry out of the generated RECORD
	stale    *string               // RECORD describes this content instead of body
	raw      bool                  // write body as already-compressed bytes with CreateRaw (method Store unless hdr says otherwise)
	hdr      func(*zip.FileHeader) // last changes to the header before writing
}

// testWheel describes a wheel to write with archive/zip: a list of entries
// and a RECORD generated from them, with hooks to break both.
type testWheel struct {
	filename   string
	distInfo   string
	ents       []ent
	recordEdit func(string) string // edits the generated RECORD text
	noRecord   bool                // write no RECORD at all
}

// newTestWheel returns a valid wheel of project/version with tag set tag:
// a package, METADATA, WHEEL, and (at write time) RECORD.
func newTestWheel(project, version, tag string) *testWheel {
	escaped := strings.NewReplacer("-", "_", ".", "_").Replace(project)
	w := &testWheel{
		filename: fmt.Sprintf("%s-%s-%s.whl", escaped, version, tag),
		distInfo: fmt.Sprintf("%s-%s.dist-info", escaped, version),
	}
	parts := strings.Split(tag, "-")
	var tagLines strings.Builder
	for _, p := range strings.Split(parts[0], ".") {
		for _, a := range strings.Split(parts[1], ".") {
			for _, pl := range strings.Split(parts[2], ".") {
				fmt.Fprintf(&tagLines, "Tag: %s-%s-%s\n", p, a, pl)
			}
		}
	}
	purelib := parts[2] == "any"
	w.set("pkg/__init__.py", "")
	w.set("pkg/mod.py", "def main():\n    return 0\n")
	w.set(w.distInfo+"/WHEEL", fmt.Sprintf("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: %v\n%s", purelib, tagLines.String()))
	w.set(w.distInfo+"/METADATA", fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n\nA test.\n", project, version))
	return w
}

// set replaces the body of the entry called name, or adds the entry.
func (w *testWheel) set(name, body string) {
	w.setEnt(ent{name: name, body: body})
}

// setEnt replaces the entry with e's name, or adds e.
func (w *testWheel) setEnt(e ent) {
	for i := range w.ents {
		if w.ents[i].name == e.name {
			w.ents[i] = e
			return
		}
	}
	w.ents = append(w.ents, e)
}

// changeAfterRecord changes the content of the entry called name to body,
// leaving RECORD to describe the old content.
func (w *testWheel) changeAfterRecord(name, body string) {
	for i := range w.ents {
		if w.ents[i].name == name {
			old := w.ents[i].body
			w.ents[i].body, w.ents[i].stale = body, &old
			return
		}
	}
	panic("no entry " + name)
}

// del removes the entry called name.
func (w *testWheel) del(name string) {
	w.ents = slices.DeleteFunc(w.ents, func(e ent) bool { return e.name == name })
}

// editEnt changes the body of the entry called name with f.
func (w *testWheel) editEnt(name string, f func(string) string) {
	for i := range w.ents {
		if w.ents[i].name == name {
			w.ents[i].body = f(w.ents[i].body)
			return
		}
	}
	panic("no entry " + name)
}

// recordText returns the RECORD the wheel gets, before recordEdit.
func (w *testWheel) recordText() string {
	var b strings.Builder
	for _, e := range w.ents {
		if e.noRecord || strings.HasSuffix(e.name, "/") {
			continue
		}
		body := e.body
		if e.stale != nil {
			body = *e.stale
		}
		sum := sha256.Sum256([]byte(body))
		fmt.Fprintf(&b, "%s,sha256=%s,%d\n", e.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(body))
	}
	fmt.Fprintf(&b, "%s/RECORD,,\n", w.distInfo)
	return b.String()
}

// bytes returns the zip archive.
func (w *testWheel) bytes(t testing.TB) []byte {
	t.Helper()
	ents := slices.Clone(w.ents)
	if !w.noRecord {
		rec := w.recordText()
		if w.recordEdit != nil {
			rec = w.recordEdit(rec)
		}
		ents = append(ents, ent{name: w.distInfo + "/RECORD", body: rec})
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ents {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
			if strings.HasSuffix(e.name, "/") {
				mode = fs.ModeDir | 0o755
			}
		}
		h.SetMode(mode)
		if strings.HasSuffix(e.name, "/") {
			h.Method = zip.Store
		}
		var err error
		if e.raw {
			h.Method = zip.Store
			h.CRC32 = crc32.ChecksumIEEE([]byte(e.body))
			h.CompressedSize64 = uint64(len(e.body))
			h.UncompressedSize64 = uint64(len(e.body))
			if e.hdr != nil {
				e.hdr(h)
			}
			fw, cerr := zw.CreateRaw(h)
			if cerr != nil {
				t.Fatal(cerr)
			}
			_, err = fw.Write([]byte(e.body))
		} else {
			if e.hdr != nil {
				e.hdr(h)
			}
			fw, cerr := zw.CreateHeader(h)
			if cerr != nil {
				t.Fatal(cerr)
			}
			_, err = fw.Write([]byte(e.body))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// write writes the wheel into a new temporary directory and returns its path.
func (w *testWheel) write(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), w.filename)
	if err := os.WriteFile(p, w.bytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
