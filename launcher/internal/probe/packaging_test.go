package probe

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rules-pex/rules_pex/internal/oracletest"
	"github.com/rules-pex/rules_pex/internal/tags"
)

func ptr[T any](v T) *T { return &v }

// ELF e_machine values and ARM e_flags used by the cases.
const (
	emI386      = 3
	emPPC64     = 21
	emS390      = 22
	emARM       = 40
	emX8664     = 62
	emAArch64   = 183
	emRISCV     = 243
	emLoongArch = 258

	armHardFloat = 0x05000400 // EABI5, hard float
	armSoftFloat = 0x05000200 // EABI5, soft float
)

// cpythonInfo is a probe result for a CPython whose extension modules end
// in ".cpython-XY-<soPlatform>.so"; linuxInfo and macInfo add the platform.
func cpythonInfo(major, minor int, soPlatform string) *Info {
	ext := fmt.Sprintf(".cpython-%d%d-%s.so", major, minor, soPlatform)
	return &Info{
		Schema:             SchemaVersion,
		ImplementationName: "cpython",
		VersionInfo:        VersionInfo{Major: major, Minor: minor, ReleaseLevel: "final"},
		ExtSuffix:          ptr(ext),
		ExtensionSuffixes:  []string{ext, ".abi3.so", ".so"},
		PyDebug:            ptr(false),
		WithPymalloc:       ptr(true),
		PyVersionNodot:     ptr(fmt.Sprintf("%d%d", major, minor)),
	}
}

// linuxInfo is a probe result for a CPython on glibc Linux; cases modify it.
func linuxInfo(major, minor int, platform, glibc string, elfClass uint8, machine uint16) *Info {
	return with(cpythonInfo(major, minor, "x86_64-linux-gnu"), func(i *Info) {
		i.System, i.Machine = "Linux", "x86_64"
		i.SysconfigPlatform, i.GlibcVersion = ptr(platform), ptr(glibc)
		i.ELF = &ELF{Class: elfClass, Data: 1, Machine: machine, Interpreter: ptr("/lib/ld-linux.so.2")}
	})
}

// macInfo is a probe result for a CPython on macOS.
func macInfo(major, minor int, macos, machine string) *Info {
	return with(cpythonInfo(major, minor, "darwin"), func(i *Info) {
		i.System, i.Machine, i.MacOSVersion = "Darwin", machine, ptr(macos)
	})
}

func with(i *Info, f func(*Info)) *Info { f(i); return i }

const muslOutput = "musl libc (x86_64)\nVersion 1.2.3\nDynamic Program Loader\nUsage: ld [options] [--] pathname [args]\n"

// syntheticCases are interpreters this machine does not have, described by
// the probe results they would print. packaging 23.0 must be able to compute
// their tags (it raises for a few inputs Supported tolerates).
var syntheticCases = []struct {
	name string
	info *Info
}{
	{"cp311 x86_64 glibc 2.36", linuxInfo(3, 11, "linux-x86_64", "2.36", 2, emX8664)},
	{"cp311 x86_64 glibc 2.17", linuxInfo(3, 11, "linux-x86_64", "2.17", 2, emX8664)},
	{"cp311 x86_64 glibc 2.12", linuxInfo(3, 11, "linux-x86_64", "2.12", 2, emX8664)},
	{"cp311 x86_64 glibc 2.5", linuxInfo(3, 11, "linux-x86_64", "2.5", 2, emX8664)},
	{"cp311 x86_64 glibc 2.4 too old", linuxInfo(3, 11, "linux-x86_64", "2.4", 2, emX8664)},
	{"cp311 x86_64 glibc with vendor suffix", linuxInfo(3, 11, "linux-x86_64", "2.20-2014.11", 2, emX8664)},
	{"cp311 x86_64 glibc 3.1", linuxInfo(3, 11, "linux-x86_64", "3.1", 2, emX8664)},
	{"cp311 x86_64 glibc unparsable", linuxInfo(3, 11, "linux-x86_64", "unknown", 2, emX8664)},
	{"cp312 x86_64 musl 1.2", with(linuxInfo(3, 12, "linux-x86_64", "", 2, emX8664), func(i *Info) {
		i.GlibcVersion, i.MuslLoaderOutput = nil, ptr(muslOutput)
	})},
	{"cp310 x86_64 musl loader says nothing useful", with(linuxInfo(3, 10, "linux-x86_64", "", 2, emX8664), func(i *Info) {
		i.GlibcVersion, i.MuslLoaderOutput = nil, ptr("musl libc (x86_64)\nDynamic Program Loader\n")
	})},
	{"cp312 aarch64 musl 1.1", with(linuxInfo(3, 12, "linux-aarch64", "", 2, emAArch64), func(i *Info) {
		i.GlibcVersion, i.MuslLoaderOutput = nil, ptr("\n  musl libc (aarch64)\n\n  Version 1.1.24\n")
	})},
	{"cp311 32-bit on x86_64 kernel", with(linuxInfo(3, 11, "linux-x86_64", "2.31", 1, emI386), func(i *Info) { i.Is32Bit = true })},
	{"cp311 32-bit on x86_64 kernel, 64-bit ELF", with(linuxInfo(3, 11, "linux-x86_64", "2.31", 2, emX8664), func(i *Info) { i.Is32Bit = true })},
	{"cp39 i686", with(linuxInfo(3, 9, "linux-i686", "2.28", 1, emI386), func(i *Info) { i.Is32Bit = true })},
	{"cp311 aarch64 glibc 2.28", linuxInfo(3, 11, "linux-aarch64", "2.28", 2, emAArch64)},
	{"cp311 32-bit armhf on aarch64 kernel", with(linuxInfo(3, 11, "linux-aarch64", "2.31", 1, emARM), func(i *Info) {
		i.Is32Bit, i.ELF.Flags = true, armHardFloat
	})},
	{"cp311 32-bit armel on aarch64 kernel", with(linuxInfo(3, 11, "linux-aarch64", "2.31", 1, emARM), func(i *Info) {
		i.Is32Bit, i.ELF.Flags = true, armSoftFloat
	})},
	{"cp311 armv7l armhf", with(linuxInfo(3, 11, "linux-armv7l", "2.31", 1, emARM), func(i *Info) {
		i.Is32Bit, i.ELF.Flags = true, armHardFloat
	})},
	{"cp311 armv8l", with(linuxInfo(3, 11, "linux-armv8l", "2.31", 1, emARM), func(i *Info) {
		i.Is32Bit, i.ELF.Flags = true, armHardFloat
	})},
	{"cp311 ppc64le", with(linuxInfo(3, 11, "linux-ppc64le", "2.17", 2, emPPC64), func(i *Info) {})},
	{"cp311 ppc64 big-endian", with(linuxInfo(3, 11, "linux-ppc64", "2.17", 2, emPPC64), func(i *Info) { i.ELF.Data = 2 })},
	{"cp311 s390x", with(linuxInfo(3, 11, "linux-s390x", "2.34", 2, emS390), func(i *Info) { i.ELF.Data = 2 })},
	{"cp311 riscv64", linuxInfo(3, 11, "linux-riscv64", "2.35", 2, emRISCV)},
	{"cp311 loongarch64", linuxInfo(3, 11, "linux-loongarch64", "2.38", 2, emLoongArch)},
	{"cp311 x86_64 no ELF", with(linuxInfo(3, 11, "linux-x86_64", "2.36", 2, emX8664), func(i *Info) { i.ELF = nil })},
	{"cp311 x86_64 ELF of unknown class", with(linuxInfo(3, 11, "linux-x86_64", "2.36", 2, emX8664), func(i *Info) { i.ELF.Class = 7 })},
	{"cp36 pymalloc", linuxInfo(3, 6, "linux-x86_64", "2.28", 2, emX8664)},
	{"cp37 without pymalloc", with(linuxInfo(3, 7, "linux-x86_64", "2.28", 2, emX8664), func(i *Info) { i.WithPymalloc = ptr(false) })},
	{"cp37 pymalloc unset", with(linuxInfo(3, 7, "linux-x86_64", "2.28", 2, emX8664), func(i *Info) { i.WithPymalloc = nil })},
	{"cp37 debug", with(linuxInfo(3, 7, "linux-x86_64", "2.28", 2, emX8664), func(i *Info) { i.PyDebug = ptr(true) })},
	{"cp38 debug", with(linuxInfo(3, 8, "linux-x86_64", "2.28", 2, emX8664), func(i *Info) { i.PyDebug = ptr(true) })},
	{"cp312 Py_DEBUG unset, gettotalrefcount", with(linuxInfo(3, 12, "linux-x86_64", "2.28", 2, emX8664), func(i *Info) {
		i.PyDebug, i.HasGetTotalRefCount = nil, true
	})},
	{"cp312 Py_DEBUG unset, _d.pyd", with(linuxInfo(3, 12, "linux-x86_64", "2.28", 2, emX8664), func(i *Info) {
		i.PyDebug, i.ExtensionSuffixes = nil, []string{"_d.pyd", ".pyd"}
	})},
	{"cp312 Py_DEBUG 0 wins over gettotalrefcount", with(linuxInfo(3, 12, "linux-x86_64", "2.28", 2, emX8664), func(i *Info) {
		i.HasGetTotalRefCount = true
	})},
	{"cp313 GIL", with(linuxInfo(3, 13, "linux-x86_64", "2.39", 2, emX8664), func(i *Info) { i.PyGILDisabled = ptr(false) })},
	{"cp33", linuxInfo(3, 3, "linux-x86_64", "2.17", 2, emX8664)},
	{"cp34 without pymalloc", with(linuxInfo(3, 4, "linux-x86_64", "2.17", 2, emX8664), func(i *Info) { i.WithPymalloc = ptr(false) })},
	{"cp311 py_version_nodot unset", with(linuxInfo(3, 11, "linux-x86_64", "2.17", 2, emX8664), func(i *Info) { i.PyVersionNodot = nil })},
	{"pypy39 linux", with(linuxInfo(3, 9, "linux-x86_64", "2.36", 2, emX8664), func(i *Info) {
		i.ImplementationName, i.ExtSuffix = "pypy", ptr(".pypy39-pp73-x86_64-linux-gnu.so")
		i.ExtensionSuffixes, i.WithPymalloc = []string{".pypy39-pp73-x86_64-linux-gnu.so"}, nil
	})},
	{"pypy310 macOS arm64", with(macInfo(3, 10, "14.2.1", "arm64"), func(i *Info) {
		i.ImplementationName, i.ExtSuffix = "pypy", ptr(".pypy310-pp73-darwin.so")
	})},
	{"pypy with a bare .so suffix", with(linuxInfo(3, 9, "linux-x86_64", "2.36", 2, emX8664), func(i *Info) {
		i.ImplementationName, i.ExtSuffix = "pypy", ptr(".so")
	})},
	{"pypy with an empty SOABI", with(linuxInfo(3, 9, "linux-x86_64", "2.36", 2, emX8664), func(i *Info) {
		i.ImplementationName, i.ExtSuffix = "pypy", ptr("..so")
	})},
	{"graalpy macOS x86_64", with(macInfo(3, 10, "13.1", "x86_64"), func(i *Info) {
		i.ImplementationName, i.ExtSuffix = "graalpy", ptr(".graalpy-38-native-x86_64-darwin.dylib")
	})},
	{"pyston linux", with(linuxInfo(3, 8, "linux-x86_64", "2.31", 2, emX8664), func(i *Info) {
		i.ImplementationName, i.ExtSuffix = "pyston", ptr(".pyston-23-x86_64-linux-gnu.so")
	})},
	{"ironpython", with(linuxInfo(3, 4, "linux-x86_64", "2.31", 2, emX8664), func(i *Info) {
		i.ImplementationName, i.ExtSuffix = "ironpython", ptr(".ip34.so")
	})},
	{"cp311 macOS 10.15 x86_64", macInfo(3, 11, "10.15.7", "x86_64")},
	{"cp38 macOS 10.9 x86_64", macInfo(3, 8, "10.9", "x86_64")},
	{"cp38 macOS 10.3 x86_64", macInfo(3, 8, "10.3.9", "x86_64")},
	{"cp36 macOS 10.5 ppc", macInfo(3, 6, "10.5.8", "ppc")},
	{"cp36 macOS 10.5 ppc64", macInfo(3, 6, "10.5.8", "ppc64")},
	{"cp36 macOS 10.7 32-bit on x86_64", with(macInfo(3, 6, "10.7", "x86_64"), func(i *Info) { i.Is32Bit = true })},
	{"cp36 macOS 10.5 32-bit Power Macintosh", with(macInfo(3, 6, "10.5", "Power Macintosh"), func(i *Info) { i.Is32Bit = true })},
	{"cp36 macOS 10.4 i386", macInfo(3, 6, "10.4.11", "i386")},
	{"cp36 macOS 10.7 ppc64", macInfo(3, 6, "10.7", "ppc64")},
	{"cp36 macOS 10.7 32-bit on ppc64", with(macInfo(3, 6, "10.7", "ppc64"), func(i *Info) { i.Is32Bit = true })},
	{"cp39 macOS 11.0 x86_64", macInfo(3, 9, "11.0", "x86_64")},
	{"cp310 macOS 11.2 arm64", macInfo(3, 10, "11.2.3", "arm64")},
	{"cp312 macOS 14.2 arm64", macInfo(3, 12, "14.2.1", "arm64")},
	{"cp312 macOS 15.1 x86_64", macInfo(3, 12, "15.1", "x86_64")},
	{"cp313 macOS 26.0 arm64", macInfo(3, 13, "26.0", "arm64")},
	{"cp311 FreeBSD", with(linuxInfo(3, 11, "freebsd-13.2-RELEASE-amd64", "", 0, 0), func(i *Info) {
		i.System, i.GlibcVersion, i.ELF = "FreeBSD", nil, nil
	})},
	{"cp311 Windows", with(linuxInfo(3, 11, "win-amd64", "", 0, 0), func(i *Info) {
		i.System, i.GlibcVersion, i.ELF, i.PyDebug = "Windows", nil, nil, nil
		i.ExtSuffix, i.ExtensionSuffixes = ptr(".cp311-win_amd64.pyd"), []string{".cp311-win_amd64.pyd", ".pyd"}
	})},
}

// oracleResult is what testdata/packaging_oracle.py reports for one case.
type oracleResult struct {
	Tags            []string
	PackagingGlibc  []int           `json:"packaging_glibc"`
	PackagingMusl   []int           `json:"packaging_musl"`
	PackagingELF    json.RawMessage `json:"packaging_elf"`
	ProbeELF        json.RawMessage `json:"probe_elf"`
	ProbeMuslOutput *string         `json:"probe_musl_output"`
}

// TestSyntheticInterpretersMatchPackaging runs packaging's own tag code for
// interpreters this machine lacks (other architectures, libcs, macOS
// versions, debug and old builds, other implementations) by feeding it fake
// sys, sysconfig and platform modules and real ELF files, and compares the
// ordered tags with tags.Supported of the same probe result. It also checks
// the probe script's ELF and musl readers and the Go version parsers
// against packaging's on the same inputs.
func TestSyntheticInterpretersMatchPackaging(t *testing.T) {
	pkg := oracletest.PackagingDir(t)
	python := lookPython(t, "/usr/bin/python3.11", "`apt-get install -y python3.11`")
	driver, err := filepath.Abs("testdata/packaging_oracle.py")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "probe.py")
	if err := os.WriteFile(script, Script, 0o644); err != nil {
		t.Fatal(err)
	}

	var infos []*Info
	for _, c := range syntheticCases {
		infos = append(infos, c.info)
	}
	in, err := json.Marshal(infos)
	if err != nil {
		t.Fatal(err)
	}
	// PYTHONPATH=pkg puts only the packaging link ahead of the stdlib.
	t.Setenv("PYTHONPATH", pkg)
	out := runPython(t, python, t.TempDir(), in, "-s", driver, script, t.TempDir())
	var report struct {
		PackagingVersion string `json:"packaging_version"`
		Results          []oracleResult
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("driver output: %v", err)
	}
	if len(report.Results) != len(syntheticCases) {
		t.Fatalf("driver returned %d results for %d cases", len(report.Results), len(syntheticCases))
	}
	t.Logf("packaging %s", report.PackagingVersion)

	for n, c := range syntheticCases {
		res := report.Results[n]
		t.Run(c.name, func(t *testing.T) {
			in := c.info.Tags()
			if d := diffTags(tags.Supported(in), res.Tags); d != "" {
				t.Errorf("tags.Supported(%+v) differs from packaging:\n%s", in, d)
			}
			if want := versionOrZero(res.PackagingGlibc); in.Glibc != want {
				t.Errorf("glibc %q read as %v, packaging reads %v", deref(c.info.GlibcVersion), in.Glibc, want)
			}
			if c.info.ELF == nil {
				return
			}
			if string(res.ProbeELF) != string(res.PackagingELF) && !jsonEqual(res.ProbeELF, res.PackagingELF) {
				t.Errorf("probe script reads the ELF file as %s, packaging as %s", res.ProbeELF, res.PackagingELF)
			}
			if c.info.MuslLoaderOutput != nil {
				if res.ProbeMuslOutput == nil || *res.ProbeMuslOutput != *c.info.MuslLoaderOutput {
					t.Errorf("probe script captured the musl loader output %q, want %q", deref(res.ProbeMuslOutput), *c.info.MuslLoaderOutput)
				}
				got, _ := ParseMuslVersion(deref(res.ProbeMuslOutput))
				if want := versionOrZero(res.PackagingMusl); got != want {
					t.Errorf("musl version read as %v, packaging reads %v", got, want)
				}
			}
		})
	}
}

// versionOrZero converts packaging's (major, minor), where (-1, -1) or None
// mean absent, to a tags.Version.
func versionOrZero(v []int) tags.Version {
	if len(v) != 2 || v[0] < 0 {
		return tags.Version{}
	}
	return tags.Version{Major: v[0], Minor: v[1]}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
