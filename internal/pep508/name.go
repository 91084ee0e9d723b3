// Package pep508 owns dependency specifications (PEP 508): requirements with
// extras, version specifiers, URLs and environment markers, and the
// normalization of project names (PEP 503) and extras (PEP 685).
package pep508

import "strings"

// NormalizeName returns the PEP 503 normalized form of a project or extra
// name: lowercase, with every run of '-', '_' and '.' replaced by one '-'.
func NormalizeName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
