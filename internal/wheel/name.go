package wheel

import (
	"fmt"
	"strings"

	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/pep508"
	"github.com/rules-pex/rules_pex/internal/tags"
)

// Name is a parsed wheel file name:
// {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl
type Name struct {
	Project  string // distribution name as written (escaped: '_' for runs of '-', '_', '.')
	Version  string // version as written; a PEP 440 version (normalized ones contain no '-' to escape)
	Build    string // optional build tag, starting with a digit; "" if absent
	Python   string // python tag component as written, possibly compressed ("py2.py3")
	ABI      string // abi tag component as written
	Platform string // platform tag component as written, possibly compressed

	// Tags is the expanded tag set of Python-ABI-Platform, lowercased.
	Tags []tags.Tag

	version pep440.Version
}

// ParseFilename parses the base name of a wheel file. Errors wrap ErrFilename.
func ParseFilename(filename string) (Name, error) {
	n, why := parseFilename(filename)
	if why != "" {
		return Name{}, fmt.Errorf("%w %s: %s", ErrFilename, quoteIfOdd(filename), why)
	}
	return n, nil
}

func parseFilename(filename string) (Name, string) {
	stem, ok := strings.CutSuffix(filename, ".whl")
	if !ok {
		return Name{}, `does not end in ".whl"`
	}
	if strings.ContainsAny(stem, `/\`) {
		return Name{}, "contains a path separator"
	}
	parts := strings.Split(stem, "-")
	var n Name
	switch len(parts) {
	case 5:
		n = Name{Project: parts[0], Version: parts[1], Python: parts[2], ABI: parts[3], Platform: parts[4]}
	case 6:
		n = Name{Project: parts[0], Version: parts[1], Build: parts[2], Python: parts[3], ABI: parts[4], Platform: parts[5]}
	default:
		return Name{}, fmt.Sprintf("has %d dash-separated components, want 5 or 6", len(parts))
	}
	if !validEscapedProject(n.Project) {
		return Name{}, fmt.Sprintf("invalid distribution name %s", quoteIfOdd(n.Project))
	}
	v, err := parseEscapedVersion(n.Version)
	if err != nil {
		return Name{}, fmt.Sprintf("invalid version %s: %v", quoteIfOdd(n.Version), err)
	}
	n.version = v
	if len(parts) == 6 && !validBuild(n.Build) {
		return Name{}, fmt.Sprintf("invalid build tag %s: must start with a digit and contain only letters, digits, '_' and '.'", quoteIfOdd(n.Build))
	}
	n.Tags, err = tags.ParseSet(n.Python + "-" + n.ABI + "-" + n.Platform)
	if err != nil {
		return Name{}, err.Error()
	}
	return n, ""
}

// String returns the file name n was parsed from.
func (n Name) String() string {
	s := n.Project + "-" + n.Version
	if n.Build != "" {
		s += "-" + n.Build
	}
	return s + "-" + n.Python + "-" + n.ABI + "-" + n.Platform + ".whl"
}

// NormalizedProject returns the PEP 503 normalized distribution name.
func (n Name) NormalizedProject() string { return pep508.NormalizeName(n.Project) }

// ParsedVersion returns the version as a PEP 440 version. It is the zero
// Version for a Name not made by ParseFilename.
func (n Name) ParsedVersion() pep440.Version { return n.version }

// parseEscapedVersion parses a version as written in wheel file and
// .dist-info directory names. Normalized versions contain no '-', so the
// escaping of '-' as '_' leaves them alone; a non-normalized "1.0-1" escaped
// to "1.0_1" is refused, as packaging (and so pip) refuses it.
func parseEscapedVersion(s string) (pep440.Version, error) {
	return pep440.Parse(s)
}

// validEscapedProject reports whether s is a distribution name as it may
// appear in a file name: the core metadata name rule without '-', which is
// escaped there, and without "__", which escaping never produces (packaging
// refuses it too).
func validEscapedProject(s string) bool {
	return validProjectName(s) && !strings.Contains(s, "-") && !strings.Contains(s, "__")
}

// validProjectName reports whether s matches the core metadata rule for Name:
// ASCII letters and digits, with '.', '_' and '-' inside.
func validProjectName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlnum(c):
		case (c == '.' || c == '_' || c == '-') && i > 0 && i < len(s)-1:
		default:
			return false
		}
	}
	return true
}

func validBuild(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
