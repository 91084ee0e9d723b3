package pack

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/internal/relpath"
	"github.com/rules-pex/rules_pex/internal/wheel"
)

// SummaryFormat is the version of the wheel summary schema.
const SummaryFormat = 1

// maxSummary bounds a summary file: one of a wheel of 100,000 files is
// about 20 MB.
const maxSummary = 1 << 28

// WheelSummary is everything the packer needs to know about a wheel once it
// has been validated: `packer check-wheel` writes it, and `packer build
// --checked-wheel W=S` uses it instead of validating W again. In Bazel, the
// check runs once per wheel and is cached, so packing an app costs little
// more than copying its bytes.
type WheelSummary struct {
	Format int    `json:"format"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Directory is the digest of the wheel's zip directory (see
	// directoryDigest): what --checked-wheel compares instead of hashing
	// the whole file again.
	Directory      string            `json:"directory"`
	Project        string            `json:"project"`
	Version        string            `json:"version"`
	Tags           []string          `json:"tags"`
	RequiresPython string            `json:"requires_python,omitempty"`
	RequiresDist   []string          `json:"requires_dist,omitempty"`
	ProvidesExtra  []string          `json:"provides_extra,omitempty"`
	ConsoleScripts map[string]string `json:"console_scripts,omitempty"`
	Files          []SummaryFile     `json:"files"`
}

// SummaryFile is one verified file of a wheel: its zip entry, where it is
// installed, and the size and sha256 of its content.
type SummaryFile struct {
	Entry      string `json:"entry"`
	Scheme     string `json:"scheme"`
	Path       string `json:"path"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	Executable bool   `json:"executable,omitempty"`
}

// dist is one wheel input, validated either now or by check-wheel.
type dist struct {
	path    string // as given on the command line
	s       *WheelSummary
	version pep440.Version
	entries []*zip.File // entries[i] holds s.Files[i]
	closer  io.Closer
}

func (d *dist) close() {
	if d.closer != nil {
		d.closer.Close()
	}
}

// CheckWheel validates the wheel at path (every RECORD hash and size, its
// metadata and names) and writes its summary to out, atomically.
func CheckWheel(path, out string) error {
	d, errs := openWheel(path)
	if len(errs) > 0 {
		return Problems(errs)
	}
	defer d.close()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(d.s); err != nil {
		return err
	}
	return writeAtomically(out, 0o644, func(f *os.File) error {
		_, err := f.Write(buf.Bytes())
		return err
	})
}

// openWheel validates a wheel completely.
func openWheel(path string) (*dist, []string) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, []string{fmt.Sprintf("--wheel %s: %v", path, errText(err))}
	}
	w, err := wheel.Open(path)
	if err != nil {
		var werr *wheel.Error
		if errors.As(err, &werr) {
			var lines []string
			for _, p := range werr.Problems {
				lines = append(lines, p.Error())
			}
			if werr.Omitted > 0 {
				lines = append(lines, fmt.Sprintf("%s: %d more problems not shown", path, werr.Omitted))
			}
			return nil, lines
		}
		return nil, []string{fmt.Sprintf("--wheel %s: %v", path, err)}
	}
	s := &WheelSummary{
		Format:         SummaryFormat,
		File:           filepath.Base(path),
		SHA256:         sum,
		Project:        w.Name.NormalizedProject(),
		Version:        w.Name.ParsedVersion().String(),
		RequiresPython: w.Metadata.RequiresPython,
		RequiresDist:   w.Metadata.RequiresDist,
		ProvidesExtra:  w.Metadata.ProvidesExtra,
		ConsoleScripts: w.ConsoleScripts(),
	}
	for _, t := range w.Name.Tags {
		s.Tags = append(s.Tags, t.String())
	}
	if s.Size, s.Directory, err = fileDirectory(path); err != nil {
		w.Close()
		return nil, []string{fmt.Sprintf("--wheel %s: %v", path, err)}
	}
	d := &dist{path: path, s: s, version: w.Name.ParsedVersion(), closer: w}
	for _, f := range w.Files {
		s.Files = append(s.Files, SummaryFile{Entry: f.Name, Scheme: f.Scheme, Path: f.Path, Size: f.Size, SHA256: f.SHA256, Executable: f.Executable})
		d.entries = append(d.entries, f.Zip)
	}
	if bad := reservedInWheel("--wheel "+path, s); len(bad) > 0 {
		d.close()
		return nil, bad
	}
	return d, nil
}

// openChecked opens a wheel validated earlier by CheckWheel. It checks that
// the wheel is the one summarized (by its sha256) and that every summarized
// entry is there with its size, but does not decompress anything.
func openChecked(path, summaryPath string) (*dist, []string) {
	bad := func(format string, args ...any) (*dist, []string) {
		return nil, []string{fmt.Sprintf("--checked-wheel %s=%s: ", path, summaryPath) + fmt.Sprintf(format, args...)}
	}
	data, err := regfile.ReadFile(summaryPath, maxSummary)
	if err != nil {
		return bad("%v", errText(err))
	}
	var s WheelSummary
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return bad("the summary is not valid JSON of a wheel summary (%v); regenerate it with packer check-wheel", err)
	}
	if s.Format != SummaryFormat {
		return bad("summary format %d, this packer reads %d; regenerate it with packer check-wheel", s.Format, SummaryFormat)
	}
	if s.File != filepath.Base(path) {
		return bad("the summary describes %s, not %s", s.File, filepath.Base(path))
	}
	name, err := wheel.ParseFilename(s.File)
	if err != nil {
		return bad("%v", err)
	}
	f, err := regfile.Open(path)
	if err != nil {
		return bad("%v", errText(err))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return bad("%v", err)
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return bad("%v", err)
	}
	if st.Size() != s.Size || directoryDigest(zr) != s.Directory {
		f.Close()
		return bad("the wheel is not the one the summary was made from (its size or zip directory differ); regenerate the summary with packer check-wheel")
	}
	archive.RegisterDeflate(zr)
	byName := map[string]*zip.File{}
	for _, zf := range zr.File {
		byName[zf.Name] = zf
	}
	d := &dist{path: path, s: &s, version: name.ParsedVersion(), closer: f}
	for _, sf := range s.Files {
		zf := byName[sf.Entry]
		ok := zf != nil && zf.UncompressedSize64 == uint64(sf.Size) && (zf.Method == zip.Store || zf.Method == zip.Deflate)
		if !ok || relpath.Check(sf.Path) != nil || !validScheme(sf.Scheme) {
			f.Close()
			return bad("entry %s does not match the summary; regenerate it with packer check-wheel", sf.Entry)
		}
		d.entries = append(d.entries, zf)
	}
	for name, target := range s.ConsoleScripts {
		if _, err := layout.ParseEntryPoint(target); err != nil {
			f.Close()
			return bad("console script %s = %q: %v; regenerate the summary with packer check-wheel", name, target, err)
		}
	}
	// A summary written by an older packer (or by hand) is judged by
	// today's rules.
	if bad := reservedInWheel(fmt.Sprintf("--checked-wheel %s=%s", path, summaryPath), &s); len(bad) > 0 {
		f.Close()
		return nil, bad
	}
	return d, nil
}

func validScheme(s string) bool {
	for _, x := range layout.Schemes {
		if s == x {
			return true
		}
	}
	return false
}

// fileDirectory returns the size of the zip file at path and the digest of
// its directory.
func fileDirectory(path string) (int64, string, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, "", err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return 0, "", err
	}
	return st.Size(), directoryDigest(zr), nil
}

// directoryDigest returns the sha256 of the zip directory's facts about
// every entry: name, method, flags, offset, sizes and CRC-32. Any change to
// an entry's content changes its CRC-32 (or size), so comparing digests
// tells a stale summary from a current one without reading the data; the
// data itself is checked against the CRC-32 and the tree hashes whenever
// the archive is extracted or verified.
func directoryDigest(zr *zip.Reader) string {
	h := sha256.New()
	for _, f := range zr.File {
		off, _ := f.DataOffset()
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00%d\x00%d\x00%d\x00%08x\n", f.Name, f.Method, f.Flags, off, f.CompressedSize64, f.UncompressedSize64, f.CRC32)
	}
	return hex.EncodeToString(h.Sum(nil))
}
