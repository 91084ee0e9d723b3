package tags

import (
	"strconv"
	"strings"
)

// linuxPlatforms returns the Linux platform tags: manylinux (PEP 600, with
// the PEP 513/571/599 aliases), then musllinux (PEP 656), then the plain
// linux_<arch> tag.
func linuxPlatforms(in Interpreter) []string {
	linux := normalize(in.Platform)
	if in.Is32Bit {
		// A 32-bit interpreter on a 64-bit kernel.
		switch linux {
		case "linux_x86_64":
			linux = "linux_i686"
		case "linux_aarch64":
			linux = "linux_armv7l"
		}
	}
	_, arch, ok := strings.Cut(linux, "_")
	if !ok {
		return []string{linux}
	}
	ps := manylinuxPlatforms(nil, in, linux, arch)
	ps = musllinuxPlatforms(ps, in.Musl, arch)
	return append(ps, linux)
}

// lastGlibcMinor is the highest minor version assumed for a glibc major
// version older than the running one; glibc has never changed major, so
// the value only matters in theory.
const lastGlibcMinor = 50

// legacyManylinux maps glibc versions to the manylinux tags that named them
// before PEP 600.
var legacyManylinux = map[Version]string{
	{2, 17}: "manylinux2014", // PEP 599, CentOS 7
	{2, 12}: "manylinux2010", // PEP 571, CentOS 6
	{2, 5}:  "manylinux1",    // PEP 513, CentOS 5
}

// manylinuxPlatforms appends manylinux_M_m_<arch> for every glibc version
// from the running one down to the oldest the architecture ever had
// manylinux wheels for (2.5 on x86, 2.17 elsewhere).
func manylinuxPlatforms(ps []string, in Interpreter, linux, arch string) []string {
	if in.Glibc.IsZero() || !manylinuxArch(arch, in.ELF) {
		return ps
	}
	tooOld := Version{2, 16}
	if arch == "x86_64" || arch == "i686" {
		tooOld = Version{2, 4}
	}
	maxes := []Version{in.Glibc}
	for major := in.Glibc.Major - 1; major > 1; major-- {
		maxes = append(maxes, Version{major, lastGlibcMinor})
	}
	for _, max := range maxes {
		minMinor := -1
		if max.Major == tooOld.Major {
			minMinor = tooOld.Minor
		}
		prefix := "manylinux_" + strconv.Itoa(max.Major) + "_"
		for minor := max.Minor; minor > minMinor; minor-- {
			ps = append(ps, strings.ReplaceAll(linux, "linux", prefix+strconv.Itoa(minor)))
			if legacy, ok := legacyManylinux[Version{max.Major, minor}]; ok {
				ps = append(ps, strings.ReplaceAll(linux, "linux", legacy))
			}
		}
	}
	return ps
}

// manylinuxArch reports whether manylinux wheels exist for the architecture
// and the interpreter's executable can load them: i686 and armv7l need a
// 32-bit executable of that kind (armv7l: hard-float EABI5). The list is
// packaging's (_manylinux._ALLOWED_ARCHS, with riscv64 and loongarch64
// since packaging 24).
func manylinuxArch(arch string, elf ELFHeader) bool {
	switch arch {
	case "armv7l":
		return elf.isARMHardFloat()
	case "i686":
		return elf.isI386()
	case "x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64":
		return true
	}
	return false
}

// musllinuxPlatforms appends musllinux_M_m_<arch> from the running musl
// version down to M_0.
func musllinuxPlatforms(ps []string, musl Version, arch string) []string {
	if musl.IsZero() {
		return ps
	}
	prefix := "musllinux_" + strconv.Itoa(musl.Major) + "_"
	for minor := musl.Minor; minor >= 0; minor-- {
		ps = append(ps, prefix+strconv.Itoa(minor)+"_"+arch)
	}
	return ps
}
