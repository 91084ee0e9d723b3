package lock

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/pep508"
	"github.com/rules-pex/rules_pex/internal/wheel"
)

// pylockParser holds the state of one PEP 751 lock file.
type pylockParser struct {
	l  *Lock
	ps *Problems
}

func (p *pylockParser) at(line int) string { return fmt.Sprintf("%s:%d", p.l.Lock, line) }

// str returns the string at key of t; a value of another type is a problem.
func (p *pylockParser) str(t *Table, key, where string) (string, bool) {
	v, ok := t.Keys[key]
	if !ok {
		return "", false
	}
	s, isString := v.(string)
	if !isString {
		p.ps.addf("%s: %s must be a string, not %s", p.at(t.Lines[key]), where+key, describeValue(v))
		return "", false
	}
	return s, true
}

// tables returns the tables of an array of tables, or of an array of
// inline tables, at key of t.
func (p *pylockParser) tables(t *Table, key, where string) []*Table {
	switch v := t.Keys[key].(type) {
	case nil:
		return nil
	case *TableArray:
		return v.Tables
	case []any:
		out := make([]*Table, 0, len(v))
		for _, e := range v {
			et, ok := e.(*Table)
			if !ok {
				p.ps.addf("%s: %s must be an array of tables, but holds %s", p.at(t.Lines[key]), where+key, describeValue(e))
				return nil
			}
			out = append(out, et)
		}
		return out
	default:
		p.ps.addf("%s: %s must be an array of tables, not %s", p.at(t.Lines[key]), where+key, describeValue(v))
		return nil
	}
}

var lockVersionRE = regexp.MustCompile(`^(\d+)\.(\d+)$`)

func parsePylock(l *Lock, data []byte, ps *Problems) {
	root, err := ParseTOML(data)
	if err != nil {
		var te *TOMLError
		if errors.As(err, &te) {
			ps.addf("%s:%d:%d: %s", l.Lock, te.Line, te.Column, te.Msg)
		} else {
			ps.addf("%s: %v", l.Lock, err)
		}
		return
	}
	p := &pylockParser{l: l, ps: ps}
	lv, ok := p.str(root, "lock-version", "")
	switch m := lockVersionRE.FindStringSubmatch(lv); {
	case !ok && len(*ps) == 0:
		ps.addf("%s: no lock-version; a PEP 751 lock file starts with lock-version = \"1.0\"", l.Lock)
		return
	case !ok:
		return
	case m == nil:
		ps.addf("%s: lock-version = %q: want MAJOR.MINOR, such as \"1.0\"", p.at(root.Lines["lock-version"]), lv)
		return
	case m[1] != "1":
		ps.addf("%s: lock-version = %q: this packer reads lock-version 1.x (PEP 751); write the lock with a tool that writes version 1.0, or use a newer rules_pex", p.at(root.Lines["lock-version"]), lv)
		return
	}
	if _, ok := root.Keys["packages"]; !ok {
		ps.addf("%s: no [[packages]]; a PEP 751 lock file lists its packages in [[packages]] tables", l.Lock)
		return
	}
	byName := map[string]*Package{}
	indexes := []string{}
	for i, t := range p.tables(root, "packages", "") {
		if pkg, index := p.pkg(t, i); pkg != nil {
			l.add(pkg, byName, ps)
			if index != "" && !slices.Contains(indexes, index) {
				indexes = append(indexes, index)
			}
		}
	}
	slices.Sort(indexes)
	l.IndexURLs = indexes
}

// pkg reads one [[packages]] table, the i-th. It returns nil for a package
// that is skipped or has problems.
func (p *pylockParser) pkg(t *Table, i int) (*Package, string) {
	where := p.at(t.Line)
	rawName, ok := p.str(t, "name", "packages.")
	if !ok {
		if _, present := t.Keys["name"]; !present {
			p.ps.addf("%s: [[packages]] number %d has no name", where, i+1)
		}
		return nil, ""
	}
	if !pep508.ValidName(rawName) {
		p.ps.addf("%s: name = %q is not a valid project name", where, rawName)
		return nil, ""
	}
	name := pep508.NormalizeName(rawName)
	rawVersion, hasVersion := p.str(t, "version", "packages.")
	version := rawVersion
	if hasVersion {
		v, err := pep440.Parse(rawVersion)
		if err != nil {
			p.ps.addf("%s: %s: version = %q is not a PEP 440 version: %v", where, name, rawVersion, err)
			return nil, ""
		}
		version = v.String()
	}
	what := name
	if hasVersion {
		what += " " + version
	}
	index, _ := p.str(t, "index", "packages.")
	pkg := &Package{
		Name: name, Version: version, Line: t.Line,
		Extras: []string{}, Wheels: []Wheel{}, SHA256: []string{},
		where: fmt.Sprintf("%s: %s", where, what),
	}
	if m, ok := p.str(t, "marker", "packages."); ok {
		marker, err := canonicalMarker(m)
		if err != nil {
			p.ps.addf("%s: marker = %q: %v", pkg.where, m, err)
			return nil, ""
		}
		pkg.Marker = marker
	}
	for _, src := range []struct{ key, reason string }{
		{"vcs", "a version control checkout (packages.vcs): rules_pex packs wheels only; lock a wheel of it"},
		{"directory", "a local source tree (packages.directory): rules_pex packs wheels only; build a wheel of it and lock that"},
		{"archive", "a direct archive reference (packages.archive): rules_pex takes wheels from [[packages.wheels]] only"},
	} {
		if _, ok := t.Keys[src.key]; ok {
			p.l.Skipped = append(p.l.Skipped, Skipped{Name: name, Version: version, Line: t.Line, Reason: src.reason})
			return nil, ""
		}
	}
	wheels := p.tables(t, "wheels", "packages.")
	if len(wheels) == 0 {
		if _, ok := t.Keys["sdist"]; ok {
			p.l.Skipped = append(p.l.Skipped, Skipped{Name: name, Version: version, Line: t.Line, Reason: "only an sdist (packages.sdist): rules_pex packs wheels only; lock a wheel of it"})
		} else {
			p.l.Skipped = append(p.l.Skipped, Skipped{Name: name, Version: version, Line: t.Line, Reason: "no [[packages.wheels]]"})
		}
		return nil, ""
	}
	if !hasVersion {
		p.ps.addf("%s: no version; a package with [[packages.wheels]] must give its version", pkg.where)
		return nil, ""
	}
	ok = true
	for _, wt := range wheels {
		w, good := p.wheel(wt, pkg)
		if !good {
			ok = false
			continue
		}
		pkg.Wheels = append(pkg.Wheels, w)
		pkg.SHA256 = append(pkg.SHA256, w.SHA256)
	}
	if !ok {
		return nil, ""
	}
	return pkg, index
}

// wheel reads one [[packages.wheels]] table of pkg.
func (p *pylockParser) wheel(t *Table, pkg *Package) (Wheel, bool) {
	where := fmt.Sprintf("%s: %s %s", p.at(t.Line), pkg.Name, pkg.Version)
	n := len(*p.ps)
	var w Wheel
	u, hasURL := p.str(t, "url", "packages.wheels.")
	lp, hasPath := p.str(t, "path", "packages.wheels.")
	name, hasName := p.str(t, "name", "packages.wheels.")
	if len(*p.ps) > n {
		return w, false
	}
	if !hasURL && !hasPath {
		p.ps.addf("%s: a [[packages.wheels]] table needs a url or a path", where)
		return w, false
	}
	if hasURL {
		parsed, err := url.Parse(u)
		if err != nil || parsed.Scheme == "" {
			p.ps.addf("%s: url = %q is not an absolute URL", where, u)
			return w, false
		}
		w.URL = u
		if !hasName {
			name, _ = url.PathUnescape(path.Base(parsed.Path))
		}
	}
	if hasPath {
		full := filepath.FromSlash(lp)
		if !filepath.IsAbs(full) {
			full = filepath.Join(filepath.Dir(p.l.Lock), full)
		}
		abs, err := filepath.Abs(full)
		if err != nil {
			p.ps.addf("%s: path = %q: %v", where, lp, err)
			return w, false
		}
		w.Path = abs
		if !hasName && !hasURL {
			name = path.Base(filepath.ToSlash(lp))
		}
	}
	wn, err := wheel.ParseFilename(name)
	if err != nil {
		p.ps.addf("%s: %v", where, err)
		return w, false
	}
	if wn.NormalizedProject() != pkg.Name || !wn.ParsedVersion().Equal(pep440.MustParse(pkg.Version)) {
		p.ps.addf("%s: the wheel %s is not of %s %s", where, name, pkg.Name, pkg.Version)
		return w, false
	}
	w.Filename = name
	hashes, ok := t.Keys["hashes"].(*Table)
	if !ok {
		if v, present := t.Keys["hashes"]; present {
			p.ps.addf("%s: %s: hashes must be a table, such as hashes = {sha256 = \"...\"}, not %s", where, name, describeValue(v))
		} else {
			p.ps.addf("%s: %s: no hashes; every file of a lock must have hashes = {sha256 = \"...\"}", where, name)
		}
		return w, false
	}
	sum, ok := p.str(hashes, "sha256", "packages.wheels.hashes.")
	switch {
	case !ok && len(*p.ps) > n:
		return w, false
	case !ok:
		algos := make([]string, 0, len(hashes.Keys))
		for k := range hashes.Keys {
			algos = append(algos, k)
		}
		slices.Sort(algos)
		p.ps.addf("%s: %s: no sha256 in hashes (it has %s); rules_pex checks every wheel by its sha256", where, name, strings.Join(algos, ", "))
		return w, false
	case !isSHA256(sum):
		p.ps.addf("%s: %s: hashes.sha256 = %q is not 64 hexadecimal digits", where, name, sum)
		return w, false
	}
	w.SHA256 = strings.ToLower(sum)
	return w, true
}

// canonicalMarker returns the canonical form of a package's marker. The
// extras and dependency_groups variables PEP 751 adds for lock files are
// not PEP 508's; a marker using them is kept as written.
func canonicalMarker(s string) (string, error) {
	m, err := pep508.ParseMarker(s)
	if err == nil {
		return m.String(), nil
	}
	if lockOnlyMarker.MatchString(s) {
		return strings.TrimSpace(s), nil
	}
	return "", err
}

var lockOnlyMarker = regexp.MustCompile(`\b(extras|dependency_groups)\b`)
