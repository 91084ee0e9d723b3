// Package lock owns reading Python lock files for wheel repositories: pip
// requirements files whose every line pins a version and its hashes (what
// pip-compile, `uv pip compile` and `pip lock` write) and PEP 751
// pylock.toml files. It lists, per locked project, the sha256 hashes the
// lock allows and the wheel files found for it: named by the pylock itself,
// or, for a requirements file, found in a directory (hashed here) or on
// simple-index / find-links HTML pages. The result is what `packer lock`
// prints as JSON for the repository rule.
package lock

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/rules-pex/rules_pex/internal/regfile"
)

// Formats of lock files.
const (
	FormatRequirements = "requirements"
	FormatPylock       = "pylock"
)

// Lock is what a lock file locks, with the wheel files found for it.
type Lock struct {
	Lock      string     `json:"lock"`   // the lock file's path as given
	Format    string     `json:"format"` // FormatRequirements or FormatPylock
	IndexURLs []string   `json:"index_urls"`
	FindLinks []string   `json:"find_links"`
	Packages  []*Package `json:"packages"`
	Skipped   []Skipped  `json:"skipped"`
}

// Package is one locked project.
type Package struct {
	Name    string   `json:"name"`    // PEP 503 normalized
	Version string   `json:"version"` // PEP 440 normalized (an === pin that is no PEP 440 version: as written)
	Marker  string   `json:"marker"`  // canonical environment marker, or ""; kept, not evaluated
	Extras  []string `json:"extras"`  // normalized, sorted
	Line    int      `json:"line"`    // where the requirement (or [[packages]] table) starts
	Wheels  []Wheel  `json:"wheels"`
	SHA256  []string `json:"sha256"` // every hash the lock allows, lowercase hex, sorted

	// where prefixes messages about the package: "FILE:LINE: name==version".
	where string
}

// Wheel is one wheel file of a package.
type Wheel struct {
	Filename string `json:"filename"`
	URL      string `json:"url"`    // where to download it, or ""
	Path     string `json:"path"`   // an absolute local path, or ""
	SHA256   string `json:"sha256"` // lowercase hex; "" if a listing gave none (check after download)
}

// Skipped is a locked project, or a file of one, that is not a wheel.
type Skipped struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Line    int    `json:"line"`
	Reason  string `json:"reason"`
}

// Listing is an HTML page (PEP 503 simple index or pip find-links) saved to
// File, whose relative links resolve against BaseURL.
type Listing struct {
	BaseURL string
	File    string
}

// Options says which lock to read and where to look for its wheels.
type Options struct {
	Lock        string
	Directories []string
	Listings    []Listing
}

// Problems is everything wrong with a lock and its wheels, one message per
// problem, each naming the file and line.
type Problems []string

func (ps Problems) Error() string { return strings.Join(ps, "\n") }

func (ps *Problems) addf(format string, args ...any) {
	*ps = append(*ps, fmt.Sprintf(format, args...))
}

// maxLock bounds a lock file; real ones are at most a few megabytes.
const maxLock = 256 << 20

var pylockName = regexp.MustCompile(`^pylock\.([^.]+\.)?toml$`)

// FormatOf returns the format of a lock file by its name, as PEP 751 says:
// pylock.toml and pylock.NAME.toml are PEP 751 lock files; every other name
// is a requirements file.
func FormatOf(path string) string {
	if pylockName.MatchString(filepath.Base(path)) {
		return FormatPylock
	}
	return FormatRequirements
}

// Read reads the lock file o.Lock and finds the wheels of its packages.
// Every problem is reported in one Problems error.
func Read(o *Options) (*Lock, error) {
	data, err := regfile.ReadFile(o.Lock, maxLock)
	if err != nil {
		return nil, fmt.Errorf("reading the lock file: %w", err)
	}
	l := &Lock{Lock: o.Lock, Format: FormatOf(o.Lock), IndexURLs: []string{}, FindLinks: []string{}, Packages: []*Package{}, Skipped: []Skipped{}}
	var ps Problems
	switch l.Format {
	case FormatPylock:
		if len(o.Listings) > 0 {
			return nil, fmt.Errorf("%s: --listing is for requirements files; a pylock.toml names the URL or path of each wheel itself", o.Lock)
		}
		parsePylock(l, data, &ps)
	default:
		parseRequirements(l, data, &ps)
	}
	if len(ps) > 0 {
		return nil, ps
	}
	findWheels(l, o, &ps)
	if len(ps) > 0 {
		return nil, ps
	}
	l.sort()
	return l, nil
}

// sort puts packages, wheels, hashes and skipped entries in a stable order.
func (l *Lock) sort() {
	slices.SortFunc(l.Packages, func(a, b *Package) int { return cmp.Compare(a.Name, b.Name) })
	for _, p := range l.Packages {
		slices.SortFunc(p.Wheels, func(a, b Wheel) int {
			return cmp.Or(cmp.Compare(a.Filename, b.Filename), cmp.Compare(a.URL, b.URL), cmp.Compare(a.Path, b.Path), cmp.Compare(a.SHA256, b.SHA256))
		})
		p.Wheels = slices.Compact(p.Wheels)
		slices.Sort(p.SHA256)
		p.SHA256 = slices.Compact(p.SHA256)
		slices.Sort(p.Extras)
		p.Extras = slices.Compact(p.Extras)
	}
	slices.SortFunc(l.Skipped, func(a, b Skipped) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Reason, b.Reason))
	})
}

// JSON returns l as indented JSON, as `packer lock` prints it: fields in
// the order of the types, lists sorted, no HTML escapes (markers hold < and
// >), a final newline. The same lock gives the same bytes.
func (l *Lock) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(l); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// isSHA256 reports whether s is 64 hexadecimal digits.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
