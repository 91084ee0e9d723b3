// Package wheel owns reading and validating wheel files (the binary
// distribution format, PEP 427) for the packer: the file name, the
// .dist-info metadata (WHEEL, METADATA, RECORD, entry_points.txt), the
// integrity of every entry against RECORD, and where an installer would put
// each file. It never extracts anything; the packer copies entries raw.
package wheel

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/pep508"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/internal/relpath"
	"github.com/rules-pex/rules_pex/internal/tags"
)

// The schemes (installation directories) a wheel file can go to, with the
// names internal/layout gives them. purelib and platlib are both
// site-packages: the launcher builds one site-packages per environment.
const (
	SchemeSitePackages = "site-packages"
	SchemeScripts      = "scripts"
	SchemeHeaders      = "headers"
	SchemeData         = "data"
)

// dataSchemes maps the subdirectories of {name}-{version}.data/ to schemes.
var dataSchemes = map[string]string{
	"purelib": SchemeSitePackages,
	"platlib": SchemeSitePackages,
	"scripts": SchemeScripts,
	"headers": SchemeHeaders,
	"data":    SchemeData,
}

// Limits on the .dist-info files read into memory to be parsed. Every other
// entry is streamed through a fixed buffer.
const (
	maxRecordSize      = 64 << 20
	maxMetadataSize    = 16 << 20
	maxWheelFileSize   = 1 << 20
	maxEntryPointsSize = 16 << 20
)

// File is one regular file of a wheel, verified against RECORD.
type File struct {
	Name string // the zip entry name

	// Scheme and Path say where an installer puts the file: Path is relative
	// to the scheme's directory. Root entries, .data/purelib/ and
	// .data/platlib/ go to site-packages, .data/scripts/ to scripts,
	// .data/headers/ to headers and .data/data/ to data (the Scheme*
	// constants).
	Scheme string
	Path   string

	Size       int64  // uncompressed size in bytes
	SHA256     string // lowercase hex sha256 of the uncompressed content
	Executable bool   // a unix mode with an execute bit, or a script

	// Method is the zip compression method (zip.Store or zip.Deflate; other
	// methods fail verification).
	Method uint16

	// IsRecord marks the .dist-info/RECORD file, which lists the wheel's
	// files and hashes; an installer rewrites it for the installed tree.
	IsRecord bool
	// IsRecordSignature marks .dist-info/RECORD.jws and RECORD.p7s, which
	// sign RECORD and are invalid once RECORD is rewritten.
	IsRecordSignature bool

	// Zip is the underlying zip entry, to copy its compressed bytes raw. Its
	// FileHeader has the Method, CRC32 and sizes zip.Writer.CreateRaw needs.
	Zip *zip.File
}

// OpenRaw returns the entry's compressed bytes, to be copied into another
// zip with the same Method, CRC32 and sizes (zip.Writer.CreateRaw).
func (f *File) OpenRaw() (io.Reader, error) { return f.Zip.OpenRaw() }

// Open returns the entry's uncompressed content.
func (f *File) Open() (io.ReadCloser, error) { return f.Zip.Open() }

// Wheel is a wheel file that passed validation.
type Wheel struct {
	Path string // the path or name the wheel was opened with
	Name Name   // the parsed file name

	DistInfo string // the .dist-info directory, e.g. "foo-1.0.dist-info"
	DataDir  string // the .data directory name, e.g. "foo-1.0.data" (present or not)

	// From .dist-info/WHEEL.
	WheelVersion  string
	Generator     string
	RootIsPurelib bool
	Tags          []tags.Tag // the Tag lines, expanded; the same set as Name.Tags
	Build         string     // the Build line; the same as Name.Build

	Metadata    Metadata    // from .dist-info/METADATA
	EntryPoints EntryPoints // from .dist-info/entry_points.txt; empty if absent

	Files []File // every regular file, sorted by entry name

	closer io.Closer
}

// ConsoleScripts maps the names of the console_scripts entry points to
// their "module:attr" targets (extras, deprecated and unused by installers
// when writing scripts, are left out; EntryPoints has them). Never nil.
func (w *Wheel) ConsoleScripts() map[string]string {
	return w.EntryPoints.targets(ConsoleScriptsGroup)
}

// GUIScripts is ConsoleScripts for the gui_scripts entry points.
func (w *Wheel) GUIScripts() map[string]string {
	return w.EntryPoints.targets(GUIScriptsGroup)
}

// Close releases the file opened by Open. It is a no-op for OpenReader.
func (w *Wheel) Close() error {
	if w.closer == nil {
		return nil
	}
	err := w.closer.Close()
	w.closer = nil
	return err
}

// Open opens and validates the wheel file at path. If the wheel is invalid
// the error is an *Error listing every problem found. The Wheel keeps the
// file open for raw copies of its entries until Close.
func Open(path string) (*Wheel, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening wheel: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("opening wheel: %w", err)
	}
	w, err := OpenReader(f, st.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.closer = f
	return w, nil
}

// OpenReader validates the wheel of the given size read from r. name is the
// wheel's file name, or a path ending in it: its base name is parsed as a
// wheel file name, and the whole of it names the wheel in problems. If the
// wheel is invalid the error is an *Error listing every problem found.
func OpenReader(r io.ReaderAt, size int64, name string) (*Wheel, error) {
	v := &validator{ps: problems{wheel: name}, w: &Wheel{Path: name}}
	v.run(r, size)
	if err := v.ps.err(); err != nil {
		return nil, err
	}
	return v.w, nil
}

// validator holds the state of one validation.
type validator struct {
	ps problems
	w  *Wheel

	fnOK      bool                 // the file name parsed
	seen      map[string]bool      // entry names, directories with their '/'
	regular   []*zip.File          // regular file entries with safe, unique names
	byName    map[string]*zip.File // regular file entries by name
	dirs      []string             // directory entries, without '/'
	distInfos []string             // top-level *.dist-info directories, in order of appearance
	dataDirs  []string             // top-level *.data directories, in order of appearance

	inMemory map[string][]byte // .dist-info files read to be parsed
	unread   map[string]bool   // entries that could not be read (already reported)
}

func (v *validator) run(r io.ReaderAt, size int64) {
	base := filepath.Base(v.w.Path)
	if n, why := parseFilename(base); why != "" {
		v.ps.add(ErrFilename, "", "%s: %s", quoteIfOdd(base), why)
	} else {
		v.w.Name, v.fnOK = n, true
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		v.ps.add(ErrArchive, "", "%v", err)
		return
	}
	archive.RegisterDeflate(zr)
	v.scanEntries(zr)
	v.findDistInfo()
	rows, rowsOK := v.readMetadataFiles()
	v.verify(rows, rowsOK)
}

// scanEntries checks every entry's name and type and collects the regular
// files and top-level directories.
func (v *validator) scanEntries(zr *zip.Reader) {
	v.seen = make(map[string]bool)
	v.byName = make(map[string]*zip.File)
	tops := make(map[string]bool)
	for _, f := range zr.File {
		name := f.Name
		isDir := strings.HasSuffix(name, "/")
		clean := strings.TrimSuffix(name, "/")
		if !utf8.ValidString(name) {
			v.ps.add(ErrEntryName, name, "not UTF-8")
			continue
		}
		if err := relpath.Check(clean); err != nil {
			v.ps.add(ErrEntryName, name, "%v", err)
			continue
		}
		if v.seen[name] {
			v.ps.add(ErrDuplicateEntry, name, "the zip has more than one entry with this name")
			continue
		}
		v.seen[name] = true
		if top, _, nested := strings.Cut(clean, "/"); (nested || isDir) && !tops[top] {
			tops[top] = true
			switch {
			case strings.HasSuffix(top, ".dist-info"):
				v.distInfos = append(v.distInfos, top)
			case strings.HasSuffix(top, ".data"):
				v.dataDirs = append(v.dataDirs, top)
			}
		}
		mode := f.Mode()
		if isDir {
			v.dirs = append(v.dirs, clean)
			continue
		}
		if mode&fs.ModeType != 0 {
			what := "a special file"
			switch {
			case mode&fs.ModeSymlink != 0:
				what = "a symlink"
			case mode.IsDir():
				what = "a directory without a trailing slash"
			}
			v.ps.add(ErrSymlink, name, "the entry is %s", what)
			continue
		}
		if f.Flags&0x1 != 0 {
			v.ps.add(ErrArchive, name, "the entry is encrypted")
			continue
		}
		v.regular = append(v.regular, f)
		v.byName[name] = f
	}
}

// findDistInfo checks that there is exactly one .dist-info directory, named
// after the wheel, and sets DistInfo and DataDir.
func (v *validator) findDistInfo() {
	w := v.w
	matches := func(dir string) (bool, string) {
		stem := strings.TrimSuffix(dir, ".dist-info")
		i := strings.LastIndexByte(stem, '-')
		if i < 0 {
			return false, "not named {name}-{version}.dist-info"
		}
		if !v.fnOK {
			return true, ""
		}
		if pep508.NormalizeName(stem[:i]) != w.Name.NormalizedProject() {
			return false, fmt.Sprintf("name %s does not match the file name's %s", quoteIfOdd(stem[:i]), w.Name.Project)
		}
		if ver, err := parseEscapedVersion(stem[i+1:]); err != nil || ver.Compare(w.Name.version) != 0 {
			return false, fmt.Sprintf("version %s does not match the file name's %s", quoteIfOdd(stem[i+1:]), w.Name.Version)
		}
		return true, ""
	}
	switch len(v.distInfos) {
	case 0:
		v.ps.add(ErrDistInfo, "", "no .dist-info directory")
		return
	case 1:
		if ok, why := matches(v.distInfos[0]); !ok {
			v.ps.add(ErrDistInfo, v.distInfos[0]+"/", "%s", why)
		}
		w.DistInfo = v.distInfos[0]
	default:
		v.ps.add(ErrDistInfo, "", "%d .dist-info directories, want one: %s", len(v.distInfos), quoteIfOdd(strings.Join(v.distInfos, ", ")))
		// Go on with the one named after the wheel, if any, to find more problems.
		for _, d := range v.distInfos {
			if ok, _ := matches(d); ok && v.fnOK {
				w.DistInfo = d
				break
			}
		}
		if w.DistInfo == "" {
			return
		}
	}
	w.DataDir = strings.TrimSuffix(w.DistInfo, ".dist-info") + ".data"
	for _, d := range v.dataDirs {
		if d != w.DataDir && strings.Contains(d, "-") {
			v.ps.add(ErrDataDir, d+"/", "does not match the .dist-info directory %s", quoteIfOdd(w.DistInfo))
		}
	}
}

// readMetadataFiles reads and parses WHEEL, METADATA, RECORD and
// entry_points.txt. It returns RECORD's rows and whether they are usable.
func (v *validator) readMetadataFiles() (map[string]recordRow, bool) {
	v.inMemory = make(map[string][]byte)
	v.unread = make(map[string]bool)
	w := v.w
	if w.DistInfo == "" {
		return nil, false
	}
	read := func(base string, kind error, limit int64, required bool) ([]byte, bool) {
		name := w.DistInfo + "/" + base
		f := v.byName[name]
		if f == nil {
			if required {
				v.ps.add(kind, name, "missing")
			}
			return nil, false
		}
		data, err := readSmall(f, limit)
		if err != nil {
			v.ps.add(kind, name, "%v", err)
			v.unread[name] = true
			return nil, false
		}
		v.inMemory[name] = data
		return data, true
	}

	var rows map[string]recordRow
	rowsOK := false
	if data, ok := read("RECORD", ErrRecord, maxRecordSize, true); ok {
		var bad []recordProblem
		rows, bad, rowsOK = parseRecord(data, w.DistInfo)
		for _, p := range bad {
			entry := w.DistInfo + "/RECORD"
			detail := p.detail
			if p.path != "" {
				detail = fmt.Sprintf("row for %s: %s", quoteIfOdd(p.path), detail)
			}
			v.ps.add(ErrRecord, entry, "%s", detail)
		}
	}

	if data, ok := read("WHEEL", ErrWheelFile, maxWheelFileSize, true); ok {
		wi, bad := parseWheelInfo(data)
		for _, b := range bad {
			v.ps.add(ErrWheelFile, w.DistInfo+"/WHEEL", "%s", b)
		}
		w.WheelVersion, w.Generator, w.RootIsPurelib, w.Tags, w.Build = wi.version, wi.generator, wi.rootIsPurelib, wi.tags, wi.build
		if v.fnOK && len(bad) == 0 {
			v.compareTags(wi)
		}
	}

	if data, ok := read("METADATA", ErrMetadata, maxMetadataSize, true); ok {
		m, version, bad := parseMetadata(data)
		for _, b := range bad {
			v.ps.add(ErrMetadata, w.DistInfo+"/METADATA", "%s", b)
		}
		w.Metadata = m
		if v.fnOK && len(bad) == 0 {
			if pep508.NormalizeName(m.Name) != w.Name.NormalizedProject() {
				v.ps.add(ErrNameMismatch, w.DistInfo+"/METADATA", "Name %s does not match the file name's %s", quoteIfOdd(m.Name), w.Name.Project)
			}
			if version.Compare(w.Name.version) != 0 {
				v.ps.add(ErrNameMismatch, w.DistInfo+"/METADATA", "Version %s does not match the file name's %s", quoteIfOdd(m.Version), w.Name.Version)
			}
		}
	}

	w.EntryPoints = make(EntryPoints)
	if data, ok := read("entry_points.txt", ErrEntryPoints, maxEntryPointsSize, false); ok {
		eps, bad := parseEntryPoints(data)
		for _, b := range bad {
			v.ps.add(ErrEntryPoints, w.DistInfo+"/entry_points.txt", "%s", b)
		}
		w.EntryPoints = eps
	}
	return rows, rowsOK
}

// compareTags checks WHEEL's Tag and Build lines against the file name.
func (v *validator) compareTags(wi wheelInfo) {
	n := v.w.Name
	entry := v.w.DistInfo + "/WHEEL"
	want := make(map[tags.Tag]bool)
	for _, t := range n.Tags {
		want[t] = true
	}
	have := make(map[tags.Tag]bool)
	for _, t := range wi.tags {
		have[t] = true
	}
	var missing, extra []string
	for t := range want {
		if !have[t] {
			missing = append(missing, t.String())
		}
	}
	for t := range have {
		if !want[t] {
			extra = append(extra, t.String())
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		v.ps.add(ErrTagMismatch, entry, "no Tag line for the file name's %s", strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		v.ps.add(ErrTagMismatch, entry, "Tag lines %s are not in the file name", strings.Join(extra, ", "))
	}
	if wi.build != n.Build {
		v.ps.add(ErrTagMismatch, entry, "Build %s does not match the file name's build tag %s", quoteIfOdd(wi.build), quoteIfOdd(n.Build))
	}
}

// verify hashes every regular file, checks it against RECORD, places it in
// a scheme, and checks for RECORD rows without entries and install conflicts.
func (v *validator) verify(rows map[string]recordRow, rowsOK bool) {
	w := v.w
	recordName, jws, p7s := "", "", ""
	if w.DistInfo != "" {
		recordName, jws, p7s = w.DistInfo+"/RECORD", w.DistInfo+"/RECORD.jws", w.DistInfo+"/RECORD.p7s"
	}
	buf := make([]byte, 32<<10)
	for _, f := range v.regular {
		if v.unread[f.Name] {
			continue
		}
		row, listed := rows[f.Name]
		algo := ""
		if listed && row.digest != nil && row.algo != "sha256" {
			algo = row.algo
		}
		var d digests
		if data, ok := v.inMemory[f.Name]; ok {
			d = hashBytes(data, algo)
		} else {
			var err error
			if d, err = hashEntry(f, buf, algo); err != nil {
				v.ps.add(ErrArchive, f.Name, "reading the entry: %v", err)
				continue
			}
		}
		file := File{
			Name:              f.Name,
			Size:              d.size,
			SHA256:            hex.EncodeToString(d.sha256[:]),
			Method:            f.Method,
			IsRecord:          f.Name == recordName,
			IsRecordSignature: f.Name == jws || f.Name == p7s,
			Zip:               f,
		}
		if rowsOK && !file.IsRecord {
			switch {
			case !listed:
				if !file.IsRecordSignature {
					v.ps.add(ErrNotInRecord, f.Name, "")
				}
			case row.broken:
			default:
				if row.digest != nil {
					got := d.sha256[:]
					if algo != "" {
						got = d.other
					}
					if !bytes.Equal(got, row.digest) {
						v.ps.add(ErrHash, f.Name, "RECORD has %s, the content has %s", encodeDigest(row.algo, row.digest), encodeDigest(row.algo, got))
					}
				}
				if row.size >= 0 && row.size != d.size {
					v.ps.add(ErrSize, f.Name, "RECORD has %d bytes, the content has %d", row.size, d.size)
				}
			}
		}
		scheme, p, why := v.place(f.Name)
		if why != "" {
			v.ps.add(ErrDataDir, f.Name, "%s", why)
			continue
		}
		file.Scheme, file.Path = scheme, p
		file.Executable = f.Mode().Perm()&0o111 != 0 || scheme == SchemeScripts
		w.Files = append(w.Files, file)
	}
	if rowsOK {
		paths := make([]string, 0, len(rows))
		for p := range rows {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			if !v.seen[p] && !v.seen[p+"/"] {
				v.ps.add(ErrMissingEntry, p, "")
			}
		}
	}
	v.checkConflicts()
	slices.SortFunc(w.Files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
}

// place returns where an installer puts the entry name, or why it cannot.
func (v *validator) place(name string) (scheme, p, why string) {
	dd := v.w.DataDir
	if dd == "" || !strings.HasPrefix(name, dd+"/") {
		return SchemeSitePackages, name, ""
	}
	sub, p, ok := strings.Cut(name[len(dd)+1:], "/")
	if !ok {
		return "", "", "a file directly in the .data directory, outside a scheme subdirectory"
	}
	scheme, known := dataSchemes[sub]
	if !known {
		return "", "", fmt.Sprintf("unknown scheme %s (want purelib, platlib, scripts, headers or data)", quoteIfOdd(sub))
	}
	return scheme, p, ""
}

// checkConflicts reports files that install to the same path, and files
// whose path is also a directory of another file or a directory entry.
func (v *validator) checkConflicts() {
	type key struct{ scheme, path string }
	files := make(map[key]string, len(v.w.Files))
	for _, f := range v.w.Files {
		k := key{f.Scheme, f.Path}
		if other, dup := files[k]; dup {
			v.ps.add(ErrConflict, f.Name, "installs to %s %s, as %s does", f.Scheme, quoteIfOdd(f.Path), quoteIfOdd(other))
			continue
		}
		files[k] = f.Name
	}
	for _, f := range v.w.Files {
		for dir := path.Dir(f.Path); dir != "."; dir = path.Dir(dir) {
			if other, ok := files[key{f.Scheme, dir}]; ok {
				v.ps.add(ErrConflict, f.Name, "installs under %s %s, which %s installs as a file", f.Scheme, quoteIfOdd(dir), quoteIfOdd(other))
				break
			}
		}
	}
	dd := v.w.DataDir
	for _, d := range v.dirs {
		k := key{SchemeSitePackages, d}
		if dd != "" && (d == dd || strings.HasPrefix(d, dd+"/")) {
			sub, p, ok := strings.Cut(strings.TrimPrefix(d, dd+"/"), "/")
			scheme, known := dataSchemes[sub]
			if !ok || !known {
				continue
			}
			k = key{scheme, p}
		}
		if other, ok := files[k]; ok {
			v.ps.add(ErrConflict, d+"/", "a directory entry where %s installs a file", quoteIfOdd(other))
		}
	}
}

// digests are the hashes and size of an entry's content.
type digests struct {
	sha256 [sha256.Size]byte
	other  []byte // the digest in RECORD's algorithm, when not sha256
	size   int64
}

func hashBytes(data []byte, algo string) digests {
	d := digests{sha256: sha256.Sum256(data), size: int64(len(data))}
	if algo != "" {
		h := hashAlgos[algo]()
		h.Write(data)
		d.other = h.Sum(nil)
	}
	return d
}

// hashEntry streams an entry through buf, hashing it. archive/zip checks the
// CRC-32 and the declared size when the content ends.
func hashEntry(f *zip.File, buf []byte, algo string) (digests, error) {
	var d digests
	rc, err := f.Open()
	if err != nil {
		return d, err
	}
	defer rc.Close()
	h := sha256.New()
	var other hash.Hash
	if algo != "" {
		other = hashAlgos[algo]()
	}
	for {
		n, err := rc.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			if other != nil {
				other.Write(buf[:n])
			}
			d.size += int64(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return d, err
		}
	}
	copy(d.sha256[:], h.Sum(nil))
	if other != nil {
		d.other = other.Sum(nil)
	}
	return d, nil
}

// readSmall reads an entry of at most limit bytes into memory.
func readSmall(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%d bytes, more than the %d this reader accepts", f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("more than the %d bytes this reader accepts", limit)
	}
	return data, nil
}
