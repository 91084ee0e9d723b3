package wheel

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"testing"

	"github.com/rules-pex/rules_pex/internal/relpath"
)

// checkOpenResult checks the invariants of any OpenReader result: either a
// wheel whose files are safe, placed and truly hashed, or an *Error with
// well-formed problems.
func checkOpenResult(t *testing.T, w *Wheel, err error) {
	t.Helper()
	if err != nil {
		if w != nil {
			t.Fatalf("OpenReader returned both a wheel and %v", err)
		}
		var we *Error
		if !errors.As(err, &we) || len(we.Problems) == 0 {
			t.Fatalf("error %T %v is not an *Error with problems", err, err)
		}
		for _, p := range we.Problems {
			if p.Kind == nil || p.Wheel != we.Wheel {
				t.Fatalf("malformed problem %+v", p)
			}
			_ = p.Error()
		}
		return
	}
	if w.DistInfo == "" || len(w.Tags) == 0 || w.Metadata.Name == "" {
		t.Fatalf("valid wheel without .dist-info, tags or name: %+v", w)
	}
	records := 0
	for _, f := range w.Files {
		if err := relpath.Check(f.Name); err != nil {
			t.Fatalf("unsafe entry accepted: %v", err)
		}
		if err := relpath.Check(f.Path); err != nil {
			t.Fatalf("unsafe install path accepted: %v", err)
		}
		switch f.Scheme {
		case SchemeSitePackages, SchemeScripts, SchemeHeaders, SchemeData:
		default:
			t.Fatalf("%s: scheme %q", f.Name, f.Scheme)
		}
		if f.Zip.Mode()&fs.ModeType != 0 {
			t.Fatalf("%s: non-regular file accepted", f.Name)
		}
		if f.IsRecord {
			records++
		}
		checkContent(t, f)
	}
	if records != 1 {
		t.Fatalf("%d files marked IsRecord", records)
	}
}

// seedWheels returns valid and broken wheels for fuzzing seeds.
func seedWheels(t testing.TB) [][]byte {
	valid := newTestWheel("demo", "1.0", "py3-none-any")
	data := newTestWheel("demo", "1.0", "py3-none-any")
	data.set("demo-1.0.data/purelib/p/__init__.py", "")
	data.set("demo-1.0.data/scripts/tool", "#!python\n")
	data.set("demo-1.0.dist-info/entry_points.txt", "[console_scripts]\ndemo = pkg.mod:main\n")
	broken := newTestWheel("demo", "1.0", "py3-none-any")
	broken.setEnt(ent{name: "pkg/link", body: "x", mode: fs.ModeSymlink | 0o777})
	broken.set("../x", "")
	broken.changeAfterRecord("pkg/mod.py", "changed")
	return [][]byte{valid.bytes(t), data.bytes(t), broken.bytes(t), nil, []byte("PK\x05\x06")}
}

func FuzzOpen(f *testing.F) {
	for _, b := range seedWheels(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := OpenReader(bytes.NewReader(b), int64(len(b)), "demo-1.0-py3-none-any.whl")
		checkOpenResult(t, w, err)
	})
}

// FuzzOpenContents drives the metadata parsers through OpenReader: the
// fuzzer writes WHEEL, METADATA, RECORD and entry_points.txt of a wheel
// whose zip structure is valid.
func FuzzOpenContents(f *testing.F) {
	tw := newTestWheel("demo", "1.0", "py3-none-any")
	const di = "demo-1.0.dist-info/"
	body := func(name string) string {
		for _, e := range tw.ents {
			if e.name == name {
				return e.body
			}
		}
		return ""
	}
	f.Add(body(di+"WHEEL"), body(di+"METADATA"), tw.recordText(), "[console_scripts]\nx = pkg.mod:main\n", "demo-1.0.data/scripts/x")
	f.Add("Wheel-Version: 1.0\n", "Name: demo\n", "\"", "[", "pkg/mod.py/x")
	f.Fuzz(func(t *testing.T, wheelText, metadata, record, entryPoints, extraName string) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, e := range []struct{ name, body string }{
			{"pkg/__init__.py", ""},
			{"pkg/mod.py", "def main():\n    return 0\n"},
			{extraName, "extra"},
			{di + "WHEEL", wheelText},
			{di + "METADATA", metadata},
			{di + "entry_points.txt", entryPoints},
			{di + "RECORD", record},
		} {
			fw, err := zw.Create(e.name)
			if err != nil {
				t.Fatal(err)
			}
			fw.Write([]byte(e.body))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		w, err := OpenReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "demo-1.0-py3-none-any.whl")
		checkOpenResult(t, w, err)
	})
}
