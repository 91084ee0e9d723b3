package pack

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/internal/relpath"
	"github.com/rules-pex/rules_pex/internal/wheel"
)

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

// openWheels opens every wheel, in parallel: --wheel inputs are validated
// now, --checked-wheel inputs were validated by check-wheel. It returns
// them in a deterministic order (by wheel file name).
func openWheels(paths, checked []string, ps *Problems) []*dist {
	type result struct {
		d    *dist
		errs []string
	}
	jobs := make([]func() (*dist, []string), 0, len(paths)+len(checked))
	for _, p := range paths {
		jobs = append(jobs, func() (*dist, []string) { return openWheel(p) })
	}
	for _, spec := range checked {
		i := strings.LastIndexByte(spec, '=')
		if i <= 0 || i == len(spec)-1 {
			ps.addf("--checked-wheel %q: want WHEEL=SUMMARY", spec)
			continue
		}
		jobs = append(jobs, func() (*dist, []string) { return openChecked(spec[:i], spec[i+1:]) })
	}
	results := make([]result, len(jobs))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			d, errs := job()
			results[i] = result{d, errs}
		}()
	}
	wg.Wait()
	seen := map[string]string{}
	var out []*dist
	for _, r := range results {
		*ps = append(*ps, r.errs...)
		if r.d == nil {
			continue
		}
		if prev, dup := seen[r.d.s.File]; dup {
			ps.addf("--wheel %s: the wheel file name %s is also given as %s", r.d.path, r.d.s.File, prev)
			r.d.close()
			continue
		}
		seen[r.d.s.File] = r.d.path
		out = append(out, r.d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].s.File < out[j].s.File })
	return out
}

// openWheel validates a wheel completely.
func openWheel(path string) (*dist, []string) {
	failed := func(err error) (*dist, []string) {
		return nil, []string{fmt.Sprintf("--wheel %s: %v", path, errText(err))}
	}
	f, err := regfile.Open(path)
	if err != nil {
		return failed(err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return failed(err)
	}
	// One open and one pass over the data: the sha256 of the whole file is
	// taken from the bytes the validation reads, and the zip directory
	// digest from the same descriptor (the directory is parsed twice, once
	// here and once by the validation).
	hr := newHashingReader(f, st.Size())
	w, err := wheel.OpenReader(hr, st.Size(), path)
	if err != nil {
		f.Close()
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
	sum, err := hr.sum()
	if err != nil {
		f.Close()
		return failed(err)
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return failed(err)
	}
	s := &WheelSummary{
		Format:    SummaryFormat,
		File:      filepath.Base(path),
		SHA256:    sum,
		Size:      st.Size(),
		Directory: directoryDigest(zr),
		WheelInfo: layout.WheelInfo{
			Project:        w.Name.NormalizedProject(),
			Version:        w.Name.ParsedVersion().String(),
			RequiresPython: w.Metadata.RequiresPython,
			RequiresDist:   w.Metadata.RequiresDist,
			ProvidesExtra:  w.Metadata.ProvidesExtra,
			ConsoleScripts: w.ConsoleScripts(),
		},
	}
	for _, t := range w.Name.Tags {
		s.Tags = append(s.Tags, t.String())
	}
	d := &dist{path: path, s: s, version: w.Name.ParsedVersion(), closer: f}
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

// checkWheelClashes refuses two wheels of one project that share a tag: at
// run time nothing could tell which one to use.
func checkWheelClashes(dists []*dist, t *terms, ps *Problems) {
	byKey := map[string]*dist{}
	for _, d := range dists {
		for _, tag := range d.s.Tags {
			key := d.s.Project + " " + tag
			if prev, clash := byKey[key]; clash && prev.s.File != d.s.File {
				if t.bazel() {
					ps.addf("%s and %s are both wheels of %s for tag %s; keep one (overrides names the one to pack)", t.wheel(prev), t.wheel(d), d.s.Project, tag)
				} else {
					ps.addf("--wheel %s: %s and %s are both wheels of %s for tag %s; give only one", d.path, prev.s.File, d.s.File, d.s.Project, tag)
				}
				break
			}
			byKey[key] = d
		}
	}
}

// hashingReader is an io.ReaderAt that takes the sha256 of the whole of r,
// [0, size) in order, from the bytes read through it, so that validating a
// wheel and hashing its file read it once. Reads come in any order: a read
// at the position hashed so far extends the hash; a read a little further
// on (at most maxGap bytes: a local header's name, a data descriptor)
// first reads the gap; a read elsewhere is not hashed (the .dist-info files,
// read first from the end of the file, and a read after a stall). sum reads
// what is left from the first byte not hashed: nothing is hashed twice or
// skipped, whatever the order of the reads.
type hashingReader struct {
	r      io.ReaderAt
	size   int64
	maxGap int64

	mu  sync.Mutex
	buf []byte // for reading gaps
	h   hash.Hash
	pos int64 // bytes hashed so far
	err error // from reading a gap
}

func newHashingReader(r io.ReaderAt, size int64) *hashingReader {
	return &hashingReader{r: r, size: size, maxGap: 4 << 10, h: sha256.New()}
}

func (hr *hashingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := hr.r.ReadAt(p, off)
	hr.mu.Lock()
	defer hr.mu.Unlock()
	if off > hr.pos && off-hr.pos <= hr.maxGap {
		hr.fill(off)
	}
	if end := off + int64(n); off <= hr.pos && end > hr.pos {
		hr.h.Write(p[hr.pos-off : n])
		hr.pos = end
	}
	return n, err
}

// fill hashes the bytes from pos to end, reading them from r.
func (hr *hashingReader) fill(end int64) {
	if hr.err != nil {
		return
	}
	if hr.buf == nil {
		hr.buf = make([]byte, 64<<10)
	}
	n, err := io.CopyBuffer(hr.h, io.NewSectionReader(hr.r, hr.pos, end-hr.pos), hr.buf)
	hr.pos += n
	if err == nil && hr.pos != end {
		err = io.ErrUnexpectedEOF
	}
	hr.err = err
}

// sum returns the lowercase hex sha256 of the whole of r.
func (hr *hashingReader) sum() (string, error) {
	hr.mu.Lock()
	defer hr.mu.Unlock()
	if hr.pos < hr.size {
		hr.fill(hr.size)
	}
	if hr.err != nil {
		return "", hr.err
	}
	return hex.EncodeToString(hr.h.Sum(nil)), nil
}
