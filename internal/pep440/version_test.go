package pep440

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestParseNormalizes(t *testing.T) {
	// Examples of the specification's "Normalization" section, and more.
	tests := []struct{ in, want string }{
		{"1.0", "1.0"},
		{"1.0.0", "1.0.0"},
		{"1", "1"},
		{"1.0a1", "1.0a1"},
		// Case sensitivity.
		{"1.1RC1", "1.1rc1"},
		{"1.0A1", "1.0a1"},
		{"1.0+UBUNTU.1", "1.0+ubuntu.1"},
		// Integer normalization.
		{"00", "0"},
		{"09000", "9000"},
		{"1.0+foo0100", "1.0+foo0100"},
		{"1.02.003", "1.2.3"},
		{"1.0+00.01", "1.0+0.1"},
		{"012!1.0", "12!1.0"},
		// Pre-release separators and spelling.
		{"1.1.a1", "1.1a1"},
		{"1.1-a1", "1.1a1"},
		{"1.1_a1", "1.1a1"},
		{"1.0a.1", "1.0a1"},
		{"1.0a-1", "1.0a1"},
		{"1.1alpha1", "1.1a1"},
		{"1.1beta2", "1.1b2"},
		{"1.1c3", "1.1rc3"},
		{"1.1pre4", "1.1rc4"},
		{"1.1preview5", "1.1rc5"},
		{"1.1-PREVIEW-5", "1.1rc5"},
		{"1.2a", "1.2a0"},
		{"1.2.beta", "1.2b0"},
		// Post-release separators, spelling and implicit forms.
		{"1.2-post2", "1.2.post2"},
		{"1.2post2", "1.2.post2"},
		{"1.2.post2", "1.2.post2"},
		{"1.2_post_2", "1.2.post2"},
		{"1.2.post", "1.2.post0"},
		{"1.0-r4", "1.0.post4"},
		{"1.0-rev4", "1.0.post4"},
		{"1.0r", "1.0.post0"},
		{"1.0-1", "1.0.post1"},
		{"1.0a1-1", "1.0a1.post1"},
		{"1.0a-", "1.0a0"},
		{"1.0a--1", "1.0a0.post1"},
		// Development release separators and implicit number.
		{"1.2-dev2", "1.2.dev2"},
		{"1.2dev2", "1.2.dev2"},
		{"1.2.dev", "1.2.dev0"},
		{"1.2_DEV_", "1.2.dev0"},
		{"1.0a.dev1", "1.0a0.dev1"},
		{"1.0-dev", "1.0.dev0"},
		// Local version segments.
		{"1.0+ubuntu-1", "1.0+ubuntu.1"},
		{"1.0+ubuntu_1", "1.0+ubuntu.1"},
		{"1.0+a.b-c_d", "1.0+a.b.c.d"},
		// Preceding v and whitespace.
		{"v1.0", "1.0"},
		{"V1.0", "1.0"},
		{"  1.0\n", "1.0"},
		{"\t\v\f\r1.0 \u00a0", "1.0"},
		// Epochs.
		{"0!1.0", "1.0"},
		{"1!1.0", "1!1.0"},
		// Everything at once.
		{" v1!2.0.3-ALPHA.4_Post-5.DEV-6+Loc_AL-7 ", "1!2.0.3a4.post5.dev6+loc.al.7"},
		// Numbers beyond any machine integer stay exact.
		{"1.99999999999999999999999999999", "1.99999999999999999999999999999"},
	}
	for _, tt := range tests {
		v, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		"", " ", "v", "a", "1.", ".1", "1..0", "1.0.", "1.0-", "1.0+", "1.0+.a",
		"1.0+a.", "1.0+a..b", "1.0+a+b", "1!", "!1", "1!2!3", "1.0a1a2",
		"1.0.post1.post2", "1.0.dev1.dev2", "1.0.dev1a1", "1.0.post1a1",
		"1.0 .post1", "1 .0", "v 1.0", "vv1.0", "1.0*", "1.*", "1.0_", "1.0~1",
		"1.0-+local", "french toast", "1.0.0x", "1.0-alpha-beta", "1.0rcc",
		"1.0\x00", "1,0", "１.0", // fullwidth digit
		"1.0+ub untu", "1.0+üb", "1-", "-1", "1.0.post-x", "1.0-1-1",
	} {
		v, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want error", in, v)
			continue
		}
		if !errors.Is(err, ErrInvalidVersion) {
			t.Errorf("Parse(%q) error %v does not wrap ErrInvalidVersion", in, err)
		}
	}
}

func TestCompareOrder(t *testing.T) {
	// The specification's example of the full ordering, and the local
	// label rules, in strictly increasing order.
	ordered := []string{
		"1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456",
		"1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456",
		"1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5",
		"1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15",
		"1.1.dev1", "1.1", "1.1+a", "1.1+a.a", "1.1+a.0", "1.1+a.1", "1.1+0",
		"1.1+1.a", "1.1+1.0", "1.1+2", "1.1+10", "1.2", "2", "99999999999999999999",
		"0!100000000000000000000", "1!0.dev0", "1!0", "2!0.1",
	}
	vs := make([]Version, len(ordered))
	for i, s := range ordered {
		vs[i] = MustParse(s)
	}
	for i := range vs {
		for j := range vs {
			want := cmpInt(i, j)
			if got := vs[i].Compare(vs[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestCompareEqual(t *testing.T) {
	for _, pair := range [][2]string{
		{"1.0", "1"}, {"1.0.0.0", "1"}, {"1.0a1", "1a1"}, {"1.0.post0", "1.post"},
		{"1.0+ab.01", "1.0+ab.1"}, {"0!1", "1"}, {"1.0-1", "1.0.post1"},
		{"1.0.0+local", "1+LOCAL"}, {"01.002", "1.2.0"},
	} {
		a, b := MustParse(pair[0]), MustParse(pair[1])
		if !a.Equal(b) || a.Compare(b) != 0 || b.Compare(a) != 0 {
			t.Errorf("%s and %s compare unequal", pair[0], pair[1])
		}
	}
}

func TestAccessors(t *testing.T) {
	v := MustParse("3!1.02.3.4rc5.post6.dev7+Ubuntu-8")
	if got, want := v.Release(), []int{1, 2, 3, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("Release() = %v, want %v", got, want)
	}
	if v.Epoch() != 3 || v.Major() != 1 || v.Minor() != 2 || v.Micro() != 3 {
		t.Errorf("Epoch/Major/Minor/Micro = %d/%d/%d/%d", v.Epoch(), v.Major(), v.Minor(), v.Micro())
	}
	if l, n, ok := v.Pre(); l != "rc" || n != 5 || !ok {
		t.Errorf("Pre() = %q, %d, %v", l, n, ok)
	}
	if n, ok := v.Post(); n != 6 || !ok {
		t.Errorf("Post() = %d, %v", n, ok)
	}
	if n, ok := v.Dev(); n != 7 || !ok {
		t.Errorf("Dev() = %d, %v", n, ok)
	}
	if v.Local() != "ubuntu.8" {
		t.Errorf("Local() = %q", v.Local())
	}
	if got := v.Public().String(); got != "3!1.2.3.4rc5.post6.dev7" {
		t.Errorf("Public() = %q", got)
	}
	if got := v.BaseVersion().String(); got != "3!1.2.3.4" {
		t.Errorf("BaseVersion() = %q", got)
	}
	if !v.IsPrerelease() || !v.IsPostrelease() || !v.IsDevrelease() {
		t.Errorf("Is* = %v %v %v", v.IsPrerelease(), v.IsPostrelease(), v.IsDevrelease())
	}
	w := MustParse("2")
	if w.Minor() != 0 || w.Micro() != 0 || w.IsPrerelease() || w.IsPostrelease() || w.IsDevrelease() || w.Local() != "" {
		t.Errorf("accessors of 2 are wrong")
	}
	if _, _, ok := w.Pre(); ok {
		t.Errorf("2 has a pre-release")
	}
	for s, pre := range map[string]bool{"1.0.dev0": true, "1.0a1": true, "1.0.post1.dev1": true, "1.0.post1": false, "1.0+dev": false} {
		if MustParse(s).IsPrerelease() != pre {
			t.Errorf("IsPrerelease(%s) != %v", s, pre)
		}
	}
	// Release returns a copy.
	r := w.Release()
	r[0] = 7
	if w.Major() != 2 {
		t.Errorf("Release() aliases the version")
	}
	// Huge components saturate in the int accessors only.
	h := MustParse("1" + strings.Repeat("0", 30))
	if h.Major() != math.MaxInt || h.String() != "1"+strings.Repeat("0", 30) {
		t.Errorf("huge component: Major() = %d, String() = %s", h.Major(), h.String())
	}
}

func TestZeroVersionIsHarmless(t *testing.T) {
	var z Version
	_ = z.String()
	_ = z.Compare(MustParse("0"))
	_ = z.Public()
	_ = z.BaseVersion()
	if z.Major() != 0 || len(z.Release()) != 0 {
		t.Errorf("zero version has components")
	}
}
