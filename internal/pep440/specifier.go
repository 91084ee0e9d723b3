package pep440

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// ErrInvalidSpecifier is wrapped by every error ParseSpecifier and
// ParseSpecifierSet return.
var ErrInvalidSpecifier = errors.New("invalid specifier")

// Operator is a version comparison operator of a specifier clause.
type Operator string

// The operators of the specification.
const (
	Compatible     Operator = "~="
	Equal          Operator = "=="
	NotEqual       Operator = "!="
	LessEqual      Operator = "<="
	GreaterEqual   Operator = ">="
	Less           Operator = "<"
	Greater        Operator = ">"
	ArbitraryEqual Operator = "==="
)

// operators in the order they are tried: a two-character operator before
// its one-character prefix. "===" is recognised before "==".
var operators = []Operator{ArbitraryEqual, Compatible, Equal, NotEqual, LessEqual, GreaterEqual, Less, Greater}

// Specifier is one clause of a specifier set, such as ">=1.0" or "==2.*".
type Specifier struct {
	op       Operator
	version  Version // unused for ===
	wildcard bool    // "==V.*" or "!=V.*"
	raw      string  // the operand of ===, as written
}

// ParseSpecifier parses one clause: an operator and a version, with
// optional whitespace around and between them. The version must be valid
// for the operator: "~=" needs at least two release components; only "=="
// and "!=" accept a local label or a ".*" suffix (not both, and ".*" not
// after a pre, post or dev segment); "===" takes any string without
// whitespace, ";" or ")".
func ParseSpecifier(s string) (Specifier, error) {
	t := trimSpace(s)
	spec, end, err := ScanSpecifier(t, 0)
	if err != nil {
		return Specifier{}, fmt.Errorf("%w %q: %v", ErrInvalidSpecifier, s, err)
	}
	if end != len(t) {
		return Specifier{}, fmt.Errorf("%w %q: unexpected %q after the version", ErrInvalidSpecifier, s, t[end:])
	}
	return spec, nil
}

// ScanSpecifier reads the clause that starts at s[i] with its operator and
// returns it with the index just after its version, for parsers of texts
// that embed specifiers, such as PEP 508 requirements. Whitespace may
// separate the operator from the version. The clause ends where the
// version grammar of its operator ends; an "===" operand ends at
// whitespace, ";" or ")".
func ScanSpecifier(s string, i int) (Specifier, int, error) {
	var op Operator
	for _, o := range operators {
		if strings.HasPrefix(s[i:], string(o)) {
			op = o
			break
		}
	}
	if op == "" {
		return Specifier{}, i, fmt.Errorf("expected an operator (~=, ==, !=, <=, >=, <, >, ===) at %q", s[i:])
	}
	j := i + len(op)
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isSpace(r) {
			break
		}
		j += size
	}
	if op == ArbitraryEqual {
		k := j
		for k < len(s) {
			r, size := utf8.DecodeRuneInString(s[k:])
			if isSpace(r) || r == ';' || r == ')' {
				break
			}
			k += size
		}
		return Specifier{op: op, raw: s[j:k]}, k, nil
	}
	mode := scanPlain
	if op == Equal || op == NotEqual {
		mode = scanLocal | scanWildcard
	}
	v, wildcard, end, ok := scanVersion(s, j, mode)
	if !ok {
		return Specifier{}, i, fmt.Errorf("expected a version after %s", op)
	}
	if op == Compatible && len(v.release) < 2 {
		return Specifier{}, i, fmt.Errorf("~= needs a version with at least two release components")
	}
	return Specifier{op: op, version: v, wildcard: wildcard}, end, nil
}

// Operator returns the clause's operator.
func (s Specifier) Operator() Operator { return s.op }

// Version returns the clause's operand in canonical form: the normalized
// version, with ".*" for prefix matches, or the operand of "===" as
// written.
func (s Specifier) Version() string {
	switch {
	case s.op == ArbitraryEqual:
		return s.raw
	case s.wildcard:
		return s.version.String() + ".*"
	}
	return s.version.String()
}

// String returns the canonical form of the clause, the operator followed
// by Version(), with no whitespace.
func (s Specifier) String() string { return string(s.op) + s.Version() }

// Prerelease reports whether the clause names a pre-release with an
// inclusive operator (~=, ==, <=, >=, ===), which is what lets a specifier
// set match pre-releases by default.
func (s Specifier) Prerelease() bool {
	switch s.op {
	case Compatible, Equal, LessEqual, GreaterEqual:
		return s.version.IsPrerelease()
	case ArbitraryEqual:
		v, err := Parse(s.raw)
		return err == nil && v.IsPrerelease()
	}
	return false
}

// Matches reports whether v satisfies the clause, pre-releases included:
// the pre-release policy belongs to SpecifierSet.
func (s Specifier) Matches(v Version) bool {
	switch s.op {
	case Compatible:
		// ~=V.N is >=V.N together with ==V.*; suffixes of V do not count.
		prefix := s.version.release[:len(s.version.release)-1]
		return v.Public().Compare(s.version) >= 0 && prefixMatch(v, s.version.epoch, prefix)
	case Equal:
		return s.equal(v)
	case NotEqual:
		return !s.equal(v)
	case LessEqual:
		return v.Public().Compare(s.version) <= 0
	case GreaterEqual:
		return v.Public().Compare(s.version) >= 0
	case Less:
		// <V excludes pre-releases of V unless V is one.
		if v.Compare(s.version) >= 0 {
			return false
		}
		return s.version.IsPrerelease() || !v.IsPrerelease() || !v.BaseVersion().Equal(s.version.BaseVersion())
	case Greater:
		// >V excludes post-releases of V unless V is one, and local
		// versions of V.
		if v.Compare(s.version) <= 0 {
			return false
		}
		sameBase := v.BaseVersion().Equal(s.version.BaseVersion())
		if sameBase && v.IsPostrelease() && !s.version.IsPostrelease() {
			return false
		}
		return !(sameBase && v.local != nil)
	case ArbitraryEqual:
		return strings.EqualFold(v.String(), s.raw)
	}
	return false
}

// equal implements "==": a prefix match for "V.*"; otherwise strict
// equality, ignoring the candidate's local label unless V has one.
func (s Specifier) equal(v Version) bool {
	if s.wildcard {
		return prefixMatch(v, s.version.epoch, s.version.release)
	}
	if s.version.local == nil {
		v = v.Public()
	}
	return v.Equal(s.version)
}

// prefixMatch reports whether v has the given epoch and its release segment,
// padded with zeros, starts with prefix. Pre, post, dev and local segments of
// v do not matter.
func prefixMatch(v Version, epoch num, prefix []num) bool {
	if v.epoch.cmp(epoch) != 0 {
		return false
	}
	for i, p := range prefix {
		var r num = "0"
		if i < len(v.release) {
			r = v.release[i]
		}
		if r.cmp(p) != 0 {
			return false
		}
	}
	return true
}

// SpecifierSet is a conjunction of specifier clauses. The zero SpecifierSet
// has no clauses.
type SpecifierSet struct {
	specs []Specifier // sorted by String, without duplicates
}

// ParseSpecifierSet parses comma-separated clauses, such as
// ">= 1.0, != 1.3.*, < 2". Whitespace around clauses and empty clauses are
// ignored, so "" is the empty set.
func ParseSpecifierSet(s string) (SpecifierSet, error) {
	var set SpecifierSet
	for _, part := range strings.Split(s, ",") {
		if trimSpace(part) == "" {
			continue
		}
		spec, err := ParseSpecifier(part)
		if err != nil {
			return SpecifierSet{}, err
		}
		set.specs = append(set.specs, spec)
	}
	set.normalize()
	return set, nil
}

// MustParseSpecifierSet is like ParseSpecifierSet but panics on error. It is
// meant for constants in tests and tables, never for input.
func MustParseSpecifierSet(s string) SpecifierSet {
	set, err := ParseSpecifierSet(s)
	if err != nil {
		panic(err)
	}
	return set
}

// normalize sorts the clauses by their canonical form and drops the
// duplicates: clauses equal as the reference implementation compares them
// (see identity), of which the first in that order stays, so that
// ">1.0.0,>1.0" is ">1.0".
func (s *SpecifierSet) normalize() {
	sort.SliceStable(s.specs, func(i, j int) bool { return s.specs[i].String() < s.specs[j].String() })
	out := s.specs[:0]
	seen := make(map[string]bool, len(s.specs))
	for _, spec := range s.specs {
		if id := spec.identity(); !seen[id] {
			seen[id] = true
			out = append(out, spec)
		}
	}
	if len(out) == 0 {
		out = nil
	}
	s.specs = out
}

// identity is what makes two clauses the same clause for the reference
// implementation (packaging's Specifier._canonical_spec): the operator and
// the version without trailing zeros in its release (kept for "~=", whose
// meaning depends on them); prefix matches and "===" operands as written.
func (s Specifier) identity() string {
	if s.op == ArbitraryEqual || s.wildcard || s.op == Compatible {
		return s.String()
	}
	v := s.version
	v.release = trimZeros(v.release)
	return string(s.op) + v.String()
}

// String returns the canonical form: the canonical clauses, sorted, without
// duplicates (clauses that differ only in trailing zeros, such as >1.0.0
// and >1.0, are one), joined by ",". The empty set gives "".
func (s SpecifierSet) String() string {
	parts := make([]string, len(s.specs))
	for i, spec := range s.specs {
		parts[i] = spec.String()
	}
	return strings.Join(parts, ",")
}

// Specifiers returns the clauses of s in canonical order.
func (s SpecifierSet) Specifiers() []Specifier { return append([]Specifier(nil), s.specs...) }

// IsEmpty reports whether s has no clauses.
func (s SpecifierSet) IsEmpty() bool { return len(s.specs) == 0 }

// And returns the set of the clauses of both s and t: the versions both
// contain.
func (s SpecifierSet) And(t SpecifierSet) SpecifierSet {
	out := SpecifierSet{specs: append(append([]Specifier(nil), s.specs...), t.specs...)}
	out.normalize()
	return out
}

// Prereleases reports whether s matches pre-releases by default: whether a
// clause names a pre-release with an inclusive operator (see
// Specifier.Prerelease).
func (s SpecifierSet) Prereleases() bool {
	for _, spec := range s.specs {
		if spec.Prerelease() {
			return true
		}
	}
	return false
}

// Contains reports whether v satisfies every clause, with the default
// pre-release policy of the specification as the reference implementation
// applies it: a pre-release (or dev release) matches only if some clause
// names a pre-release (see Prereleases). In particular the empty set
// contains every final and post-release, and no pre-release; use
// ContainsPrerelease(v, true) to admit pre-releases, for example to check an
// interpreter's version against Requires-Python.
func (s SpecifierSet) Contains(v Version) bool {
	return s.ContainsPrerelease(v, s.Prereleases())
}

// ContainsPrerelease reports whether v satisfies every clause, with an
// explicit pre-release policy: if allow is false, pre-releases never match;
// if true, they match like any other version.
func (s SpecifierSet) ContainsPrerelease(v Version, allow bool) bool {
	if !allow && v.IsPrerelease() {
		return false
	}
	for _, spec := range s.specs {
		if !spec.Matches(v) {
			return false
		}
	}
	return true
}
