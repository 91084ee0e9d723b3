// Package pep508 owns dependency specifications (PEP 508, the PyPA
// "dependency specifiers" specification): requirements with extras,
// version specifiers, URLs and environment markers, and the normalization of
// project names (PEP 503) and extras (PEP 685).
package pep508

import "strings"

// NormalizeName returns the PEP 503 normalized form of a project or extra
// name: every run of '-', '_' and '.' replaced by one '-', then lowercased,
// exactly as re.sub(r"[-_.]+", "-", name).lower(). Leading and trailing
// separators become a '-' like any other run.
func NormalizeName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isNameSep(c) {
			for i+1 < len(name) && isNameSep(name[i+1]) {
				i++
			}
			b.WriteByte('-')
			continue
		}
		b.WriteByte(c)
	}
	return strings.ToLower(b.String())
}

// ValidName reports whether name is a valid project or extra name: ASCII
// letters and digits, with '-', '_' and '.' allowed inside but not at either
// end (the specification's ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$,
// ignoring case).
func ValidName(name string) bool {
	if name == "" || !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isAlnum(name[i]) && !isNameSep(name[i]) {
			return false
		}
	}
	return true
}

func isNameSep(c byte) bool { return c == '-' || c == '_' || c == '.' }

func isAlnum(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}
