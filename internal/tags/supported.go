package tags

import (
	"strconv"
	"strings"
)

// Supported returns the tags the interpreter supports, most preferred first,
// in the order packaging.tags.sys_tags() yields them (packaging 23.0, the
// version the tests compare against):
//
//  1. the interpreter's own tags: for CPython cpXY with its ABI (cp311,
//     cp311d then cp311 for debug builds, cp37m before 3.8), then abi3,
//     then none, each across all platforms, then cpXW-abi3 for every older
//     minor W down to 2; for other interpreters name+version with the ABI
//     derived from EXT_SUFFIX (pp39-pypy39_pp73), then none;
//  2. pyXY, pyX, pyXW...pyX0 with ABI none across all platforms;
//  3. cpXY-none-any (CPython) or pp3-none-any (PyPy);
//  4. pyXY, pyX, pyXW...pyX0 with ABI none on platform any.
//
// Platforms, most preferred first: on Linux manylinux_2_M (with the legacy
// aliases manylinux2014, manylinux2010 and manylinux1 right after 2_17, 2_12
// and 2_5) from the glibc version down to 2_17 (2_5 on x86), then
// musllinux_1_M down to 1_0, then linux_<arch>; on macOS
// macosx_<version>_<format> from the running version down, with the binary
// formats (arch, intel, fat64, fat32, universal2, universal) each version
// could load; elsewhere the sysconfig platform alone.
//
// Two deliberate differences from packaging 23.0: a free-threaded CPython
// (3.13t) gets the "t" ABI and no abi3, as packaging 24.1 and later compute;
// and the _manylinux module a distributor may install to veto manylinux
// tags is not consulted. Windows is not supported: its platform tags come
// out as the generic sysconfig platform only.
//
// Versions no real system has (a Python minor version or an OS or libc
// version component above 999, glibc 10 or later) are treated as corrupt
// input, so the list stays small: such an OS or libc version is ignored, and
// such a Python version supports no tag at all.
//
// The result is fresh and owned by the caller.
func Supported(in Interpreter) []Tag {
	if in.Major < 0 || in.Major > maxComponent || in.Minor < 0 || in.Minor > maxComponent {
		return nil
	}
	platforms := platformTags(in)
	version := itoa2(in.Major, in.Minor)
	out := make([]Tag, 0, estimate(in, len(platforms)))

	if in.Name == "cp" {
		out = cpythonTags(out, in, version, platforms)
	} else {
		out = genericTags(out, in, platforms)
	}

	interp := ""
	switch in.Name {
	case "pp":
		interp = "pp3"
	case "cp":
		interp = "cp" + versionNodot(in)
	}
	return compatibleTags(out, in, version, interp, platforms)
}

// estimate returns the length of the Supported list, to allocate it once.
func estimate(in Interpreter, nplat int) int {
	n := (in.Minor + 3) * (nplat + 1) // py* across platforms and any
	if in.Name == "cp" {
		n += (3 + in.Minor) * nplat
	} else {
		n += 2 * nplat
	}
	return n + 1
}

func cpythonTags(out []Tag, in Interpreter, version string, platforms []string) []Tag {
	interp := "cp" + version
	abis := cpythonABIs(in, version)
	for _, abi := range abis {
		for _, p := range platforms {
			out = append(out, Tag{interp, abi, p})
		}
	}
	abi3 := abi3Applies(in)
	if abi3 {
		for _, p := range platforms {
			out = append(out, Tag{interp, "abi3", p})
		}
	}
	for _, p := range platforms {
		out = append(out, Tag{interp, "none", p})
	}
	if abi3 {
		for minor := in.Minor - 1; minor > 1; minor-- {
			older := "cp" + itoa2(in.Major, minor)
			for _, p := range platforms {
				out = append(out, Tag{older, "abi3", p})
			}
		}
	}
	return out
}

// atLeast reports whether the interpreter's Python version is major.minor or newer.
func (in Interpreter) atLeast(major, minor int) bool {
	return in.Major > major || in.Major == major && in.Minor >= minor
}

// freeThreaded reports whether the "t" ABI flag applies.
func (in Interpreter) freeThreaded() bool {
	return in.FreeThreaded && in.atLeast(3, 13)
}

// abi3Applies reports whether the stable ABI (PEP 384, CPython 3.2+) can be
// loaded: not by free-threaded builds.
func abi3Applies(in Interpreter) bool {
	return in.atLeast(3, 2) && !in.freeThreaded()
}

// cpythonABIs returns the CPython ABI tags, most specific first.
func cpythonABIs(in Interpreter, version string) []string {
	var flags string
	if in.freeThreaded() {
		flags += "t"
	}
	if in.Debug {
		flags += "d"
	}
	if !in.atLeast(3, 8) {
		if in.Pymalloc {
			flags += "m"
		}
		return []string{"cp" + version + flags}
	}
	abis := []string{"cp" + version + flags}
	if in.Debug {
		// Debug builds can also load extensions built for release builds.
		abis = append(abis, "cp"+version+strings.TrimSuffix(flags, "d"))
	}
	return abis
}

func genericTags(out []Tag, in Interpreter, platforms []string) []Tag {
	interp := strings.ToLower(in.Name + versionNodot(in))
	abis := genericABIs(in)
	hasNone := false
	for _, abi := range abis {
		hasNone = hasNone || abi == "none"
	}
	if !hasNone {
		abis = append(abis, "none")
	}
	for _, abi := range abis {
		for _, p := range platforms {
			out = append(out, Tag{interp, abi, p})
		}
	}
	return out
}

// genericABIs derives the ABI tag of a non-CPython interpreter from
// EXT_SUFFIX, keeping the ABI part and dropping the platform part:
//
//	.pypy39-pp73-x86_64-linux-gnu.so        -> pypy39_pp73
//	.graalpy-38-native-x86_64-darwin.dylib  -> graalpy_38_native
//	.cpython-311-x86_64-linux-gnu.so        -> cp311
//
// An EXT_SUFFIX that does not start with '.' yields no ABI (packaging raises
// SystemError there).
func genericABIs(in Interpreter) []string {
	ext := in.ExtSuffix
	if ext == "" || ext[0] != '.' {
		return nil
	}
	parts := strings.Split(ext, ".")
	if len(parts) < 3 {
		// ".pyd": CPython 3.7 and older on Windows.
		return cpythonABIs(in, itoa2(in.Major, in.Minor))
	}
	soabi := parts[1]
	var abi string
	switch {
	case strings.HasPrefix(soabi, "cpython"):
		f := strings.Split(soabi, "-")
		if len(f) < 2 {
			return nil // packaging fails with an IndexError here
		}
		abi = "cp" + f[1]
	case strings.HasPrefix(soabi, "cp"):
		abi = strings.Split(soabi, "-")[0]
	case strings.HasPrefix(soabi, "pypy"):
		abi = joinFirst(soabi, 2)
	case strings.HasPrefix(soabi, "graalpy"):
		abi = joinFirst(soabi, 3)
	case soabi != "":
		abi = soabi
	default:
		return nil
	}
	return []string{strings.ToLower(normalize(abi))}
}

// joinFirst returns the first n dash-separated fields of s, dash-joined.
func joinFirst(s string, n int) string {
	f := strings.Split(s, "-")
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, "-")
}

func compatibleTags(out []Tag, in Interpreter, version, interp string, platforms []string) []Tag {
	pys := pyRange(in, version)
	for _, py := range pys {
		for _, p := range platforms {
			out = append(out, Tag{py, "none", p})
		}
	}
	if interp != "" {
		out = append(out, Tag{interp, "none", "any"})
	}
	for _, py := range pys {
		out = append(out, Tag{py, "none", "any"})
	}
	return out
}

// pyRange returns pyXY, pyX, then pyXW for every older minor W down to 0.
func pyRange(in Interpreter, version string) []string {
	r := make([]string, 0, in.Minor+2)
	r = append(r, "py"+version, "py"+strconv.Itoa(in.Major))
	for minor := in.Minor - 1; minor >= 0; minor-- {
		r = append(r, "py"+itoa2(in.Major, minor))
	}
	return r
}

func versionNodot(in Interpreter) string {
	if in.VersionNodot != "" {
		return strings.ToLower(in.VersionNodot)
	}
	return itoa2(in.Major, in.Minor)
}

func itoa2(major, minor int) string {
	return strconv.Itoa(major) + strconv.Itoa(minor)
}

// platformTags returns the platform tags, most preferred first, lowercased.
func platformTags(in Interpreter) []string {
	if !in.Glibc.sane() || in.Glibc.Major > maxGlibcMajor {
		in.Glibc = Version{}
	}
	if !in.Musl.sane() {
		in.Musl = Version{}
	}
	if !in.MacOS.sane() {
		in.MacOS = Version{}
	}
	var ps []string
	switch in.OS {
	case "darwin":
		ps = macPlatforms(in.MacOS, macArch(in.Machine, in.Is32Bit))
	case "linux":
		ps = linuxPlatforms(in)
	default:
		if in.Platform != "" {
			ps = []string{normalize(in.Platform)}
		}
	}
	for i, p := range ps {
		ps[i] = strings.ToLower(p)
	}
	return ps
}
