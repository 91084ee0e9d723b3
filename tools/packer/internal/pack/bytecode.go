package pack

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/internal/relpath"
)

// BundleInfoName is the first entry of a bytecode bundle, which
// tools/precompile/precompile.py writes: a zip of the .pyc files of one
// tree for one interpreter, given to the packer with --bytecode.
const BundleInfoName = "BYTECODE-INFO"

// BundleFormat is the version of the bundle schema.
const BundleFormat = 1

// bundleInfo is the content of BundleInfoName.
type bundleInfo struct {
	Format int `json:"format"`
	// Tree is "code" or "deps/<wheel file name>".
	Tree        string `json:"tree"`
	WheelSHA256 string `json:"wheel_sha256,omitempty"`
	CacheTag    string `json:"cache_tag"`
	Magic       string `json:"magic"`
	Python      string `json:"python"`
	// Sources maps each .pyc (its path in the tree) to the sha256 of the
	// source it was compiled from.
	Sources map[string]string `json:"sources"`
}

// bundle is one validated --bytecode input.
type bundle struct {
	path  string
	info  bundleInfo
	zr    *zip.ReadCloser
	pycs  []*zip.File // in name order, the entries other than BundleInfoName
	tree  []layout.TreeEntry
	size  int64
	magic string
}

func (b *bundle) close() {
	if b.zr != nil {
		b.zr.Close()
	}
}

// pycFlagsUnchecked is the flags word of a PEP 552 hash-based .pyc whose
// source is not checked at import.
const pycFlagsUnchecked = 0b01

// maxBundleInfo bounds BundleInfoName.
const maxBundleInfo = 1 << 26

// readBundles opens and checks every --bytecode input against the code
// (srcs) and the wheels (dists) of the build: each bundle is for a tree the
// archive holds, compiled from exactly its sources, of one cache tag whose
// magic number every .pyc has; at most one per tree and tag.
func readBundles(paths []string, srcs []*source, dists []*dist, t *terms, ps *Problems) []*bundle {
	code := map[string]string{} // path in the code tree -> sha256
	for _, s := range srcs {
		code[s.dest] = s.sha256
	}
	wheels := map[string]*dist{}
	for _, d := range dists {
		wheels[d.s.File] = d
	}
	seen := map[string]string{}
	var out []*bundle
	for _, p := range paths {
		b, errs := readBundle(p, code, wheels, t)
		if len(errs) > 0 {
			for _, e := range errs {
				ps.addf("--bytecode %s: %s", t.input(p), e)
			}
			if b != nil {
				b.close()
			}
			continue
		}
		key := b.info.Tree + " " + b.info.CacheTag
		if prev, dup := seen[key]; dup {
			ps.addf("--bytecode %s: a second bundle of %s for %s (the first is %s); give one per tree and Python version", t.input(p), b.info.Tree, b.info.CacheTag, t.input(prev))
			b.close()
			continue
		}
		seen[key] = p
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].info.Tree+" "+out[i].info.CacheTag < out[j].info.Tree+" "+out[j].info.CacheTag
	})
	return out
}

func readBundle(path string, code map[string]string, wheels map[string]*dist, t *terms) (*bundle, []string) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, []string{errText(err)}
	}
	f.Close()
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, []string{fmt.Sprintf("not a bytecode bundle (a zip written by precompile.py): %v", err)}
	}
	b := &bundle{path: path, zr: zr}
	if len(zr.File) == 0 || zr.File[0].Name != BundleInfoName {
		return b, []string{fmt.Sprintf("not a bytecode bundle: its first entry is not %s", BundleInfoName)}
	}
	if err := readBundleInfo(zr.File[0], &b.info); err != nil {
		return b, []string{fmt.Sprintf("%s: %v", BundleInfoName, err)}
	}
	in := &b.info
	if in.Format != BundleFormat {
		return b, []string{fmt.Sprintf("bundle format %d, this packer reads %d: compile it with this version's precompile.py", in.Format, BundleFormat)}
	}
	if !layout.ValidCacheTag(in.CacheTag) {
		return b, []string{fmt.Sprintf("cache tag %q is not one", in.CacheTag)}
	}
	magic, err := layout.ParseMagic(in.Magic)
	if err != nil {
		return b, []string{err.Error()}
	}
	if word, known := layout.CPythonMagic[in.CacheTag]; known && binary.LittleEndian.Uint16(magic[:2]) != word {
		return b, []string{fmt.Sprintf("bad magic number: the bytecode is of magic %d, but %s's is %d: compile it with a final release of that Python (%s compiled it)",
			binary.LittleEndian.Uint16(magic[:2]), in.CacheTag, word, in.Python)}
	}
	b.magic = in.Magic
	// Sources of the tree: its path -> sha256.
	var tree map[string]string
	switch wheel, isDist := strings.CutPrefix(in.Tree, layout.DepsPrefix); {
	case in.Tree == "code":
		tree = code
	case isDist:
		d, ok := wheels[wheel]
		if !ok {
			return b, []string{fmt.Sprintf("bytecode of the wheel %s, which is not in this archive: give the bundle of a wheel that is, or add the wheel", wheel)}
		}
		if in.WheelSHA256 != d.s.SHA256 {
			return b, []string{fmt.Sprintf("compiled from another file named %s (sha256 %s, the archive's is %s): compile it from %s again", wheel, in.WheelSHA256, d.s.SHA256, t.wheel(d))}
		}
		tree = map[string]string{}
		for _, f := range d.s.Files {
			tree[f.Scheme+"/"+f.Path] = f.SHA256
		}
	default:
		return b, []string{fmt.Sprintf("tree %q: want code or deps/<wheel file name>", in.Tree)}
	}
	var errs []string
	var header [16]byte
	for _, zf := range zr.File[1:] {
		name := zf.Name
		src, ok := layout.PycSource(name, in.CacheTag)
		if err := relpath.Check(name); err != nil || !ok {
			if _, tag, isPyc := splitPycTag(name); isPyc && tag != in.CacheTag {
				errs = append(errs, fmt.Sprintf("%s: cache tag mismatch: the file is for %s, the bundle says %s", name, tag, in.CacheTag))
			} else {
				errs = append(errs, fmt.Sprintf("%s: not a .pyc at DIR/__pycache__/NAME.%s.pyc", name, in.CacheTag))
			}
			continue
		}
		want, ok := in.Sources[name]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: not listed in %s", name, BundleInfoName))
			continue
		}
		if got, ok := tree[src]; !ok {
			errs = append(errs, fmt.Sprintf("%s: the tree %s has no source %s", name, in.Tree, src))
			continue
		} else if got != want {
			errs = append(errs, fmt.Sprintf("%s: compiled from another %s than the archive's: compile the bundle again", name, src))
			continue
		}
		if _, exists := tree[name]; exists {
			errs = append(errs, fmt.Sprintf("%s: the tree %s has that file already", name, in.Tree))
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		h := sha256.New()
		n, err := io.ReadFull(rc, header[:])
		h.Write(header[:n])
		if err == nil {
			var m int64
			m, err = io.Copy(h, rc)
			n += int(m)
		}
		rc.Close()
		switch {
		case err == io.ErrUnexpectedEOF || err == io.EOF:
			errs = append(errs, fmt.Sprintf("%s: %d bytes, shorter than a .pyc header", name, n))
			continue
		case err != nil:
			errs = append(errs, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		if got := hex.EncodeToString(header[:4]); got != in.Magic {
			errs = append(errs, fmt.Sprintf("%s: bad magic number %s, the bundle's is %s", name, got, in.Magic))
			continue
		}
		if flags := binary.LittleEndian.Uint32(header[4:8]); flags != pycFlagsUnchecked {
			errs = append(errs, fmt.Sprintf("%s: flags %#x, want %#x (a PEP 552 unchecked-hash .pyc, as precompile.py writes)", name, flags, pycFlagsUnchecked))
			continue
		}
		b.pycs = append(b.pycs, zf)
		b.tree = append(b.tree, layout.TreeEntry{Path: name, Size: int64(n), SHA256: hex.EncodeToString(h.Sum(nil))})
		b.size += int64(n)
	}
	if len(errs) == 0 && len(b.pycs) != len(in.Sources) {
		errs = append(errs, fmt.Sprintf("%s lists %d files, the bundle holds %d", BundleInfoName, len(in.Sources), len(b.pycs)))
	}
	return b, errs
}

func readBundleInfo(zf *zip.File, into *bundleInfo) error {
	if zf.UncompressedSize64 > maxBundleInfo {
		return fmt.Errorf("%d bytes, more than %d", zf.UncompressedSize64, maxBundleInfo)
	}
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxBundleInfo))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}

// splitPycTag splits DIR/__pycache__/NAME.TAG.pyc.
func splitPycTag(name string) (base, tag string, ok bool) {
	i := strings.LastIndexByte(name, '/')
	file := name[i+1:]
	if !strings.HasSuffix(name[:i+1], "__pycache__/") {
		return "", "", false
	}
	stem, found := strings.CutSuffix(file, ".pyc")
	j := strings.IndexByte(stem, '.')
	if !found || j <= 0 {
		return "", "", false
	}
	return stem[:j], stem[j+1:], true
}
