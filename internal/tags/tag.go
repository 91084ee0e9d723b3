// Package tags owns Python compatibility tags: parsing the tag triples found
// in wheel file names and WHEEL files (PEP 425, with compressed tag sets),
// computing the ordered list of tags an interpreter supports (PEP 425,
// manylinux per PEP 600, musllinux per PEP 656, macOS, abi3) exactly as
// packaging.tags.sys_tags() does, and ranking wheels by that order.
//
// The facts the computation needs are gathered into an Interpreter (see
// launcher/internal/probe, which learns them from a running interpreter). Linux (glibc
// and musl, every architecture) and macOS are covered; Windows is not: an
// interpreter on any other system gets only its generic sysconfig platform.
package tags

import (
	"fmt"
	"strings"
)

// Tag is one (interpreter, abi, platform) triple, e.g. cp311-cp311-manylinux_2_17_x86_64.
type Tag struct {
	Interpreter string
	ABI         string
	Platform    string
}

// String returns the tag in its canonical dash-separated form.
func (t Tag) String() string {
	return t.Interpreter + "-" + t.ABI + "-" + t.Platform
}

// ParseSet expands a possibly compressed tag set such as
// "py2.py3-none-any" or "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"
// into its individual tags, in the order the components are written.
// Tags are lowercased, as PEP 425 comparisons are case-insensitive.
func ParseSet(s string) ([]Tag, error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return nil, fmt.Errorf("invalid tag %q: want interpreter-abi-platform", s)
	}
	var comps [3][]string
	for i, p := range parts {
		for _, c := range strings.Split(p, ".") {
			if c == "" || strings.ContainsFunc(c, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
			}) {
				return nil, fmt.Errorf("invalid tag %q: bad component %q", s, c)
			}
			comps[i] = append(comps[i], strings.ToLower(c))
		}
	}
	var out []Tag
	for _, i := range comps[0] {
		for _, a := range comps[1] {
			for _, p := range comps[2] {
				out = append(out, Tag{i, a, p})
			}
		}
	}
	return out, nil
}
