package pep440

import "strings"

// scanMode says which optional tails scanVersion may read after the release
// segment; specifier operators differ in what they allow.
type scanMode int

const (
	scanPlain    scanMode = 0
	scanLocal    scanMode = 1 << iota // a "+local" label
	scanWildcard                      // a ".*" suffix instead of pre/post/dev/local
)

// scanVersion reads the longest PEP 440 version starting at s[i], taking at
// each optional part the first choice that the reference regular expression
// would take. It returns the version, whether it ended in ".*" (only with
// scanWildcard), the index just after it, and false if s[i:] does not start
// with a version at all.
//
// Greedy choices are safe: every character a part consumes is one no later
// part could start with, so backtracking never finds a longer match.
func scanVersion(s string, i int, mode scanMode) (v Version, wildcard bool, end int, ok bool) {
	if i < len(s) && (s[i] == 'v' || s[i] == 'V') {
		i++
	}
	// Epoch: digits followed by "!".
	if d := digits(s, i); d > i && d < len(s) && s[d] == '!' {
		v.epoch = makeNum(s[i:d])
		i = d + 1
	}
	// Release: N(.N)*
	d := digits(s, i)
	if d == i {
		return Version{}, false, i, false
	}
	v.release = append(v.release, makeNum(s[i:d]))
	i = d
	for i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		d = digits(s, i+1)
		v.release = append(v.release, makeNum(s[i+1:d]))
		i = d
	}
	if mode&scanWildcard != 0 && strings.HasPrefix(s[i:], ".*") {
		return v, true, i + 2, true
	}
	// Pre-release: [-_.]?(label)[-_.]?N?
	if label, n, j, found := scanLabeled(s, i, preLabels); found {
		v.preLabel, v.pre, i = label, n, j
	}
	// Post-release: -N, or [-_.]?(label)[-_.]?N?
	if i+1 < len(s) && s[i] == '-' && isDigit(s[i+1]) {
		d = digits(s, i+1)
		v.post, v.hasPost, i = makeNum(s[i+1:d]), true, d
	} else if _, n, j, found := scanLabeled(s, i, postLabels); found {
		v.post, v.hasPost, i = n, true, j
	}
	// Development release: [-_.]?dev[-_.]?N?
	if _, n, j, found := scanLabeled(s, i, devLabels); found {
		v.dev, v.hasDev, i = n, true, j
	}
	// Local version label: +[a-z0-9]+([-_.][a-z0-9]+)*
	if mode&scanLocal != 0 && i+1 < len(s) && s[i] == '+' && isAlnum(s[i+1]) {
		j := i + 1
		for {
			start := j
			for j < len(s) && isAlnum(s[j]) {
				j++
			}
			v.local = append(v.local, makeLocalPart(s[start:j]))
			if j+1 < len(s) && isSep(s[j]) && isAlnum(s[j+1]) {
				j++
				continue
			}
			break
		}
		i = j
	}
	return v, false, i, true
}

// label is one spelling of a segment label and its normalized form.
type label struct{ spelling, norm string }

// The spellings of each label, longest first where one is a prefix of
// another, so the first match is the longest.
var (
	preLabels = []label{
		{"preview", "rc"}, {"alpha", "a"}, {"beta", "b"}, {"pre", "rc"},
		{"rc", "rc"}, {"a", "a"}, {"b", "b"}, {"c", "rc"},
	}
	postLabels = []label{{"post", "post"}, {"rev", "post"}, {"r", "post"}}
	devLabels  = []label{{"dev", "dev"}}
)

// scanLabeled reads [-_.]?(label)[-_.]?N? at s[i]; a missing number is 0.
func scanLabeled(s string, i int, labels []label) (norm string, n num, end int, ok bool) {
	j := i
	if j < len(s) && isSep(s[j]) {
		j++
	}
	for _, l := range labels {
		if len(s)-j >= len(l.spelling) && strings.EqualFold(s[j:j+len(l.spelling)], l.spelling) {
			norm, j = l.norm, j+len(l.spelling)
			break
		}
	}
	if norm == "" {
		return "", "", i, false
	}
	if j < len(s) && isSep(s[j]) {
		j++
	}
	d := digits(s, j)
	if d == j {
		return norm, "0", j, true
	}
	return norm, makeNum(s[j:d]), d, true
}

func makeLocalPart(s string) localPart {
	if digits(s, 0) == len(s) {
		return localPart{s: string(makeNum(s)), numeric: true}
	}
	return localPart{s: strings.ToLower(s)}
}

// digits returns the index after the run of ASCII digits starting at s[i].
func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isSep(c byte) bool { return c == '-' || c == '_' || c == '.' }

// isSpace reports whether r is whitespace as Python's str.isspace sees it,
// which is what the reference implementation strips around versions and
// specifiers.
func isSpace(r rune) bool {
	switch {
	case r == ' ' || ('\t' <= r && r <= '\r') || (0x1c <= r && r <= 0x1f):
		return true
	case r < 0x80:
		return false
	}
	switch r {
	case 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200a
}

func trimSpace(s string) string { return strings.TrimFunc(s, isSpace) }
