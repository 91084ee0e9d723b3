package probe

import (
	"slices"
	"strconv"
	"strings"

	"github.com/rules-pex/rules_pex/internal/tags"
)

// Tags returns the facts tags.Supported needs, derived from the probe as
// packaging.tags derives them from the running interpreter.
func (i *Info) Tags() tags.Interpreter {
	in := tags.Interpreter{
		Name:         tags.ShortName(i.ImplementationName),
		Major:        i.VersionInfo.Major,
		Minor:        i.VersionInfo.Minor,
		VersionNodot: deref(i.PyVersionNodot),
		// Py_DEBUG decides; where it is unset (Windows), a debug build shows
		// in sys.gettotalrefcount or in the "_d.pyd" extension suffix.
		Debug: i.PyDebug != nil && *i.PyDebug ||
			i.PyDebug == nil && (i.HasGetTotalRefCount || slices.Contains(i.ExtensionSuffixes, "_d.pyd")),
		// An unset WITH_PYMALLOC counts as set.
		Pymalloc:     i.WithPymalloc == nil || *i.WithPymalloc,
		FreeThreaded: i.PyGILDisabled != nil && *i.PyGILDisabled,
		ExtSuffix:    deref(i.ExtSuffix),
		Is32Bit:      i.Is32Bit,
		OS:           strings.ToLower(i.System),
		Platform:     deref(i.SysconfigPlatform),
		Machine:      i.Machine,
	}
	if i.ELF != nil {
		in.ELF = tags.ELFHeader{Class: i.ELF.Class, Data: i.ELF.Data, Machine: i.ELF.Machine, Flags: i.ELF.Flags}
	}
	if i.GlibcVersion != nil {
		in.Glibc, _ = ParseGlibcVersion(*i.GlibcVersion)
	}
	if i.MuslLoaderOutput != nil {
		in.Musl, _ = ParseMuslVersion(*i.MuslLoaderOutput)
	}
	if i.MacOSVersion != nil {
		in.MacOS, _ = ParseMacOSVersion(*i.MacOSVersion)
	}
	return in
}

// ParseGlibcVersion reads the major.minor at the start of a glibc version
// string, ignoring what follows ("2.20-2014.11" is 2.20), as packaging does.
func ParseGlibcVersion(s string) (tags.Version, bool) {
	major, rest, ok := leadingInt(s)
	if !ok || !strings.HasPrefix(rest, ".") {
		return tags.Version{}, false
	}
	minor, _, ok := leadingInt(rest[1:])
	if !ok {
		return tags.Version{}, false
	}
	return tags.Version{Major: major, Minor: minor}, true
}

// ParseMuslVersion reads the version from what the musl dynamic loader
// prints when run bare, as packaging does: the first non-blank line starts
// with "musl" and the second with "Version <major>.<minor>":
//
//	musl libc (x86_64)
//	Version 1.2.2
//	Dynamic Program Loader
func ParseMuslVersion(output string) (tags.Version, bool) {
	var lines []string
	for _, l := range strings.FieldsFunc(output, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "musl") {
		return tags.Version{}, false
	}
	rest, ok := strings.CutPrefix(lines[1], "Version ")
	if !ok {
		return tags.Version{}, false
	}
	return ParseGlibcVersion(rest)
}

// ParseMacOSVersion reads major.minor from a macOS ProductVersion ("14.2.1");
// a lone major version ("11") reads as major.0.
func ParseMacOSVersion(s string) (tags.Version, bool) {
	parts := strings.SplitN(s, ".", 3)
	major, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || major < 0 {
		return tags.Version{}, false
	}
	minor := 0
	if len(parts) > 1 {
		minor, err = strconv.Atoi(strings.TrimSpace(parts[1]))
		if err != nil || minor < 0 {
			return tags.Version{}, false
		}
	}
	return tags.Version{Major: major, Minor: minor}, true
}

// leadingInt parses the ASCII digits at the start of s.
func leadingInt(s string) (n int, rest string, ok bool) {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil {
		return 0, s, false
	}
	return n, s[end:], true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
