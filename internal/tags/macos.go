package tags

import "strconv"

// macArch returns the architecture used in macOS platform tags for
// os.uname().machine: platform.mac_ver() calls PowerPC machines "PowerPC",
// and a 32-bit interpreter uses "ppc" on PowerPC and "i386" otherwise (so a
// 32-bit "PowerPC" becomes "i386", exactly as packaging does).
func macArch(machine string, is32Bit bool) string {
	if machine == "ppc" || machine == "Power Macintosh" {
		machine = "PowerPC"
	}
	if !is32Bit {
		return machine
	}
	if len(machine) >= 3 && machine[:3] == "ppc" {
		return "ppc"
	}
	return "i386"
}

// macBinaryFormats returns the binary formats a macOS version can run for an
// architecture, most specific first; none when the architecture did not
// exist on that version.
func macBinaryFormats(v Version, arch string) []string {
	formats := []string{arch}
	switch arch {
	case "x86_64":
		if v.less(Version{10, 4}) {
			return nil
		}
		formats = append(formats, "intel", "fat64", "fat32")
	case "i386":
		if v.less(Version{10, 4}) {
			return nil
		}
		formats = append(formats, "intel", "fat32", "fat")
	case "ppc64":
		if (Version{10, 5}).less(v) || v.less(Version{10, 4}) {
			return nil
		}
		formats = append(formats, "fat64")
	case "ppc":
		if (Version{10, 6}).less(v) {
			return nil
		}
		formats = append(formats, "fat32", "fat")
	}
	switch arch {
	case "arm64", "x86_64":
		formats = append(formats, "universal2")
	}
	switch arch {
	case "x86_64", "i386", "ppc64", "ppc", "intel":
		formats = append(formats, "universal")
	}
	return formats
}

// macPlatforms returns the macOS platform tags for a version and arch, most
// preferred first. Before macOS 11 each release bumped the minor version
// (10.15, 10.14, ... 10.0); from 11 on each release bumps the major version,
// and only X.0 is listed. On 11+ x86_64 also runs every 10.x binary
// (10.16 down to 10.4), while arm64 only runs the universal2 ones.
func macPlatforms(v Version, arch string) []string {
	var ps []string
	add := func(major, minor int, formats []string) {
		for _, f := range formats {
			ps = append(ps, "macosx_"+strconv.Itoa(major)+"_"+strconv.Itoa(minor)+"_"+f)
		}
	}
	if !v.less(Version{10, 0}) && v.less(Version{11, 0}) {
		for minor := v.Minor; minor >= 0; minor-- {
			add(10, minor, macBinaryFormats(Version{10, minor}, arch))
		}
	}
	if !v.less(Version{11, 0}) {
		for major := v.Major; major > 10; major-- {
			add(major, 0, macBinaryFormats(Version{major, 0}, arch))
		}
		universal2 := []string{"universal2"}
		for minor := 16; minor > 3; minor-- {
			if arch == "x86_64" {
				add(10, minor, macBinaryFormats(Version{10, minor}, arch))
			} else {
				add(10, minor, universal2)
			}
		}
	}
	return ps
}
