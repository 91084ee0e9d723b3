package packer_test

// Shipped bytecode (docs/archive.md, Bytecode): precompile.py's bundles are
// byte-identical whatever the directory, the clock, the files' times or
// the hash seed of the caller; the packer ships them reproducibly, and
// refuses a bundle that does not belong to the archive with an error that
// names it and says what to do.

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var python311 = "/usr/bin/python3.11"

func precompileScript(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	p := filepath.Join(wd, "..", "..", "precompile", "precompile.py")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(python311); err != nil {
		t.Fatalf("%s is needed to compile bytecode: %v", python311, err)
	}
	return p
}

// precompile runs precompile.py in dir with env, returning its stderr.
func precompile(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(python311, append([]string{precompileScript(t)}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("precompile.py %v: %v\n%s", args, err, out)
	}
}

func wheelhouseWheel(t *testing.T, prefix string) string {
	t.Helper()
	wh := os.Getenv("RULES_PEX_WHEELHOUSE")
	if wh == "" {
		t.Skip("RULES_PEX_WHEELHOUSE is not set; `make test` sets it")
	}
	m, _ := filepath.Glob(filepath.Join(wh, prefix+"*.whl"))
	if len(m) != 1 {
		t.Fatalf("%d wheels %s* in %s", len(m), prefix, wh)
	}
	return m[0]
}

func copyFile(t *testing.T, src, dst string, mtime time.Time) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(dst), 0o755)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(dst, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

const bcSource = `"""A module whose bytecode holds sets and nested code."""
import os
KINDS = {"alpha", "beta", "gamma", "delta", "epsilon"}
def kind(x):
    return x in {"alpha", "beta", "zeta", "eta"}
class C:
    def m(self):
        return [k for k in KINDS if kind(k)]
`

// TestPrecompileReproducible compiles a real wheel (pyyaml: pure and
// native modules) and an application twice, from different directories
// with different file times, clocks (SOURCE_DATE_EPOCH) and hash seeds,
// and packs each: the bundles and the archives are byte-identical.
func TestPrecompileReproducible(t *testing.T) {
	whl := wheelhouseWheel(t, "pyyaml-")
	var bundles [2][2][]byte
	var archives [2][]byte
	for i, setup := range []struct {
		mtime time.Time
		env   []string
	}{
		{time.Unix(1_000_000_000, 0), []string{"SOURCE_DATE_EPOCH=1", "PYTHONHASHSEED=1"}},
		{time.Unix(1_700_000_000, 0), []string{"SOURCE_DATE_EPOCH=1700000000", "PYTHONHASHSEED=random", "TZ=Asia/Tokyo"}},
	} {
		dir := filepath.Join(t.TempDir(), strings.Repeat("d", i+1))
		copyFile(t, whl, filepath.Join(dir, "w", filepath.Base(whl)), setup.mtime)
		os.MkdirAll(filepath.Join(dir, "src", "app"), 0o755)
		os.WriteFile(filepath.Join(dir, "src", "app", "mod.py"), []byte(bcSource), 0o644)
		os.Chtimes(filepath.Join(dir, "src", "app", "mod.py"), setup.mtime, setup.mtime)
		os.WriteFile(filepath.Join(dir, "launcher"), []byte("#!/bin/sh\n"), 0o755)
		precompile(t, dir, setup.env, "--out", "w.bc", "--wheel", filepath.Join("w", filepath.Base(whl)))
		precompile(t, dir, setup.env, "--out", "code.bc", "--source", "app/mod.py="+filepath.Join(dir, "src", "app", "mod.py"))
		for j, name := range []string{"w.bc", "code.bc"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			bundles[i][j] = b
		}
		r := packer(t, dir, setup.env, "", "build", "-o", "app", "--launcher", "launcher",
			"--wheel", filepath.Join("w", filepath.Base(whl)), "--source", "app/mod.py=src/app/mod.py",
			"--bytecode", "w.bc", "--bytecode", "code.bc", "--entry-point", "app.mod")
		if r.code != 0 {
			t.Fatalf("packer: %s", r.stderr)
		}
		if r := packer(t, dir, nil, "", "verify", "app"); r.code != 0 {
			t.Fatalf("verify: %s", r.stderr)
		}
		archives[i], _ = os.ReadFile(filepath.Join(dir, "app"))
	}
	for j, what := range []string{"the wheel's bundle", "the code's bundle"} {
		if !bytes.Equal(bundles[0][j], bundles[1][j]) {
			t.Errorf("%s differs between the two builds (%d and %d bytes)", what, len(bundles[0][j]), len(bundles[1][j]))
		}
	}
	if !bytes.Equal(archives[0], archives[1]) {
		t.Errorf("the archives differ")
	}
	// What the bundle holds: unchecked-hash pycs, with tree-relative file
	// names, for the pure module and none for the extension.
	zr, err := zip.NewReader(bytes.NewReader(bundles[0][0]), int64(len(bundles[0][0])))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Method != zip.Store || !f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) && f.Modified.Year() != 1980 {
			t.Errorf("%s: method %d, time %v; want stored, 1980", f.Name, f.Method, f.Modified)
		}
	}
	want := "site-packages/yaml/__pycache__/__init__.cpython-311.pyc"
	if !strings.Contains(strings.Join(names, "\n"), want) {
		t.Errorf("bundle entries %v, want %s", names, want)
	}
	rc, _ := zr.File[0].Open()
	info, _ := io.ReadAll(rc)
	var bi struct {
		CacheTag string `json:"cache_tag"`
	}
	json.Unmarshal(info, &bi)
	if zr.File[0].Name != "BYTECODE-INFO" || bi.CacheTag != "cpython-311" {
		t.Errorf("first entry %s, cache tag %q", zr.File[0].Name, bi.CacheTag)
	}
}

// rewriteBundle copies the bundle at src to dst, changing each entry's
// name and content with edit (a nil content drops the entry).
func rewriteBundle(t *testing.T, src, dst string, edit func(name string, data []byte) (string, []byte)) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		name, data := edit(f.Name, data)
		if data == nil {
			continue
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		w.Write(data)
	}
	zw.Close()
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBytecodeBadInputs: a bundle that does not belong to the archive is
// refused, naming the bundle and what to do, and no archive is written.
func TestBytecodeBadInputs(t *testing.T) {
	six := wheelhouseWheel(t, "six-")
	idna := wheelhouseWheel(t, "idna-")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "launcher"), []byte("#!/bin/sh\n"), 0o755)
	os.MkdirAll(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "src", "mod.py"), []byte(bcSource), 0o644)
	os.WriteFile(filepath.Join(dir, "src", "other.py"), []byte("x = 2\n"), 0o644)
	precompile(t, dir, nil, "--out", "six.bc", "--wheel", six)
	precompile(t, dir, nil, "--out", "idna.bc", "--wheel", idna)
	precompile(t, dir, nil, "--out", "code.bc", "--source", "mod.py=src/other.py")
	rewriteBundle(t, filepath.Join(dir, "six.bc"), filepath.Join(dir, "badmagic.bc"), func(name string, data []byte) (string, []byte) {
		if strings.HasSuffix(name, ".pyc") {
			data = append([]byte{0x0d, 0x0d, '\r', '\n'}, data[4:]...) // 3.12's magic 3531
		}
		return name, data
	})
	rewriteBundle(t, filepath.Join(dir, "six.bc"), filepath.Join(dir, "badtag.bc"), func(name string, data []byte) (string, []byte) {
		if name == "BYTECODE-INFO" {
			data = bytes.ReplaceAll(data, []byte(`"site-packages/__pycache__/six.cpython-311.pyc"`), []byte(`"site-packages/__pycache__/six.cpython-312.pyc"`))
		}
		return strings.Replace(name, "cpython-311", "cpython-312", 1), data
	})
	rewriteBundle(t, filepath.Join(dir, "six.bc"), filepath.Join(dir, "info312.bc"), func(name string, data []byte) (string, []byte) {
		return name, bytes.ReplaceAll(data, []byte(`"cache_tag": "cpython-311"`), []byte(`"cache_tag": "cpython-312"`))
	})
	rewriteBundle(t, filepath.Join(dir, "six.bc"), filepath.Join(dir, "checked.bc"), func(name string, data []byte) (string, []byte) {
		if strings.HasSuffix(name, ".pyc") {
			data[4] = 0b11 // checked-hash
		}
		return name, data
	})
	os.WriteFile(filepath.Join(dir, "notzip.bc"), []byte("not a zip"), 0o644)
	base := []string{"build", "-o", "app", "--launcher", "launcher", "--wheel", six, "--source", "mod.py=src/mod.py", "--entry-point", "mod"}
	for _, c := range []struct {
		name, bundle string
		want         []string
	}{
		{"wheel not in the archive", "idna.bc", []string{"--bytecode idna.bc", "bytecode of the wheel idna-", "not in this archive", "add the wheel"}},
		{"bad magic", "badmagic.bc", []string{"--bytecode badmagic.bc", "bad magic number", "a70d0d0a"}},
		{"cache tag of a file", "badtag.bc", []string{"--bytecode badtag.bc", "cache tag mismatch", "cpython-312", "cpython-311"}},
		{"cache tag against the magic", "info312.bc", []string{"--bytecode info312.bc", "bad magic number", "cpython-312's is 3531"}},
		{"checked-hash pyc", "checked.bc", []string{"--bytecode checked.bc", "unchecked-hash"}},
		{"sources changed", "code.bc", []string{"--bytecode code.bc", "compiled from another mod.py", "compile the bundle again"}},
		{"not a bundle", "notzip.bc", []string{"--bytecode notzip.bc", "not a bytecode bundle"}},
		{"missing file", "nothere.bc", []string{"--bytecode nothere.bc", "no such file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := packer(t, dir, nil, "", append(base, "--bytecode", c.bundle)...)
			if r.code == 0 {
				t.Fatalf("packer accepted %s", c.bundle)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "app")); err == nil {
				t.Errorf("an archive was written")
			}
		})
	}
	// Two bundles of one tree and tag.
	r := packer(t, dir, nil, "", append(base, "--bytecode", "six.bc", "--bytecode", "six.bc")...)
	if r.code == 0 || !strings.Contains(r.stderr, "a second bundle of deps/six-") {
		t.Errorf("two bundles of one wheel: code %d\n%s", r.code, r.stderr)
	}
}

// TestPrecompileWrongInterpreter: an interpreter that is not the version
// its pex_python declares fails the action, naming both.
func TestPrecompileWrongInterpreter(t *testing.T) {
	six := wheelhouseWheel(t, "six-")
	cmd := exec.Command(python311, precompileScript(t), "--out", filepath.Join(t.TempDir(), "b"), "--wheel", six, "--expect-version", "3.12", "--declared-by", "//tools:python3.12")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "is cpython 3.11, but //tools:python3.12 declares it as Python 3.12") {
		t.Errorf("precompile.py with the wrong interpreter: %v\n%s", err, out)
	}
}
