package lock

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/internal/wheel"
)

// candidate is a wheel file of some project and version, from a directory
// or a listing.
type candidate struct {
	name   wheel.Name
	path   string // local file, or ""
	url    string // link, or ""
	sha256 string // "" for a link without a #sha256= fragment
}

// pool is every wheel file offered by the --directory and --listing
// sources, by normalized project name.
type pool map[string][]*candidate

// addWheel adds c, the file filename, if that is a valid wheel file name
// (other files cannot be any locked wheel).
func (pl pool) addWheel(filename string, c *candidate) {
	n, err := wheel.ParseFilename(filename)
	if err != nil {
		return
	}
	c.name = n
	pl[n.NormalizedProject()] = append(pl[n.NormalizedProject()], c)
}

// findWheels fills in the wheels of every package of l from the
// directories and listings of o. For a requirements file each package must
// get at least one wheel from them (when any is given); for a pylock, a
// file in a directory with the sha256 of one of its wheels gives that wheel
// a local path.
func findWheels(l *Lock, o *Options, ps *Problems) {
	if l.Format == FormatPylock {
		for _, pkg := range l.Packages {
			checkPaths(pkg, ps)
		}
	}
	if len(o.Directories) == 0 && len(o.Listings) == 0 || len(*ps) > 0 {
		return
	}
	pl := pool{}
	var sources []string
	for _, dir := range o.Directories {
		sources = append(sources, "--directory "+dir)
		if err := pl.readDirectory(dir); err != nil {
			ps.addf("--directory %s: %v", dir, err)
		}
	}
	for _, li := range o.Listings {
		sources = append(sources, "--listing "+li.BaseURL+"="+li.File)
		if err := pl.readListing(li); err != nil {
			ps.addf("--listing %s=%s: %v", li.BaseURL, li.File, err)
		}
	}
	if len(*ps) > 0 {
		return
	}
	kept := []*Package{}
	for _, pkg := range l.Packages {
		switch {
		case l.Format == FormatPylock:
			pl.localPaths(pkg, ps)
		case !pl.match(pkg, strings.Join(sources, " or "), ps):
			// A project only some environments need (pywin32 ; sys_platform
			// == "win32" in a universal lock) may well have no wheel here.
			l.Skipped = append(l.Skipped, Skipped{Name: pkg.Name, Version: pkg.Version, Line: pkg.Line,
				Reason: fmt.Sprintf("no wheel of it in %s, and its marker %s may not hold where the wheels are used", strings.Join(sources, " or "), pkg.Marker)})
			continue
		}
		kept = append(kept, pkg)
	}
	l.Packages = kept
}

func (pl pool) readDirectory(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".whl") && !e.IsDir() {
			pl.addWheel(e.Name(), &candidate{path: filepath.Join(abs, e.Name())})
		}
	}
	return nil
}

// candidatesOf returns the files of pkg's project and version.
func (pl pool) candidatesOf(pkg *Package) []*candidate {
	want, err := pep440.Parse(pkg.Version)
	var out []*candidate
	for _, c := range pl[pkg.Name] {
		if err == nil && c.name.ParsedVersion().Equal(want) || err != nil && c.name.Version == pkg.Version {
			out = append(out, c)
		}
	}
	return out
}

// checkPaths checks the local files a pylock names for pkg's wheels
// against their sha256. A missing file is an error unless the wheel has a
// URL too.
func checkPaths(pkg *Package, ps *Problems) {
	for i, w := range pkg.Wheels {
		if w.Path == "" {
			continue
		}
		sum, err := fileSHA256(w.Path)
		switch {
		case err != nil && w.URL != "" && os.IsNotExist(err):
			pkg.Wheels[i].Path = "" // fetched from its URL instead
		case err != nil:
			ps.addf("%s: %s: %v", pkg.where, w.Filename, err)
		case sum != w.SHA256:
			ps.addf("%s: %s: the file %s has sha256 %s, but the lock says %s; fix the lock's hash or the file", pkg.where, w.Filename, w.Path, sum, w.SHA256)
		}
	}
}

// fileSHA256 returns the sha256 of a regular file, streaming it.
func fileSHA256(path string) (string, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hash computes the sha256 of a local candidate, streaming the file.
func (c *candidate) hash() error {
	if c.path == "" || c.sha256 != "" {
		return nil
	}
	sum, err := fileSHA256(c.path)
	c.sha256 = sum
	return err
}

// match gives a requirements package the candidates whose hash the lock
// allows (and links without a hash). Finding none is a problem, except for
// a package with a marker and no file of its version at all: match then
// reports false, for the caller to skip it.
func (pl pool) match(pkg *Package, sources string, ps *Problems) bool {
	cands := pl.candidatesOf(pkg)
	var others []string
	best := map[string]Wheel{}
	for _, c := range cands {
		if err := c.hash(); err != nil {
			ps.addf("%s: %v", pkg.where, err)
			return true
		}
		if c.sha256 != "" && !slices.Contains(pkg.SHA256, c.sha256) {
			others = append(others, fmt.Sprintf("%s sha256 %s", c.name, c.sha256))
			continue
		}
		w := Wheel{Filename: c.name.String(), URL: c.url, Path: c.path, SHA256: c.sha256}
		if prev, ok := best[w.Filename]; !ok || better(w, prev) {
			best[w.Filename] = w
		}
	}
	if len(best) == 0 {
		if len(others) > 0 {
			slices.Sort(others)
			others = slices.Compact(others)
			ps.addf("%s: no wheel in %s has one of the lock's sha256 hashes (%d files with other hashes: %s); fix the lock's --hash lines or the files", pkg.where, sources, len(others), strings.Join(others, ", "))
		} else if pkg.Marker == "" {
			ps.addf("%s: no wheel of %s %s in %s; add one, or pin a version that is there", pkg.where, pkg.Name, pkg.Version, sources)
		} else {
			return false
		}
		return true
	}
	for _, w := range best {
		pkg.Wheels = append(pkg.Wheels, w)
	}
	return true
}

// better reports whether w is a better source of a file than prev: a local
// file beats a link, a link with a hash one without.
func better(w, prev Wheel) bool {
	if (w.Path != "") != (prev.Path != "") {
		return w.Path != ""
	}
	if (w.SHA256 != "") != (prev.SHA256 != "") {
		return w.SHA256 != ""
	}
	return w.URL+w.Path < prev.URL+prev.Path
}

// localPaths gives the wheels of a pylock package that have no path the
// path of a directory file with their sha256.
func (pl pool) localPaths(pkg *Package, ps *Problems) {
	cands := pl.candidatesOf(pkg)
	for i, w := range pkg.Wheels {
		if w.Path != "" {
			continue
		}
		for _, c := range cands {
			if c.path == "" || c.name.String() != w.Filename {
				continue
			}
			if err := c.hash(); err != nil {
				ps.addf("%s: %v", pkg.where, err)
				continue
			}
			if c.sha256 == w.SHA256 {
				pkg.Wheels[i].Path = c.path
				break
			}
		}
	}
}
