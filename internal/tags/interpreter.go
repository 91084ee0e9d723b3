package tags

import "strings"

// Interpreter holds exactly the facts about a Python interpreter and its host
// that decide which tags it supports. launcher/internal/probe fills it from a running
// interpreter; tests build it by hand.
type Interpreter struct {
	// Name is the short implementation name used in interpreter tags: "cp"
	// for CPython, "pp" for PyPy, "ip" for IronPython, "jy" for Jython, and
	// sys.implementation.name for any other implementation ("graalpy").
	Name string
	// Major and Minor are sys.version_info[:2].
	Major, Minor int
	// VersionNodot is sysconfig's py_version_nodot ("311"), used in the
	// generic interpreter tag ("pp39"). Empty means Major and Minor joined.
	VersionNodot string

	// Debug reports a CPython debug build (Py_DEBUG): its ABI gains a "d".
	Debug bool
	// Pymalloc reports a CPython older than 3.8 built with pymalloc: its ABI
	// gains an "m". Ignored from 3.8 on.
	Pymalloc bool
	// FreeThreaded reports a CPython 3.13+ built with Py_GIL_DISABLED: its
	// ABI gains a "t" and it cannot load abi3 extensions.
	FreeThreaded bool
	// ExtSuffix is sysconfig's EXT_SUFFIX (".pypy39-pp73-x86_64-linux-gnu.so").
	// Interpreters other than CPython derive their ABI tag from it.
	ExtSuffix string

	// Is32Bit reports a 32-bit interpreter (sys.maxsize <= 2**32), which on a
	// 64-bit kernel uses the 32-bit platform tags (i686, armv7l, i386, ppc).
	Is32Bit bool
	// OS is platform.system() lowercased: "linux" and "darwin" get their
	// platform tag rules; any other value gets the generic platform tag.
	OS string
	// Platform is sysconfig.get_platform() ("linux-x86_64"). It names the
	// architecture on Linux and is the whole platform tag elsewhere; unused on
	// macOS.
	Platform string
	// Machine is os.uname().machine ("arm64", "x86_64"); used on macOS.
	Machine string
	// ELF is the ELF header of sys.executable. On Linux, manylinux tags for
	// i686 and armv7l require a matching 32-bit executable (hard-float EABI5
	// for armv7l). The zero value matches neither.
	ELF ELFHeader
	// Glibc is the C library version when it is glibc; zero otherwise.
	Glibc Version
	// Musl is the musl version when sys.executable is dynamically linked to
	// musl; zero otherwise.
	Musl Version
	// MacOS is the macOS product version (the real one, not the 10.16 that
	// old-SDK builds are shown); zero when unknown.
	MacOS Version
}

// Version is a major.minor version of an operating system or C library. The
// zero value means absent or unknown.
type Version struct {
	Major, Minor int
}

// IsZero reports whether v is the zero Version.
func (v Version) IsZero() bool { return v == Version{} }

// Bounds of version components accepted as real; see Supported.
const (
	maxComponent  = 999
	maxGlibcMajor = 9
)

// sane reports whether both components are within [0, maxComponent].
func (v Version) sane() bool {
	return v.Major >= 0 && v.Minor >= 0 && v.Major <= maxComponent && v.Minor <= maxComponent
}

// less reports whether v sorts before w.
func (v Version) less(w Version) bool {
	return v.Major < w.Major || v.Major == w.Major && v.Minor < w.Minor
}

// ELFHeader is the part of an ELF file header that platform tags depend on.
type ELFHeader struct {
	Class   uint8  // EI_CLASS: 1 for 32-bit, 2 for 64-bit
	Data    uint8  // EI_DATA: 1 for little-endian, 2 for big-endian
	Machine uint16 // e_machine: 3 for i386, 40 for ARM, 62 for x86-64, ...
	Flags   uint32 // e_flags
}

const (
	elfClass32     = 1
	elfDataLSB     = 1
	elfMachineI386 = 3
	elfMachineARM  = 40

	efARMABIMask      = 0xFF000000
	efARMABIVer5      = 0x05000000
	efARMABIFloatHard = 0x00000400
)

// isARMHardFloat reports a 32-bit little-endian ARM EABI5 hard-float executable.
func (h ELFHeader) isARMHardFloat() bool {
	return h.Class == elfClass32 && h.Data == elfDataLSB && h.Machine == elfMachineARM &&
		h.Flags&efARMABIMask == efARMABIVer5 && h.Flags&efARMABIFloatHard == efARMABIFloatHard
}

// isI386 reports a 32-bit little-endian x86 executable.
func (h ELFHeader) isI386() bool {
	return h.Class == elfClass32 && h.Data == elfDataLSB && h.Machine == elfMachineI386
}

// ShortName returns the short implementation name used in tags for a
// sys.implementation.name: "cp" for "cpython", "pp" for "pypy", and so on;
// names without a reserved abbreviation are returned unchanged.
func ShortName(implementation string) string {
	switch implementation {
	case "python":
		return "py"
	case "cpython":
		return "cp"
	case "pypy":
		return "pp"
	case "ironpython":
		return "ip"
	case "jython":
		return "jy"
	}
	return implementation
}

// normalize replaces the '.' and '-' of a sysconfig platform with '_', as
// platform tags spell them.
func normalize(s string) string {
	return platformNormalizer.Replace(s)
}

var platformNormalizer = strings.NewReplacer(".", "_", "-", "_")
