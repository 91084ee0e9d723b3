// Package pep440 owns Python version numbers and version specifiers as the
// PyPA version specifiers specification (PEP 440) defines them: parsing every
// spelling the specification's normalization rules accept, the canonical
// normalized form, the total ordering of versions, and the matching of
// versions against specifier sets such as ">=3.9,!=3.9.1,<4".
//
// Behaviour follows the specification; where it leaves room, it follows
// the reference implementation, the Python "packaging" library, which the
// tests use as an oracle.
package pep440

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// ErrInvalidVersion is wrapped by every error Parse returns.
var ErrInvalidVersion = errors.New("invalid version")

// Version is a parsed PEP 440 version. Use Parse to make one; the zero
// Version is not a valid version. Versions are values: methods never modify
// the receiver, and slices they return are copies.
//
// Numeric components are kept exactly, however large.
type Version struct {
	epoch   num
	release []num

	pre      num    // pre-release number, when preLabel != ""
	preLabel string // "a", "b" or "rc"; "" when not a pre-release

	post    num
	hasPost bool

	dev    num
	hasDev bool

	local []localPart // nil when there is no local version label
}

// localPart is one dot-separated part of a local version label: a number,
// or a lowercase alphanumeric string.
type localPart struct {
	s       string
	numeric bool
}

// Parse parses s as a PEP 440 version. It accepts every spelling the
// specification's normalization section allows: any letter case, a leading
// "v", leading and trailing whitespace, "-", "_" and "." separators (or
// none) around pre-release, post-release and development segments, the
// alternative spellings alpha, beta, c, pre, preview, rev and r, implicit
// numbers, the implicit post-release "1.0-1", leading zeros, epochs and local
// version labels. Anything else is an error wrapping ErrInvalidVersion.
func Parse(s string) (Version, error) {
	t := trimSpace(s)
	if t == "" {
		return Version{}, fmt.Errorf("%w %q: empty", ErrInvalidVersion, s)
	}
	v, _, end, ok := scanVersion(t, 0, scanLocal)
	if !ok {
		return Version{}, fmt.Errorf("%w %q: no release number", ErrInvalidVersion, s)
	}
	if end != len(t) {
		return Version{}, fmt.Errorf("%w %q: unexpected %q", ErrInvalidVersion, s, t[end:])
	}
	return v, nil
}

// MustParse is like Parse but panics on error. It is meant for constants in
// tests and tables, never for input.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the canonical normalized form of v, for example
// "1!2.0rc1.post2.dev3+ubuntu.1". Parse(v.String()) is equal to v.
func (v Version) String() string {
	var b strings.Builder
	if v.epoch.nonZero() {
		b.WriteString(string(v.epoch))
		b.WriteByte('!')
	}
	for i, r := range v.release {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(r.String())
	}
	if v.preLabel != "" {
		b.WriteString(v.preLabel)
		b.WriteString(v.pre.String())
	}
	if v.hasPost {
		b.WriteString(".post")
		b.WriteString(v.post.String())
	}
	if v.hasDev {
		b.WriteString(".dev")
		b.WriteString(v.dev.String())
	}
	if v.local != nil {
		b.WriteByte('+')
		b.WriteString(v.Local())
	}
	return b.String()
}

// Compare returns -1, 0 or +1 as v sorts before, equal to or after w in the
// PEP 440 ordering: by epoch, then release (trailing zeros do not count, so
// 1.0 == 1.0.0), then .devN < aN < bN < rcN < final < .postN (a .devN of a
// pre- or post-release sorts just before it), then local label (none sorts
// first; numeric parts after alphanumeric ones).
func (v Version) Compare(w Version) int {
	if c := v.epoch.cmp(w.epoch); c != 0 {
		return c
	}
	if c := compareRelease(v.release, w.release); c != 0 {
		return c
	}
	if c := v.preKey().cmp(w.preKey()); c != 0 {
		return c
	}
	if c := v.postKey().cmp(w.postKey()); c != 0 {
		return c
	}
	if c := v.devKey().cmp(w.devKey()); c != 0 {
		return c
	}
	return compareLocal(v.local, w.local)
}

// Equal reports whether v and w are the same version in the PEP 440
// ordering (Compare returns 0). Equal versions may print differently:
// 1.0 and 1.0.0 are equal.
func (v Version) Equal(w Version) bool { return v.Compare(w) == 0 }

// Less reports whether v sorts before w.
func (v Version) Less(w Version) bool { return v.Compare(w) < 0 }

// IsPrerelease reports whether v is a pre-release or a development release
// (1.0a1, 1.0.dev0, 1.0.post1.dev2).
func (v Version) IsPrerelease() bool { return v.preLabel != "" || v.hasDev }

// IsDevrelease reports whether v has a development release segment.
func (v Version) IsDevrelease() bool { return v.hasDev }

// IsPostrelease reports whether v has a post-release segment.
func (v Version) IsPostrelease() bool { return v.hasPost }

// Epoch returns the epoch (0 unless written as "N!"). Values beyond the
// range of int saturate at math.MaxInt.
func (v Version) Epoch() int { return v.epoch.int() }

// Release returns the components of the release segment, trailing zeros
// included (1.2.0 gives [1 2 0]). Components beyond the range of int
// saturate at math.MaxInt; Compare and String are exact regardless.
func (v Version) Release() []int {
	out := make([]int, len(v.release))
	for i, r := range v.release {
		out[i] = r.int()
	}
	return out
}

// Major returns the first release component, or 0.
func (v Version) Major() int { return v.component(0) }

// Minor returns the second release component, or 0.
func (v Version) Minor() int { return v.component(1) }

// Micro returns the third release component, or 0.
func (v Version) Micro() int { return v.component(2) }

func (v Version) component(i int) int {
	if i < len(v.release) {
		return v.release[i].int()
	}
	return 0
}

// Pre returns the normalized pre-release label ("a", "b" or "rc") and
// number, and whether v has a pre-release segment.
func (v Version) Pre() (label string, n int, ok bool) {
	if v.preLabel == "" {
		return "", 0, false
	}
	return v.preLabel, v.pre.int(), true
}

// Post returns the post-release number and whether v has one.
func (v Version) Post() (n int, ok bool) { return v.post.int(), v.hasPost }

// Dev returns the development release number and whether v has one.
func (v Version) Dev() (n int, ok bool) { return v.dev.int(), v.hasDev }

// Local returns the normalized local version label (after the "+"), or "".
func (v Version) Local() string {
	parts := make([]string, len(v.local))
	for i, p := range v.local {
		parts[i] = p.s
	}
	return strings.Join(parts, ".")
}

// Public returns v without its local version label.
func (v Version) Public() Version {
	v.local = nil
	v.release = append([]num(nil), v.release...)
	return v
}

// BaseVersion returns the epoch and release segment of v only: 1!2.0 for
// 1!2.0rc1.post1.dev2+local.
func (v Version) BaseVersion() Version {
	return Version{epoch: v.epoch, release: append([]num(nil), v.release...)}
}

// num is a non-negative integer in canonical decimal form ("0", "42"). Keeping
// digits instead of machine integers keeps every version exact: Python's
// int has no upper bound, so neither do PEP 440 numbers. The empty num is 0.
type num string

// makeNum canonicalizes a non-empty run of ASCII digits.
func makeNum(digits string) num {
	d := strings.TrimLeft(digits, "0")
	if d == "" {
		return "0"
	}
	return num(d)
}

func (n num) String() string {
	if n == "" {
		return "0"
	}
	return string(n)
}

func (n num) nonZero() bool { return n != "" && n != "0" }

func (n num) cmp(m num) int {
	a, b := n.String(), m.String()
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// int converts n, saturating at math.MaxInt.
func (n num) int() int {
	x := 0
	for i := 0; i < len(n); i++ {
		d := int(n[i] - '0')
		if x > (math.MaxInt-d)/10 {
			return math.MaxInt
		}
		x = x*10 + d
	}
	return x
}

func compareRelease(a, b []num) int {
	a, b = trimZeros(a), trimZeros(b)
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := a[i].cmp(b[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(a), len(b))
}

func trimZeros(r []num) []num {
	for len(r) > 0 && !r[len(r)-1].nonZero() {
		r = r[:len(r)-1]
	}
	return r
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortKey is one position of the ordering key: -infinity, a (label,
// number) pair, or +infinity.
type sortKey struct {
	inf   int // -1 or +1 for the infinities, 0 for a value
	label string
	n     num
}

func (k sortKey) cmp(l sortKey) int {
	if k.inf != 0 || l.inf != 0 {
		return cmpInt(k.inf, l.inf)
	}
	if c := strings.Compare(k.label, l.label); c != 0 {
		return c
	}
	return k.n.cmp(l.n)
}

var (
	negInf = sortKey{inf: -1}
	posInf = sortKey{inf: +1}
)

func (v Version) preKey() sortKey {
	switch {
	case v.preLabel == "" && !v.hasPost && v.hasDev:
		// 1.0.dev0 sorts before 1.0a0.
		return negInf
	case v.preLabel == "":
		return posInf
	}
	// "a" < "b" < "rc" as strings, which is the order the spec wants.
	return sortKey{label: v.preLabel, n: v.pre}
}

func (v Version) postKey() sortKey {
	if !v.hasPost {
		return negInf
	}
	return sortKey{n: v.post}
}

func (v Version) devKey() sortKey {
	if !v.hasDev {
		return posInf
	}
	return sortKey{n: v.dev}
}

// compareLocal orders local labels: none first; then part by part, with
// alphanumeric parts before numeric ones, strings lexicographically and
// numbers numerically; a label that is a prefix of another sorts first.
func compareLocal(a, b []localPart) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		switch {
		case x.numeric && y.numeric:
			if c := num(x.s).cmp(num(y.s)); c != 0 {
				return c
			}
		case x.numeric:
			return 1
		case y.numeric:
			return -1
		default:
			if c := strings.Compare(x.s, y.s); c != 0 {
				return c
			}
		}
	}
	return cmpInt(len(a), len(b))
}
