// Package venv owns the environment the launcher runs an application in: a
// standard virtual environment (pyvenv.cfg, bin/python, one site-packages)
// assembled from extracted trees in the cache without copying their
// contents, with the distributions' console scripts and scripts in bin/ and
// a bootstrap file (pex) that runs the application's entry point.
//
// Assembly links rather than copies. In site-packages, a top-level name that
// one tree provides becomes a relative symlink to that tree's directory, or
// a hard link to its file; a name several trees provide (a namespace
// package) becomes a real directory merged the same way, recursively. So
// __file__ is a path in the environment that names a real file, .pth files
// sit in site-packages where site.py reads them, importlib.metadata finds
// every .dist-info, and sys.executable is the environment's python for any
// subprocess. Copy mode (for a standalone environment) copies every file.
package venv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

// Interpreter is what assembly needs to know about the base interpreter.
type Interpreter struct {
	// Python is the absolute path of the base interpreter's executable.
	Python string
	// Implementation is sys.implementation.name: "cpython", "pypy".
	Implementation string
	// Major and Minor are sys.version_info[:2].
	Major, Minor int
	// Version is the full Python version ("3.11.7").
	Version string
}

// SitePackages returns the path of site-packages relative to the
// environment's root, where the interpreter's site module looks in a venv.
func (in Interpreter) SitePackages() string {
	return filepath.Join("lib", in.libName(), "site-packages")
}

func (in Interpreter) libName() string {
	if in.Implementation == "pypy" {
		return fmt.Sprintf("pypy%d.%d", in.Major, in.Minor)
	}
	return fmt.Sprintf("python%d.%d", in.Major, in.Minor)
}

// Dist is one distribution's extracted tree.
type Dist struct {
	// Wheel is the wheel file name, for messages.
	Wheel string
	// Project is the normalized project name; headers install under it.
	Project string
	// Dir is the extracted tree: site-packages/, scripts/, headers/, data/
	// (each optional).
	Dir string
	// ConsoleScripts maps console script names to "module:attr" targets.
	ConsoleScripts map[string]string
	// Scripts lists the file names under scripts/.
	Scripts []string
}

// Entry says what the bootstrap runs; at most one field is set.
type Entry struct {
	// EntryPoint is "module" or "module:function".
	EntryPoint string
	// Script names a console script or script of a distribution.
	Script string
	// Main is the path of a file of the code tree, run as __main__.
	Main string
	// InjectArgs go before the user's arguments (the manifest's
	// inject_args), unless PEX_MODULE or PEX_SCRIPT overrides the entry.
	InjectArgs []string
}

// Spec describes an environment to assemble.
type Spec struct {
	// Dir is the environment's final, absolute location. Build may work
	// elsewhere, but every path written into a file points here.
	Dir string
	// Interpreter is the base interpreter.
	Interpreter Interpreter
	// Code is the application's code tree, or "". Its files go to
	// site-packages and win over distributions' files of the same path.
	Code string
	// Dists are the distributions, in priority order for colliding paths.
	Dists []Dist
	// Inherit is which packages of the interpreter the environment sees;
	// "" is layout.InheritFalse.
	Inherit layout.InheritPath
	// InheritDirs are site directories to add when Inherit is not
	// layout.InheritFalse: those of a venv interpreter the application inherits.
	InheritDirs []string
	// InheritSystem adds the base interpreter's site-packages too (when
	// Inherit is not layout.InheritFalse).
	InheritSystem bool
	// Entry is what the bootstrap runs.
	Entry Entry
	// Copy copies files instead of linking to the trees: the environment
	// then stands alone.
	Copy bool
	// PexHash is the application's pex_hash, which the bootstrap compares
	// with InjectedEnv.
	PexHash string
}

// Names of files the launcher writes in the environment; layout owns the
// list (and the rule that keeps inputs off them: layout.ReservedEnvPath).
const (
	// Bootstrap is the file at the environment's root that runs the entry point.
	Bootstrap = layout.EnvBootstrap
	// InheritPth is the .pth file that imports InheritModule.
	InheritPth = layout.EnvInheritPth
	// InheritModule adds the interpreter's site packages to sys.path.
	InheritModule = layout.EnvInheritModule
)

// Result reports what Build did.
type Result struct {
	// Collisions describes paths that several trees provide (the first
	// provider, the code then distributions in order, won) and paths that
	// a tree provides but the launcher owns (layout.ReservedEnvPath),
	// which are skipped.
	Collisions []string
}

// Python returns the path of the environment's python.
func Python(dir string) string { return warm.Python(dir) }

// ErrInvalid is wrapped by errors about a Spec that cannot be assembled.
var ErrInvalid = errors.New("invalid environment")

// Build assembles the environment described by spec in the empty directory
// work (spec.Dir itself, or a work directory later renamed to it).
func Build(work string, spec Spec) (*Result, error) {
	if !filepath.IsAbs(spec.Dir) || !filepath.IsAbs(spec.Interpreter.Python) {
		return nil, fmt.Errorf("%w: environment and interpreter paths must be absolute", ErrInvalid)
	}
	b := &builder{work: work, spec: spec, res: &Result{}}
	if err := b.build(); err != nil {
		return nil, err
	}
	return b.res, nil
}

type builder struct {
	work string
	spec Spec
	res  *Result
	sp   string            // site-packages in the work directory
	from map[string]string // tree directory -> what it is, for messages
}

// final maps a path inside the work directory to its final location.
func (b *builder) final(p string) string {
	rel, err := filepath.Rel(b.work, p)
	if err != nil {
		return p
	}
	return filepath.Join(b.spec.Dir, rel)
}

// build writes the launcher's own files first, each created new, then
// places the trees' files around them. A tree's file that claims a name the
// launcher owns is skipped and reported (layout.ReservedEnvPath), as is any
// file whose path is taken: nothing is ever written through a link into a
// shared tree.
func (b *builder) build() error {
	in := b.spec.Interpreter
	bin := filepath.Join(b.work, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	if err := b.writeConfig(); err != nil {
		return err
	}
	if err := os.Symlink(in.Python, filepath.Join(bin, "python")); err != nil {
		return err
	}
	for _, alias := range []string{"python3", fmt.Sprintf("python%d.%d", in.Major, in.Minor)} {
		if err := os.Symlink("python", filepath.Join(bin, alias)); err != nil {
			return err
		}
	}
	b.sp = filepath.Join(b.work, in.SitePackages())
	if err := os.MkdirAll(b.sp, 0o755); err != nil {
		return err
	}
	if err := b.writeInherit(b.sp); err != nil {
		return err
	}
	if err := b.writeBootstrap(); err != nil {
		return err
	}

	b.from = map[string]string{}
	var srcs []string
	if b.spec.Code != "" {
		srcs = append(srcs, b.spec.Code)
		b.from[b.spec.Code] = "the application's code"
	}
	for _, d := range b.spec.Dists {
		s := filepath.Join(d.Dir, "site-packages")
		if isDir(s) {
			srcs = append(srcs, s)
			b.from[s] = d.Wheel
		}
	}
	if err := b.merge(b.sp, srcs); err != nil {
		return fmt.Errorf("populating site-packages: %w", err)
	}

	for _, d := range b.spec.Dists {
		if err := b.installScripts(bin, d); err != nil {
			return err
		}
		inc := filepath.Join(b.work, "include", "site", in.libName(), d.Project)
		if err := b.linkFiles(filepath.Join(d.Dir, "headers"), inc, layout.SchemeHeaders, d.Wheel); err != nil {
			return err
		}
		if err := b.linkFiles(filepath.Join(d.Dir, "data"), b.work, layout.SchemeData, d.Wheel); err != nil {
			return err
		}
	}
	return nil
}

// WriteNew creates the file path holding data. It fails if anything
// exists at path (a file, a link into a tree, a dangling symlink), so it
// never writes through a link: the one way files are written into an
// environment.
func WriteNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (b *builder) writeConfig() error {
	in := b.spec.Interpreter
	system := "false"
	var cfg bytes.Buffer
	fmt.Fprintf(&cfg, "home = %s\n", filepath.Dir(in.Python))
	fmt.Fprintf(&cfg, "include-system-site-packages = %s\n", system)
	fmt.Fprintf(&cfg, "version = %s\n", in.Version)
	fmt.Fprintf(&cfg, "executable = %s\n", in.Python)
	return WriteNew(filepath.Join(b.work, layout.EnvConfig), cfg.Bytes(), 0o644)
}

// writeInherit writes the .pth file and module that make the
// interpreter's own packages visible: after the application's (fallback) or
// before them (prefer). site.py runs the .pth file's import line while it
// adds site-packages, so this covers subprocesses started with
// sys.executable too.
func (b *builder) writeInherit(sp string) error {
	switch b.spec.Inherit {
	case "", layout.InheritFalse:
		return nil
	case layout.InheritPrefer, layout.InheritFallback:
	default:
		return fmt.Errorf("%w: inherit_path %q", ErrInvalid, b.spec.Inherit)
	}
	module := strings.NewReplacer(
		"{{mode}}", pyStr(b.spec.Inherit),
		"{{system}}", map[bool]string{true: "True", false: "False"}[b.spec.InheritSystem],
		"{{extra}}", pyStr(append([]string{}, b.spec.InheritDirs...)),
	).Replace(inheritModule)
	if err := WriteNew(filepath.Join(sp, InheritModule+".py"), []byte(module), 0o644); err != nil {
		return err
	}
	return WriteNew(filepath.Join(sp, InheritPth), []byte("import "+InheritModule+"\n"), 0o644)
}

// inheritModule adds the base interpreter's site directories (and extra
// ones) to sys.path, processing their .pth files; for "prefer" it moves
// them before the environment's own site-packages.
const inheritModule = `"""Generated by rules_pex: the interpreter's packages are visible (inherit_path)."""
import os
import site
import sys


def _inherit(mode, system, extra):
    own = os.path.dirname(os.path.abspath(__file__))
    n = len(sys.path)
    dirs = site.getsitepackages([sys.base_prefix]) if system else []
    for d in dirs + extra:
        site.addsitedir(d)
    if mode == "prefer":
        added = sys.path[n:]
        del sys.path[n:]
        i = sys.path.index(own) if own in sys.path else n
        sys.path[i:i] = added


_inherit({{mode}}, {{system}}, {{extra}})
`

// merge populates dst (an existing real directory) with the union of the
// directories srcs, first provider first.
func (b *builder) merge(dst string, srcs []string) error {
	type provider struct {
		dir   string
		isDir bool
	}
	providers := map[string][]provider{}
	var names []string
	for _, src := range srcs {
		entries, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range entries {
			name := e.Name()
			if name == "__pycache__" {
				// Bytecode belongs next to the sources that import it.
				continue
			}
			t := e.Type()
			if t&fs.ModeSymlink != 0 || !(t.IsDir() || t.IsRegular()) {
				return fmt.Errorf("%s: not a regular file or directory", filepath.Join(src, name))
			}
			if _, seen := providers[name]; !seen {
				names = append(names, name)
			}
			providers[name] = append(providers[name], provider{src, t.IsDir()})
		}
	}
	sort.Strings(names)
	for _, name := range names {
		ps := providers[name]
		target := filepath.Join(dst, name)
		first := ps[0]
		if dst == b.sp {
			if why, reserved := layout.ReservedEnvPath(layout.SchemeSitePackages, name); reserved {
				for _, p := range ps {
					b.skipReserved(target, b.origin(p.dir), why)
				}
				continue
			}
		}
		if !first.isDir {
			if len(ps) > 1 {
				b.collision(target, ps[0].dir, len(ps))
			}
			if err := b.placeFile(filepath.Join(first.dir, name), target); err != nil {
				if os.IsExist(err) {
					b.skip(target, b.origin(first.dir))
					continue
				}
				return err
			}
			if err := b.placeShippedPycs(first.dir, dst, name); err != nil {
				return err
			}
			continue
		}
		var dirs []string
		for _, p := range ps {
			if p.isDir {
				dirs = append(dirs, filepath.Join(p.dir, name))
			}
		}
		if len(dirs) != len(ps) {
			b.collision(target, first.dir, len(ps))
		}
		if len(dirs) == 1 && !b.spec.Copy {
			if err := b.symlinkTo(dirs[0], target); err != nil {
				return err
			}
			continue
		}
		if err := os.Mkdir(target, 0o755); err != nil {
			return err
		}
		if err := b.merge(target, dirs); err != nil {
			return err
		}
	}
	return nil
}

// placeShippedPycs hard-links the bytecode a tree ships for the source
// name of its directory src (read-only .pyc files in src/__pycache__,
// extracted from the archive) into dst/__pycache__, where the import system
// looks for the bytecode of the hard link dst/name: so the source's shipped
// bytecode is used, and the launcher's byte-compiler finds it there and
// leaves it alone. Bytecode the byte-compiler wrote (writable) is not
// linked, nor is any in Copy mode: a standalone environment may be edited,
// and unchecked-hash bytecode would not notice.
func (b *builder) placeShippedPycs(src, dst, name string) error {
	stem, ok := strings.CutSuffix(name, ".py")
	if !ok || b.spec.Copy {
		return nil
	}
	cache := filepath.Join(src, "__pycache__")
	matches, _ := filepath.Glob(filepath.Join(globEscape(cache), globEscape(stem)+".*.pyc"))
	for _, pyc := range matches {
		tag := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(pyc), stem+"."), ".pyc")
		if strings.Contains(tag, ".") { // another module's (stem.x.TAG.pyc) or an -O one
			continue
		}
		fi, err := os.Lstat(pyc)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o200 != 0 {
			continue
		}
		dir := filepath.Join(dst, "__pycache__")
		if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
			return err
		}
		if err := os.Link(pyc, filepath.Join(dir, filepath.Base(pyc))); err != nil && !os.IsExist(err) {
			continue // another file system: compiled for the environment instead
		}
	}
	return nil
}

func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`).Replace(s)
}

// origin names the tree that the directory dir (a merge source, or a
// directory inside one) belongs to.
func (b *builder) origin(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if what, ok := b.from[d]; ok {
			return what
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

func (b *builder) collision(target, winner string, n int) {
	rel, _ := filepath.Rel(b.work, target)
	b.res.Collisions = append(b.res.Collisions, fmt.Sprintf("%s is provided by %d trees; using %s", rel, n, winner))
}

// symlinkTo makes at a relative symlink to the directory target, relative
// to at's final location so that it stays valid after the rename.
func (b *builder) symlinkTo(target, at string) error {
	rel, err := filepath.Rel(filepath.Dir(b.final(at)), target)
	if err != nil {
		rel = target
	}
	return os.Symlink(rel, at)
}

// placeFile puts the file src at dst: a hard link, or a symlink where hard
// links are impossible (another file system, or a file system without
// them), or a copy in Copy mode.
func (b *builder) placeFile(src, dst string) error {
	if b.spec.Copy {
		return copyFile(src, dst, 0)
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return b.symlinkTo(src, dst)
}

// linkFiles places every file under srcDir (the tree's directory of
// scheme) at the same relative path under dstDir, creating real
// directories. It never writes through a symlink the environment holds
// (which would write into a shared tree): files whose path is taken, and
// files that claim a name the launcher owns, are skipped and reported.
func (b *builder) linkFiles(srcDir, dstDir, scheme, wheel string) error {
	if !isDir(srcDir) {
		return nil
	}
	return filepath.WalkDir(srcDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(srcDir, p)
		target := filepath.Join(dstDir, rel)
		if p != srcDir {
			// A directory is skipped when every file in it would be.
			what := filepath.ToSlash(rel)
			if d.IsDir() {
				what += "/"
			}
			if why, reserved := layout.ReservedEnvPath(scheme, what); reserved {
				b.skipReserved(target, wheel, why)
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s: unexpected symlink in an extracted tree", p)
		case d.IsDir():
			fi, err := os.Lstat(target)
			if err == nil {
				if !fi.IsDir() {
					b.skip(target, wheel)
					return fs.SkipDir
				}
				return nil
			}
			if p == srcDir {
				return os.MkdirAll(target, 0o755)
			}
			return os.Mkdir(target, 0o755)
		}
		if _, err := os.Lstat(target); err == nil {
			b.skip(target, wheel)
			return nil
		}
		if err := b.placeFile(p, target); err != nil {
			if os.IsExist(err) {
				b.skip(target, wheel)
				return nil
			}
			return err
		}
		return nil
	})
}

func (b *builder) skip(target, wheel string) {
	rel, _ := filepath.Rel(b.work, target)
	b.res.Collisions = append(b.res.Collisions, fmt.Sprintf("%s of %s is already provided; skipped", rel, wheel))
}

// skipReserved reports a tree's file that claims a name the launcher owns.
func (b *builder) skipReserved(target, wheel, why string) {
	rel, _ := filepath.Rel(b.work, target)
	b.res.Collisions = append(b.res.Collisions, fmt.Sprintf("%s of %s is reserved (%s); skipped", rel, wheel, why))
}

// installScripts writes the console scripts of d and places its scripts in
// bin, rewriting the "#!python" first line of scripts as installers do.
func (b *builder) installScripts(bin string, d Dist) error {
	shebang := b.shebang()
	names := make([]string, 0, len(d.ConsoleScripts))
	for n := range d.ConsoleScripts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := checkScriptName(name); err != nil {
			return fmt.Errorf("console script of %s: %w", d.Wheel, err)
		}
		body, err := consoleScript(d.ConsoleScripts[name])
		if err != nil {
			return fmt.Errorf("console script %s of %s: %w", name, d.Wheel, err)
		}
		target := filepath.Join(bin, name)
		if why, reserved := layout.ReservedEnvPath(layout.SchemeScripts, name); reserved {
			b.skipReserved(target, d.Wheel, why) // and left out of the bootstrap's list
			continue
		}
		if err := WriteNew(target, []byte(shebang+body), 0o755); err != nil {
			if os.IsExist(err) {
				b.skip(target, d.Wheel)
				continue
			}
			return err
		}
	}
	for _, name := range d.Scripts {
		if err := checkScriptName(name); err != nil {
			return fmt.Errorf("script of %s: %w", d.Wheel, err)
		}
		src := filepath.Join(d.Dir, "scripts", name)
		target := filepath.Join(bin, name)
		if why, reserved := layout.ReservedEnvPath(layout.SchemeScripts, name); reserved {
			b.skipReserved(target, d.Wheel, why)
			continue
		}
		if err := b.installScript(src, target, shebang); err != nil {
			if os.IsExist(err) {
				b.skip(target, d.Wheel)
				continue
			}
			return fmt.Errorf("installing script %s of %s: %w", name, d.Wheel, err)
		}
	}
	return nil
}

func checkScriptName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") {
		return fmt.Errorf("%w: script name %q", ErrInvalid, name)
	}
	return nil
}

// isPythonShebang reports whether line is a first line installers rewrite
// (PEP 427): "#!python" or "#!pythonw", alone or followed by arguments.
func isPythonShebang(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("#!python"))
	if !ok {
		return false
	}
	rest = bytes.TrimPrefix(rest, []byte("w"))
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t'
}

func (b *builder) installScript(src, dst, shebang string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return err
	}
	head = head[:n]
	line, _, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	if !isPythonShebang(line) {
		f.Close()
		return b.placeFile(src, dst)
	}
	if _, err := f.Seek(int64(len(line)), io.SeekStart); err != nil {
		return err
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(string(line), "#!pythonw"), "#!python")
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	first := shebang
	if rest != "" && !strings.HasPrefix(shebang, "#!/bin/sh") {
		first = strings.TrimSuffix(shebang, "\n") + rest + "\n"
	}
	if _, err := io.WriteString(out, strings.TrimSuffix(first, "\n")); err != nil {
		out.Close()
		return err
	}
	if _, err := io.Copy(out, f); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// shebang returns the first line(s) of scripts run by the environment's
// python. Kernels limit the #! line (127 bytes on older Linux) and split it
// at spaces, so long paths or paths with spaces go through /bin/sh, the way
// pip's launchers do.
func (b *builder) shebang() string {
	py := Python(b.spec.Dir)
	if len(py)+2 <= 127 && !strings.ContainsAny(py, " \t") {
		return "#!" + py + "\n"
	}
	return "#!/bin/sh\n'''exec' " + shQuote(py) + " \"$0\" \"$@\"\n' '''\n"
}

func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// consoleScript returns the body of a console script for a "module:attr"
// target (layout.ParseEntryPoint; the manifest holds targets without
// extras).
func consoleScript(target string) (string, error) {
	ep, err := layout.ParseEntryPoint(target)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if ep.Func == "" {
		return "# -*- coding: utf-8 -*-\nimport runpy\nrunpy.run_module(" + pyStr(ep.Module) +
			", run_name=\"__main__\", alter_sys=True)\n", nil
	}
	head, _, _ := strings.Cut(ep.Func, ".")
	return "# -*- coding: utf-8 -*-\nimport sys\nfrom " + ep.Module + " import " + head + "\n" +
		"if __name__ == \"__main__\":\n    sys.exit(" + ep.Func + "())\n", nil
}

// pyStr renders v (strings, lists and maps of strings) as a Python literal.
func pyStr(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Unreachable for the strings, slices and maps of strings passed.
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// copyFile copies src to dst, keeping the executable bit.
func copyFile(src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if perm == 0 {
		fi, err := in.Stat()
		if err != nil {
			return err
		}
		perm = 0o644
		if fi.Mode()&0o111 != 0 {
			perm = 0o755
		}
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
