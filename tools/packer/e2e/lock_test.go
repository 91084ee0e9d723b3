package packer_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

// The lock fixtures of tools/packer/internal/lock.
const lockTestdata = "../internal/lock/testdata"

type lockJSON struct {
	Lock      string   `json:"lock"`
	Format    string   `json:"format"`
	IndexURLs []string `json:"index_urls"`
	FindLinks []string `json:"find_links"`
	Packages  []struct {
		Name    string   `json:"name"`
		Version string   `json:"version"`
		Marker  string   `json:"marker"`
		Extras  []string `json:"extras"`
		Line    int      `json:"line"`
		Wheels  []struct {
			Filename string `json:"filename"`
			URL      string `json:"url"`
			Path     string `json:"path"`
			SHA256   string `json:"sha256"`
		} `json:"wheels"`
		SHA256 []string `json:"sha256"`
	} `json:"packages"`
	Skipped []struct {
		Name   string `json:"name"`
		Reason string `json:"reason"`
	} `json:"skipped"`
}

func lockWheelhouse(t *testing.T) string {
	t.Helper()
	dir, _ := wheeltest.Wheelhouse(t, filepath.Join("..", "..", ".."))
	return dir
}

func fileSHA256(t *testing.T, path string) string { return wheeltest.SHA256(t, path) }

// copyLock copies a lock fixture into dir.
func copyLock(t *testing.T, fixture, dir, name string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(lockTestdata, fixture))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLockDirectory runs `packer lock` on the pip-made requirements lock
// against the wheelhouse: every package gets its wheel, and the same
// inputs print the same bytes.
func TestLockDirectory(t *testing.T) {
	wh := lockWheelhouse(t)
	dir := t.TempDir()
	copyLock(t, "requirements.txt", dir, "requirements.lock")
	r := packer(t, dir, nil, "", "lock", "--lock", "requirements.lock", "--directory", wh)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	var l lockJSON
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil {
		t.Fatalf("the output is not JSON: %v\n%s", err, r.stdout)
	}
	if l.Lock != "requirements.lock" || l.Format != "requirements" || len(l.Packages) != 8 {
		t.Fatalf("lock %q, format %q, %d packages; want requirements.lock, requirements, 8:\n%s", l.Lock, l.Format, len(l.Packages), r.stdout)
	}
	for _, p := range l.Packages {
		if len(p.Wheels) != 1 || p.Wheels[0].Path != filepath.Join(wh, p.Wheels[0].Filename) || fileSHA256(t, p.Wheels[0].Path) != p.Wheels[0].SHA256 {
			t.Errorf("%s: wheels %+v; want one wheelhouse file with its sha256", p.Name, p.Wheels)
		}
	}
	again := packer(t, dir, nil, "", "lock", "--lock", "requirements.lock", "--directory", wh)
	if again.stdout != r.stdout {
		t.Errorf("a second run printed other bytes")
	}
}

// TestLockListing runs `packer lock` with a find-links page of the
// wheelhouse, written here, its arguments in a params file as Bazel passes
// them.
func TestLockListing(t *testing.T) {
	wh := lockWheelhouse(t)
	dir := t.TempDir()
	copyLock(t, "requirements.txt", dir, "requirements.txt")
	whls, _ := filepath.Glob(filepath.Join(wh, "*.whl"))
	var page strings.Builder
	page.WriteString("<html><body>\n")
	for _, w := range whls {
		fmt.Fprintf(&page, "<a href=\"%s#sha256=%s\">%s</a><br/>\n", filepath.Base(w), fileSHA256(t, w), filepath.Base(w))
	}
	page.WriteString("</body></html>\n")
	os.WriteFile(filepath.Join(dir, "links.html"), []byte(page.String()), 0o644)
	base := "file://" + filepath.ToSlash(wh) + "/"
	os.WriteFile(filepath.Join(dir, "lock.params"), []byte("lock\n--lock\nrequirements.txt\n--listing\n"+base+"=links.html\n"), 0o644)
	r := packer(t, dir, nil, "", "@lock.params")
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	var l lockJSON
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Packages {
		if len(p.Wheels) != 1 || p.Wheels[0].URL != base+p.Wheels[0].Filename || p.Wheels[0].Path != "" || p.Wheels[0].SHA256 != p.SHA256[0] {
			t.Errorf("%s: wheels %+v; want one file:// URL into the wheelhouse with the lock's sha256", p.Name, p.Wheels)
		}
	}
}

// TestLockPylock runs `packer lock` on a pylock.toml of wheelhouse files.
func TestLockPylock(t *testing.T) {
	wh := lockWheelhouse(t)
	dir := t.TempDir()
	copyLock(t, "pylock.wheelhouse.toml", dir, "pylock.toml")
	os.Symlink(wh, filepath.Join(dir, "wheelhouse"))
	r := packer(t, dir, nil, "", "lock", "--lock", "pylock.toml")
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	var l lockJSON
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range l.Packages {
		got = append(got, fmt.Sprintf("%s %s %d %q", p.Name, p.Version, len(p.Wheels), p.Marker))
	}
	want := `idna 3.3 1 "" numpy 1.24.2 2 "" pyyaml 6.0 1 "python_version >= \"3.8\" and platform_python_implementation == \"CPython\"" requests 2.28.1 1 ""`
	if strings.Join(got, " ") != want || l.Format != "pylock" || len(l.Skipped) != 1 || l.Skipped[0].Name != "pysocks" {
		t.Errorf("got %s, skipped %+v\nwant %s, pysocks skipped", strings.Join(got, " "), l.Skipped, want)
	}
	if !strings.Contains(r.stdout, `"marker": "python_version >= \"3.8\" and`) {
		t.Errorf("markers are not printed readably (no HTML escapes):\n%s", r.stdout)
	}
}

func TestLockErrors(t *testing.T) {
	wh := lockWheelhouse(t)
	dir := t.TempDir()
	real := fileSHA256(t, filepath.Join(wh, "requests-2.28.1-py3-none-any.whl"))
	flipped := strings.Repeat("0", 8) + real[8:]
	os.WriteFile(filepath.Join(dir, "requirements.lock"), []byte("# flipped\nrequests==2.28.1 \\\n    --hash=sha256:"+flipped+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "unpinned.txt"), []byte("requests>=2\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // the start of stderr
	}{
		{"flipped hash", []string{"--lock", "requirements.lock", "--directory", wh}, 1,
			"packer: requirements.lock:2: requests==2.28.1: no wheel in --directory " + wh + " has one of the lock's sha256 hashes (1 files with other hashes: requests-2.28.1-py3-none-any.whl sha256 " + real + ")"},
		{"unpinned", []string{"--lock", "unpinned.txt"}, 1, "packer: unpinned.txt:1: requests>=2: not pinned;"},
		{"missing lock", []string{"--lock", "nonexistent.txt"}, 1, "packer: reading the lock file: open nonexistent.txt:"},
		{"no --lock", nil, 2, "packer lock: want --lock FILE\nusage:"},
		{"argument", []string{"--lock", "requirements.lock", "extra"}, 2, `packer lock: unexpected argument "extra"`},
		{"bad listing", []string{"--lock", "requirements.lock", "--listing", "nohtml"}, 2, `packer lock: --listing "nohtml": want BASEURL=HTMLFILE`},
		{"unknown flag", []string{"--lock", "requirements.lock", "--frob"}, 2, "packer lock: flag provided but not defined: -frob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := packer(t, dir, nil, "", append([]string{"lock"}, tc.args...)...)
			if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d, no stdout, stderr starting %q", r.code, r.stdout, r.stderr, tc.code, tc.want)
			}
		})
	}
	if r := packer(t, dir, nil, "", "--help"); !strings.Contains(r.stdout, "packer lock --lock FILE") || !strings.Contains(r.stdout, "--listing BASEURL=HTMLFILE") {
		t.Errorf("--help does not document lock:\n%s", r.stdout)
	}
}
