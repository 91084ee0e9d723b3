package pack

import (
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/layout"
)

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
