package tags

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSet(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"py3-none-any", []string{"py3-none-any"}},
		{"py2.py3-none-any", []string{"py2-none-any", "py3-none-any"}},
		{"cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
			[]string{"cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"}},
		{"CP311-ABI3-MacOSX_11_0_ARM64", []string{"cp311-abi3-macosx_11_0_arm64"}},
		{"a.b-c.d-e.f", []string{"a-c-e", "a-c-f", "a-d-e", "a-d-f", "b-c-e", "b-c-f", "b-d-e", "b-d-f"}},
		{"py3-none", nil},
		{"py3-none-any-x", nil},
		{"py3..py2-none-any", nil},
		{"py3-none-", nil},
		{"py3-no ne-any", nil},
		{"", nil},
	} {
		got, err := ParseSet(tc.in)
		if tc.want == nil {
			if err == nil {
				t.Errorf("ParseSet(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(strs(got), tc.want) {
			t.Errorf("ParseSet(%q) = %q, %v; want %q", tc.in, strs(got), err, tc.want)
		}
	}
}

func FuzzParseSet(f *testing.F) {
	for _, s := range []string{
		"py3-none-any", "py2.py3-none-any", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
		"pp39-pypy39_pp73-macosx_10_15_x86_64", "CP37-CP37M-WIN_AMD64", "a..b-c-d", "-", "--", "a-b-c-d", "é-b-c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseSet(s)
		if err != nil {
			if ts != nil {
				t.Errorf("ParseSet(%q) returned tags with an error", s)
			}
			return
		}
		parts := strings.Split(s, "-")
		n := 1
		for _, p := range parts {
			n *= len(strings.Split(p, "."))
		}
		if len(ts) != n {
			t.Errorf("ParseSet(%q) returned %d tags, want %d", s, len(ts), n)
		}
		for _, tg := range ts {
			for _, c := range []string{tg.Interpreter, tg.ABI, tg.Platform} {
				if c == "" || c != strings.ToLower(c) || strings.ContainsAny(c, "-.") {
					t.Errorf("ParseSet(%q) returned a bad component %q", s, c)
				}
			}
			again, err := ParseSet(tg.String())
			if err != nil || len(again) != 1 || again[0] != tg {
				t.Errorf("tag %s does not round-trip: %v %v", tg, again, err)
			}
		}
		if len(ts) == 1 && ts[0].String() != strings.ToLower(s) {
			t.Errorf("ParseSet(%q) = %s, want the lowercased input", s, ts[0])
		}
	})
}

func TestRanking(t *testing.T) {
	in := linuxCP(3, 11, "linux-x86_64", Version{2, 17})
	supported := Supported(in)
	r := NewRanking(supported)
	if r.Len() != len(supported) {
		t.Errorf("Len = %d, want %d (Supported has no duplicates)", r.Len(), len(supported))
	}
	for i, tg := range supported {
		if got, ok := r.Rank(tg); !ok || got != i {
			t.Fatalf("Rank(%s) = %d, %v; want %d", tg, got, ok, i)
		}
	}
	if _, ok := r.Rank(Tag{"CP311", "CP311", "LINUX_X86_64"}); !ok {
		t.Error("Rank is case-sensitive")
	}

	wheel := func(s string) []Tag {
		ts, err := ParseSet(s)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	for _, tc := range []struct {
		better, worse string
	}{
		{"cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", "cp311-abi3-manylinux_2_17_x86_64"},
		{"cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64", "cp311-cp311-linux_x86_64"},
		{"cp39-abi3-manylinux2014_x86_64", "py3-none-manylinux1_x86_64"},
		{"py3-none-linux_x86_64", "cp311-none-any"},
		{"cp311-none-any", "py311-none-any"},
		{"py311-none-any", "py3-none-any"},
		{"py3-none-any", "py2.py30-none-any"},
	} {
		b, okb := r.Best(wheel(tc.better))
		w, okw := r.Best(wheel(tc.worse))
		if !okb || !okw || b >= w {
			t.Errorf("%s ranks %d (%v), %s ranks %d (%v): want the first better", tc.better, b, okb, tc.worse, w, okw)
		}
	}
	for _, unsupported := range []string{
		"cp311-cp311-manylinux_2_18_x86_64", "cp310-cp310-manylinux1_x86_64", "py2-none-any",
		"cp311-cp311-musllinux_1_1_x86_64", "cp311-cp311-manylinux2014_aarch64", "cp311-cp311d-linux_x86_64",
	} {
		if rank, ok := r.Best(wheel(unsupported)); ok {
			t.Errorf("%s ranks %d, want unsupported", unsupported, rank)
		}
	}
	if _, ok := (Ranking{}).Best(wheel("py3-none-any")); ok {
		t.Error("the zero Ranking supports a tag")
	}
	dup := NewRanking([]Tag{{"a", "b", "c"}, {"x", "y", "z"}, {"a", "b", "c"}})
	if rank, _ := dup.Rank(Tag{"a", "b", "c"}); rank != 0 || dup.Len() != 2 {
		t.Errorf("duplicate tag ranks %d, Len %d; want 0 and 2", rank, dup.Len())
	}
}
