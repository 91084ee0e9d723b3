// Package activate decides which of an archive's wheels an interpreter
// needs: it walks the root requirements and the Requires-Dist of the chosen
// wheels, evaluating environment markers (with extras) for the interpreter,
// and for each project needed takes the best-ranked wheel whose tags the
// interpreter supports and whose Requires-Python it satisfies. When that is
// impossible it says why, in words a user can act on.
package activate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/pep508"
	"github.com/rules-pex/rules_pex/internal/tags"
)

// Interpreter is what activation needs to know about an interpreter.
type Interpreter struct {
	// Ranking ranks the tags the interpreter supports.
	Ranking tags.Ranking
	// Markers is its PEP 508 marker environment.
	Markers pep508.Environment
	// Version is its Python release (sys.version_info[:3]: 3.13.0 for
	// 3.13.0rc1), which Requires-Python is matched against, as pip does.
	Version pep440.Version
}

// Set is an archive's distributions and requirements, parsed once and
// resolved for any number of interpreters.
type Set struct {
	roots    []pep508.Requirement
	projects map[string][]*wheel // by normalized project name
}

type wheel struct {
	file           string
	dist           layout.Distribution
	version        pep440.Version
	tags           []tags.Tag
	requiresPython pep440.SpecifierSet
	requiresDist   []pep508.Requirement
}

// New parses the requirements, tags and specifiers of a manifest. Errors
// mean the archive itself is invalid. Without root requirements every
// project the archive carries is required.
func New(m *layout.Manifest) (*Set, error) {
	s := &Set{projects: map[string][]*wheel{}}
	files := make([]string, 0, len(m.Distributions))
	for f := range m.Distributions {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		d := m.Distributions[f]
		w := &wheel{file: f, dist: d}
		v, err := pep440.Parse(d.Version)
		if err != nil {
			return nil, fmt.Errorf("distribution %s: %w", f, err)
		}
		w.version = v
		for _, t := range d.Tags {
			ts, err := tags.ParseSet(t)
			if err != nil {
				return nil, fmt.Errorf("distribution %s: %w", f, err)
			}
			w.tags = append(w.tags, ts...)
		}
		if d.RequiresPython != "" {
			if w.requiresPython, err = pep440.ParseSpecifierSet(d.RequiresPython); err != nil {
				return nil, fmt.Errorf("distribution %s: Requires-Python: %w", f, err)
			}
		}
		for _, r := range d.RequiresDist {
			req, err := pep508.ParseRequirement(r)
			if err != nil {
				return nil, fmt.Errorf("distribution %s: Requires-Dist: %w", f, err)
			}
			w.requiresDist = append(w.requiresDist, req)
		}
		name := pep508.NormalizeName(d.Project)
		s.projects[name] = append(s.projects[name], w)
	}
	for _, r := range m.Requirements {
		req, err := pep508.ParseRequirement(r)
		if err != nil {
			return nil, fmt.Errorf("requirement: %w", err)
		}
		s.roots = append(s.roots, req)
	}
	if len(m.Requirements) == 0 {
		names := make([]string, 0, len(s.projects))
		for n := range s.projects {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			s.roots = append(s.roots, pep508.Requirement{Name: n})
		}
	}
	return s, nil
}

// Wheel is a chosen wheel.
type Wheel struct {
	// File is the wheel file name (the key in the manifest).
	File string
	// Dist is its manifest entry.
	Dist layout.Distribution
	// Rank is the rank of its best tag for the interpreter (0 is best).
	Rank int
	// Extras are the extras requested of it.
	Extras []string
}

// Problem explains why an interpreter cannot run the application.
type Problem struct {
	// Project is the project that cannot be satisfied, if any.
	Project string
	// Reason is a sentence fragment: "no wheel of numpy matches ...".
	Reason string
}

func (p *Problem) Error() string { return p.Reason }

// Resolve returns the wheels the interpreter needs, sorted by file name, or
// the Problem that prevents it.
func (s *Set) Resolve(in Interpreter) ([]Wheel, error) {
	type item struct {
		req  pep508.Requirement
		from string
	}
	env := pep508.Environment(in.Markers)
	chosen := map[string]*wheel{}
	extras := map[string]map[string]bool{}
	var queue []item
	for _, r := range s.roots {
		queue = append(queue, item{r, "the application"})
	}
	// enqueueDeps adds the requirements of w that apply with the extras
	// in xs (and without extras when base is true).
	enqueueDeps := func(w *wheel, xs []string, base bool) error {
		for _, r := range w.requiresDist {
			ok, err := applies(r.Marker, env, xs, base)
			if err != nil {
				return &Problem{Project: w.dist.Project, Reason: fmt.Sprintf("cannot evaluate the marker of %s's requirement %q: %v", w.file, r.String(), err)}
			}
			if ok {
				queue = append(queue, item{r, w.dist.Project + " " + w.dist.Version})
			}
		}
		return nil
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if it.from == "the application" {
			ok, err := it.req.Marker.Evaluate(env)
			if err != nil {
				return nil, &Problem{Reason: fmt.Sprintf("cannot evaluate the marker of requirement %q: %v", it.req.String(), err)}
			}
			if !ok {
				continue
			}
		}
		name := pep508.NormalizeName(it.req.Name)
		w := chosen[name]
		if w == nil {
			var p *Problem
			w, p = s.best(name, in)
			if p != nil {
				p.Reason += fmt.Sprintf(" (required by %s: %s)", it.from, it.req.String())
				return nil, p
			}
			chosen[name] = w
			extras[name] = map[string]bool{}
			if err := enqueueDeps(w, nil, true); err != nil {
				return nil, err
			}
		}
		if !it.req.Specifier.ContainsPrerelease(w.version, true) {
			return nil, &Problem{Project: name, Reason: fmt.Sprintf("%s %s (the wheel %s) does not satisfy %q, required by %s",
				w.dist.Project, w.dist.Version, w.file, it.req.String(), it.from)}
		}
		var added []string
		for _, x := range it.req.Extras {
			x = pep508.NormalizeName(x)
			if !extras[name][x] {
				extras[name][x] = true
				added = append(added, x)
			}
		}
		if len(added) > 0 {
			if err := enqueueDeps(w, added, false); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Wheel, 0, len(chosen))
	for name, w := range chosen {
		rank, _ := in.Ranking.Best(w.tags)
		var xs []string
		for x := range extras[name] {
			xs = append(xs, x)
		}
		sort.Strings(xs)
		out = append(out, Wheel{File: w.file, Dist: w.dist, Rank: rank, Extras: xs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out, nil
}

// applies reports whether a requirement with marker m applies: without
// extras (when base is true) or with any of the extras xs.
func applies(m *pep508.Marker, env pep508.Environment, xs []string, base bool) (bool, error) {
	if base {
		return m.EvaluateExtras(env, nil)
	}
	if m == nil {
		return false, nil // already applied without extras
	}
	e := make(pep508.Environment, len(env)+1)
	for k, v := range env {
		e[k] = v
	}
	for _, x := range xs {
		e["extra"] = x
		ok, err := m.Evaluate(e)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// best returns the best wheel of a project for the interpreter: the lowest
// tag rank, then the highest version, then the first file name.
func (s *Set) best(name string, in Interpreter) (*wheel, *Problem) {
	ws := s.projects[name]
	if len(ws) == 0 {
		return nil, &Problem{Project: name, Reason: fmt.Sprintf("the archive has no wheel of %s", name)}
	}
	var best *wheel
	bestRank := 0
	var why []string
	for _, w := range ws {
		if !w.requiresPython.IsEmpty() && !w.requiresPython.ContainsPrerelease(in.Version, true) {
			why = append(why, fmt.Sprintf("%s requires Python %s", w.file, w.dist.RequiresPython))
			continue
		}
		rank, ok := in.Ranking.Best(w.tags)
		if !ok {
			why = append(why, fmt.Sprintf("%s has tags %s, none of which the interpreter supports", w.file, strings.Join(w.dist.Tags, ", ")))
			continue
		}
		if best == nil || rank < bestRank || rank == bestRank && best.version.Less(w.version) {
			best, bestRank = w, rank
		}
	}
	if best == nil {
		return nil, &Problem{Project: name, Reason: fmt.Sprintf("no compatible wheel of %s: %s", name, strings.Join(why, "; "))}
	}
	return best, nil
}
