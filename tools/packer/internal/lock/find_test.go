package lock

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

// wheelhouseDir returns the wheelhouse of real wheels.
func wheelhouseDir(tb testing.TB) string {
	tb.Helper()
	dir, _ := wheeltest.Wheelhouse(tb, filepath.Join("..", "..", "..", ".."))
	return dir
}

// lockDir copies the lock file fixture into a new directory as name, next
// to a "wheelhouse" symlink to the wheelhouse, and returns the directory.
func lockDir(t *testing.T, fixture, name string) string {
	t.Helper()
	wh := wheelhouseDir(t)
	dir := t.TempDir()
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(wh, filepath.Join(dir, "wheelhouse")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func sha256Of(t *testing.T, path string) string { return wheeltest.SHA256(t, path) }

// TestRequirementsDirectory reads the pip-made lock of testdata against
// the wheelhouse: every package gets its one wheel, hashed.
func TestRequirementsDirectory(t *testing.T) {
	wh := wheelhouseDir(t)
	l, err := Read(&Options{Lock: "testdata/requirements.txt", Directories: []string{wh}})
	if err != nil {
		t.Fatalf("%v\n(if the wheelhouse changed, run testdata/make-requirements %s)", err, wh)
	}
	want := "certifi==2022.9.24 line 10 sha256 9 wheel certifi-2022.9.24-py3-none-any.whl\n" +
		"chardet==5.1.0 line 13 sha256 8 wheel chardet-5.1.0-py3-none-any.whl\n" +
		"charset-normalizer==3.0.1 line 16 sha256 1 wheel charset_normalizer-3.0.1-py3-none-any.whl\n" +
		"idna==3.3 line 19 sha256 6 wheel idna-3.3-py3-none-any.whl\n" +
		"pyyaml==6.0 line 22 sha256 9 wheel pyyaml-6.0-cp311-cp311-linux_x86_64.whl\n" +
		"requests==2.28.1 line 25 sha256 5 wheel requests-2.28.1-py3-none-any.whl\n" +
		"six==1.16.0 line 28 sha256 2 wheel six-1.16.0-py3-none-any.whl\n" +
		"urllib3==1.26.12 line 31 sha256 c wheel urllib3-1.26.12-py3-none-any.whl\n"
	if got := summary(l); got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
	for _, p := range l.Packages {
		w := p.Wheels[0]
		if w.Path != filepath.Join(wh, w.Filename) || w.URL != "" || w.SHA256 != sha256Of(t, w.Path) || w.SHA256 != p.SHA256[0] {
			t.Errorf("wheel %+v of %s: want the wheelhouse file with its sha256", w, p.Name)
		}
	}
	if strings.Join(l.FindLinks, " ") != "wheelhouse" || len(l.IndexURLs) != 0 {
		t.Errorf("find links %v, index URLs %v; want [wheelhouse] and none", l.FindLinks, l.IndexURLs)
	}
}

// TestRequirementsDirectoryErrors: a flipped hash, and a version the
// directory does not have.
func TestRequirementsDirectoryErrors(t *testing.T) {
	wh := wheelhouseDir(t)
	real := sha256Of(t, filepath.Join(wh, "requests-2.28.1-py3-none-any.whl"))
	flipped := "0" + real[1:]
	if flipped == real {
		flipped = "1" + real[1:]
	}
	text := "# a lock\nrequests==2.28.1 \\\n    --hash=sha256:" + flipped + "\nsix==1.15.0 --hash=sha256:" + hashA + "\n"
	_, err := readText(t, "requirements.lock", text, Options{Directories: []string{wh}})
	want := "requirements.lock:2: requests==2.28.1: no wheel in --directory " + wh + " has one of the lock's sha256 hashes (1 files with other hashes: requests-2.28.1-py3-none-any.whl sha256 " + real + "); fix the lock's --hash lines or the files\n" +
		"requirements.lock:4: six==1.15.0: no wheel of six 1.15.0 in --directory " + wh + "; add one, or pin a version that is there"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	_, err = readText(t, "requirements.lock", text, Options{Directories: []string{filepath.Join(wh, "nonexistent")}})
	if err == nil || !strings.Contains(err.Error(), "--directory "+filepath.Join(wh, "nonexistent")+": open ") {
		t.Errorf("a missing directory: %v", err)
	}
}

// writeListing writes a simple-index style page linking the given wheels
// of the wheelhouse (relative links, with #sha256= fragments unless
// noHash), plus links that must be ignored, and returns its path.
func writeListing(t *testing.T, wh string, names []string, noHash map[string]bool, extra string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><title>Links</title></head><body>\n<h1>Links</h1>\n")
	b.WriteString("<!-- <a href=\"requests-2.28.1-py3-none-any.whl#sha256=" + hashB + "\">commented out</a> -->\n")
	for i, n := range names {
		href := n
		if !noHash[n] {
			href += "#sha256=" + sha256Of(t, filepath.Join(wh, n))
		}
		if i%2 == 0 {
			fmt.Fprintf(&b, "<a href=\"%s\" data-requires-python=\"&gt;=3.7\">%s</a><br/>\n", href, n)
		} else {
			fmt.Fprintf(&b, "<A class=x HREF='%s'>%s</A><br>\n", href, n)
		}
	}
	b.WriteString("<a href=\"requests-2.28.1.tar.gz#sha256=" + hashA + "\">sdist</a>\n")
	b.WriteString("<abbr href=\"x-1-py3-none-any.whl\">not a link</abbr>\n")
	b.WriteString(extra)
	b.WriteString("</body></html>\n")
	path := filepath.Join(t.TempDir(), "index.html")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRequirementsListing matches the lock of testdata against a page
// listing the wheelhouse: relative links resolve against the base URL,
// fragments are checked and dropped, a link without one is kept with no
// hash.
func TestRequirementsListing(t *testing.T) {
	wh := wheelhouseDir(t)
	names := []string{
		"certifi-2022.9.24-py3-none-any.whl", "chardet-5.1.0-py3-none-any.whl",
		"charset_normalizer-3.0.1-py3-none-any.whl", "idna-3.3-py3-none-any.whl",
		"pyyaml-6.0-cp311-cp311-linux_x86_64.whl", "requests-2.28.1-py3-none-any.whl",
		"six-1.16.0-py3-none-any.whl", "urllib3-1.26.12-py3-none-any.whl", "flask-2.2.2-py3-none-any.whl",
	}
	// An absolute link to another host, with an escaped name and an entity.
	extra := "<a href=\"https://mirror.example/pkgs/urllib3-1.26.12-py2.py3-none-any.whl?x=1&amp;y=2#sha256=" + sha256Of(t, filepath.Join(wh, "urllib3-1.26.12-py3-none-any.whl")) + "\">urllib3 py2.py3</a>\n"
	page := writeListing(t, wh, names, map[string]bool{"six-1.16.0-py3-none-any.whl": true}, extra)
	lockText, err := os.ReadFile("testdata/requirements.txt")
	if err != nil {
		t.Fatal(err)
	}
	// The lock allows both urllib3 files.
	text := strings.Replace(string(lockText), "urllib3==1.26.12 \\\n", "urllib3==1.26.12 \\\n    --hash=sha256:"+sha256Of(t, filepath.Join(wh, "urllib3-1.26.12-py3-none-any.whl"))+" \\\n", 1)
	base := "file://" + filepath.ToSlash(wh) + "/"
	l, err := readText(t, "requirements.txt", text, Options{Listings: []Listing{{BaseURL: base, File: page}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range l.Packages {
		for _, w := range p.Wheels {
			got = append(got, fmt.Sprintf("%s %s %s %t", p.Name, w.Filename, w.URL, w.SHA256 != ""))
		}
	}
	want := []string{
		"certifi certifi-2022.9.24-py3-none-any.whl " + base + "certifi-2022.9.24-py3-none-any.whl true",
		"chardet chardet-5.1.0-py3-none-any.whl " + base + "chardet-5.1.0-py3-none-any.whl true",
		"charset-normalizer charset_normalizer-3.0.1-py3-none-any.whl " + base + "charset_normalizer-3.0.1-py3-none-any.whl true",
		"idna idna-3.3-py3-none-any.whl " + base + "idna-3.3-py3-none-any.whl true",
		"pyyaml pyyaml-6.0-cp311-cp311-linux_x86_64.whl " + base + "pyyaml-6.0-cp311-cp311-linux_x86_64.whl true",
		"requests requests-2.28.1-py3-none-any.whl " + base + "requests-2.28.1-py3-none-any.whl true",
		"six six-1.16.0-py3-none-any.whl " + base + "six-1.16.0-py3-none-any.whl false",
		"urllib3 urllib3-1.26.12-py2.py3-none-any.whl https://mirror.example/pkgs/urllib3-1.26.12-py2.py3-none-any.whl?x=1&y=2 true",
		"urllib3 urllib3-1.26.12-py3-none-any.whl " + base + "urllib3-1.26.12-py3-none-any.whl true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range l.Packages {
		for _, w := range p.Wheels {
			if w.Path != "" || w.SHA256 != "" && w.SHA256 != sha256Of(t, filepath.Join(wh, strings.Replace(w.Filename, "py2.py3", "py3", 1))) {
				t.Errorf("wheel %+v: want no path and the file's sha256", w)
			}
		}
	}
}

// TestListingTwoPlatforms: a project with wheels for two platforms keeps
// both, and a link whose fragment is not one of the lock's hashes is an
// error when nothing else matches.
func TestListingTwoPlatforms(t *testing.T) {
	page := filepath.Join(t.TempDir(), "numpy.html")
	html := "<a href=\"numpy-1.24.2-cp311-cp311-linux_x86_64.whl#sha256=" + hashA + "\">l</a>\n" +
		"<a href=\"numpy-1.24.2-cp311-cp311-macosx_11_0_arm64.whl#sha256=" + hashB + "\">m</a>\n" +
		"<a href=\"numpy-1.24.1-cp311-cp311-linux_x86_64.whl#sha256=" + hashA + "\">old</a>\n" +
		"<a href=\"../other/numpy-1.24.2-cp311-cp311-win_amd64.whl#sha256=" + strings.Repeat("c", 64) + "\">w</a>\n"
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	li := []Listing{{BaseURL: "https://example.com/simple/numpy/", File: page}}
	l, err := readText(t, "requirements.txt", "numpy==1.24.2 --hash=sha256:"+hashA+" --hash=sha256:"+hashB+"\n", Options{Listings: li})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(l); got != "numpy==1.24.2 line 1 sha256 a,b wheel numpy-1.24.2-cp311-cp311-linux_x86_64.whl wheel numpy-1.24.2-cp311-cp311-macosx_11_0_arm64.whl\n" {
		t.Errorf("got %s", got)
	}
	if u := l.Packages[0].Wheels[0].URL; u != "https://example.com/simple/numpy/numpy-1.24.2-cp311-cp311-linux_x86_64.whl" {
		t.Errorf("URL %s", u)
	}
	_, err = readText(t, "requirements.txt", "numpy==1.24.2 --hash=sha256:"+strings.Repeat("d", 64)+"\n", Options{Listings: li})
	want := "requirements.txt:1: numpy==1.24.2: no wheel in --listing https://example.com/simple/numpy/=" + page + " has one of the lock's sha256 hashes (3 files with other hashes: "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got  %v\nwant %s...", err, want)
	}
	_, err = readText(t, "requirements.txt", "numpy==1.24.2 --hash=sha256:"+hashA+"\n", Options{Listings: []Listing{{BaseURL: "simple/numpy/", File: page}}})
	if err == nil || err.Error() != `--listing simple/numpy/=`+page+`: the base URL "simple/numpy/" is not an absolute URL` {
		t.Errorf("a relative base URL: %v", err)
	}
}

func TestAnchors(t *testing.T) {
	page := `<a href="x">1</a><a
  href = 'y&amp;z' >2</a><a href=unquoted>3</a><A HREF="UP">4</A><area href="no"><a name="n">5</a><a href="">6</a>
<!-- <a href="comment"> --><a data-x="href=fake" href="real">7</a><a href="unclosed`
	got := strings.Join(anchors(page), " ")
	if want := "x y&z unquoted UP real"; got != want {
		t.Errorf("anchors = %q, want %q", got, want)
	}
}

// TestDirectoryMarkerSkipped: a project with a marker and no wheel in the
// directory (a Windows-only one in a universal lock) is skipped, not an
// error; without a marker, or with files of other hashes, it is an error.
func TestDirectoryMarkerSkipped(t *testing.T) {
	wh := wheelhouseDir(t)
	six := sha256Of(t, filepath.Join(wh, "six-1.16.0-py3-none-any.whl"))
	text := "six==1.16.0 --hash=sha256:" + six + "\npywin32==306 ; sys_platform == 'win32' --hash=sha256:" + hashA + "\n"
	l, err := readText(t, "requirements.txt", text, Options{Directories: []string{wh}})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(l); got != "six==1.16.0 line 1 sha256 "+six[:1]+" wheel six-1.16.0-py3-none-any.whl\n" {
		t.Errorf("packages:\n%s", got)
	}
	want := `[{pywin32 306 2 no wheel of it in --directory ` + wh + `, and its marker sys_platform == "win32" may not hold where the wheels are used}]`
	if got := fmt.Sprint(l.Skipped); got != want {
		t.Errorf("skipped = %s\nwant %s", got, want)
	}
	_, err = readText(t, "requirements.txt", "six==1.16.0 ; python_version >= '3' --hash=sha256:"+hashA+"\n", Options{Directories: []string{wh}})
	if err == nil || !strings.Contains(err.Error(), "no wheel in --directory "+wh+" has one of the lock's sha256 hashes") {
		t.Errorf("a marker does not excuse a wrong hash: %v", err)
	}
}
