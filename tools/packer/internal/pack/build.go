package pack

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/constraint"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/pep508"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/internal/relpath"
)

// Version identifies this packer in build_properties. A release stamps it
// (go build -ldflags=-X github.com/rules-pex/rules_pex/tools/packer/internal/pack.Version=x.y.z);
// a build from source says 0.1.0.
var Version = "0.1.0"

// source is one --source input.
type source struct {
	dest, path string
	executable bool
	size       int64
	sha256     string
}

// entry is one file of the zip payload, other than the manifest: a source
// file, or an entry of a wheel copied raw.
type entry struct {
	name       string
	src        *source
	zf         *zip.File
	executable bool
}

// Build validates o, then writes the archive to o.Output atomically.
// Every problem found in the inputs is reported in one Problems error.
func Build(o *Options) error {
	var ps Problems
	comp, err := archive.ParseCompression(o.Compression)
	if err != nil {
		ps.addf("--compression %q: want deflate, zstd or store", o.Compression)
	}
	inherit, err := layout.ParseInheritPath(o.InheritPath)
	if err != nil {
		ps.addf("--inherit-path %v", err)
	}
	selection, err := layout.ParseInterpreterSelection(o.InterpreterSelection)
	if err != nil {
		ps.addf("--interpreter-selection %v", err)
	}
	if _, err := constraint.ParseAll(o.InterpreterConstraints); err != nil {
		ps.addf("--interpreter-constraint: %v", err)
	}
	env := parseEnv(o.Env, &ps)
	if f, err := regfile.Open(o.Launcher); err != nil {
		ps.addf("--launcher %s: %v", o.Launcher, errText(err))
	} else {
		f.Close()
	}

	srcs := readSources(o.Sources, &ps)
	dists := openWheels(o.Wheels, o.CheckedWheels, &ps)
	defer func() {
		for _, d := range dists {
			d.close()
		}
	}()
	checkWheelClashes(dists, &ps)
	reqs := checkRequirements(o.Requirements, dists, &ps)
	checkEntry(o, srcs, dists, &ps)
	if len(ps) > 0 {
		return ps
	}

	m := &layout.Manifest{
		Format:                 layout.Format,
		EntryPoint:             o.EntryPoint,
		Script:                 o.Script,
		Main:                   o.Main,
		InterpreterConstraints: sortedUnique(o.InterpreterConstraints),
		InterpreterSelection:   selection,
		InheritPath:            inherit,
		Env:                    env,
		Requirements:           reqs,
		Distributions:          map[string]layout.Distribution{},
		Compression:            o.Compression,
		BuildProperties:        map[string]string{"packer": "rules_pex packer " + Version},
	}
	var entries []entry
	var codeTree []layout.TreeEntry
	for _, s := range srcs {
		entries = append(entries, entry{name: layout.CodePrefix + s.dest, src: s})
		codeTree = append(codeTree, layout.TreeEntry{Path: s.dest, Size: s.size, SHA256: s.sha256, Executable: s.executable})
	}
	m.CodeHash, m.CodeFiles = layout.TreeHash(codeTree), len(codeTree)
	for _, d := range dists {
		prefix := layout.DistPrefix(d.s.File)
		var tree []layout.TreeEntry
		md := layout.Distribution{
			Project:        d.s.Project,
			Version:        d.s.Version,
			Tags:           d.s.Tags,
			RequiresPython: d.s.RequiresPython,
			RequiresDist:   d.s.RequiresDist,
			ProvidesExtra:  d.s.ProvidesExtra,
			ConsoleScripts: d.s.ConsoleScripts,
			SHA256:         d.s.SHA256,
		}
		for i, f := range d.s.Files {
			p := f.Scheme + "/" + f.Path
			entries = append(entries, entry{name: prefix + p, zf: d.entries[i], executable: f.Executable})
			tree = append(tree, layout.TreeEntry{Path: p, Size: f.Size, SHA256: f.SHA256, Executable: f.Executable})
			md.Size += f.Size
			if f.Scheme == layout.SchemeScripts {
				md.Scripts = append(md.Scripts, f.Path)
			}
		}
		sort.Strings(md.Scripts)
		md.TreeHash, md.Files = layout.TreeHash(tree), len(tree)
		m.Distributions[d.s.File] = md
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	manifest, err := layout.Encode(m)
	if err != nil {
		return err
	}
	return writeAtomically(o.Output, 0o755, func(f *os.File) error {
		return writeArchive(f, o.Launcher, comp, manifest, entries)
	})
}

func writeArchive(f *os.File, launcher string, comp archive.Compression, manifest []byte, entries []entry) error {
	l, err := regfile.Open(launcher)
	if err != nil {
		return fmt.Errorf("--launcher %s: %v", launcher, errText(err))
	}
	n, err := io.Copy(f, l)
	l.Close()
	if err != nil {
		return fmt.Errorf("copying launcher %s: %w", launcher, err)
	}
	// Many entries are small: batch their headers and data into large writes.
	buf := bufio.NewWriterSize(f, 1<<20)
	zw, err := archive.NewWriter(buf, n, comp)
	if err != nil {
		return err
	}
	if err := zw.AddStored(layout.ManifestName, false, manifest); err != nil {
		return fmt.Errorf("writing %s: %w", layout.ManifestName, err)
	}
	// Stored: Python's zipimport reads it whatever the archive's compression.
	if err := zw.AddStored(layout.ZipMainName, false, zipMain); err != nil {
		return fmt.Errorf("writing %s: %w", layout.ZipMainName, err)
	}
	for _, e := range entries {
		if e.src != nil {
			if err := addSource(zw, e); err != nil {
				return err
			}
			continue
		}
		if err := zw.AddRaw(e.name, e.executable, e.zf); err != nil {
			return fmt.Errorf("copying %s: %w", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return buf.Flush()
}

func addSource(zw *archive.Writer, e entry) error {
	r, err := regfile.Open(e.src.path)
	if err != nil {
		return fmt.Errorf("--source %s=%s: %v", e.src.dest, e.src.path, errText(err))
	}
	defer r.Close()
	// The file was hashed during validation; hash again while copying so a
	// file changed in between cannot slip into the archive unnoticed.
	h := sha256.New()
	if err := zw.Add(e.name, e.src.executable, io.TeeReader(r, h)); err != nil {
		return fmt.Errorf("adding --source %s=%s: %w", e.src.dest, e.src.path, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != e.src.sha256 {
		return fmt.Errorf("--source %s=%s changed while the archive was written", e.src.dest, e.src.path)
	}
	return nil
}

// writeAtomically writes path through a temporary file in the same
// directory, renamed into place only when write succeeded; on failure no
// file is left behind. The result has the given mode whatever the umask.
func writeAtomically(path string, mode os.FileMode, write func(*os.File) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("-o %s: %v", path, errText(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("-o %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("-o %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("-o %s: %w", path, err)
	}
	return nil
}

func readSources(specs []string, ps *Problems) []*source {
	byDest := map[string]string{}
	var out []*source
	for _, spec := range specs {
		dest, path, ok := strings.Cut(spec, "=")
		if !ok || dest == "" || path == "" {
			ps.addf("--source %q: want DEST=PATH", spec)
			continue
		}
		if err := relpath.Check(dest); err != nil {
			ps.addf("--source %s: destination %v", spec, err)
			continue
		}
		if why, reserved := layout.ReservedEnvPath(layout.SchemeSitePackages, dest); reserved {
			ps.addf("--source %s: destination %s is a name the launcher owns (the code goes to site-packages, and %s); choose another destination", spec, dest, why)
			continue
		}
		if prev, dup := byDest[dest]; dup {
			ps.addf("--source %s: destination %s is also claimed by %s", spec, dest, prev)
			continue
		}
		byDest[dest] = path
		s, err := hashSource(dest, path)
		if err != nil {
			ps.addf("--source %s: %v", spec, err)
			continue
		}
		out = append(out, s)
	}
	// A file may not also be a directory of another file ("a" and "a/b").
	for dest := range byDest {
		for d := dest; ; {
			i := strings.LastIndexByte(d, '/')
			if i < 0 {
				break
			}
			d = d[:i]
			if other, clash := byDest[d]; clash {
				ps.addf("--source %s=%s: destination %s is a file of --source %s=%s, not a directory", dest, byDest[dest], d, d, other)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].dest < out[j].dest })
	return out
}

func hashSource(dest, path string) (*source, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s", errText(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return &source{dest: dest, path: path, executable: st.Mode()&0o111 != 0, size: n, sha256: hex.EncodeToString(h.Sum(nil))}, nil
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

func fileSHA256(path string) (string, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkWheelClashes refuses two wheels of one project that share a tag: at
// run time nothing could tell which one to use.
func checkWheelClashes(dists []*dist, ps *Problems) {
	byKey := map[string]string{}
	for _, d := range dists {
		for _, t := range d.s.Tags {
			key := d.s.Project + " " + t
			if prev, clash := byKey[key]; clash && prev != d.s.File {
				ps.addf("--wheel %s: %s and %s are both wheels of %s for tag %s; give only one", d.path, prev, d.s.File, d.s.Project, t)
				break
			}
			byKey[key] = d.s.File
		}
	}
}

// checkRequirements parses the root requirements and checks that every
// root, and every unconditional dependency of every wheel, can be met by
// the given wheels. Dependencies under an environment marker are decided by
// the launcher on the host. It returns the manifest's requirement list.
func checkRequirements(reqs []string, dists []*dist, ps *Problems) []string {
	versions := map[string][]pep440.Version{}
	for _, d := range dists {
		versions[d.s.Project] = append(versions[d.s.Project], d.version)
	}
	satisfiable := func(r pep508.Requirement) (bool, bool) {
		vs, ok := versions[pep508.NormalizeName(r.Name)]
		if !ok {
			return false, false
		}
		for _, v := range vs {
			if r.Specifier.ContainsPrerelease(v, true) {
				return true, true
			}
		}
		return true, false
	}
	var out []string
	if len(reqs) == 0 {
		seen := map[string]bool{}
		for _, d := range dists {
			if p := d.s.Project; !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
		sort.Strings(out)
	}
	for _, s := range reqs {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			ps.addf("--requirement %q: %v", s, err)
			continue
		}
		present, ok := satisfiable(r)
		switch {
		case r.URL != "":
			ps.addf("--requirement %q: URL requirements are not supported; give the wheel with --wheel and require it by name", s)
		case !present:
			ps.addf("--requirement %q: no --wheel of project %s was given", s, pep508.NormalizeName(r.Name))
		case !ok:
			ps.addf("--requirement %q: no given wheel of %s has a version in %s", s, pep508.NormalizeName(r.Name), r.Specifier)
		}
		out = append(out, r.String())
	}
	for _, d := range dists {
		for _, s := range d.s.RequiresDist {
			r, err := pep508.ParseRequirement(s)
			if err != nil {
				ps.addf("--wheel %s: METADATA Requires-Dist %q: %v", d.path, s, err)
				continue
			}
			if r.Marker != nil {
				continue // decided on the host, where the marker can be evaluated
			}
			present, ok := satisfiable(r)
			switch {
			case !present:
				ps.addf("--wheel %s: %s requires %q but no wheel of %s was given; add it with --wheel", d.path, d.s.Project, s, pep508.NormalizeName(r.Name))
			case !ok:
				ps.addf("--wheel %s: %s requires %q but no given wheel of %s has a matching version", d.path, d.s.Project, s, pep508.NormalizeName(r.Name))
			}
		}
	}
	return sortedUnique(out)
}

// checkEntry validates what the archive runs.
func checkEntry(o *Options, srcs []*source, dists []*dist, ps *Problems) {
	n := 0
	for _, s := range []string{o.EntryPoint, o.Script, o.Main} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		ps.addf("give at most one of --entry-point, --script and --main (got %d)", n)
	}
	if o.EntryPoint != "" {
		if _, err := layout.ParseEntryPoint(o.EntryPoint); err != nil {
			ps.addf("--entry-point %q: %v; want MODULE or MODULE:FUNCTION, with dotted Python identifiers (e.g. app.main or app.main:run)", o.EntryPoint, err)
		}
	}
	if o.Main != "" {
		found := false
		for _, s := range srcs {
			found = found || s.dest == o.Main
		}
		if !found {
			ps.addf("--main %q: no --source has that destination", o.Main)
		}
	}
	if o.Script != "" {
		var known []string
		found := false
		for _, d := range dists {
			for name := range d.s.ConsoleScripts {
				known = append(known, name)
				found = found || name == o.Script
			}
			for _, f := range d.s.Files {
				if f.Scheme == layout.SchemeScripts {
					known = append(known, f.Path)
					found = found || f.Path == o.Script
				}
			}
		}
		if !found {
			sort.Strings(known)
			list := "the wheels have none"
			if len(known) > 0 {
				list = "known: " + strings.Join(known, ", ")
			}
			ps.addf("--script %q: no given wheel has a console script or script of that name (%s)", o.Script, list)
		}
	}
}

func parseEnv(kvs []string, ps *Problems) map[string]string {
	env := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		switch {
		case !ok || k == "":
			ps.addf("--env %q: want KEY=VALUE", kv)
		case strings.ContainsAny(k, "\x00") || strings.ContainsRune(v, 0):
			ps.addf("--env %q: NUL bytes are not allowed", kv)
		default:
			if prev, dup := env[k]; dup && prev != v {
				ps.addf("--env %s: given twice with different values (%q and %q)", k, prev, v)
			}
			env[k] = v
		}
	}
	if len(env) == 0 {
		return nil
	}
	return env
}

// sortedUnique returns the distinct strings of s in order, never nil. Used
// for lists whose order carries no meaning (OR'ed constraints, root
// requirements), so the order of flags cannot change the output.
func sortedUnique(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return slices.Compact(out)
}

// errText renders file-system errors without Go's operation prefix
// duplication ("open x: no such file" becomes "no such file or directory").
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
