package pep440

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"1.0", "v1!2.0.3-ALPHA.4_Post-5.DEV-6+Loc_AL-7", "1.0-1", "1.0a-", "1.0+ab.01",
		" 1.0\n", "1.0.post", "1..0", "1.0+", "1!", "99999999999999999999999.1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		str := v.String()
		w, err := Parse(str)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, str, err)
		}
		if w.String() != str {
			t.Fatalf("String is not idempotent: %q -> %q -> %q", s, str, w.String())
		}
		if v.Compare(w) != 0 || w.Compare(v) != 0 {
			t.Fatalf("Parse(%q) and Parse(%q) compare unequal", s, str)
		}
		if v.Public().Compare(v) > 0 || v.BaseVersion().IsPrerelease() || v.Public().Local() != "" {
			t.Fatalf("Public/BaseVersion of %q are inconsistent", s)
		}
	})
}

func FuzzParseSpecifierSet(f *testing.F) {
	for _, s := range []string{
		"", ">=1.0,<2", "~=1.4.5a4", "==1.0.*", "!=v1.*", "===foo", "==1.0+Ubuntu-1",
		" >= 1.0 , , < 2 ", "~=1", ">=1.0+local", "===", ">1!1.0.post-1",
	} {
		f.Add(s, "1.0")
	}
	f.Fuzz(func(t *testing.T, s, version string) {
		set, err := ParseSpecifierSet(s)
		if err != nil {
			return
		}
		str := set.String()
		again, err := ParseSpecifierSet(str)
		if err != nil {
			t.Fatalf("ParseSpecifierSet(%q).String() = %q does not parse: %v", s, str, err)
		}
		if again.String() != str {
			t.Fatalf("String is not idempotent: %q -> %q -> %q", s, str, again.String())
		}
		v, err := Parse(version)
		if err != nil {
			return
		}
		// The canonical form means the same as the input.
		for _, allow := range []bool{false, true} {
			if set.ContainsPrerelease(v, allow) != again.ContainsPrerelease(v, allow) {
				t.Fatalf("%q and its canonical form %q disagree on %s", s, str, version)
			}
		}
		if set.Contains(v) != again.Contains(v) {
			t.Fatalf("%q and its canonical form %q disagree on %s", s, str, version)
		}
	})
}
