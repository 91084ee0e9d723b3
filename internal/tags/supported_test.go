package tags

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// linuxCP returns a 64-bit CPython on glibc Linux for platform ("linux-x86_64").
func linuxCP(major, minor int, platform string, glibc Version) Interpreter {
	return Interpreter{
		Name: "cp", Major: major, Minor: minor,
		ExtSuffix: fmt.Sprintf(".cpython-%d%d-x86_64-linux-gnu.so", major, minor),
		Pymalloc:  true,
		OS:        "linux", Platform: platform, Machine: "x86_64",
		ELF:   ELFHeader{Class: 2, Data: 1, Machine: 62},
		Glibc: glibc,
	}
}

var (
	elfI386  = ELFHeader{Class: 1, Data: 1, Machine: 3}
	elfARMHF = ELFHeader{Class: 1, Data: 1, Machine: 40, Flags: 0x05000400}
	elfARMEL = ELFHeader{Class: 1, Data: 1, Machine: 40, Flags: 0x05000200}
)

// manylinuxRange lists manylinux_2_M_<arch> from hi down to lo, with the
// legacy aliases after 2_17, 2_12 and 2_5 (PEP 600).
func manylinuxRange(hi, lo int, arch string) []string {
	var out []string
	for m := hi; m >= lo; m-- {
		out = append(out, fmt.Sprintf("manylinux_2_%d_%s", m, arch))
		switch m {
		case 17:
			out = append(out, "manylinux2014_"+arch)
		case 12:
			out = append(out, "manylinux2010_"+arch)
		case 5:
			out = append(out, "manylinux1_"+arch)
		}
	}
	return out
}

func cat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestLinuxPlatforms(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Interpreter
		want []string
	}{
		{"glibc 2.17 x86_64: PEP 600 tags down to 2_5 with aliases",
			linuxCP(3, 11, "linux-x86_64", Version{2, 17}),
			cat(manylinuxRange(17, 5, "x86_64"), []string{"linux_x86_64"})},
		{"glibc 2.36 x86_64",
			linuxCP(3, 11, "linux-x86_64", Version{2, 36}),
			cat(manylinuxRange(36, 5, "x86_64"), []string{"linux_x86_64"})},
		{"glibc 2.4 is older than any manylinux",
			linuxCP(3, 11, "linux-x86_64", Version{2, 4}),
			[]string{"linux_x86_64"}},
		{"no glibc, no musl",
			linuxCP(3, 11, "linux-x86_64", Version{}),
			[]string{"linux_x86_64"}},
		{"aarch64 starts at 2_17",
			linuxCP(3, 11, "linux-aarch64", Version{2, 18}),
			[]string{"manylinux_2_18_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64"}},
		{"aarch64 glibc 2.16 has no manylinux",
			linuxCP(3, 11, "linux-aarch64", Version{2, 16}),
			[]string{"linux_aarch64"}},
		{"ppc64le", linuxCP(3, 11, "linux-ppc64le", Version{2, 17}),
			[]string{"manylinux_2_17_ppc64le", "manylinux2014_ppc64le", "linux_ppc64le"}},
		{"s390x", linuxCP(3, 11, "linux-s390x", Version{2, 17}),
			[]string{"manylinux_2_17_s390x", "manylinux2014_s390x", "linux_s390x"}},
		// packaging >= 24 (_manylinux._ALLOWED_ARCHS): riscv64 and
		// loongarch64 start at 2_17, like every architecture but x86.
		{"riscv64", linuxCP(3, 11, "linux-riscv64", Version{2, 35}),
			cat(manylinuxRange(35, 17, "riscv64"), []string{"linux_riscv64"})},
		{"loongarch64", linuxCP(3, 11, "linux-loongarch64", Version{2, 38}),
			cat(manylinuxRange(38, 17, "loongarch64"), []string{"linux_loongarch64"})},
		{"riscv64 glibc 2.16 has no manylinux", linuxCP(3, 11, "linux-riscv64", Version{2, 16}),
			[]string{"linux_riscv64"}},
		{"riscv64 with musl", with(linuxCP(3, 12, "linux-riscv64", Version{}), func(in *Interpreter) { in.Musl = Version{1, 2} }),
			[]string{"musllinux_1_2_riscv64", "musllinux_1_1_riscv64", "musllinux_1_0_riscv64", "linux_riscv64"}},
		{"glibc 3.1 also lists every 2.x",
			linuxCP(3, 11, "linux-aarch64", Version{3, 1}),
			cat([]string{"manylinux_3_1_aarch64", "manylinux_3_0_aarch64"}, manylinuxRange(50, 17, "aarch64"), []string{"linux_aarch64"})},
		{"32-bit on an x86_64 kernel is i686",
			with(linuxCP(3, 11, "linux-x86_64", Version{2, 6}), func(in *Interpreter) { in.Is32Bit, in.ELF = true, elfI386 }),
			[]string{"manylinux_2_6_i686", "manylinux_2_5_i686", "manylinux1_i686", "linux_i686"}},
		{"i686 needs a 32-bit x86 executable for manylinux",
			with(linuxCP(3, 11, "linux-x86_64", Version{2, 6}), func(in *Interpreter) { in.Is32Bit = true }),
			[]string{"linux_i686"}},
		{"32-bit hard-float on an aarch64 kernel is armv7l",
			with(linuxCP(3, 11, "linux-aarch64", Version{2, 18}), func(in *Interpreter) { in.Is32Bit, in.ELF = true, elfARMHF }),
			[]string{"manylinux_2_18_armv7l", "manylinux_2_17_armv7l", "manylinux2014_armv7l", "linux_armv7l"}},
		{"soft-float armv7l gets no manylinux",
			with(linuxCP(3, 11, "linux-aarch64", Version{2, 18}), func(in *Interpreter) { in.Is32Bit, in.ELF = true, elfARMEL }),
			[]string{"linux_armv7l"}},
		{"armv8l is only itself in packaging 23.0",
			with(linuxCP(3, 11, "linux-armv8l", Version{2, 18}), func(in *Interpreter) { in.Is32Bit, in.ELF = true, elfARMHF }),
			[]string{"linux_armv8l"}},
		{"musl 1.2 after manylinux, before linux",
			with(linuxCP(3, 12, "linux-x86_64", Version{}), func(in *Interpreter) { in.Musl = Version{1, 2} }),
			[]string{"musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64", "linux_x86_64"}},
		{"32-bit musl on aarch64 is armv7l, with no ELF check",
			with(linuxCP(3, 12, "linux-aarch64", Version{}), func(in *Interpreter) { in.Is32Bit, in.Musl = true, Version{1, 1} }),
			[]string{"musllinux_1_1_armv7l", "musllinux_1_0_armv7l", "linux_armv7l"}},
		{"a corrupt glibc version is ignored",
			linuxCP(3, 11, "linux-x86_64", Version{2, 1 << 40}),
			[]string{"linux_x86_64"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := platformTags(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("platforms:\n got %q\nwant %q", got, tc.want)
			}
			// The platforms are the first column of the Supported list.
			got := Supported(tc.in)
			for i, p := range tc.want {
				if got[i].Platform != p || got[i].ABI != "cp"+itoa2(tc.in.Major, tc.in.Minor) {
					t.Fatalf("Supported[%d] = %s, want cp%d%d-cp%d%d-%s", i, got[i], tc.in.Major, tc.in.Minor, tc.in.Major, tc.in.Minor, p)
				}
			}
		})
	}
}

func with(in Interpreter, f func(*Interpreter)) Interpreter { f(&in); return in }

func macCP(minor int, macos Version, machine string) Interpreter {
	return Interpreter{Name: "cp", Major: 3, Minor: minor, Pymalloc: true, OS: "darwin", Machine: machine, MacOS: macos}
}

// macRange lists macosx_10_M_<format> for M from hi down to lo.
func macRange(hi, lo int, formats ...string) []string {
	var out []string
	for m := hi; m >= lo; m-- {
		for _, f := range formats {
			out = append(out, fmt.Sprintf("macosx_10_%d_%s", m, f))
		}
	}
	return out
}

func TestMacPlatforms(t *testing.T) {
	x86 := []string{"x86_64", "intel", "fat64", "fat32", "universal2", "universal"}
	for _, tc := range []struct {
		name string
		in   Interpreter
		want []string
	}{
		{"10.15 x86_64 runs binaries for 10.15 down to 10.4",
			macCP(11, Version{10, 15}, "x86_64"), macRange(15, 4, x86...)},
		{"10.3 predates x86_64", macCP(11, Version{10, 3}, "x86_64"), nil},
		{"10.5 ppc", macCP(6, Version{10, 5}, "ppc"),
			// mac_ver() calls ppc machines "PowerPC", which matches no rule.
			macRange(5, 0, "powerpc")},
		{"10.5 ppc64", macCP(6, Version{10, 5}, "ppc64"), macRange(5, 4, "ppc64", "fat64", "universal")},
		{"10.7 ppc64 runs only 10.5 and 10.4 binaries", macCP(6, Version{10, 7}, "ppc64"), macRange(5, 4, "ppc64", "fat64", "universal")},
		{"32-bit on ppc64 is ppc, which ends at 10.6",
			with(macCP(6, Version{10, 7}, "ppc64"), func(in *Interpreter) { in.Is32Bit = true }),
			macRange(6, 0, "ppc", "fat32", "fat", "universal")},
		{"10.4 i386", macCP(6, Version{10, 4}, "i386"), macRange(4, 4, "i386", "intel", "fat32", "fat", "universal")},
		{"32-bit on x86_64 is i386", with(macCP(6, Version{10, 6}, "x86_64"), func(in *Interpreter) { in.Is32Bit = true }),
			macRange(6, 4, "i386", "intel", "fat32", "fat", "universal")},
		{"32-bit PowerPC comes out as i386, as in packaging",
			with(macCP(6, Version{10, 5}, "Power Macintosh"), func(in *Interpreter) { in.Is32Bit = true }),
			macRange(5, 4, "i386", "intel", "fat32", "fat", "universal")},
		{"11.0 x86_64 also runs every 10.x down to 10.4",
			macCP(9, Version{11, 0}, "x86_64"),
			cat([]string{"macosx_11_0_x86_64", "macosx_11_0_intel", "macosx_11_0_fat64", "macosx_11_0_fat32",
				"macosx_11_0_universal2", "macosx_11_0_universal"}, macRange(16, 4, x86...))},
		{"14.2 arm64: major versions down to 11, then universal2 10.x",
			macCP(12, Version{14, 2}, "arm64"),
			cat([]string{"macosx_14_0_arm64", "macosx_14_0_universal2", "macosx_13_0_arm64", "macosx_13_0_universal2",
				"macosx_12_0_arm64", "macosx_12_0_universal2", "macosx_11_0_arm64", "macosx_11_0_universal2"},
				macRange(16, 4, "universal2"))},
		{"unknown version", macCP(12, Version{}, "arm64"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := platformTags(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("platforms:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestSupportedComplete spells out a whole list: CPython 3.4 on aarch64
// with glibc 2.17.
func TestSupportedComplete(t *testing.T) {
	in := linuxCP(3, 4, "linux-aarch64", Version{2, 17})
	plats := []string{"manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64"}
	var want []string
	across := func(interp, abi string) {
		for _, p := range plats {
			want = append(want, interp+"-"+abi+"-"+p)
		}
	}
	across("cp34", "cp34m")
	across("cp34", "abi3")
	across("cp34", "none")
	across("cp33", "abi3")
	across("cp32", "abi3")
	for _, py := range []string{"py34", "py3", "py33", "py32", "py31", "py30"} {
		across(py, "none")
	}
	want = append(want, "cp34-none-any")
	for _, py := range []string{"py34", "py3", "py33", "py32", "py31", "py30"} {
		want = append(want, py+"-none-any")
	}
	if got := strs(Supported(in)); !reflect.DeepEqual(got, want) {
		t.Errorf("Supported:\n got %q\nwant %q", got, want)
	}
}

func strs(ts []Tag) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}

func TestCPythonABIs(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Interpreter
		want []string // ABIs before abi3
		abi3 bool
	}{
		{"3.11", Interpreter{Major: 3, Minor: 11, Pymalloc: true}, []string{"cp311"}, true},
		{"3.7 pymalloc", Interpreter{Major: 3, Minor: 7, Pymalloc: true}, []string{"cp37m"}, true},
		{"3.7 without pymalloc", Interpreter{Major: 3, Minor: 7}, []string{"cp37"}, true},
		{"3.7 debug has no plain fallback", Interpreter{Major: 3, Minor: 7, Debug: true, Pymalloc: true}, []string{"cp37dm"}, true},
		{"3.8 debug loads release extensions too", Interpreter{Major: 3, Minor: 8, Debug: true}, []string{"cp38d", "cp38"}, true},
		{"3.13 free-threaded", Interpreter{Major: 3, Minor: 13, FreeThreaded: true}, []string{"cp313t"}, false},
		{"3.13 free-threaded debug", Interpreter{Major: 3, Minor: 13, FreeThreaded: true, Debug: true}, []string{"cp313td", "cp313t"}, false},
		{"Py_GIL_DISABLED means nothing before 3.13", Interpreter{Major: 3, Minor: 12, FreeThreaded: true}, []string{"cp312"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Name, in.OS, in.Platform, in.ExtSuffix = "cp", "linux", "linux-x86_64", ".so"
			got := Supported(in)
			interp := "cp" + itoa2(in.Major, in.Minor)
			for i, abi := range tc.want {
				if want := (Tag{interp, abi, "linux_x86_64"}); got[i] != want {
					t.Errorf("Supported[%d] = %s, want %s", i, got[i], want)
				}
			}
			if want := (Tag{interp, "none", "linux_x86_64"}); !tc.abi3 && got[len(tc.want)] != want {
				t.Errorf("after the ABIs comes %s, want %s (no abi3)", got[len(tc.want)], want)
			}
			hasABI3 := slices.ContainsFunc(got, func(t Tag) bool { return t.ABI == "abi3" })
			if hasABI3 != tc.abi3 {
				t.Errorf("abi3 listed: %v, want %v", hasABI3, tc.abi3)
			}
			if tc.abi3 {
				// abi3 of every older minor version down to 3.2, newest first.
				var olders []string
				for _, tg := range got {
					if tg.ABI == "abi3" && tg.Interpreter != interp && !slices.Contains(olders, tg.Interpreter) {
						olders = append(olders, tg.Interpreter)
					}
				}
				var want []string
				for m := in.Minor - 1; m >= 2; m-- {
					want = append(want, fmt.Sprintf("cp3%d", m))
				}
				if !reflect.DeepEqual(olders, want) {
					t.Errorf("older abi3 interpreters %q, want %q", olders, want)
				}
			}
		})
	}
}

func TestGenericABIs(t *testing.T) {
	for _, tc := range []struct {
		ext  string
		want []string
	}{
		{".pypy39-pp73-x86_64-linux-gnu.so", []string{"pypy39_pp73"}},
		{".pypy310-pp73-darwin.so", []string{"pypy310_pp73"}},
		{".graalpy-38-native-x86_64-darwin.dylib", []string{"graalpy_38_native"}},
		{".cpython-311-x86_64-linux-gnu.so", []string{"cp311"}},
		{".cp311-win_amd64.pyd", []string{"cp311"}},
		{".pyston-23-x86_64-linux-gnu.so", []string{"pyston_23_x86_64_linux_gnu"}},
		{".pyd", []string{"cp39"}},
		{"..so", nil},
		{"", nil},
		{"so", nil},
	} {
		in := Interpreter{Name: "pp", Major: 3, Minor: 9, ExtSuffix: tc.ext}
		if got := genericABIs(in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("genericABIs(%q) = %q, want %q", tc.ext, got, tc.want)
		}
	}
}

func TestSupportedPyPy(t *testing.T) {
	in := Interpreter{
		Name: "pp", Major: 3, Minor: 9, VersionNodot: "39",
		ExtSuffix: ".pypy39-pp73-x86_64-linux-gnu.so",
		OS:        "linux", Platform: "linux-x86_64", ELF: ELFHeader{Class: 2, Data: 1, Machine: 62},
		Glibc: Version{2, 36},
	}
	got := Supported(in)
	nplat := len(manylinuxRange(36, 5, "x86_64")) + 1
	if first := (Tag{"pp39", "pypy39_pp73", "manylinux_2_36_x86_64"}); got[0] != first {
		t.Errorf("first tag %s, want %s", got[0], first)
	}
	if want := (Tag{"pp39", "none", "manylinux_2_36_x86_64"}); got[nplat] != want {
		t.Errorf("tag %d = %s, want %s", nplat, got[nplat], want)
	}
	if want := (Tag{"py39", "none", "manylinux_2_36_x86_64"}); got[2*nplat] != want {
		t.Errorf("tag %d = %s, want %s", 2*nplat, got[2*nplat], want)
	}
	// pyXY, pyX, py38 ... py30 across platforms, then pp3-none-any, then the same on any.
	anyStart := 2*nplat + 11*nplat
	if want := (Tag{"pp3", "none", "any"}); got[anyStart] != want {
		t.Errorf("tag %d = %s, want %s", anyStart, got[anyStart], want)
	}
	if want := []string{"py39", "py3", "py38", "py37", "py36", "py35", "py34", "py33", "py32", "py31", "py30"}; !reflect.DeepEqual(interps(got[anyStart+1:]), want) {
		t.Errorf("pure tags %q, want %q", interps(got[anyStart+1:]), want)
	}
	if len(got) != anyStart+12 {
		t.Errorf("%d tags, want %d", len(got), anyStart+12)
	}
	for _, tg := range got {
		if tg.ABI == "abi3" || strings.HasPrefix(tg.Interpreter, "cp") {
			t.Errorf("PyPy lists %s", tg)
		}
	}
}

func interps(ts []Tag) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Interpreter)
	}
	return out
}

func TestSupportedOtherSystems(t *testing.T) {
	in := Interpreter{Name: "cp", Major: 3, Minor: 11, OS: "freebsd", Platform: "FreeBSD-13.2-RELEASE-amd64"}
	got := Supported(in)
	if want := (Tag{"cp311", "cp311", "freebsd_13_2_release_amd64"}); got[0] != want {
		t.Errorf("first tag %s, want %s", got[0], want)
	}
	if last := got[len(got)-1]; last != (Tag{"py30", "none", "any"}) {
		t.Errorf("last tag %s, want py30-none-any", last)
	}
	if Supported(Interpreter{Name: "cp", Major: 3, Minor: 1 << 30}) != nil {
		t.Error("a corrupt Python version supports tags")
	}
}

func TestSupportedIsLowercaseAndParsable(t *testing.T) {
	in := macCP(6, Version{10, 5}, "Power Macintosh")
	for _, tg := range Supported(in) {
		ts, err := ParseSet(tg.String())
		if err != nil || len(ts) != 1 || ts[0] != tg {
			t.Errorf("tag %s does not round-trip through ParseSet: %v %v", tg, ts, err)
		}
	}
}

func BenchmarkSupportedAndRanking(b *testing.B) {
	in := linuxCP(3, 12, "linux-x86_64", Version{2, 36})
	for b.Loop() {
		NewRanking(Supported(in))
	}
}

func BenchmarkSupported(b *testing.B) {
	in := linuxCP(3, 12, "linux-x86_64", Version{2, 36})
	for b.Loop() {
		Supported(in)
	}
}
