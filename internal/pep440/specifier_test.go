package pep440

import (
	"errors"
	"testing"
)

func TestSpecifierSetContains(t *testing.T) {
	// def: Contains (default pre-release policy); pre: ContainsPrerelease(v, true).
	tests := []struct {
		spec, version string
		def, pre      bool
	}{
		// Compatible release, the specification's equivalences.
		{"~=2.2", "2.2", true, true},
		{"~=2.2", "2.9.1", true, true},
		{"~=2.2", "3.0", false, false},
		{"~=2.2", "2.1", false, false},
		{"~=1.4.5", "1.4.5", true, true},
		{"~=1.4.5", "1.4.99", true, true},
		{"~=1.4.5", "1.5", false, false},
		{"~=2.2.post3", "2.2.post3", true, true},
		{"~=2.2.post3", "2.2", false, false},
		{"~=2.2.post3", "2.9", true, true},
		{"~=2.2.post3", "3.0", false, false},
		{"~=1.4.5a4", "1.4.5a4", true, true},
		{"~=1.4.5a4", "1.4.5", true, true},
		{"~=1.4.5a4", "1.4.9rc1", true, true},
		{"~=1.4.5a4", "1.5.0", false, false},
		{"~=2.2.0", "2.2.9", true, true},
		{"~=2.2.0", "2.3", false, false},
		{"~=1.4.5.0", "1.4.5.9", true, true},
		{"~=1.4.5.0", "1.4.6", false, false},
		{"~=1!1.0", "1!1.5", true, true},
		{"~=1!1.0", "1.5", false, false},
		{"~=1.0", "1.0+local", true, true},
		{"~=1.0", "1.1a1", false, true},
		// Version matching, padding and prefix matching.
		{"==1.1", "1.1.post1", false, false},
		{"==1.1.post1", "1.1.post1", true, true},
		{"==1.1.*", "1.1.post1", true, true},
		{"==1.1", "1.1.0", true, true},
		{"==1.1.0", "1.1", true, true},
		{"==1.1.*", "1.1a1", false, true},
		{"==1.1.0.*", "1.1", true, true},
		{"==1.1.*", "1.10", false, false},
		{"==1.*", "1!1.0", false, false},
		{"==0.*", "2!0.5", false, false}, // packaging 23.0 gets this wrong
		{"~=0.1", "2!0.5", false, false}, // packaging 23.0 gets this wrong
		{"~=1!0.1", "1!0.5", true, true},
		{"==1!1.0.*", "1!1.0", true, true}, // packaging 23.0 gets this wrong
		{"==0!2.*", "2", true, true},
		{"==1.1.*", "1.1.0+local", true, true},
		{"!=1.1", "1.1.post1", true, true},
		{"!=1.1.post1", "1.1.post1", false, false},
		{"!=1.1.*", "1.1.post1", false, false},
		{"!=1.1.*", "1.2", true, true},
		// Local versions.
		{"==1.0", "1.0+local", true, true},
		{"==1.0+local", "1.0", false, false},
		{"==1.0+local", "1.0+LOCAL", true, true},
		{"==1.0+local", "1.0+local.1", false, false},
		{"!=1.0", "1.0+local", false, false},
		{"<=1.0", "1.0+local", true, true},
		{">=1.0", "1.0+local", true, true},
		{"<1.0", "1.0+local", false, false},
		{">1.0", "1.0+local", false, false},
		{">1.0", "1.0.1+local", true, true},
		// Inclusive ordered comparison.
		{">=1.7", "1.7", true, true},
		{">=1.7", "1.7.0.post1", true, true},
		{">=1.7", "1.7rc1", false, false},
		{">=1.7rc1", "1.7rc1", true, true},
		{">=1.7rc1", "1.7rc2", true, true},
		{"<=1.7", "1.7.post1", false, false},
		{"<=1.7", "1.7a1", false, true},
		// Exclusive ordered comparison.
		{">1.7", "1.7.1", true, true},
		{">1.7", "1.7.0.post1", false, false},
		{">1.7.post2", "1.7.1", true, true},
		{">1.7.post2", "1.7.0.post3", true, true},
		{">1.7.post2", "1.7.0", false, false},
		{">1.7a1", "1.7a2", false, true},
		{"<3.1", "3.1.dev0", false, false},
		{"<3.1", "3.0", true, true},
		{"<3.1", "3.1rc1", false, false},
		{"<3.1rc1", "3.1a1", false, true},
		{"<3.1", "3.0.9a1", false, true},
		{"<3.1.post1", "3.1a1", false, false},
		// Arbitrary equality compares the normalized text.
		{"===1.0", "1.0", true, true},
		{"===1.0", "1.0.0", false, false},
		{"===1.0+local", "1.0+LOCAL", true, true},
		{"===foobar", "1.0", false, false},
		{"===1.0a1", "1.0a1", true, true},
		// A clause naming a pre-release admits them to the whole set.
		{">=1.0a1,<2", "1.5b1", true, true},
		{">=1.0,<2", "1.5b1", false, true},
		{">=1.0,!=1.5a1", "1.5b1", false, true},
		{"<2.0a1", "1.9a1", false, true},
		{"==1.0.*", "1.0.dev1", false, true},
		// The empty set.
		{"", "1.0", true, true},
		{"", "1.0.post1+local", true, true},
		{"", "1.0a1", false, true},
		// Several clauses.
		{">=1.0,!=1.3.*,<2", "1.3.4", false, false},
		{">=1.0,!=1.3.*,<2", "1.4", true, true},
		{">=1.0,!=1.3.*,<2", "2.0", false, false},
	}
	for _, tt := range tests {
		set, err := ParseSpecifierSet(tt.spec)
		if err != nil {
			t.Errorf("ParseSpecifierSet(%q): %v", tt.spec, err)
			continue
		}
		v := MustParse(tt.version)
		if got := set.Contains(v); got != tt.def {
			t.Errorf("%q.Contains(%s) = %v, want %v", tt.spec, tt.version, got, tt.def)
		}
		if got := set.ContainsPrerelease(v, true); got != tt.pre {
			t.Errorf("%q.ContainsPrerelease(%s, true) = %v, want %v", tt.spec, tt.version, got, tt.pre)
		}
		if v.IsPrerelease() && set.ContainsPrerelease(v, false) {
			t.Errorf("%q.ContainsPrerelease(%s, false) = true", tt.spec, tt.version)
		}
	}
}

func TestParseSpecifierSetString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{" , ,", ""},
		{">=1.0", ">=1.0"},
		{" >= 1.0 , < 2 ", "<2,>=1.0"},
		{">=1.0,,<2", "<2,>=1.0"},
		{"~=V1.0.0-ALPHA1", "~=1.0.0a1"},
		{"== 1.0.*", "==1.0.*"},
		{"!=v1.*", "!=1.*"},
		{"==1.0+Ubuntu-1", "==1.0+ubuntu.1"},
		{"=== Foo-Bar", "===Foo-Bar"},
		{"===", "==="},
		{">=1.0,>=1.0,>= 1.0", ">=1.0"},
		// Clauses equal but for trailing zeros are one, the first in
		// canonical order staying, as in packaging >= 24 (its
		// test_specifiers_duplicate_normalization).
		{">1.0.0,>1.0", ">1.0"},
		{">=1.0,>=1.0.0", ">=1.0"},
		{"==1.0.0,==1.0,==1", "==1"},
		{"!=2.0.0,!=2", "!=2"},
		{"==1.0.0+local,==1.0+local", "==1.0+local"},
		{"<2.0.0rc1,<2rc1", "<2.0.0rc1"},
		{">=0.0,>=0", ">=0"},
		{"~=1.0,~=1.0.0", "~=1.0,~=1.0.0"},         // ~= depends on the zeros
		{"===1.0,===1.0.0", "===1.0,===1.0.0"},     // arbitrary equality compares text
		{"==1.0.*,==1.0.0.*", "==1.0.*,==1.0.0.*"}, // different prefixes
		{">1!1.0.post-1,<1!2", "<1!2,>1!1.0.post1"},
		{"<=\t1.0.dev", "<=1.0.dev0"},
	}
	for _, tt := range tests {
		set, err := ParseSpecifierSet(tt.in)
		if err != nil {
			t.Errorf("ParseSpecifierSet(%q): %v", tt.in, err)
			continue
		}
		if got := set.String(); got != tt.want {
			t.Errorf("ParseSpecifierSet(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		again, err := ParseSpecifierSet(set.String())
		if err != nil || again.String() != set.String() {
			t.Errorf("String of %q does not round-trip: %q, %v", tt.in, again.String(), err)
		}
	}
}

func TestParseSpecifierSetRejects(t *testing.T) {
	for _, in := range []string{
		"1.0", "=1.0", "=>1.0", "<>1.0", "~1.0", ">=", "==", ">= 1.0 2",
		"~=1", "~=1.*", "~=1.0.*", "~=1.0+local", "~=1!1",
		">=1.0+local", "<=1.0+local", "<1.0+local", ">1.0+local",
		">=1.0.*", "<1.*", ">1.0.*", "==1.0a1.*", "==1.0.post1.*", "==1.0.dev1.*",
		"==1.0+local.*", "==1.*.0", "==1.0.*.*", "!=1.0.*+local",
		"=== foo bar", "===foo;bar", "===a)", ">=1.0;", ">=1.0)", "(>=1.0)",
		">=1.0,foo", ">=1.0 <2", "==1.0 +local", ">=french", "== v", ">=1.0-",
	} {
		set, err := ParseSpecifierSet(in)
		if err == nil {
			t.Errorf("ParseSpecifierSet(%q) = %q, want error", in, set)
			continue
		}
		if !errors.Is(err, ErrInvalidSpecifier) {
			t.Errorf("ParseSpecifierSet(%q) error %v does not wrap ErrInvalidSpecifier", in, err)
		}
	}
}

func TestSpecifierAccessors(t *testing.T) {
	set := MustParseSpecifierSet(">=3.9, !=3.9.1, <4, ==3.*, ===x")
	var ops []Operator
	for _, s := range set.Specifiers() {
		ops = append(ops, s.Operator())
	}
	if want := []Operator{NotEqual, Less, Equal, ArbitraryEqual, GreaterEqual}; len(ops) != len(want) {
		t.Fatalf("operators %v, want %v", ops, want)
	} else {
		for i := range ops {
			if ops[i] != want[i] {
				t.Errorf("operators %v, want %v", ops, want)
				break
			}
		}
	}
	if set.IsEmpty() || !MustParseSpecifierSet("").IsEmpty() {
		t.Errorf("IsEmpty is wrong")
	}
	both := MustParseSpecifierSet(">=1").And(MustParseSpecifierSet("<2,>=1"))
	if both.String() != "<2,>=1" {
		t.Errorf("And = %q", both)
	}
	if both := MustParseSpecifierSet(">=1.0").And(MustParseSpecifierSet(">=1.0.0,<5.0")); both.String() != "<5.0,>=1.0" || len(both.Specifiers()) != 2 {
		t.Errorf("And = %q", both)
	}
	if MustParseSpecifierSet(">=1.0").Prereleases() || !MustParseSpecifierSet(">=1.0,<=2.0rc1").Prereleases() ||
		MustParseSpecifierSet("<2.0rc1,>1.0a1,!=1.5a1").Prereleases() || !MustParseSpecifierSet("===1.0a1").Prereleases() {
		t.Errorf("Prereleases is wrong")
	}
}
