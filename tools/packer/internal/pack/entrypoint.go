package pack

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/layout"
)

// checkEntry validates what the archive runs: at most one of the entry
// point, the script and the main file; an entry point whose module is
// packed (or in the standard library); a script some wheel has; a main file
// that is packed. With inherit_path prefer or fallback the interpreter's
// own packages are importable too, so the entry point's module is not
// looked for.
func checkEntry(o *Options, f flagValues, t *terms, srcs []*source, dists []*dist, ps *Problems) {
	n := 0
	for _, s := range []string{o.EntryPoint, o.Script, o.Main} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		ps.addf("give at most one of %s, %s and %s (got %d)", t.attr("entry_point", "--entry-point"), t.attr("script", "--script"), t.attr("main", "--main"), n)
	}
	if o.EntryPoint != "" {
		checkEntryPoint(o.EntryPoint, f.inherit == layout.InheritFalse, t, srcs, dists, ps)
	}
	if o.Main != "" {
		found := false
		for _, s := range srcs {
			found = found || s.dest == o.Main
		}
		if !found && t.bazel() {
			ps.addf("main %q is not packed: no source has that path in the archive; name a file of srcs (or of a py_library in deps)", o.Main)
		} else if !found {
			ps.addf("--main %q: no --source has that destination", o.Main)
		}
	}
	if o.Script != "" {
		checkScript(o.Script, t, dists, ps)
	}
}

// checkScript checks that a wheel has the script, listing those they have,
// the nearest first.
func checkScript(script string, t *terms, dists []*dist, ps *Problems) {
	var known []string
	for _, d := range dists {
		for name := range d.s.ConsoleScripts {
			if name == script {
				return
			}
			known = append(known, name)
		}
		for _, f := range d.s.Files {
			if f.Scheme == layout.SchemeScripts {
				if f.Path == script {
					return
				}
				known = append(known, f.Path)
			}
		}
	}
	list := "the packed wheels have none"
	if len(known) > 0 {
		list = "the packed wheels have: " + strings.Join(byNearest(script, known), ", ")
	}
	if !t.bazel() {
		ps.addf("--script %q: no given wheel has a console script or script of that name (%s)", script, list)
		return
	}
	hint := ""
	if near := nearest(script, known); len(near) > 0 {
		hint = fmt.Sprintf("; did you mean script = %q?", near[0])
	}
	ps.addf("script %q: no packed wheel has a console script or .data/scripts file of that name%s (%s); add the wheel that has it to deps, or use entry_point", script, hint, list)
}

// checkEntryPoint checks the syntax of an entry point and, if lookup, that
// its module is packed.
func checkEntryPoint(value string, lookup bool, t *terms, srcs []*source, dists []*dist, ps *Problems) {
	name := t.attr("entry_point", "--entry-point")
	if fixed, ok := fileEntryPoint(value); ok {
		write := fmt.Sprintf("entry_point = %q", fixed)
		if !t.bazel() {
			write = "--entry-point " + fixed
		}
		ps.addf("%s %q names a file, but an entry point names a module (MODULE or MODULE:FUNCTION, dotted, without .py): write %s", name, value, write)
		return
	}
	ep, err := layout.ParseEntryPoint(value)
	if err != nil {
		ps.addf("%s %q: %v; want MODULE or MODULE:FUNCTION, with dotted Python identifiers (e.g. app.main or app.main:run)", name, value, err)
		return
	}
	if !lookup {
		return
	}
	ix := newModuleIndex(srcs, dists)
	parts := strings.Split(ep.Module, ".")
	top, fromSources := ix.top[parts[0]]
	if !fromSources && stdlibModules[parts[0]] {
		return
	}
	if !fromSources {
		if _, inWheel := ix.wheelTop[parts[0]]; inWheel {
			// A wheel's modules below the top level may be made at run
			// time (six.moves): only the top level is checked.
			return
		}
	}
	if top == "" && !fromSources {
		// Not at the top level of anything packed.
		var candidates []string
		for m := range ix.top {
			candidates = append(candidates, m)
		}
		for m := range ix.wheelTop {
			candidates = append(candidates, m)
		}
		ps.add(t, fmt.Sprintf("%s %q: no packed source or wheel has a top-level module or package %s, and the standard library has none", name, value, parts[0]), parts[0], ep, 0, candidates)
		return
	}
	// The top level is a source module or package: every level must be.
	dir := ""
	for i, part := range parts {
		names := ix.children(dir)
		kind, ok := names[part]
		if !ok {
			var candidates []string
			for m := range names {
				candidates = append(candidates, m)
			}
			where := "package " + strings.Join(parts[:i], ".")
			ps.add(t, fmt.Sprintf("%s %q: %s (packed from the sources) has no module %s", name, value, where, part), part, ep, i, candidates)
			return
		}
		if kind == moduleFile && i < len(parts)-1 {
			ps.addf("%s %q: %s is a module, not a package, so it has no module %s; name the module that defines the function", name, value, strings.Join(parts[:i+1], "."), parts[i+1])
			return
		}
		dir += part + "/"
	}
}

// add records a missing module, suggesting the nearest candidate in place
// of parts[i] and listing a few others.
func (ps *Problems) add(t *terms, msg, missing string, ep layout.EntryPoint, i int, candidates []string) {
	if near := nearest(missing, candidates); len(near) > 0 {
		parts := strings.Split(ep.Module, ".")
		parts[i] = near[0]
		fixed := layout.EntryPoint{Module: strings.Join(parts, "."), Func: ep.Func}.String()
		if t.bazel() {
			msg += fmt.Sprintf("; did you mean entry_point = %q?", fixed)
		} else {
			msg += fmt.Sprintf("; did you mean %s?", fixed)
		}
	}
	if len(candidates) > 0 {
		list := byNearest(missing, candidates)
		more := ""
		if len(list) > 10 {
			more = fmt.Sprintf(", and %d more", len(list)-10)
			list = list[:10]
		}
		msg += fmt.Sprintf(" (packed: %s%s)", strings.Join(list, ", "), more)
	}
	*ps = append(*ps, msg)
}

// fileEntryPoint recognizes an entry point written as a file ("tool.py:main",
// "app/main.py") and returns it as a module ("tool:main", "app.main").
func fileEntryPoint(value string) (string, bool) {
	mod, fn, hasFn := strings.Cut(value, ":")
	if !strings.HasSuffix(mod, ".py") && !strings.Contains(mod, "/") {
		return "", false
	}
	mod = strings.TrimSuffix(strings.Trim(mod, "/"), ".py")
	mod = strings.TrimSuffix(strings.TrimPrefix(mod, "./"), "/__init__")
	mod = strings.ReplaceAll(mod, "/", ".")
	if hasFn {
		mod += ":" + fn
	}
	return mod, true
}

// moduleKind tells a module file from a package (a directory: regular or
// namespace).
type moduleKind int

const (
	moduleFile moduleKind = iota + 1
	modulePackage
)

// moduleIndex knows the importable names of the packed files: the code
// tree (sources) and the site-packages files of the wheels, which the
// launcher puts in one site-packages.
type moduleIndex struct {
	files    []string          // site-packages-relative paths, sources and wheels
	top      map[string]string // top-level names of the sources -> a file providing it
	wheelTop map[string]string // top-level names of the wheels -> a wheel file name
	cache    map[string]map[string]moduleKind
}

func newModuleIndex(srcs []*source, dists []*dist) *moduleIndex {
	ix := &moduleIndex{top: map[string]string{}, wheelTop: map[string]string{}, cache: map[string]map[string]moduleKind{}}
	for _, s := range srcs {
		ix.files = append(ix.files, s.dest)
		if m, _, ok := moduleName(s.dest); ok {
			ix.top[m] = s.dest
		}
	}
	for _, d := range dists {
		for _, f := range d.s.Files {
			if f.Scheme != layout.SchemeSitePackages {
				continue
			}
			ix.files = append(ix.files, f.Path)
			if m, _, ok := moduleName(f.Path); ok {
				ix.wheelTop[m] = d.s.File
			}
		}
	}
	sort.Strings(ix.files)
	return ix
}

// children returns the modules and packages directly in dir ("" or
// "pkg/sub/").
func (ix *moduleIndex) children(dir string) map[string]moduleKind {
	if c, ok := ix.cache[dir]; ok {
		return c
	}
	c := map[string]moduleKind{}
	for _, f := range ix.files {
		rest, ok := strings.CutPrefix(f, dir)
		if !ok {
			continue
		}
		if m, kind, ok := moduleName(rest); ok && c[m] != modulePackage {
			c[m] = kind
		}
	}
	ix.cache[dir] = c
	return c
}

// moduleName returns the top-level module or package that the file at rel
// makes importable, if any: "app/x.py" -> package app, "tool.py" -> module
// tool, "_speedups.cpython-311-x86_64-linux-gnu.so" -> module _speedups.
// Metadata directories (.dist-info, .data), __pycache__ and names that are
// not identifiers provide none.
func moduleName(rel string) (string, moduleKind, bool) {
	first, _, isDir := strings.Cut(rel, "/")
	if isDir {
		if !layout.IsIdentifier(first) {
			return "", 0, false
		}
		return first, modulePackage, true
	}
	var name string
	switch {
	case strings.HasSuffix(first, ".py"):
		name = strings.TrimSuffix(first, ".py")
	case strings.HasSuffix(first, ".so"), strings.HasSuffix(first, ".pyd"), strings.HasSuffix(first, ".pyc"):
		name, _, _ = strings.Cut(first, ".")
	default:
		return "", 0, false
	}
	if !layout.IsIdentifier(name) {
		return "", 0, false
	}
	return name, moduleFile, true
}
