package wheel

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/tags"
)

func TestParseFilename(t *testing.T) {
	for _, tc := range []struct {
		in         string
		project    string
		normalized string
		version    string
		build      string
		tags       []string
	}{
		{"six-1.16.0-py2.py3-none-any.whl", "six", "six", "1.16.0", "", []string{"py2-none-any", "py3-none-any"}},
		{"numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "numpy", "numpy", "1.26.4", "",
			[]string{"cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"}},
		{"Foo_Bar-2.0rc1-1-py3-none-any.whl", "Foo_Bar", "foo-bar", "2.0rc1", "1", []string{"py3-none-any"}},
		{"zope.interface-6.0-7abc-cp39-abi3-macosx_11_0_arm64.whl", "zope.interface", "zope-interface", "6.0", "7abc", []string{"cp39-abi3-macosx_11_0_arm64"}},
		{"pkg-1.0_post1-py3-none-any.whl", "pkg", "pkg", "1.0_post1", "", []string{"py3-none-any"}},
		{"pkg-1.0+local_1-PY3-None-Any.whl", "pkg", "pkg", "1.0+local_1", "", []string{"py3-none-any"}},
		{"a-0-py3-none-any.whl", "a", "a", "0", "", []string{"py3-none-any"}},
	} {
		n, err := ParseFilename(tc.in)
		if err != nil {
			t.Errorf("ParseFilename(%q): %v", tc.in, err)
			continue
		}
		var got []string
		for _, tg := range n.Tags {
			got = append(got, tg.String())
		}
		if n.Project != tc.project || n.NormalizedProject() != tc.normalized || n.Version != tc.version || n.Build != tc.build || !reflect.DeepEqual(got, tc.tags) {
			t.Errorf("ParseFilename(%q) = %+v (normalized %q)", tc.in, n, n.NormalizedProject())
		}
		if n.String() != tc.in {
			t.Errorf("String() = %q, want %q", n.String(), tc.in)
		}
	}
}

func TestParseFilenameVersion(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"p-1.0_post1-py3-none-any.whl", "p-1.0.post1-py3-none-any.whl"},
		{"p-1.0-1-py3-none-any.whl", "p-1.0-py3-none-any.whl"}, // the build tag is no part of the version
		{"p-1-py3-none-any.whl", "p-1.0.0-py3-none-any.whl"},
	} {
		a, errA := ParseFilename(tc.a)
		b, errB := ParseFilename(tc.b)
		if errA != nil || errB != nil {
			t.Fatalf("%v, %v", errA, errB)
		}
		if a.ParsedVersion().Compare(b.ParsedVersion()) != 0 {
			t.Errorf("%s and %s: versions %s and %s differ", tc.a, tc.b, a.ParsedVersion(), b.ParsedVersion())
		}
	}
}

func TestParseFilenameErrors(t *testing.T) {
	for _, tc := range []struct{ in, why string }{
		{"six-1.16.0-py2.py3-none-any.zip", ".whl"},
		{"six-1.16.0-py2.py3-none-any.WHL", ".whl"},
		{"six-py3-none-any.whl", "5 or 6"},
		{"six-1.0-1-2-py3-none-any.whl", "5 or 6"},
		{"-1.0-py3-none-any.whl", "distribution name"},
		{"six_-1.0-py3-none-any.whl", "distribution name"},
		{"s!x-1.0-py3-none-any.whl", "distribution name"},
		{"dir/six-1.0-py3-none-any.whl", "path separator"},
		{"six-one-py3-none-any.whl", "invalid version"},
		{"six--py3-none-any.whl", "invalid version"},
		{"six-1.0_1-py3-none-any.whl", "invalid version"}, // "1.0-1" escaped; packaging refuses it too
		{"a__b-1.0-py3-none-any.whl", "distribution name"},
		{"six-1.0-a1-py3-none-any.whl", "build tag"},
		{"six-1.0-1b!-py3-none-any.whl", "build tag"},
		{"six-1.0-py3-none-.whl", "invalid tag"},
		{"six-1.0-py3..py2-none-any.whl", "invalid tag"},
		{".whl", "5 or 6"},
	} {
		_, err := ParseFilename(tc.in)
		if err == nil || !errors.Is(err, ErrFilename) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ParseFilename(%q) = %v, want an ErrFilename error mentioning %q", tc.in, err, tc.why)
		}
	}
}

func FuzzParseFilename(f *testing.F) {
	for _, s := range []string{
		"six-1.16.0-py2.py3-none-any.whl",
		"numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
		"Foo_Bar-2.0rc1-1-py3-none-any.whl",
		"pkg-1!2.0.post3.dev4+abc_5-12x-pp39-pypy39_pp73-win_amd64.whl",
		"a-b-c-d-e-f-g.whl",
		"--.whl",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseFilename(s)
		if err != nil {
			if !errors.Is(err, ErrFilename) {
				t.Fatalf("error %v does not wrap ErrFilename", err)
			}
			return
		}
		if n.String() != s {
			t.Fatalf("String() = %q, want %q", n.String(), s)
		}
		if len(n.Tags) == 0 || n.NormalizedProject() == "" || strings.ContainsAny(n.NormalizedProject(), "_.") {
			t.Fatalf("ParseFilename(%q) = %+v", s, n)
		}
		again, err := ParseFilename(n.String())
		if err != nil || !reflect.DeepEqual(again.Tags, n.Tags) || again.ParsedVersion().Compare(n.ParsedVersion()) != 0 {
			t.Fatalf("re-parsing %q: %+v, %v", n.String(), again, err)
		}
		// The expanded tags are the cross product of the components.
		want, _ := tags.ParseSet(strings.ToLower(n.Python + "-" + n.ABI + "-" + n.Platform))
		if !reflect.DeepEqual(want, n.Tags) {
			t.Fatalf("Tags = %v, want %v", n.Tags, want)
		}
	})
}
