package pack

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/layout"
)

// Inspect writes the manifest of the archive at path to w, after checking
// that it is a valid manifest.
func Inspect(path string, w io.Writer) error {
	r, err := archive.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer r.Close()
	data, _, err := readManifest(r, path)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func readManifest(r *archive.Reader, path string) ([]byte, *layout.Manifest, error) {
	files := r.Files()
	if len(files) == 0 || files[0].Name != layout.ManifestName {
		return nil, nil, fmt.Errorf("%s: the first entry is not %s: not a rules_pex archive", path, layout.ManifestName)
	}
	f := files[0]
	if f.Method != zip.Store {
		return nil, nil, fmt.Errorf("%s: %s is compressed; the format stores it uncompressed", path, layout.ManifestName)
	}
	if f.UncompressedSize64 > layout.MaxManifest {
		return nil, nil, fmt.Errorf("%s: %s is %d bytes, more than the %d a manifest may have", path, layout.ManifestName, f.UncompressedSize64, layout.MaxManifest)
	}
	rc, err := r.OpenFile(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading %s: %w", path, layout.ManifestName, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading %s: %w", path, layout.ManifestName, err)
	}
	m, err := layout.Decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %s: %w", path, layout.ManifestName, err)
	}
	return data, m, nil
}

// Verify reads every entry of the archive at path and checks it against
// the manifest: CRCs, sizes and the tree hashes of the code and of every
// distribution, that no entry is unaccounted for, and that no file or
// console script claims a name the launcher owns in an environment. It returns Problems
// listing everything that is wrong.
func Verify(path string) error {
	r, err := archive.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer r.Close()
	_, m, err := readManifest(r, path)
	if err != nil {
		return err
	}
	var ps Problems
	// trees maps a wheel file name to its entries; "" is the code tree.
	trees := map[string][]layout.TreeEntry{}
	sizes := map[string]int64{}
	buf := make([]byte, 256<<10)
	for _, f := range r.Files()[1:] {
		if f.Name == layout.ZipMainName {
			verifyZipMain(path, r, f, buf, &ps)
			continue
		}
		var key, rel string
		name := f.Name
		tag, inner, isBytecode := layout.SplitBytecodeEntry(name)
		if isBytecode {
			name = inner
		} else if strings.HasPrefix(name, layout.BytecodeDir+"/") {
			ps.addf("%s: entry %s: not under %s/<cache tag>/", path, f.Name, layout.BytecodeDir)
			continue
		}
		if p, ok := strings.CutPrefix(name, layout.CodePrefix); ok {
			rel = p
			if problem, bad := reservedFile(path+": entry "+f.Name, layout.SchemeSitePackages, p); bad {
				ps = append(ps, problem)
			}
		} else if wheelFile, scheme, p, ok := layout.SplitDistEntry(name); ok {
			if _, known := m.Distributions[wheelFile]; !known {
				ps.addf("%s: entry %s belongs to %s, which the manifest does not list", path, f.Name, wheelFile)
				continue
			}
			key, rel = wheelFile, scheme+"/"+p
			if problem, bad := reservedFile(path+": entry "+f.Name, scheme, p); bad {
				ps = append(ps, problem)
			}
		} else {
			ps.addf("%s: entry %s is outside %s and %s (and is not %s)", path, f.Name, layout.CodePrefix, layout.DepsPrefix, layout.ZipMainName)
			continue
		}
		if isBytecode {
			if _, ok := layout.PycSource(rel, tag); !ok {
				ps.addf("%s: entry %s: not a .pyc at DIR/__pycache__/NAME.%s.pyc", path, f.Name, tag)
				continue
			}
			key = "\x00" + tag + "\x00" + key
		}
		sum, n, err := hashEntry(r, f, buf)
		if err != nil {
			ps.addf("%s: entry %s: %v", path, f.Name, err)
			continue
		}
		trees[key] = append(trees[key], layout.TreeEntry{Path: rel, Size: n, SHA256: sum, Executable: f.Mode()&0o111 != 0})
		sizes[key] += n
	}
	code := trees[""]
	if got := layout.TreeHash(code); got != m.CodeHash || len(code) != m.CodeFiles {
		ps.addf("%s: the code tree (%d files, hash %s) does not match the manifest (%d files, code_hash %s)", path, len(code), got, m.CodeFiles, m.CodeHash)
	}
	if m.Main != "" {
		found := false
		for _, e := range code {
			found = found || e.Path == m.Main
		}
		if !found {
			ps.addf("%s: main %s is not in the code tree", path, m.Main)
		}
	}
	names := make([]string, 0, len(m.Distributions))
	for name := range m.Distributions {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		d := m.Distributions[name]
		ps = append(ps, reservedConsoleScripts(path+": distribution "+name, d.ConsoleScripts)...)
		t := trees[name]
		if got := layout.TreeHash(t); got != d.TreeHash || len(t) != d.Files || sizes[name] != d.Size {
			ps.addf("%s: distribution %s (%d files, %d bytes, hash %s) does not match the manifest (%d files, %d bytes, tree_hash %s)",
				path, name, len(t), sizes[name], got, d.Files, d.Size, d.TreeHash)
		}
	}
	// Bytecode: each tree with its .pyc files must hash as recorded.
	checkBytecode := func(what, key string, bcs map[string]layout.Bytecode) {
		for _, tag := range slices.Sorted(maps.Keys(bcs)) {
			bc := bcs[tag]
			pycs := trees["\x00"+tag+"\x00"+key]
			delete(trees, "\x00"+tag+"\x00"+key)
			all := append(append([]layout.TreeEntry{}, trees[key]...), pycs...)
			if got := layout.TreeHash(all); got != bc.TreeHash || len(pycs) != bc.Files || sizes["\x00"+tag+"\x00"+key] != bc.Size {
				ps.addf("%s: the bytecode for %s of %s (%d files, hash %s) does not match the manifest (%d files, tree_hash %s)", path, tag, what, len(pycs), got, bc.Files, bc.TreeHash)
			}
		}
	}
	checkBytecode("the code", "", m.CodeBytecode)
	for _, name := range names {
		checkBytecode(name, name, m.Distributions[name].Bytecode)
	}
	var extra []string
	for key := range trees {
		if strings.HasPrefix(key, "\x00") {
			extra = append(extra, key)
		}
	}
	sort.Strings(extra)
	for _, key := range extra {
		parts := strings.SplitN(key, "\x00", 3)
		ps.addf("%s: bytecode for %s of %q that the manifest does not list", path, parts[1], parts[2])
	}
	return ps.err()
}

// verifyZipMain checks the entry Python runs for "python3 ARCHIVE": a file
// that zipimport can read (stored or deflated) whose CRC-32 is right. Its
// content is the packer's, not the application's: no hash records it.
func verifyZipMain(path string, r *archive.Reader, f *zip.File, buf []byte, ps *Problems) {
	if !layout.ZipMainMethodOK(f.Method) {
		ps.addf("%s: %s uses compression method %d; Python reads it only stored or deflated", path, f.Name, f.Method)
		return
	}
	if _, _, err := hashEntry(r, f, buf); err != nil {
		ps.addf("%s: entry %s: %v", path, f.Name, err)
	}
}

// hashEntry reads an entry of r to its end, which makes the archive reader
// check its CRC-32 and size, and returns the sha256 and size of its content.
func hashEntry(r *archive.Reader, f *zip.File, buf []byte) (string, int64, error) {
	rc, err := r.OpenFile(f)
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, rc, buf)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
