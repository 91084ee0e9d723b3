// Package layout is the archive contract shared by the packer (which writes
// archives) and the launcher (which reads them): the names and prefixes of
// entries in the zip payload, the manifest schema (PEX-INFO) and the tree hash
// that both sides compute to verify extracted content.
//
// An archive is the launcher's bytes followed by a zip whose entries are, in
// byte order of their names:
//
//	PEX-INFO                                   the manifest (JSON), stored uncompressed, always first
//	__main__.py                                what "python3 ARCHIVE" runs (ZipMainName), stored or deflated
//	code/<dest>                                the application's own files (sources and data)
//	deps/<wheel file name>/<scheme>/<path>     one installed wheel tree per wheel
//	bytecode/<cache tag>/code/... and bytecode/<cache tag>/deps/...
//	                                           shipped .pyc files of those trees (optional, see Bytecode)
//
// where <scheme> is one of site-packages, scripts, headers or data: where an
// installer would put the file in a virtual environment. Because "PEX-INFO"
// sorts before "__main__.py" and every lowercase prefix, and entries are
// sorted, the manifest is the first entry; a reader may find it from the
// first central directory record without parsing the whole directory.
package layout

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Names and prefixes of archive entries.
const (
	// ManifestName is the name of the manifest entry.
	ManifestName = "PEX-INFO"
	// MaxManifest bounds the size of the manifest: readers refuse a larger
	// one rather than load it into memory.
	MaxManifest = 64 << 20
	// CodePrefix prefixes the application's own files.
	CodePrefix = "code/"
	// DepsPrefix prefixes installed wheel trees: DepsPrefix + wheel file name + "/".
	DepsPrefix = "deps/"
)

// Installation schemes of files inside a wheel tree, named after where a
// venv keeps them.
const (
	SchemeSitePackages = "site-packages"
	SchemeScripts      = "scripts"
	SchemeHeaders      = "headers"
	SchemeData         = "data"
)

// Schemes lists every valid scheme.
var Schemes = []string{SchemeData, SchemeHeaders, SchemeScripts, SchemeSitePackages}

// Format is the version of this contract written into every manifest.
// A launcher refuses manifests of a format it does not know.
const Format = 1

// DistPrefix returns the prefix of the entries of the wheel named wheelFile.
func DistPrefix(wheelFile string) string { return DepsPrefix + wheelFile + "/" }

// TreeEntry is one file of a tree (the code or a wheel's installed tree) as
// it enters the tree hash.
type TreeEntry struct {
	// Path is the file's path relative to the tree's prefix in the archive.
	Path string
	// Size is the uncompressed size in bytes.
	Size int64
	// SHA256 is the lowercase hex sha256 of the uncompressed content.
	SHA256 string
	// Executable is true for files extracted with mode 0755.
	Executable bool
}

// TreeHash returns the lowercase hex sha256 of the canonical listing of
// entries: one line "path\x00size\x00sha256\x00x|-\n" per entry, sorted by
// path. The packer records it; the launcher and `packer verify` recompute it
// from the bytes they read.
func TreeHash(entries []TreeEntry) string {
	sorted := make([]TreeEntry, len(entries))
	copy(sorted, entries)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	h := sha256.New()
	for _, e := range sorted {
		x := "-"
		if e.Executable {
			x = "x"
		}
		fmt.Fprintf(h, "%s\x00%d\x00%s\x00%s\n", e.Path, e.Size, e.SHA256, x)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SplitDistEntry splits an archive entry name under DepsPrefix into the
// wheel file name, the scheme and the path within the scheme.
func SplitDistEntry(name string) (wheelFile, scheme, path string, ok bool) {
	rest, found := strings.CutPrefix(name, DepsPrefix)
	if !found {
		return "", "", "", false
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return "", "", "", false
	}
	for _, s := range Schemes {
		if parts[1] == s {
			return parts[0], parts[1], parts[2], true
		}
	}
	return "", "", "", false
}
