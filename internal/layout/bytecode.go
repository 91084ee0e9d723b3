package layout

import (
	"encoding/hex"
	"fmt"
	"path"
	"strings"
)

// BytecodeDir is the first component of the entries of shipped bytecode:
// BytecodeDir/<cache tag>/ followed by the name the source tree's entry
// has (code/<path> or deps/<wheel file name>/<scheme>/<path>), with the
// .pyc where the import system looks for it. "bytecode/" sorts after
// "code/" and "deps/", so the layout of the rest is unchanged.
const BytecodeDir = "bytecode"

// BytecodePrefix returns the prefix of the entries of the bytecode for the
// cache tag: BytecodeDir + "/" + tag + "/". A tree's bytecode is under
// BytecodePrefix(tag) + CodePrefix or BytecodePrefix(tag) + DistPrefix(w).
func BytecodePrefix(tag string) string { return BytecodeDir + "/" + tag + "/" }

// ValidCacheTag reports whether tag can be a sys.implementation.cache_tag
// ("cpython-311", "pypy39"): lowercase letters, digits, '-', '_' and '.',
// starting with a letter, at most 32 bytes. It is a component of entry and
// file names, so never a path.
func ValidCacheTag(tag string) bool {
	if tag == "" || len(tag) > 32 || tag[0] < 'a' || tag[0] > 'z' {
		return false
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return !strings.Contains(tag, "..")
}

// ParseMagic decodes a magic number written as 8 hex digits: 4 bytes that
// end in "\r\n", as every .pyc's (importlib.util.MAGIC_NUMBER).
func ParseMagic(s string) ([4]byte, error) {
	var m [4]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 || s != strings.ToLower(s) {
		return m, fmt.Errorf("magic %q: want 8 lowercase hex digits", s)
	}
	copy(m[:], b)
	if m[2] != '\r' || m[3] != '\n' {
		return m, fmt.Errorf("magic %q does not end in \\r\\n, as a .pyc magic number does", s)
	}
	return m, nil
}

// CPythonMagic maps the cache tags of CPython releases to the magic
// number of their final releases (Lib/importlib/_bootstrap_external.py):
// a bundle that says "cpython-311" must hold bytecode of that magic.
// Tags not listed (newer releases, other implementations) are taken at
// their bundle's word.
var CPythonMagic = map[string]uint16{
	"cpython-38":  3413,
	"cpython-39":  3425,
	"cpython-310": 3439,
	"cpython-311": 3495,
	"cpython-312": 3531,
	"cpython-313": 3571,
}

// MagicHex renders the magic number of a CPython magic word as ParseMagic
// reads it.
func MagicHex(word uint16) string {
	return hex.EncodeToString([]byte{byte(word), byte(word >> 8), '\r', '\n'})
}

// PycPath returns where the import system looks for the bytecode of the
// source at src (a slash-separated path ending in ".py") for the cache tag
// (importlib.util.cache_from_source): DIR/__pycache__/NAME.<tag>.pyc.
func PycPath(src, tag string) (string, bool) {
	dir, name := path.Split(src)
	base, ok := strings.CutSuffix(name, ".py")
	if !ok || base == "" {
		return "", false
	}
	return dir + "__pycache__/" + base + "." + tag + ".pyc", true
}

// PycSource is PycPath's inverse: the source whose bytecode for the cache
// tag is at pyc.
func PycSource(pyc, tag string) (string, bool) {
	dir, name := path.Split(pyc)
	base, ok := strings.CutSuffix(name, "."+tag+".pyc")
	parent, isCache := strings.CutSuffix(dir, "__pycache__/")
	if !ok || !isCache || base == "" {
		return "", false
	}
	return parent + base + ".py", true
}

// SplitBytecodeEntry splits an entry name under BytecodeDir into the cache
// tag and the name its source tree's entries have (code/... or
// deps/<wheel>/<scheme>/...).
func SplitBytecodeEntry(name string) (tag, rest string, ok bool) {
	after, found := strings.CutPrefix(name, BytecodeDir+"/")
	if !found {
		return "", "", false
	}
	tag, rest, ok = strings.Cut(after, "/")
	if !ok || !ValidCacheTag(tag) || rest == "" {
		return "", "", false
	}
	return tag, rest, true
}
