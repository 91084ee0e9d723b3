package lock

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPylockPEPExample reads the example of PEP 751.
func TestPylockPEPExample(t *testing.T) {
	l, err := Read(&Options{Lock: "testdata/pylock.toml"})
	if err != nil {
		t.Fatal(err)
	}
	want := "attrs==25.1.0 line 9 sha256 c wheel attrs-25.1.0-py3-none-any.whl\n" +
		"cattrs==24.1.2 line 27 sha256 6 wheel cattrs-24.1.2-py3-none-any.whl\n" +
		"numpy==2.2.3 line 42 sha256 3,8 wheel numpy-2.2.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl wheel numpy-2.2.3-cp312-cp312-win_amd64.whl\n"
	if got := summary(l); got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
	if l.Format != FormatPylock || len(l.Skipped) != 0 || len(l.IndexURLs) != 0 {
		t.Errorf("format %q, skipped %v, index URLs %v; want pylock and none", l.Format, l.Skipped, l.IndexURLs)
	}
	w := l.Packages[0].Wheels[0]
	if w.URL != "https://files.pythonhosted.org/packages/fc/30/d4986a882011f9df997a55e6becd864812ccfcd821d64aac8570ee39f719/attrs-25.1.0-py3-none-any.whl" || w.Path != "" ||
		w.SHA256 != "c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a" {
		t.Errorf("attrs wheel = %+v", w)
	}
}

// TestPylockWheelhouse reads a lock of wheelhouse files named by relative
// paths: each is hashed; numpy keeps its wheels for two platforms, pyyaml
// its marker, and the sdist-only pysocks is skipped.
func TestPylockWheelhouse(t *testing.T) {
	dir := lockDir(t, "testdata/pylock.wheelhouse.toml", "pylock.toml")
	l, err := Read(&Options{Lock: filepath.Join(dir, "pylock.toml")})
	if err != nil {
		t.Fatal(err)
	}
	want := "idna==3.3 line 51 sha256 6 wheel idna-3.3-py3-none-any.whl\n" +
		"numpy==1.24.2 line 34 sha256 0,5 wheel numpy-1.24.2-cp311-cp311-linux_x86_64.whl wheel numpy-1.24.2-cp311-cp311-macosx_11_0_arm64.whl\n" +
		`pyyaml==6.0 ; python_version >= "3.8" and platform_python_implementation == "CPython" line 25 sha256 9 wheel pyyaml-6.0-cp311-cp311-linux_x86_64.whl` + "\n" +
		"requests==2.28.1 line 14 sha256 5 wheel requests-2.28.1-py3-none-any.whl\n"
	if got := summary(l); got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
	for _, p := range l.Packages {
		for _, w := range p.Wheels {
			local := !strings.Contains(w.Filename, "macosx")
			if local != (w.Path == filepath.Join(dir, "wheelhouse", w.Filename)) || local == (w.URL != "") {
				t.Errorf("wheel %+v: want a path in %s/wheelhouse for a local file, else a URL", w, dir)
			}
		}
	}
	skipped, _ := json.Marshal(l.Skipped)
	if want := `[{"name":"pysocks","version":"1.7.1","line":60,"reason":"only an sdist (packages.sdist): rules_pex packs wheels only; lock a wheel of it"}]`; string(skipped) != want {
		t.Errorf("skipped = %s\nwant %s", skipped, want)
	}
	if strings.Join(l.IndexURLs, " ") != "https://pypi.org/simple" {
		t.Errorf("index URLs = %v", l.IndexURLs)
	}
}

// TestPylockFlippedHash: a local wheel whose sha256 is not the lock's is an
// error naming the lock file, the line, the project and the file.
func TestPylockFlippedHash(t *testing.T) {
	dir := lockDir(t, "testdata/pylock.wheelhouse.toml", "pylock.toml")
	path := filepath.Join(dir, "pylock.toml")
	data, _ := os.ReadFile(path)
	flipped := strings.Replace(string(data), "56aff12837efc63d", "66aff12837efc63d", 1)
	if err := os.WriteFile(path, []byte(flipped), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Read(&Options{Lock: path})
	want := path + ":14: requests 2.28.1: requests-2.28.1-py3-none-any.whl: the file " + filepath.Join(dir, "wheelhouse", "requests-2.28.1-py3-none-any.whl") +
		" has sha256 56aff12837efc63d43d55ea6375b5ab6d64e4a377b0ce9944fe20fec7443d311, but the lock says 66aff12837efc63d43d55ea6375b5ab6d64e4a377b0ce9944fe20fec7443d311; fix the lock's hash or the file"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

// TestPylockDirectory: with --directory, a pylock wheel known only by URL
// gets the path of a directory file with its sha256.
func TestPylockDirectory(t *testing.T) {
	wh := wheelhouseDir(t)
	text := "lock-version = '1.0'\ncreated-by = 'x'\n[[packages]]\nname = 'six'\nversion = '1.16.0'\n" +
		"wheels = [{url = 'https://example.com/six-1.16.0-py3-none-any.whl', hashes = {sha256 = '" + sha256Of(t, filepath.Join(wh, "six-1.16.0-py3-none-any.whl")) + "'}}]\n"
	l, err := readText(t, "pylock.toml", text, Options{Directories: []string{wh}})
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(filepath.Join(wh, "six-1.16.0-py3-none-any.whl"))
	if w := l.Packages[0].Wheels[0]; w.Path != abs || w.URL == "" {
		t.Errorf("wheel = %+v, want the URL and the path %s", w, abs)
	}
}

func TestPylockSkipped(t *testing.T) {
	text := `lock-version = '1.0'
created-by = 'x'
[[packages]]
name = 'vcs-pkg'
[packages.vcs]
type = 'git'
url = 'https://github.com/example/vcs-pkg'
commit-id = 'deadbeef'
[[packages]]
name = 'dir-pkg'
directory = {path = '../dir-pkg', editable = true}
[[packages]]
name = 'archive-pkg'
version = '4.0.0'
archive = {url = 'https://example.com/archive-pkg-4.0.0.zip', hashes = {sha256 = '` + hashA + `'}}
[[packages]]
name = 'bare'
version = '1'
`
	l, err := readText(t, "pylock.toml", text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(l.Skipped, "", " ")
	want := `[
 {
  "name": "archive-pkg",
  "version": "4.0.0",
  "line": 12,
  "reason": "a direct archive reference (packages.archive): rules_pex takes wheels from [[packages.wheels]] only"
 },
 {
  "name": "bare",
  "version": "1",
  "line": 16,
  "reason": "no [[packages.wheels]]"
 },
 {
  "name": "dir-pkg",
  "version": "",
  "line": 9,
  "reason": "a local source tree (packages.directory): rules_pex packs wheels only; build a wheel of it and lock that"
 },
 {
  "name": "vcs-pkg",
  "version": "",
  "line": 3,
  "reason": "a version control checkout (packages.vcs): rules_pex packs wheels only; lock a wheel of it"
 }
]`
	if string(got) != want {
		t.Errorf("skipped =\n%s\nwant\n%s", got, want)
	}
	if len(l.Packages) != 0 {
		t.Errorf("packages = %v, want none", l.Packages)
	}
}

func TestPylockErrors(t *testing.T) {
	head := "lock-version = '1.0'\ncreated-by = 'x'\n"
	wheel := func(name, hashes string) string {
		return "[[packages.wheels]]\nurl = 'https://example.com/" + name + "'\n" + hashes + "\n"
	}
	good := "hashes = {sha256 = '" + hashA + "'}"
	for _, c := range []struct{ name, text, want string }{
		{"lock-version 2", "lock-version = '2.0'\n", `pylock.toml:1: lock-version = "2.0": this packer reads lock-version 1.x (PEP 751); write the lock with a tool that writes version 1.0, or use a newer rules_pex`},
		{"lock-version odd", "lock-version = '1'\n", `pylock.toml:1: lock-version = "1": want MAJOR.MINOR, such as "1.0"`},
		{"lock-version not a string", "lock-version = 1.0\n", `pylock.toml:1: lock-version must be a string, not a float`},
		{"no lock-version", "created-by = 'x'\n", `pylock.toml: no lock-version; a PEP 751 lock file starts with lock-version = "1.0"`},
		{"no packages", head, `pylock.toml: no [[packages]]; a PEP 751 lock file lists its packages in [[packages]] tables`},
		{"packages not tables", head + "packages = [1]\n", `pylock.toml:3: packages must be an array of tables, but holds an integer`},
		{"TOML syntax", head + "[[packages]\n", `pylock.toml:3:11: expected "]]" to close the table header, found ']'`},
		{"no name", head + "[[packages]]\nversion = '1'\n", `pylock.toml:3: [[packages]] number 1 has no name`},
		{"bad name", head + "[[packages]]\nname = 'a b'\n", `pylock.toml:3: name = "a b" is not a valid project name`},
		{"bad version", head + "[[packages]]\nname = 'a'\nversion = 'x.y'\n", `pylock.toml:3: a: version = "x.y" is not a PEP 440 version`},
		{"no version with wheels", head + "[[packages]]\nname = 'a'\n" + wheel("a-1-py3-none-any.whl", good), `pylock.toml:3: a: no version; a package with [[packages.wheels]] must give its version`},
		{"no hashes", head + "[[packages]]\nname = 'a'\nversion = '1'\n" + wheel("a-1-py3-none-any.whl", ""), `pylock.toml:6: a 1: a-1-py3-none-any.whl: no hashes; every file of a lock must have hashes = {sha256 = "..."}`},
		{"hashes not a table", head + "[[packages]]\nname = 'a'\nversion = '1'\n" + wheel("a-1-py3-none-any.whl", "hashes = 'x'"), `pylock.toml:6: a 1: a-1-py3-none-any.whl: hashes must be a table, such as hashes = {sha256 = "..."}, not a string`},
		{"only sha512", head + "[[packages]]\nname = 'a'\nversion = '1'\n" + wheel("a-1-py3-none-any.whl", "hashes = {sha512 = 'x', blake2b = 'y'}"), `pylock.toml:6: a 1: a-1-py3-none-any.whl: no sha256 in hashes (it has blake2b, sha512); rules_pex checks every wheel by its sha256`},
		{"short sha256", head + "[[packages]]\nname = 'a'\nversion = '1'\n" + wheel("a-1-py3-none-any.whl", "hashes = {sha256 = 'abc'}"), `pylock.toml:6: a 1: a-1-py3-none-any.whl: hashes.sha256 = "abc" is not 64 hexadecimal digits`},
		{"other project's wheel", head + "[[packages]]\nname = 'a'\nversion = '1'\n" + wheel("b-1-py3-none-any.whl", good), `pylock.toml:6: a 1: the wheel b-1-py3-none-any.whl is not of a 1`},
		{"other version's wheel", head + "[[packages]]\nname = 'a'\nversion = '1'\n" + wheel("a-2-py3-none-any.whl", good), `pylock.toml:6: a 1: the wheel a-2-py3-none-any.whl is not of a 1`},
		{"not a wheel", head + "[[packages]]\nname = 'a'\nversion = '1'\n" + wheel("a-1.tar.gz", good), `pylock.toml:6: a 1: invalid wheel file name a-1.tar.gz: does not end in ".whl"`},
		{"neither url nor path", head + "[[packages]]\nname = 'a'\nversion = '1'\n[[packages.wheels]]\nname = 'a-1-py3-none-any.whl'\n" + good + "\n", `pylock.toml:6: a 1: a [[packages.wheels]] table needs a url or a path`},
		{"relative url", head + "[[packages]]\nname = 'a'\nversion = '1'\n[[packages.wheels]]\nurl = 'a-1-py3-none-any.whl'\n" + good + "\n", `pylock.toml:6: a 1: url = "a-1-py3-none-any.whl" is not an absolute URL`},
		{"url not a string", head + "[[packages]]\nname = 'a'\nversion = '1'\n[[packages.wheels]]\nurl = 1\n" + good + "\n", `pylock.toml:7: packages.wheels.url must be a string, not an integer`},
		{"missing local file", head + "[[packages]]\nname = 'a'\nversion = '1'\n[[packages.wheels]]\npath = 'a-1-py3-none-any.whl'\n" + good + "\n", `pylock.toml:3: a 1: a-1-py3-none-any.whl: open `},
		{"bad marker", head + "[[packages]]\nname = 'a'\nversion = '1'\nmarker = 'python_version >'\n" + wheel("a-1-py3-none-any.whl", good), `pylock.toml:3: a 1: marker = "python_version >": invalid marker`},
		{"two versions", head + "[[packages]]\nname = 'a'\nversion = '1'\n" + wheel("a-1-py3-none-any.whl", good) + "[[packages]]\nname = 'A'\nversion = '2'\n" + wheel("a-2-py3-none-any.whl", good),
			`pylock.toml:9: a 2: a is also locked at version 1 (line 3); a wheel repository holds one version of each project: keep one (lock for one environment, or pin one version for all)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readText(t, "pylock.toml", c.text, Options{})
			if err == nil {
				t.Fatalf("no error; want %s", c.want)
			}
			if got := err.Error(); !strings.HasPrefix(got, c.want) {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestPylockMarkers: markers are kept in canonical form, not evaluated;
// PEP 751's extras and dependency_groups markers are kept as written.
func TestPylockMarkers(t *testing.T) {
	text := "lock-version = '1.0'\ncreated-by = 'x'\n" +
		"[[packages]]\nname = 'a'\nversion = '1'\nmarker = \"sys_platform=='win32'\"\nwheels = [{url = 'https://x/a-1-py3-none-any.whl', hashes = {sha256 = '" + hashA + "'}}]\n" +
		"[[packages]]\nname = 'b'\nversion = '1'\nmarker = \" 'dev' in dependency_groups \"\nwheels = [{url = 'https://x/b-1-py3-none-any.whl', hashes = {sha256 = '" + hashA + "'}}]\n"
	l, err := readText(t, "pylock.toml", text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := l.Packages[0].Marker, l.Packages[1].Marker; a != `sys_platform == "win32"` || b != `'dev' in dependency_groups` {
		t.Errorf("markers %q, %q", a, b)
	}
}

func TestPylockRefusesListing(t *testing.T) {
	_, err := readText(t, "pylock.toml", "lock-version = '1.0'\n", Options{Listings: []Listing{{BaseURL: "https://x/", File: "x.html"}}})
	if err == nil || !strings.HasSuffix(err.Error(), "pylock.toml: --listing is for requirements files; a pylock.toml names the URL or path of each wheel itself") {
		t.Errorf("err = %v", err)
	}
}

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// TestJSONGolden pins the JSON `packer lock` prints for PEP 751's example,
// the shape the repository rule reads.
func TestJSONGolden(t *testing.T) {
	l, err := Read(&Options{Lock: "testdata/pylock.toml"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.JSON()
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/pylock.golden.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("the JSON differs from %s (go test -run TestJSONGolden -update rewrites it):\n%s", golden, got)
	}
}

// TestJSONEmptyLists: lists are [] in the JSON, never null, even when
// every package is skipped.
func TestJSONEmptyLists(t *testing.T) {
	l, err := readText(t, "pylock.toml", "lock-version = '1.0'\n[[packages]]\nname = 'x'\nvcs = {type = 'git', url = 'https://x'}\n", Options{Directories: []string{t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := l.JSON()
	for _, want := range []string{`"index_urls": []`, `"find_links": []`, `"packages": []`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the JSON lacks %s:\n%s", want, got)
		}
	}
	l, err = readText(t, "requirements.txt", "x==1 ; os_name == 'nt' --hash=sha256:"+hashA+"\n", Options{Directories: []string{t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := l.JSON(); !strings.Contains(string(got), `"packages": []`) || !strings.Contains(string(got), `"name": "x"`) {
		t.Errorf("want no packages and x skipped:\n%s", got)
	}
}
