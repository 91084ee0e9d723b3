package pep508

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/pep440"
)

// ErrInvalidRequirement is wrapped by every error ParseRequirement returns.
var ErrInvalidRequirement = errors.New("invalid requirement")

// Requirement is a parsed dependency specification, such as
// `requests[security] >=2.8.1, ==2.8.* ; python_version < "2.7"` or
// `pip @ https://example.com/pip-1.3.1.zip`.
type Requirement struct {
	// Name is the project name as written; compare names with
	// NormalizeName.
	Name string
	// Extras are the requested extras as written, in order, without
	// exact duplicates; compare them with NormalizeName.
	Extras []string
	// Specifier constrains the version; empty for URL requirements.
	Specifier pep440.SpecifierSet
	// URL is the direct reference after "@", or "".
	URL string
	// Marker is the environment marker after ";", or nil.
	Marker *Marker
}

// ParseRequirement parses s per the specification's grammar:
//
//	name [extras] [version specifiers | (version specifiers)] [; marker]
//	name [extras] @ url [; marker]   (whitespace before ";" is required)
//
// Spaces and tabs may surround every part. Names and extras are letters and
// digits with '-', '_' and '.' inside. Errors wrap ErrInvalidRequirement and
// a *SyntaxError giving the offset, or the specifier's error.
func ParseRequirement(s string) (Requirement, error) {
	p := &parser{src: s}
	r, err := p.requirement()
	if err != nil {
		return Requirement{}, fmt.Errorf("%w %q: %w", ErrInvalidRequirement, s, err)
	}
	return r, nil
}

func (p *parser) requirement() (Requirement, error) {
	var r Requirement
	p.ws()
	if r.Name = p.identifier(); r.Name == "" {
		return r, p.fail(p.pos, "expected a project name")
	}
	p.ws()
	if p.peek('[') {
		open := p.pos
		p.pos++
		p.ws()
		if x := p.identifier(); x != "" {
			r.Extras = append(r.Extras, x)
			for {
				p.ws()
				if !p.peek(',') {
					if at := p.pos; p.identifier() != "" {
						return r, p.fail(at, "expected ',' between extras")
					}
					break
				}
				p.pos++
				p.ws()
				x := p.identifier()
				if x == "" {
					return r, p.fail(p.pos, "expected an extra name after ','")
				}
				r.Extras = appendNew(r.Extras, x)
			}
		}
		p.ws()
		if !p.peek(']') {
			return r, p.fail(p.pos, "expected ']' to close the extras opened at offset %d", open)
		}
		p.pos++
	}
	p.ws()
	if p.peek('@') {
		p.pos++
		p.ws()
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] != ' ' && p.src[p.pos] != '\t' {
			p.pos++
		}
		r.URL = p.src[start:p.pos]
		if r.URL == "" {
			return r, p.fail(p.pos, "expected a URL after '@'")
		}
		if err := checkURL(r.URL); err != nil {
			return r, p.wrap(start, err)
		}
		if !p.ws() || p.atEnd() {
			if !p.atEnd() {
				return r, p.fail(p.pos, "expected whitespace after the URL")
			}
			return r, nil
		}
		if !p.peek(';') {
			return r, p.fail(p.pos, "expected ';' or the end after the URL, found %q", p.rest())
		}
	} else {
		start := p.pos
		text, err := p.versionSpec()
		if err != nil {
			return r, err
		}
		if r.Specifier, err = pep440.ParseSpecifierSet(text); err != nil {
			return r, p.wrap(start, err)
		}
		p.ws()
		if p.atEnd() {
			return r, nil
		}
		if !p.peek(';') {
			what := "the version specifier"
			if text == "" {
				what = "the name (or an invalid version specifier)"
			}
			return r, p.fail(p.pos, "expected ';' or the end after %s, found %q", what, p.rest())
		}
	}
	p.pos++ // ';'
	m, err := p.marker()
	if err != nil {
		return r, err
	}
	p.ws()
	if !p.atEnd() {
		return r, p.fail(p.pos, "expected 'and', 'or' or the end of the marker, found %q", p.rest())
	}
	r.Marker = m
	return r, nil
}

// versionSpec reads the optional version specifiers, in parentheses or
// not, and returns their text with whitespace between clauses dropped.
// A trailing comma is tolerated, as the grammar's version_many allows.
func (p *parser) versionSpec() (string, error) {
	open := -1
	if p.peek('(') {
		open = p.pos
		p.pos++
		p.ws()
	}
	var b strings.Builder
	for p.pos < len(p.src) && strings.ContainsRune("~=!<>", rune(p.src[p.pos])) {
		start := p.pos
		_, end, err := pep440.ScanSpecifier(p.src, p.pos)
		if err != nil {
			return "", p.wrap(start, err)
		}
		b.WriteString(p.src[start:end])
		p.pos = end
		p.ws()
		if !p.peek(',') {
			break
		}
		b.WriteByte(',')
		p.pos++
		p.ws()
	}
	if open >= 0 {
		p.ws()
		if !p.peek(')') {
			return "", p.fail(p.pos, "expected ')' to close the '(' at offset %d", open)
		}
		p.pos++
	}
	return b.String(), nil
}

// checkURL accepts what the reference implementation accepts: a URL with
// a scheme and a host, or a file: URL that Python's urllib reproduces
// exactly (file:///path or file://host/path, lowercase scheme, no empty
// ";", "?" or "#" parts, no "//" path without a host).
func checkURL(u string) error {
	i := strings.IndexByte(u, ':')
	if i <= 0 || !isAlpha(u[0]) {
		return fmt.Errorf("URL %q has no scheme", u)
	}
	for j := 0; j < i; j++ {
		c := u[j]
		if !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return fmt.Errorf("URL %q has no scheme", u)
		}
	}
	scheme, rest := u[:i], u[i+1:]
	if !strings.HasPrefix(rest, "//") {
		return fmt.Errorf("URL %q has no \"//\" after the scheme", u)
	}
	rest = rest[2:]
	host := rest
	if k := strings.IndexAny(rest, "/?#"); k >= 0 {
		host = rest[:k]
	}
	if strings.Contains(host, "[") != strings.Contains(host, "]") {
		return fmt.Errorf("URL %q has an invalid IPv6 host", u)
	}
	if !strings.EqualFold(scheme, "file") {
		if host == "" {
			return fmt.Errorf("URL %q has no host", u)
		}
		return nil
	}
	path, fragment, hasFragment := strings.Cut(rest[len(host):], "#")
	path, query, hasQuery := strings.Cut(path, "?")
	last := path[strings.LastIndexByte(path, '/')+1:]
	_, params, hasParams := strings.Cut(last, ";")
	switch {
	case scheme != "file":
		return fmt.Errorf("file URL %q must spell its scheme in lowercase", u)
	case host == "" && strings.HasPrefix(path, "//"):
		return fmt.Errorf("file URL %q has a path starting with \"//\" but no host", u)
	case hasFragment && fragment == "", hasQuery && query == "", hasParams && params == "":
		return fmt.Errorf("file URL %q has an empty fragment, query or parameter", u)
	}
	return nil
}

func isAlpha(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// String returns the canonical form of r: the name, the extras sorted in
// brackets, the canonical specifier set, " @ " and the URL, and "; " and
// the canonical marker (with a space before ";" after a URL). Parsing it
// gives an equal requirement.
func (r Requirement) String() string {
	var b strings.Builder
	b.WriteString(r.Name)
	if len(r.Extras) > 0 {
		extras := append([]string(nil), r.Extras...)
		sort.Strings(extras)
		b.WriteString("[" + strings.Join(extras, ",") + "]")
	}
	b.WriteString(r.Specifier.String())
	if r.URL != "" {
		b.WriteString(" @ " + r.URL)
		if r.Marker != nil {
			b.WriteByte(' ')
		}
	}
	if r.Marker != nil {
		b.WriteString("; " + r.Marker.String())
	}
	return b.String()
}
