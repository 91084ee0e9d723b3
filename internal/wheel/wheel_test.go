package wheel

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/tags"
)

// openBad opens a wheel that must be invalid and returns its problems.
func openBad(t *testing.T, path string) *Error {
	t.Helper()
	w, err := Open(path)
	if err == nil {
		w.Close()
		t.Fatalf("Open(%s) succeeded, want problems", path)
	}
	var we *Error
	if !errors.As(err, &we) {
		t.Fatalf("Open(%s) error %T %v, want *Error", path, err, err)
	}
	if len(we.Problems) == 0 {
		t.Fatalf("Open(%s) returned an *Error without problems", path)
	}
	for _, p := range we.Problems {
		if p.Wheel != path || p.Kind == nil {
			t.Errorf("problem %+v: want Wheel %q and a Kind", p, path)
		}
		if !strings.HasPrefix(p.Error(), path+": ") {
			t.Errorf("problem %q does not start with the wheel path", p.Error())
		}
	}
	return we
}

// openGood opens a wheel that must be valid.
func openGood(t *testing.T, path string) *Wheel {
	t.Helper()
	w, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func file(t *testing.T, w *Wheel, name string) File {
	t.Helper()
	for _, f := range w.Files {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no file %s in %v", name, fileNames(w))
	return File{}
}

func fileNames(w *Wheel) []string {
	var names []string
	for _, f := range w.Files {
		names = append(names, f.Name)
	}
	return names
}

func TestOpenValid(t *testing.T) {
	tw := newTestWheel("demo-pkg", "1.0", "py2.py3-none-any")
	tw.set(tw.distInfo+"/METADATA", "Metadata-Version: 2.1\n"+
		"Name: demo-pkg\n"+
		"Version: 1.0\n"+
		"Summary: a summary\n"+
		"  continued on a second line\n"+
		"Requires-Python: >=3.8\n"+
		"Requires-Dist: requests (>=2.0)\n"+
		"Requires-Dist: tomli; python_version < \"3.11\"\n"+
		"Requires-Dist: pytest\n"+
		"\t; extra == \"test\"\n"+
		"Provides-Extra: test\n"+
		"Provides-Extra: docs\n"+
		"\n"+
		"Name: not-a-field, this is the description\n"+
		"Requires-Dist: ignored\n")
	tw.setEnt(ent{name: "pkg/", body: ""})
	tw.setEnt(ent{name: "pkg/tool.sh", body: "#!/bin/sh\n", mode: 0o755})
	p := tw.write(t)
	w := openGood(t, p)

	if w.Path != p || w.Name.Project != "demo_pkg" || w.Name.Version != "1.0" || w.DistInfo != "demo_pkg-1.0.dist-info" || w.DataDir != "demo_pkg-1.0.data" {
		t.Errorf("wheel = %+v", w)
	}
	want := Metadata{
		MetadataVersion: "2.1",
		Name:            "demo-pkg",
		Version:         "1.0",
		RequiresPython:  ">=3.8",
		RequiresDist:    []string{"requests (>=2.0)", `tomli; python_version < "3.11"`, `pytest ; extra == "test"`},
		ProvidesExtra:   []string{"test", "docs"},
	}
	if !reflect.DeepEqual(w.Metadata, want) {
		t.Errorf("Metadata =\n%#v\nwant\n%#v", w.Metadata, want)
	}
	if w.WheelVersion != "1.0" || w.Generator != "test" || !w.RootIsPurelib || w.Build != "" {
		t.Errorf("WHEEL fields: %q %q %v %q", w.WheelVersion, w.Generator, w.RootIsPurelib, w.Build)
	}
	wantTags := []tags.Tag{{Interpreter: "py2", ABI: "none", Platform: "any"}, {Interpreter: "py3", ABI: "none", Platform: "any"}}
	if !reflect.DeepEqual(w.Tags, wantTags) || !reflect.DeepEqual(w.Name.Tags, wantTags) {
		t.Errorf("Tags = %v, Name.Tags = %v, want %v", w.Tags, w.Name.Tags, wantTags)
	}
	wantNames := []string{"demo_pkg-1.0.dist-info/METADATA", "demo_pkg-1.0.dist-info/RECORD", "demo_pkg-1.0.dist-info/WHEEL", "pkg/__init__.py", "pkg/mod.py", "pkg/tool.sh"}
	if got := fileNames(w); !reflect.DeepEqual(got, wantNames) {
		t.Errorf("files = %v, want %v (sorted, directories skipped)", got, wantNames)
	}
	for _, f := range w.Files {
		if f.Scheme != SchemeSitePackages || f.Path != f.Name {
			t.Errorf("%s: scheme %q path %q, want site-packages and the entry name", f.Name, f.Scheme, f.Path)
		}
		if f.IsRecord != (f.Name == "demo_pkg-1.0.dist-info/RECORD") || f.IsRecordSignature {
			t.Errorf("%s: IsRecord %v IsRecordSignature %v", f.Name, f.IsRecord, f.IsRecordSignature)
		}
		if f.Executable != (f.Name == "pkg/tool.sh") {
			t.Errorf("%s: Executable = %v", f.Name, f.Executable)
		}
		if f.Method != zip.Deflate || f.Zip == nil || f.Zip.Name != f.Name {
			t.Errorf("%s: Method %d Zip %v", f.Name, f.Method, f.Zip)
		}
		checkContent(t, f)
	}
	if len(w.EntryPoints) != 0 || len(w.ConsoleScripts()) != 0 {
		t.Errorf("EntryPoints = %v, want none", w.EntryPoints)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// checkContent reads f again and compares it with its recorded size and hash.
func checkContent(t *testing.T, f File) {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != f.Size || got != f.SHA256 {
		t.Errorf("%s: content has %d bytes sha256 %s; File says %d, %s", f.Name, n, got, f.Size, f.SHA256)
	}
}

func TestOpenRawCopies(t *testing.T) {
	tw := newTestWheel("demo", "1.0", "py3-none-any")
	tw.set("pkg/big.py", strings.Repeat("x = 1\n", 100000))
	w := openGood(t, tw.write(t))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range w.Files {
		r, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		h := f.Zip.FileHeader
		if h.Method != f.Method {
			t.Errorf("%s: Method %d, header %d", f.Name, f.Method, h.Method)
		}
		fw, err := zw.CreateRaw(&h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(fw, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	// The copy is the same wheel: it validates, with the same hashes.
	w2, err := OpenReader(bytes.NewReader(out.Bytes()), int64(out.Len()), tw.filename)
	if err != nil {
		t.Fatalf("raw copy does not validate: %v", err)
	}
	if len(w2.Files) != len(w.Files) {
		t.Fatalf("copy has %d files, want %d", len(w2.Files), len(w.Files))
	}
	for i := range w.Files {
		if w.Files[i].SHA256 != w2.Files[i].SHA256 || w.Files[i].Size != w2.Files[i].Size {
			t.Errorf("%s differs after a raw copy", w.Files[i].Name)
		}
	}
	if big := file(t, w, "pkg/big.py"); big.Zip.CompressedSize64 >= uint64(big.Size) {
		t.Errorf("big.py is not compressed (%d of %d bytes): the raw copy test proves nothing", big.Zip.CompressedSize64, big.Size)
	}
}

func TestOpenDataSchemes(t *testing.T) {
	tw := newTestWheel("demo", "2.0", "cp311-cp311-manylinux_2_17_x86_64")
	dd := "demo-2.0.data/"
	tw.set(dd+"purelib/pure/__init__.py", "pure")
	tw.set(dd+"platlib/plat/_ext.so", "\x7fELF")
	tw.setEnt(ent{name: dd + "scripts/demo-tool", body: "#!python\nprint(1)\n"}) // mode 0644: scripts are executable anyway
	tw.set(dd+"headers/demo.h", "int x;")
	tw.set(dd+"data/share/man/man1/demo.1", ".TH demo")
	tw.setEnt(ent{name: dd + "data/", body: ""})
	tw.setEnt(ent{name: dd + "scripts/", body: ""})
	w := openGood(t, tw.write(t))
	if w.RootIsPurelib {
		t.Errorf("RootIsPurelib = true for a platform wheel")
	}
	want := map[string]struct {
		scheme string
		path   string
		exec   bool
	}{
		"pkg/__init__.py":                 {SchemeSitePackages, "pkg/__init__.py", false},
		"pkg/mod.py":                      {SchemeSitePackages, "pkg/mod.py", false},
		dd + "purelib/pure/__init__.py":   {SchemeSitePackages, "pure/__init__.py", false},
		dd + "platlib/plat/_ext.so":       {SchemeSitePackages, "plat/_ext.so", false},
		dd + "scripts/demo-tool":          {SchemeScripts, "demo-tool", true},
		dd + "headers/demo.h":             {SchemeHeaders, "demo.h", false},
		dd + "data/share/man/man1/demo.1": {SchemeData, "share/man/man1/demo.1", false},
		"demo-2.0.dist-info/WHEEL":        {SchemeSitePackages, "demo-2.0.dist-info/WHEEL", false},
		"demo-2.0.dist-info/METADATA":     {SchemeSitePackages, "demo-2.0.dist-info/METADATA", false},
		"demo-2.0.dist-info/RECORD":       {SchemeSitePackages, "demo-2.0.dist-info/RECORD", false},
	}
	if len(w.Files) != len(want) {
		t.Errorf("files = %v, want %d", fileNames(w), len(want))
	}
	for name, wf := range want {
		f := file(t, w, name)
		if f.Scheme != wf.scheme || f.Path != wf.path || f.Executable != wf.exec {
			t.Errorf("%s: (%s, %s, exec %v), want (%s, %s, exec %v)", name, f.Scheme, f.Path, f.Executable, wf.scheme, wf.path, wf.exec)
		}
		checkContent(t, f)
	}
}

func TestOpenEntryPoints(t *testing.T) {
	tw := newTestWheel("demo", "1.0", "py3-none-any")
	tw.set(tw.distInfo+"/entry_points.txt", "# comment\n"+
		"[console_scripts]\n"+
		"demo = pkg.mod:main\n"+
		"Demo-Admin=pkg.admin : run.cli [ admin , extra2 ]\n"+
		"\n"+
		"[gui_scripts]\n"+
		"demo-gui = pkg.gui:main\r\n"+
		"; another comment\n"+
		"[demo.plugins]\n"+
		"weird = not a reference, but fine outside script groups\n"+
		"mod = pkg.plugin\n")
	w := openGood(t, tw.write(t))
	want := map[string]EntryPoint{
		"demo":       {Group: "console_scripts", Name: "demo", Value: "pkg.mod:main", Module: "pkg.mod", Attr: "main"},
		"Demo-Admin": {Group: "console_scripts", Name: "Demo-Admin", Value: "pkg.admin : run.cli [ admin , extra2 ]", Module: "pkg.admin", Attr: "run.cli", Extras: []string{"admin", "extra2"}},
	}
	if got := w.EntryPoints["console_scripts"]; !reflect.DeepEqual(got, want) {
		t.Errorf("console_scripts =\n%#v\nwant\n%#v", got, want)
	}
	if got := want["Demo-Admin"].String(); got != "pkg.admin:run.cli [admin,extra2]" {
		t.Errorf("String() = %q", got)
	}
	if got, want := w.ConsoleScripts(), map[string]string{"demo": "pkg.mod:main", "Demo-Admin": "pkg.admin:run.cli"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ConsoleScripts() = %q, want %q", got, want)
	}
	if got, want := w.GUIScripts(), map[string]string{"demo-gui": "pkg.gui:main"}; !reflect.DeepEqual(got, want) {
		t.Errorf("GUIScripts() = %q, want %q", got, want)
	}
	plugins := w.EntryPoints["demo.plugins"]
	if plugins["weird"].Module != "" || plugins["weird"].Value != "not a reference, but fine outside script groups" {
		t.Errorf("weird plugin = %+v", plugins["weird"])
	}
	if plugins["mod"].Module != "pkg.plugin" || plugins["mod"].Attr != "" || plugins["mod"].String() != "pkg.plugin" || plugins["mod"].Target() != "pkg.plugin" {
		t.Errorf("mod plugin = %+v", plugins["mod"])
	}
	// ConsoleScripts returns a copy.
	delete(w.ConsoleScripts(), "demo")
	if _, ok := w.ConsoleScripts()["demo"]; !ok {
		t.Errorf("ConsoleScripts() exposes the wheel's own map")
	}
}

func TestOpenLenientButValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*testWheel)
	}{
		{"later minor Wheel-Version", func(w *testWheel) {
			w.editEnt(w.distInfo+"/WHEEL", func(s string) string { return strings.Replace(s, "Wheel-Version: 1.0", "Wheel-Version: 1.9", 1) })
		}},
		{"CRLF line endings", func(w *testWheel) {
			w.editEnt(w.distInfo+"/WHEEL", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") })
			w.editEnt(w.distInfo+"/METADATA", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") })
		}},
		{"lowercase header keys", func(w *testWheel) {
			w.editEnt(w.distInfo+"/METADATA", func(s string) string { return strings.Replace(s, "Name:", "name:", 1) })
		}},
		{"RECORD.jws not in RECORD", func(w *testWheel) {
			w.setEnt(ent{name: w.distInfo + "/RECORD.jws", body: "{}", noRecord: true})
		}},
		{"RECORD.p7s without a hash", func(w *testWheel) {
			w.setEnt(ent{name: w.distInfo + "/RECORD.p7s", body: "sig", noRecord: true})
			w.recordEdit = func(s string) string { return s + w.distInfo + "/RECORD.p7s,,\n" }
		}},
		{"RECORD lists directories", func(w *testWheel) {
			w.setEnt(ent{name: "pkg/", body: ""})
			w.recordEdit = func(s string) string { return s + "pkg/,,\n" }
		}},
		{"quoted RECORD fields and padded base64", func(w *testWheel) {
			w.recordEdit = func(s string) string {
				s = strings.Replace(s, "pkg/mod.py,", `"pkg/mod.py",`, 1)
				sum := sha256.Sum256([]byte(""))
				return strings.Replace(s, base64.RawURLEncoding.EncodeToString(sum[:]), base64.URLEncoding.EncodeToString(sum[:]), 1)
			}
		}},
		{"sha512 in RECORD", func(w *testWheel) {
			sum := sha512.Sum512([]byte("def main():\n    return 0\n"))
			w.recordEdit = func(s string) string {
				lines := strings.Split(s, "\n")
				for i, l := range lines {
					if strings.HasPrefix(l, "pkg/mod.py,") {
						lines[i] = fmt.Sprintf("pkg/mod.py,sha512=%s,%d", base64.RawURLEncoding.EncodeToString(sum[:]), 25)
					}
				}
				return strings.Join(lines, "\n")
			}
		}},
		{"name and version equal after normalization", func(w *testWheel) {
			w.editEnt(w.distInfo+"/METADATA", func(s string) string {
				return strings.NewReplacer("Name: demo", "Name: DEMO", "Version: 1.0", "Version: 1.0.0").Replace(s)
			})
		}},
		{"compressed Tag line", func(w *testWheel) {
			w.editEnt(w.distInfo+"/WHEEL", func(s string) string { return strings.Replace(s, "Tag: py3-none-any", "Tag: py3.py3-none-any", 1) })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newTestWheel("demo", "1.0", "py3-none-any")
			tc.edit(w)
			openGood(t, w.write(t))
		})
	}
}

func TestOpenProblems(t *testing.T) {
	const di = "demo-1.0.dist-info"
	replace := func(name, old, new string) func(*testWheel) {
		return func(w *testWheel) {
			w.editEnt(name, func(s string) string {
				if !strings.Contains(s, old) {
					panic(fmt.Sprintf("%s does not contain %q", name, old))
				}
				return strings.Replace(s, old, new, 1)
			})
		}
	}
	record := func(old, new string) func(*testWheel) {
		return func(w *testWheel) {
			w.recordEdit = func(s string) string {
				if !strings.Contains(s, old) {
					panic(fmt.Sprintf("RECORD does not contain %q", old))
				}
				return strings.Replace(s, old, new, 1)
			}
		}
	}
	// row replaces the RECORD row of path with newRow.
	row := func(path, newRow string) func(*testWheel) {
		return func(w *testWheel) {
			w.recordEdit = func(s string) string {
				lines := strings.Split(s, "\n")
				for i, l := range lines {
					if strings.HasPrefix(l, path+",") {
						lines[i] = newRow
						return strings.Join(lines, "\n")
					}
				}
				panic("RECORD has no row for " + path)
			}
		}
	}
	otherHash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
	}
	for _, tc := range []struct {
		name   string
		edit   func(*testWheel)
		kind   error  // a problem of this kind must be reported ...
		entry  string // ... about this entry ("" for the wheel as a whole)
		detail string // ... with this text in its detail
	}{
		// File name.
		{"bad file name", func(w *testWheel) { w.filename = "demo-1.0-py3-none.whl" }, ErrFilename, "", "5 or 6"},
		{"build tag not a digit", func(w *testWheel) { w.filename = "demo-1.0-b1-py3-none-any.whl" }, ErrFilename, "", "build tag"},

		// WHEEL.
		{"no WHEEL", func(w *testWheel) { w.del(di + "/WHEEL") }, ErrWheelFile, di + "/WHEEL", "missing"},
		{"Wheel-Version 2.0", replace(di+"/WHEEL", "Wheel-Version: 1.0", "Wheel-Version: 2.0"), ErrWheelFile, di + "/WHEEL", "not supported"},
		{"Wheel-Version garbage", replace(di+"/WHEEL", "Wheel-Version: 1.0", "Wheel-Version: one"), ErrWheelFile, di + "/WHEEL", "major.minor"},
		{"no Wheel-Version", replace(di+"/WHEEL", "Wheel-Version: 1.0\n", ""), ErrWheelFile, di + "/WHEEL", "no Wheel-Version"},
		{"Root-Is-Purelib maybe", replace(di+"/WHEEL", "Root-Is-Purelib: true", "Root-Is-Purelib: maybe"), ErrWheelFile, di + "/WHEEL", "Root-Is-Purelib"},
		{"no Root-Is-Purelib", replace(di+"/WHEEL", "Root-Is-Purelib: true\n", ""), ErrWheelFile, di + "/WHEEL", "no Root-Is-Purelib"},
		{"no Tag", replace(di+"/WHEEL", "Tag: py3-none-any\n", ""), ErrWheelFile, di + "/WHEEL", "no Tag"},
		{"bad Tag", replace(di+"/WHEEL", "Tag: py3-none-any", "Tag: py3-none"), ErrWheelFile, di + "/WHEEL", "invalid tag"},
		{"bad Build", replace(di+"/WHEEL", "Generator", "Build: x1\nGenerator"), ErrWheelFile, di + "/WHEEL", "Build"},
		{"WHEEL line without colon", replace(di+"/WHEEL", "Generator: test", "Generator test"), ErrWheelFile, di + "/WHEEL", "line 2"},
		{"WHEEL continuation first", replace(di+"/WHEEL", "Wheel-Version", " x\nWheel-Version"), ErrWheelFile, di + "/WHEEL", "continues no field"},
		{"two Wheel-Version", replace(di+"/WHEEL", "Generator", "Wheel-Version: 1.0\nGenerator"), ErrWheelFile, di + "/WHEEL", "2 Wheel-Version fields"},

		// METADATA.
		{"no METADATA", func(w *testWheel) { w.del(di + "/METADATA") }, ErrMetadata, di + "/METADATA", "missing"},
		{"no Name", replace(di+"/METADATA", "Name: demo\n", ""), ErrMetadata, di + "/METADATA", "no Name"},
		{"no Version", replace(di+"/METADATA", "Version: 1.0\n", ""), ErrMetadata, di + "/METADATA", "no Version"},
		{"no Metadata-Version", replace(di+"/METADATA", "Metadata-Version: 2.1\n", ""), ErrMetadata, di + "/METADATA", "no Metadata-Version"},
		{"Metadata-Version 3.0", replace(di+"/METADATA", "Metadata-Version: 2.1", "Metadata-Version: 3.0"), ErrMetadata, di + "/METADATA", "not supported"},
		{"bad Version", replace(di+"/METADATA", "Version: 1.0", "Version: one"), ErrMetadata, di + "/METADATA", "PEP 440"},
		{"bad Name", replace(di+"/METADATA", "Name: demo", "Name: -demo"), ErrMetadata, di + "/METADATA", "valid project name"},
		{"two Names", replace(di+"/METADATA", "Name: demo", "Name: demo\nName: demo"), ErrMetadata, di + "/METADATA", "2 Name fields"},
		{"METADATA not UTF-8", replace(di+"/METADATA", "Name: demo", "Name: d\xffmo"), ErrMetadata, di + "/METADATA", "UTF-8"},

		// Name and version against the file name.
		{"METADATA Name differs", replace(di+"/METADATA", "Name: demo", "Name: other"), ErrNameMismatch, di + "/METADATA", "Name other"},
		{"METADATA Version differs", replace(di+"/METADATA", "Version: 1.0", "Version: 1.1"), ErrNameMismatch, di + "/METADATA", "Version 1.1"},

		// WHEEL against the file name.
		{"Tag differs", replace(di+"/WHEEL", "Tag: py3-none-any", "Tag: py2-none-any"), ErrTagMismatch, di + "/WHEEL", "py3-none-any"},
		{"extra Tag", replace(di+"/WHEEL", "Tag: py3-none-any", "Tag: py3-none-any\nTag: py2-none-any"), ErrTagMismatch, di + "/WHEEL", "py2-none-any"},
		{"Build not in file name", replace(di+"/WHEEL", "Generator", "Build: 1\nGenerator"), ErrTagMismatch, di + "/WHEEL", "Build"},
		{"build tag not in WHEEL", func(w *testWheel) { w.filename = "demo-1.0-1-py3-none-any.whl" }, ErrTagMismatch, di + "/WHEEL", "build tag"},

		// RECORD.
		{"no RECORD", func(w *testWheel) { w.noRecord = true }, ErrRecord, di + "/RECORD", "missing"},
		{"RECORD row with 4 fields", record("pkg/mod.py,", "pkg/mod.py,x,"), ErrRecord, di + "/RECORD", "4 fields"},
		{"RECORD md5", record("pkg/mod.py,sha256=", "pkg/mod.py,md5="), ErrRecord, di + "/RECORD", "pkg/mod.py"},
		{"RECORD bad base64", record("pkg/mod.py,sha256=", "pkg/mod.py,sha256=!!"), ErrRecord, di + "/RECORD", "urlsafe base64"},
		{"RECORD no hash", row("pkg/mod.py", "pkg/mod.py,,25"), ErrRecord, di + "/RECORD", "no hash"},
		{"RECORD no hash or size", row("pkg/mod.py", "pkg/mod.py,,"), ErrRecord, di + "/RECORD", "no hash"},
		{"RECORD bad size", row("pkg/mod.py", "pkg/mod.py,"+otherHash("def main():\n    return 0\n")+",-25"), ErrRecord, di + "/RECORD", "size"},
		{"RECORD hash on a directory", row("pkg/mod.py", "pkg/,"+otherHash("")+",0\npkg/mod.py,"+otherHash("def main():\n    return 0\n")+",25"), ErrRecord, di + "/RECORD", "directory"},
		{"RECORD duplicate row", record("pkg/mod.py,", "pkg/__init__.py,,\npkg/mod.py,"), ErrRecord, di + "/RECORD", "again"},
		{"RECORD unsafe path", record("pkg/mod.py,", "../evil.py,,\npkg/mod.py,"), ErrRecord, di + "/RECORD", "unsafe"},
		{"RECORD not UTF-8", record("pkg/mod.py,", "pkg/\xff.py,,\npkg/mod.py,"), ErrRecord, di + "/RECORD", "UTF-8"},
		{"RECORD broken quotes", record("pkg/mod.py,", "\"pkg/mod.py"), ErrRecord, di + "/RECORD", "line"},

		// Entries against RECORD.
		{"hash mismatch", func(w *testWheel) { w.changeAfterRecord("pkg/mod.py", "def main():\n    return 1\n") }, ErrHash, "pkg/mod.py", "RECORD has sha256="},
		{"size mismatch", row("pkg/mod.py", "pkg/mod.py,"+otherHash("def main():\n    return 0\n")+",26"), ErrSize, "pkg/mod.py", "26"},
		{"entry not in RECORD", func(w *testWheel) { w.setEnt(ent{name: "pkg/extra.py", body: "x", noRecord: true}) }, ErrNotInRecord, "pkg/extra.py", ""},
		{"RECORD row without entry", record("pkg/mod.py,", "pkg/gone.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\npkg/mod.py,"), ErrMissingEntry, "pkg/gone.py", ""},
		{"METADATA hash mismatch", row(di+"/METADATA", di+"/METADATA,"+otherHash("other")+",55"), ErrHash, di + "/METADATA", "RECORD has sha256="},
		{"METADATA size mismatch", row(di+"/METADATA", di+"/METADATA,"+otherHash("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\nA test.\n")+",54"), ErrSize, di + "/METADATA", "54"},

		// .dist-info directory.
		{"no .dist-info", func(w *testWheel) {
			w.ents = slices.DeleteFunc(w.ents, func(e ent) bool { return strings.HasPrefix(e.name, di) })
			w.noRecord = true
		}, ErrDistInfo, "", "no .dist-info"},
		{"two .dist-info", func(w *testWheel) { w.set("other-1.0.dist-info/METADATA", "x") }, ErrDistInfo, "", "2 .dist-info"},
		{".dist-info for another name", func(w *testWheel) { w.filename = "other-1.0-py3-none-any.whl" }, ErrDistInfo, di + "/", "name demo"},
		{".dist-info for another version", func(w *testWheel) { w.filename = "demo-1.1-py3-none-any.whl" }, ErrDistInfo, di + "/", "version 1.0"},
		{".dist-info without version", func(w *testWheel) {
			var ents []ent
			for _, e := range w.ents {
				e.name = strings.Replace(e.name, di, "demo.dist-info", 1)
				ents = append(ents, e)
			}
			w.ents, w.distInfo = ents, "demo.dist-info"
		}, ErrDistInfo, "demo.dist-info/", "{name}-{version}"},

		// Entry names and types.
		{"parent escape", func(w *testWheel) { w.set("../evil.py", "x") }, ErrEntryName, "../evil.py", "unsafe"},
		{"absolute", func(w *testWheel) { w.set("/etc/evil", "x") }, ErrEntryName, "/etc/evil", "absolute"},
		{"backslash", func(w *testWheel) { w.set(`pkg\evil.py`, "x") }, ErrEntryName, `pkg\evil.py`, "backslash"},
		{"empty component", func(w *testWheel) { w.set("pkg//evil.py", "x") }, ErrEntryName, "pkg//evil.py", "empty"},
		{"not UTF-8", func(w *testWheel) { w.set("pkg/\xff.py", "x") }, ErrEntryName, "pkg/\xff.py", "UTF-8"},
		{"duplicate entry", func(w *testWheel) { w.ents = append(w.ents, ent{name: "pkg/mod.py", body: "other"}) }, ErrDuplicateEntry, "pkg/mod.py", ""},
		{"symlink", func(w *testWheel) {
			w.setEnt(ent{name: "pkg/link.py", body: "mod.py", mode: fs.ModeSymlink | 0o777})
		}, ErrSymlink, "pkg/link.py", "symlink"},
		{"named pipe", func(w *testWheel) {
			w.setEnt(ent{name: "pkg/fifo", body: "", mode: fs.ModeNamedPipe | 0o644})
		}, ErrSymlink, "pkg/fifo", "special"},

		// Archive.
		{"corrupt content", func(w *testWheel) {
			w.setEnt(ent{name: "pkg/data.txt", body: "hello", raw: true, hdr: func(h *zip.FileHeader) { h.CRC32++ }})
		}, ErrArchive, "pkg/data.txt", "checksum"},
		{"unknown compression method", func(w *testWheel) {
			w.setEnt(ent{name: "pkg/data.txt", body: "hello", raw: true, hdr: func(h *zip.FileHeader) { h.Method = 99 }})
		}, ErrArchive, "pkg/data.txt", "algorithm"},
		{"encrypted", func(w *testWheel) {
			w.setEnt(ent{name: "pkg/data.txt", body: "hello", raw: true, hdr: func(h *zip.FileHeader) { h.Flags |= 1 }})
		}, ErrArchive, "pkg/data.txt", "encrypted"},
		{"corrupt WHEEL", func(w *testWheel) {
			w.setEnt(ent{name: di + "/WHEEL", body: "Wheel-Version: 1.0\n", raw: true, hdr: func(h *zip.FileHeader) { h.CRC32++ }})
		}, ErrWheelFile, di + "/WHEEL", "checksum"},

		// .data directory.
		{"unknown .data scheme", func(w *testWheel) { w.set("demo-1.0.data/lib/x.py", "x") }, ErrDataDir, "demo-1.0.data/lib/x.py", "unknown scheme"},
		{"file directly in .data", func(w *testWheel) { w.set("demo-1.0.data/x.py", "x") }, ErrDataDir, "demo-1.0.data/x.py", "directly"},
		{".data of another distribution", func(w *testWheel) { w.set("other-1.0.data/purelib/x.py", "x") }, ErrDataDir, "other-1.0.data/", "does not match"},
		{"purelib and platlib collide", func(w *testWheel) {
			w.set("demo-1.0.data/purelib/pkg2/x.py", "a")
			w.set("demo-1.0.data/platlib/pkg2/x.py", "b")
		}, ErrConflict, "demo-1.0.data/platlib/pkg2/x.py", "demo-1.0.data/purelib/pkg2/x.py"},
		{"purelib collides with root", func(w *testWheel) { w.set("demo-1.0.data/purelib/pkg/mod.py", "a") }, ErrConflict, "demo-1.0.data/purelib/pkg/mod.py", "as pkg/mod.py does"},
		{"file and directory", func(w *testWheel) { w.set("demo-1.0.data/platlib/pkg/mod.py/x", "a") }, ErrConflict, "demo-1.0.data/platlib/pkg/mod.py/x", "as a file"},
		{"file and directory entry", func(w *testWheel) { w.setEnt(ent{name: "pkg/mod.py/", body: ""}) }, ErrConflict, "pkg/mod.py/", "installs a file"},

		// entry_points.txt.
		{"entry point without =", func(w *testWheel) { w.set(di+"/entry_points.txt", "[console_scripts]\ndemo pkg.mod:main\n") }, ErrEntryPoints, di + "/entry_points.txt", "line 2"},
		{"entry point outside a group", func(w *testWheel) { w.set(di+"/entry_points.txt", "demo = pkg.mod:main\n") }, ErrEntryPoints, di + "/entry_points.txt", "outside"},
		{"console script with a slash", func(w *testWheel) { w.set(di+"/entry_points.txt", "[console_scripts]\n../demo = pkg.mod:main\n") }, ErrEntryPoints, di + "/entry_points.txt", "command file name"},
		{"console script bad reference", func(w *testWheel) { w.set(di+"/entry_points.txt", "[console_scripts]\ndemo = pkg.mod:1main\n") }, ErrEntryPoints, di + "/entry_points.txt", "module:attr"},
		{"duplicate entry point", func(w *testWheel) {
			w.set(di+"/entry_points.txt", "[console_scripts]\ndemo = pkg.mod:main\ndemo = pkg.mod:other\n")
		}, ErrEntryPoints, di + "/entry_points.txt", "repeated"},
		{"duplicate group", func(w *testWheel) {
			w.set(di+"/entry_points.txt", "[console_scripts]\na = m:f\n[console_scripts]\nb = m:g\n")
		}, ErrEntryPoints, di + "/entry_points.txt", "repeated"},
		{"malformed section", func(w *testWheel) { w.set(di+"/entry_points.txt", "[console_scripts\na = m:f\n") }, ErrEntryPoints, di + "/entry_points.txt", "section"},
		{"continuation line", func(w *testWheel) { w.set(di+"/entry_points.txt", "[console_scripts]\na = m:f\n  more\n") }, ErrEntryPoints, di + "/entry_points.txt", "continuation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newTestWheel("demo", "1.0", "py3-none-any")
			tc.edit(w)
			p := w.write(t)
			we := openBad(t, p)
			if !errors.Is(we, tc.kind) {
				t.Fatalf("problems do not include %q:\n%v", tc.kind, we)
			}
			for _, pr := range we.Problems {
				if pr.Kind == tc.kind && pr.Entry == tc.entry && strings.Contains(pr.Detail, tc.detail) {
					return
				}
			}
			t.Errorf("no %q problem about entry %q with %q in its detail:\n%v", tc.kind, tc.entry, tc.detail, we)
		})
	}
}

// TestOpenReportsEveryProblem checks that one broken wheel yields all its
// problems at once, one line each.
func TestOpenReportsEveryProblem(t *testing.T) {
	w := newTestWheel("demo", "1.0", "py3-none-any")
	w.changeAfterRecord("pkg/mod.py", "changed")
	w.setEnt(ent{name: "pkg/link", body: "mod.py", mode: fs.ModeSymlink | 0o777})
	w.set("demo-1.0.data/nope/x", "x")
	w.del(w.distInfo + "/WHEEL")
	p := w.write(t)
	we := openBad(t, p)
	for _, kind := range []error{ErrHash, ErrSize, ErrSymlink, ErrDataDir, ErrWheelFile} {
		if !errors.Is(we, kind) {
			t.Errorf("no %q problem in:\n%v", kind, we)
		}
	}
	lines := strings.Split(we.Error(), "\n")
	if len(lines) != len(we.Problems) {
		t.Errorf("Error() has %d lines for %d problems:\n%v", len(lines), len(we.Problems), we)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, p+": ") {
			t.Errorf("line %q does not name the wheel", l)
		}
	}
}

func TestOpenCapsProblems(t *testing.T) {
	w := newTestWheel("demo", "1.0", "py3-none-any")
	for i := range maxProblems + 10 {
		w.setEnt(ent{name: fmt.Sprintf("pkg/m%03d.py", i), body: "x", noRecord: true})
	}
	we := openBad(t, w.write(t))
	if len(we.Problems) != maxProblems || we.Omitted != 10 {
		t.Fatalf("%d problems, %d omitted; want %d and 10", len(we.Problems), we.Omitted, maxProblems)
	}
	if !strings.HasSuffix(we.Error(), "and 10 more problems") {
		t.Errorf("Error() does not end with the omitted count: ...%s", we.Error()[len(we.Error())-80:])
	}
}

func TestOpenNotAWheel(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "demo-1.0-py3-none-any.whl")
	if err := os.WriteFile(notZip, []byte("not a zip file at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	we := openBad(t, notZip)
	if !errors.Is(we, ErrArchive) || len(we.Problems) != 1 {
		t.Errorf("got %v, want one ErrArchive problem", we)
	}

	if _, err := Open(filepath.Join(dir, "missing-1.0-py3-none-any.whl")); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want an fs.ErrNotExist error", err)
	}
	var we2 *Error
	if _, err := Open(dir); err == nil || errors.As(err, &we2) {
		t.Errorf("Open(directory) = %v, want a plain error", err)
	}
}

func TestOpenReaderTruncated(t *testing.T) {
	data := newTestWheel("demo", "1.0", "py3-none-any").bytes(t)
	for _, n := range []int{0, 1, 22, len(data) / 2, len(data) - 1} {
		_, err := OpenReader(bytes.NewReader(data[:n]), int64(n), "demo-1.0-py3-none-any.whl")
		if !errors.Is(err, ErrArchive) {
			t.Errorf("truncated to %d bytes: %v, want ErrArchive", n, err)
		}
	}
}
