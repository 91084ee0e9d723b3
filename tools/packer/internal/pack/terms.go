package pack

import (
	"fmt"
	"strings"
)

// terms words problems for whoever runs the packer. From Bazel (--label
// set), they name the target, its attributes and the labels that brought
// each input: "requests 2.28.1 (from @pypi//requests) requires idna, ...:
// add @pypi//idna to deps". From a command line, they name the flags.
type terms struct {
	label   string            // --label: the target being built, or ""
	rule    string            // --rule: its kind (pex_binary, pex_test)
	origins map[string]string // --origin: input path -> label that brought it
}

// newTerms parses the --label, --rule and --origin flags.
func newTerms(o *Options, ps *Problems) *terms {
	t := &terms{label: o.Label, rule: o.Rule, origins: map[string]string{}}
	if t.rule == "" {
		t.rule = "target"
	}
	for _, spec := range o.Origins {
		i := strings.LastIndexByte(spec, '=')
		if i <= 0 || i == len(spec)-1 {
			ps.addf("--origin %q: want PATH=LABEL", spec)
			continue
		}
		t.origins[spec[:i]] = spec[i+1:]
	}
	return t
}

// bazel reports whether problems speak of a Bazel target.
func (t *terms) bazel() bool { return t.label != "" }

// attr names an attribute of the target ("entry_point") or, from a command
// line, its flag ("--entry-point").
func (t *terms) attr(attr, flag string) string {
	if t.bazel() {
		return attr
	}
	return flag
}

// wheel names a wheel: "requests 2.28.1 (from @pypi//requests)" from
// Bazel, "--wheel PATH" from a command line.
func (t *terms) wheel(d *dist) string {
	if !t.bazel() {
		return "--wheel " + d.path
	}
	s := d.s.Project + " " + d.s.Version
	if l := t.origins[d.path]; l != "" {
		s += " (from " + l + ")"
	} else {
		s += " (" + d.s.File + ")"
	}
	return s
}

// input names an input file: the label that brought it from Bazel, when
// known, else its path.
func (t *terms) input(path string) string {
	if l := t.origins[path]; t.bazel() && l != "" {
		return l
	}
	return path
}

// wheelFile names a wheel by its file name, with the label that brought it
// from Bazel.
func (t *terms) wheelFile(d *dist) string {
	if l := t.origins[d.path]; t.bazel() && l != "" {
		return d.s.File + " (from " + l + ")"
	}
	return d.s.File
}

// project names a wheel's project and version, as wheel does; only used
// from Bazel, where messages name the label rather than the file.
func (t *terms) project(d *dist) string { return t.wheel(d) }

// setting names an attribute (or flag) with the value at fault:
// `inject_args "x"` from Bazel, `--inject-arg "x"` from a command line.
func (t *terms) setting(attr, flag, value string) string {
	return fmt.Sprintf("%s %q", t.attr(attr, flag), value)
}

// source names a --source: "main.py (from //app:lib, packed at app/main.py)"
// from Bazel, "--source DEST=PATH" from a command line.
func (t *terms) source(dest, path string) string {
	if !t.bazel() {
		return "--source " + dest + "=" + path
	}
	if l := t.origins[path]; l != "" {
		return fmt.Sprintf("%s (from %s, packed at %s)", path, l, dest)
	}
	return fmt.Sprintf("%s (packed at %s)", path, dest)
}

// addWheel says how to add a wheel of project, required by the wheel by:
// from Bazel, the label in the repository of the one that brought by when
// that one is a repository's project target (@pypi//requests: add
// @pypi//idna), else a pex_wheel of the project; from a command line,
// --wheel.
func (t *terms) addWheel(project string, by *dist) string {
	if !t.bazel() {
		return "add it with --wheel"
	}
	if repo, ok := projectRepo(t.origins[by.path]); ok {
		return fmt.Sprintf("add %s//%s to deps", repo, project)
	}
	return fmt.Sprintf("add a pex_wheel of %s (e.g. @pypi//%s) to deps", project, project)
}

// projectRepo returns the repository of a label of the form @REPO//NAME or
// @REPO//NAME:NAME (a wheel repository's project target), as a user writes
// it: a canonical @@...~pypi or @@...+pypi (Bzlmod) becomes @pypi.
func projectRepo(label string) (string, bool) {
	repo, target, ok := strings.Cut(label, "//")
	if !ok || !strings.HasPrefix(repo, "@") || repo == "@" || repo == "@@" || target == "" {
		return "", false
	}
	if pkg, name, colon := strings.Cut(target, ":"); colon && pkg != name {
		return "", false
	} else if strings.Contains(pkg, "/") {
		return "", false
	}
	if canonical, ok := strings.CutPrefix(repo, "@@"); ok {
		repo = "@" + canonical[strings.LastIndexAny(canonical, "~+")+1:]
	}
	return repo, true
}

// prefixed returns ps with the target named before each problem
// ("pex_binary //app:app: ..."), from Bazel; ps itself from a command line.
func (t *terms) prefixed(ps Problems) Problems {
	if !t.bazel() {
		return ps
	}
	out := make(Problems, len(ps))
	for i, p := range ps {
		out[i] = t.rule + " " + t.label + ": " + p
	}
	return out
}
