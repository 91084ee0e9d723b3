package launch

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rules-pex/rules_pex/internal/activate"
	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/constraint"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/extract"
	"github.com/rules-pex/rules_pex/launcher/internal/interp"
	"github.com/rules-pex/rules_pex/launcher/internal/probe"
	"github.com/rules-pex/rules_pex/launcher/internal/venv"
	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

// selection is the outcome of choosing an interpreter.
type selection struct {
	Search   *interp.Search
	Verdicts []interp.Verdict
	Chosen   *interp.Verdict
}

// choose finds, probes and judges the candidates.
func (l *launcher) choose(root *cache.Root, m *layout.Manifest) (*selection, error) {
	cs, err := constraint.ParseAll(m.InterpreterConstraints)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", layout.ErrManifest, err)
	}
	set, err := activate.New(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", layout.ErrManifest, err)
	}
	timeout, err := probeTimeout(l.Getenv("PEX_PROBE_TIMEOUT"))
	if err != nil {
		return nil, err
	}
	search := interp.Discover(l.Getenv)
	l.log.printf("interpreter candidates from %s: %s", search.Source, strings.Join(search.Candidates, " "))
	pc := &interp.ProbeCache{Timeout: timeout}
	if root != nil {
		pc.Dir = root.Path(cache.Interpreters, "")
	}
	cands := pc.ProbeAll(context.Background(), search)
	for _, c := range cands {
		switch {
		case c.NotRun:
			l.log.printf("probe of %s: not run (%v)", c.Path, c.Err)
		case c.Cached:
			l.log.printf("probe of %s: from the cache", c.Path)
		default:
			l.log.printf("probe of %s: ran it", c.Path)
		}
	}
	oldest := m.InterpreterSelection == layout.SelectOldest
	verdicts := interp.Judge(cands, interp.Requirements{Constraints: cs, Dists: set, Oldest: oldest})
	for _, v := range verdicts {
		what := "unknown"
		if v.Info != nil {
			what = v.Implementation + " " + v.Version
		}
		if v.Accepted {
			l.log.printf("accepted %s (%s): needs %d wheels", v.Path, what, len(v.Wheels))
		} else {
			l.log.printf("rejected %s (%s): %s", v.Path, what, v.Reason)
		}
	}
	sel := &selection{Search: search, Verdicts: verdicts, Chosen: interp.Best(verdicts, oldest)}
	if sel.Chosen == nil {
		return sel, &interp.NoInterpreterError{Search: search, Verdicts: verdicts, Constraints: cs}
	}
	l.log.printf("chose %s (%s %s, prefer %s)", sel.Chosen.Path, sel.Chosen.Implementation, sel.Chosen.Version, m.InterpreterSelection)
	return sel, nil
}

// probeTimeout parses PEX_PROBE_TIMEOUT: a duration (500ms, 10s) or a
// number of seconds; "" means the default.
func probeTimeout(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		if secs, ferr := strconv.ParseFloat(v, 64); ferr == nil {
			d, err = time.Duration(secs*float64(time.Second)), nil
		}
	}
	if err != nil || d <= 0 || d > time.Hour {
		return 0, fmt.Errorf("PEX_PROBE_TIMEOUT=%q: want a duration such as 10s or 500ms (at most 1h)", v)
	}
	return d, nil
}

// inherit returns the inherit_path mode: PEX_INHERIT_PATH, else the manifest's.
func (l *launcher) inherit(m *layout.Manifest) (layout.InheritPath, error) {
	v, err := layout.ParseInheritPathEnv(l.Getenv("PEX_INHERIT_PATH"))
	switch {
	case err != nil:
		return "", fmt.Errorf("PEX_INHERIT_PATH=%v", err)
	case v == "":
		return m.InheritPath, nil
	}
	return v, nil
}

// venvMeta is written into each environment: what it is made of.
type venvMeta struct {
	PexHash     string   `json:"pex_hash"`
	Interpreter string   `json:"interpreter"`
	Version     string   `json:"version"`
	Trees       []string `json:"trees"`
	Collisions  []string `json:"collisions,omitempty"`
}

// Files inside an environment that belong to the launcher (layout lists
// them, and keeps every input off their names).
const (
	metaFile       = layout.EnvMeta
	compiledFile   = layout.EnvCompiled
	compileLock    = layout.EnvCompileLock
	compileLogFile = layout.EnvCompileLog
)

func readMeta(dir string) (*venvMeta, error) {
	data, err := regfile.ReadFile(filepath.Join(dir, metaFile), 64<<20)
	if err != nil {
		return nil, err
	}
	var vm venvMeta
	if err := json.Unmarshal(data, &vm); err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, metaFile), err)
	}
	return &vm, nil
}

// envSpec is what the environment for a chosen interpreter is made of.
type envSpec struct {
	spec  venv.Spec
	trees []*tree
}

// tree is one extracted tree: the code or a wheel.
type tree struct {
	name   string // "code" or the wheel file name
	prefix string // entry prefix in the archive
	// bytecode is the prefix of the bytecode the archive ships for the
	// tree and the chosen interpreter (layout.BytecodePrefix), or "": a
	// tree with bytecode is another tree, of another hash.
	bytecode string
	dir      string // final location in the cache
	hash     string
	files    int
}

// newTree returns the tree of the code (wheel == "") or of a wheel, with
// the archive's bytecode for the cache tag if it has any of that magic
// number (tag == "": none; magic == "": any).
func newTree(root *cache.Root, wheel, hash string, files int, bcs map[string]layout.Bytecode, tag, magic string) *tree {
	t := &tree{name: "code", prefix: layout.CodePrefix, hash: hash, files: files}
	kind := cache.Code
	if wheel != "" {
		t.name, t.prefix, kind = wheel, layout.DistPrefix(wheel), cache.Wheels
	}
	if bc, ok := bcs[tag]; ok && tag != "" && (magic == "" || bc.Magic == magic) {
		t.name += " (with bytecode for " + tag + ")"
		t.bytecode = layout.BytecodePrefix(tag) + t.prefix
		t.hash, t.files = bc.TreeHash, files+bc.Files
	}
	t.dir = root.Path(kind, t.hash)
	return t
}

// bytecodeTag returns the cache tag and magic number of the interpreter
// whose shipped bytecode it can use: its sys.implementation.cache_tag, if
// the archive has bytecode for it of its magic number too (a pre-release
// shares the tag of its final release, not always its magic), else "".
func bytecodeTag(m *layout.Manifest, info *probe.Info) (tag, magic string) {
	if info.CacheTag == nil || info.MagicNumber == "" {
		return "", ""
	}
	tag = *info.CacheTag
	matches := func(bcs map[string]layout.Bytecode) bool {
		bc, ok := bcs[tag]
		return ok && bc.Magic == info.MagicNumber
	}
	if matches(m.CodeBytecode) {
		return tag, info.MagicNumber
	}
	for _, d := range m.Distributions {
		if matches(d.Bytecode) {
			return tag, info.MagicNumber
		}
	}
	return "", ""
}

// specFor computes the environment for the chosen interpreter.
func (l *launcher) specFor(root *cache.Root, m *layout.Manifest, v *interp.Verdict, dir func(venv.Spec) string) (*envSpec, error) {
	info := v.Info
	inherit, err := l.inherit(m)
	if err != nil {
		return nil, err
	}
	base := interp.BaseExecutable(info)
	in := venv.Interpreter{
		Python:         base,
		Implementation: info.ImplementationName,
		Major:          info.VersionInfo.Major,
		Minor:          info.VersionInfo.Minor,
		Version:        v.Version,
	}
	es := &envSpec{spec: venv.Spec{
		Interpreter: in,
		Inherit:     inherit,
		Entry:       venv.Entry{EntryPoint: m.EntryPoint, Script: m.Script, Main: m.Main, InjectArgs: m.InjectArgs},
		PexHash:     m.PexHash,
	}}
	if inherit != layout.InheritFalse {
		es.spec.InheritSystem = true
		if info.InVenv() {
			// The candidate is a venv whose packages the application inherits.
			es.spec.InheritDirs = []string{filepath.Join(info.Prefix, in.SitePackages())}
			es.spec.InheritSystem = interp.VenvIncludesSystem(info.Prefix)
		}
	}
	tag, magic := bytecodeTag(m, info)
	if m.CodeFiles > 0 {
		t := newTree(root, "", m.CodeHash, m.CodeFiles, m.CodeBytecode, tag, magic)
		es.trees = append(es.trees, t)
		es.spec.Code = t.dir
	}
	for _, w := range v.Wheels {
		t := newTree(root, w.File, w.Dist.TreeHash, w.Dist.Files, w.Dist.Bytecode, tag, magic)
		es.trees = append(es.trees, t)
		es.spec.Dists = append(es.spec.Dists, venv.Dist{
			Wheel: w.File, Project: w.Dist.Project, Dir: t.dir,
			ConsoleScripts: w.Dist.ConsoleScripts, Scripts: w.Dist.Scripts,
		})
	}
	es.spec.Dir = dir(es.spec)
	return es, nil
}

// envFormat changes whenever what this launcher writes into an environment
// changes (see warm.EnvFormat).
const envFormat = warm.EnvFormat

// venvKey names the environment of an application on an interpreter.
func venvKey(m *layout.Manifest, s venv.Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00%v\x00%s\x00",
		envFormat, m.PexHash, s.Interpreter.Python, s.Interpreter.Implementation, s.Interpreter.Version, s.Inherit, s.InheritSystem, strings.Join(s.InheritDirs, "\x00"))
	for _, d := range s.Dists {
		b.WriteString(d.Dir + "\x00")
	}
	return hashKey(b.String())
}

// prepare chooses the interpreter, extracts what is missing and assembles
// the environment, under the shared prune lock.
func (l *launcher) prepare(root *cache.Root, m *layout.Manifest) (*Plan, error) {
	prune, err := cache.Acquire(filepath.Join(root.Dir, cache.PruneLock), false)
	if err != nil {
		return nil, err
	}
	defer prune.Release()
	sel, err := l.choose(root, m)
	if err != nil {
		return nil, err
	}
	es, err := l.specFor(root, m, sel.Chosen, func(s venv.Spec) string { return root.Path(cache.Venvs, venvKey(m, s)) })
	if err != nil {
		return nil, err
	}
	if err := l.extractTrees(es.trees); err != nil {
		return nil, err
	}
	if err := l.buildVenv(m, es); err != nil {
		return nil, err
	}
	watches := append([]interp.Watch{}, sel.Search.Watches...)
	watches = append(watches, interp.Watch{Path: es.spec.Interpreter.Python, ID: interp.Stat(es.spec.Interpreter.Python)})
	return &Plan{
		PexHash:     m.PexHash,
		Venv:        es.spec.Dir,
		Interpreter: es.spec.Interpreter.Python,
		Env:         m.Env,
		Watches:     watches,
	}, nil
}

// extractTrees makes sure every tree is in the cache, extracting missing
// ones concurrently (one archive reader, a bounded number of file copies).
func (l *launcher) extractTrees(trees []*tree) error {
	var missing []*tree
	for _, t := range trees {
		if !cache.Complete(t.dir) {
			missing = append(missing, t)
		} else {
			l.log.printf("cached: %s", t.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	ar, err := archive.Open(l.Exe)
	if err != nil {
		return fmt.Errorf("%s: %w", l.Exe, err)
	}
	defer ar.Close()
	byPrefix := map[string][]*zip.File{}
	for _, t := range missing {
		byPrefix[t.prefix] = nil
		if t.bytecode != "" {
			byPrefix[t.bytecode] = nil
		}
	}
	for _, f := range ar.Files() {
		name, bytecode := f.Name, ""
		if tag, rest, ok := layout.SplitBytecodeEntry(name); ok {
			name, bytecode = rest, layout.BytecodePrefix(tag)
		}
		prefix := layout.CodePrefix
		if wheel, _, _, ok := layout.SplitDistEntry(name); ok {
			prefix = layout.DistPrefix(wheel)
		} else if !strings.HasPrefix(name, layout.CodePrefix) {
			continue
		}
		prefix = bytecode + prefix
		if files, want := byPrefix[prefix]; want {
			byPrefix[prefix] = append(files, f)
		}
	}
	ex := extract.New(ar, max(2, min(runtime.GOMAXPROCS(0), 8)))
	// On Linux, Seal makes each tree durable with one syncfs.
	ex.NoSync = cache.SyncsFileSystems
	// Largest trees first, so the longest extraction starts at once.
	sort.SliceStable(missing, func(i, j int) bool { return missing[i].files > missing[j].files })
	errs := make([]error, len(missing))
	var wg sync.WaitGroup
	for i, t := range missing {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			var st extract.Stats
			built, err := cache.Ensure(t.dir, nil, func(work string) error {
				var err error
				parts := []extract.Part{{Files: byPrefix[t.prefix], Prefix: t.prefix}}
				if t.bytecode != "" {
					parts = append(parts, extract.Part{Files: byPrefix[t.bytecode], Prefix: t.bytecode})
				}
				if st, err = ex.TreeParts(parts, work, t.hash); err != nil {
					return err
				}
				// Durable (the files fsynced, or one syncfs on Linux), read-only.
				return cache.Seal(work, false, false)
			})
			if err != nil {
				errs[i] = fmt.Errorf("extracting %s: %w", t.name, err)
				return
			}
			if built {
				l.log.printf("extracted %s: %d files, %d bytes in %v", t.name, st.Files, st.Bytes, time.Since(start).Round(time.Microsecond))
			} else {
				l.log.printf("cached: %s (extracted meanwhile by another process)", t.name)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *launcher) buildVenv(m *layout.Manifest, es *envSpec) error {
	start := time.Now()
	built, err := cache.Ensure(es.spec.Dir, venvSound, func(work string) (err error) {
		defer sealVenv(work, &err)
		res, err := venv.Build(work, es.spec)
		if err != nil {
			return err
		}
		for _, c := range res.Collisions {
			l.log.printf("collision: %s", c)
		}
		meta := venvMeta{
			PexHash:     m.PexHash,
			Interpreter: es.spec.Interpreter.Python,
			Version:     es.spec.Interpreter.Version,
			Collisions:  res.Collisions,
		}
		for _, t := range es.trees {
			meta.Trees = append(meta.Trees, t.dir)
		}
		data, err := json.MarshalIndent(meta, "", "  ")
		if err != nil {
			return err
		}
		// Created new: venv.Build skips every input that claims a name the
		// launcher owns, so these never exist yet, and are never written
		// through a link into a tree.
		if err := venv.WriteNew(filepath.Join(work, metaFile), append(data, '\n'), 0o644); err != nil {
			return err
		}
		return venv.WriteNew(cache.UseLockPath(work), nil, 0o644)
	})
	if err != nil {
		return fmt.Errorf("assembling the environment: %w", err)
	}
	if built {
		l.log.printf("assembled environment %s in %v", es.spec.Dir, time.Since(start).Round(time.Microsecond))
	}
	return nil
}

// sealVenv makes a successfully built environment durable and its
// subdirectories read-only; its root stays writable for the launcher's
// markers and logs.
func sealVenv(work string, err *error) {
	if *err == nil {
		*err = cache.Seal(work, true, true)
	}
}

// venvSound reports what is missing from a complete environment: the files
// that make it one (its use lock, pyvenv.cfg, a python that resolves, its
// record) and the complete trees it links to. A damaged environment is
// rebuilt rather than run.
func venvSound(dir string) error {
	for _, name := range []string{cache.UseLockName, "pyvenv.cfg", metaFile} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	if fi, err := os.Stat(venv.Python(dir)); err != nil {
		return err
	} else if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a file", venv.Python(dir))
	}
	meta, err := readMeta(dir)
	if err != nil {
		return err
	}
	for _, t := range meta.Trees {
		if !cache.Complete(t) {
			return fmt.Errorf("tree %s is not in the cache", t)
		}
	}
	return nil
}

// hashKey names an environment after s: 32 hex digits of its SHA-256.
func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
