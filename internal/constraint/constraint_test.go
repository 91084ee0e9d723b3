package constraint

import (
	"errors"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/pep440"
)

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		constraints []string
		impl, ver   string
		want        bool
	}{
		{nil, "PyPy", "3.9.16", true},
		{[]string{"CPython>=3.9,<3.13"}, "CPython", "3.11.7", true},
		{[]string{"CPython>=3.9,<3.13"}, "CPython", "3.13.0", false},
		{[]string{"CPython>=3.9,<3.13"}, "PyPy", "3.9.16", false},
		{[]string{"PyPy"}, "PyPy", "3.9.16", true},
		{[]string{"pypy"}, "PyPy", "3.9.16", true},
		{[]string{"PyPy"}, "CPython", "3.11.2", false},
		{[]string{">=3.8"}, "PyPy", "3.9.16", true},
		{[]string{">=3.10"}, "PyPy", "3.9.16", false},
		{[]string{"CPython==3.11.*"}, "CPython", "3.11.2", true},
		{[]string{"CPython==3.11.*"}, "CPython", "3.12.0", false},
		{[]string{"CPython>=3.12", "PyPy"}, "PyPy", "3.9.16", true},
		{[]string{"CPython>=3.12", "PyPy"}, "CPython", "3.11.7", false},
		{[]string{"CPython>=3.12"}, "CPython", "3.13.0rc1", true},
		// The release is compared, as pex compares sys.version_info[:3].
		{[]string{">=3.13"}, "CPython", "3.13.0rc1", true},
		{[]string{">=3.13"}, "CPython", "3.13.0a1", true},
		{[]string{"==3.13.*"}, "CPython", "3.13.0b2", true},
		{[]string{"<3.13"}, "CPython", "3.13.0rc1", false},
		{[]string{"==3.13.0"}, "CPython", "3.13.0rc1", true},
		{[]string{">3.13.0"}, "CPython", "3.13.0rc1", false},
		{[]string{">=3.9.1"}, "CPython", "3.9.1+local", true}, // a development build 3.9.1+
		{[]string{"==3.9.1"}, "CPython", "3.9.1+local", true},
		{[]string{"<=3.9.0"}, "CPython", "3.9.1+local", false},
		{[]string{" CPython >= 3.9 "}, "CPython", "3.11.7", true},
	} {
		set, err := ParseAll(tc.constraints)
		if err != nil {
			t.Fatalf("ParseAll(%q): %v", tc.constraints, err)
		}
		v, err := pep440.Parse(tc.ver)
		if err != nil {
			t.Fatal(err)
		}
		if got := set.Matches(tc.impl, v); got != tc.want {
			t.Errorf("%q matches %s %s = %v, want %v", tc.constraints, tc.impl, tc.ver, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{"", "   ", "Python>=3", "CPython>=three", "CPython 3.9", "CPython>>3"} {
		if _, err := Parse(s); err == nil || !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %v, want an ErrInvalid error", s, err)
		}
	}
	_, err := ParseAll([]string{"CPython>=3.9", "Bogus", "==x"})
	if err == nil {
		t.Fatal("ParseAll accepted invalid constraints")
	}
	if got := err.Error(); !strings.Contains(got, "Bogus") || !strings.Contains(got, "==x") {
		t.Errorf("ParseAll error %q does not name every invalid constraint", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"CPython>=3.9,<3.13", "PyPy", ">=3.8", "CPython==3.11.*", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			return
		}
		if c.String() != s {
			t.Fatalf("String() = %q, want %q", c.String(), s)
		}
		again, err := Parse(c.String())
		if err != nil || again.Implementation != c.Implementation {
			t.Fatalf("re-parse of %q differs: %v", s, err)
		}
	})
}
