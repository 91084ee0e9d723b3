package pack

import (
	"sort"

	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/pep508"
)

// checkRequirements parses the root requirements and checks that every
// root, and every unconditional dependency of every wheel, can be met by
// the given wheels. Dependencies under an environment marker are decided by
// the launcher on the host. It returns the manifest's requirement list.
func checkRequirements(reqs []string, dists []*dist, t *terms, ps *Problems) []string {
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
		case !present && t.bazel():
			ps.addf("root requirement %q: no packed wheel is of project %s; add a target with a wheel of it to deps", s, pep508.NormalizeName(r.Name))
		case !present:
			ps.addf("--requirement %q: no --wheel of project %s was given", s, pep508.NormalizeName(r.Name))
		case !ok:
			ps.addf("%s: no %s wheel of %s has a version in %s", t.setting("root requirement", "--requirement", s), t.attr("packed", "given"), pep508.NormalizeName(r.Name), r.Specifier)
		}
		out = append(out, r.String())
	}
	for _, d := range dists {
		for _, s := range d.s.RequiresDist {
			r, err := pep508.ParseRequirement(s)
			if err != nil {
				ps.addf("%s: METADATA Requires-Dist %q: %v", t.wheel(d), s, err)
				continue
			}
			if r.Marker != nil {
				continue // decided on the host, where the marker can be evaluated
			}
			present, ok := satisfiable(r)
			if ok {
				continue
			}
			name := pep508.NormalizeName(r.Name)
			switch {
			case !present && t.bazel():
				ps.addf("%s requires %q, which no packed wheel provides: %s", t.project(d), s, t.addWheel(name, d))
			case !present:
				ps.addf("--wheel %s: %s requires %q but no wheel of %s was given; add it with --wheel", d.path, d.s.Project, s, name)
			case t.bazel():
				ps.addf("%s requires %q, but no packed wheel of %s has a matching version: depend on a target with one that has", t.project(d), s, name)
			default:
				ps.addf("--wheel %s: %s requires %q but no given wheel of %s has a matching version", d.path, d.s.Project, s, name)
			}
		}
	}
	return sortedUnique(out)
}
