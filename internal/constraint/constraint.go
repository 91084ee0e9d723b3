// Package constraint owns interpreter constraints in PEX's syntax: an
// optional implementation name followed by an optional PEP 440 specifier
// set, e.g. "CPython>=3.9,<3.13", "PyPy", ">=3.8" or "CPython==3.11.*".
// Several constraints are OR'ed: an interpreter is acceptable when it
// satisfies any one of them; no constraints at all accept every interpreter.
package constraint

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rules-pex/rules_pex/internal/pep440"
)

// Implementations are the implementation names a constraint may start
// with, as platform.python_implementation() spells them.
var Implementations = []string{"CPython", "PyPy", "Jython", "IronPython"}

// Constraint is one parsed interpreter constraint.
type Constraint struct {
	// Implementation is one of Implementations, or "" for any.
	Implementation string
	// Specifier constrains the interpreter's Python version (empty: any).
	Specifier pep440.SpecifierSet
	raw       string
}

// String returns the constraint as it was written.
func (c Constraint) String() string { return c.raw }

// ErrInvalid is wrapped by every parse error.
var ErrInvalid = errors.New("invalid interpreter constraint")

// Parse parses one constraint. Implementation names are matched without
// regard to case ("cpython>=3.9" is CPython).
func Parse(s string) (Constraint, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Constraint{}, fmt.Errorf("%w %q: empty; write e.g. CPython>=3.9,<3.13, PyPy or >=3.8", ErrInvalid, s)
	}
	i := strings.IndexFunc(t, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
	if i < 0 {
		i = len(t)
	}
	c := Constraint{raw: s}
	if name := t[:i]; name != "" {
		for _, impl := range Implementations {
			if strings.EqualFold(name, impl) {
				c.Implementation = impl
			}
		}
		if c.Implementation == "" {
			return Constraint{}, fmt.Errorf("%w %q: unknown implementation %q; want one of %s, or none (any implementation)",
				ErrInvalid, s, name, strings.Join(Implementations, ", "))
		}
	}
	spec, err := pep440.ParseSpecifierSet(strings.TrimSpace(t[i:]))
	if err != nil {
		return Constraint{}, fmt.Errorf("%w %q: %v", ErrInvalid, s, err)
	}
	c.Specifier = spec
	return c, nil
}

// Matches reports whether an interpreter of the given implementation (as
// platform.python_implementation() names it) and full Python version
// satisfies c. As in pex, the specifier is matched against the release
// alone (sys.version_info[:3]): 3.13.0rc1 and a development build 3.13.0+
// are 3.13.0, so they satisfy ">=3.13" and "==3.13.*", not "<3.13".
func (c Constraint) Matches(implementation string, version pep440.Version) bool {
	if c.Implementation != "" && !strings.EqualFold(c.Implementation, implementation) {
		return false
	}
	return c.Specifier.Contains(version.BaseVersion())
}

// Set is a list of OR'ed constraints.
type Set []Constraint

// ParseAll parses every constraint and reports all invalid ones together.
func ParseAll(ss []string) (Set, error) {
	var set Set
	var errs []error
	for _, s := range ss {
		c, err := Parse(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		set = append(set, c)
	}
	return set, errors.Join(errs...)
}

// Matches reports whether any constraint in s matches; an empty set
// matches every interpreter.
func (s Set) Matches(implementation string, version pep440.Version) bool {
	if len(s) == 0 {
		return true
	}
	for _, c := range s {
		if c.Matches(implementation, version) {
			return true
		}
	}
	return false
}

// String joins the constraints with " or ".
func (s Set) String() string {
	parts := make([]string, len(s))
	for i, c := range s {
		parts[i] = c.raw
	}
	return strings.Join(parts, " or ")
}
