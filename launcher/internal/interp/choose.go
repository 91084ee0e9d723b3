package interp

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/activate"
	"github.com/rules-pex/rules_pex/internal/constraint"
	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/pep508"
	"github.com/rules-pex/rules_pex/internal/tags"
)

// Verdict is the decision about one candidate.
type Verdict struct {
	Candidate
	// Implementation and Version are platform.python_implementation() and
	// the full Python version, when probing worked.
	Implementation string
	Version        string
	// Accepted reports that the candidate can run the application.
	Accepted bool
	// Reason says why it was rejected.
	Reason string
	// Wheels are the wheels it needs, when accepted.
	Wheels []activate.Wheel

	version pep440.Version
	order   int
}

// Requirements is what a candidate must satisfy.
type Requirements struct {
	Constraints constraint.Set
	Dists       *activate.Set
	// Oldest prefers the oldest accepted interpreter instead of the newest.
	Oldest bool
}

// Judge decides about each candidate.
func Judge(cands []Candidate, req Requirements) []Verdict {
	out := make([]Verdict, len(cands))
	for i, c := range cands {
		out[i] = judge(c, req)
		out[i].order = i
	}
	return out
}

func judge(c Candidate, req Requirements) Verdict {
	v := Verdict{Candidate: c}
	if c.NotRun {
		v.Reason = c.Err.Error()
		return v
	}
	if c.Info == nil {
		v.Reason = fmt.Sprintf("broken: %v", c.Err)
		return v
	}
	v.Implementation = c.Info.Markers["platform_python_implementation"]
	v.Version = c.Info.Markers["python_full_version"]
	ver, err := pep440.Parse(pep508.FullVersion(v.Version))
	if err != nil {
		v.Reason = fmt.Sprintf("reports an invalid version %q", v.Version)
		return v
	}
	v.version = ver
	if c.Info.VersionInfo.Major < 3 {
		v.Reason = "Python 2 cannot run rules_pex applications"
		return v
	}
	if !req.Constraints.Matches(v.Implementation, ver) {
		v.Reason = fmt.Sprintf("does not match the interpreter constraints %s", req.Constraints.String())
		return v
	}
	if req.Dists != nil {
		ws, err := req.Dists.Resolve(activate.Interpreter{
			Ranking: tags.NewRanking(tags.Supported(c.Info.Tags())),
			Markers: pep508.Environment(c.Info.MarkerEnv()),
			Version: ver.BaseVersion(),
		})
		if err != nil {
			v.Reason = err.Error()
			return v
		}
		v.Wheels = ws
	}
	v.Accepted = true
	return v
}

// Best returns the accepted verdict to use: the newest version (or the
// oldest), the earliest discovered among equals; nil if none is accepted.
func Best(vs []Verdict, oldest bool) *Verdict {
	var acc []*Verdict
	for i := range vs {
		if vs[i].Accepted {
			acc = append(acc, &vs[i])
		}
	}
	if len(acc) == 0 {
		return nil
	}
	sort.SliceStable(acc, func(i, j int) bool {
		c := acc[i].version.Compare(acc[j].version)
		if oldest {
			c = -c
		}
		if c != 0 {
			return c > 0
		}
		return acc[i].order < acc[j].order
	})
	return acc[0]
}

// NoInterpreterError is returned when no candidate is accepted.
type NoInterpreterError struct {
	Search      *Search
	Verdicts    []Verdict
	Constraints constraint.Set
}

func (e *NoInterpreterError) Error() string {
	var b strings.Builder
	b.WriteString("no compatible Python interpreter found")
	if len(e.Constraints) > 0 {
		fmt.Fprintf(&b, " (interpreter constraints: %s)", e.Constraints.String())
	}
	switch e.Search.Source {
	case FromPexPython:
		fmt.Fprintf(&b, "\nsearched PEX_PYTHON=%s", e.Search.Spec)
	case FromPexPythonPath:
		fmt.Fprintf(&b, "\nsearched PEX_PYTHON_PATH=%s", e.Search.Spec)
	default:
		fmt.Fprintf(&b, "\nsearched PATH=%s", e.Search.Spec)
	}
	if len(e.Verdicts) == 0 {
		b.WriteString("\nno interpreter found there (looked for python3.N, python3, python, pypy3.N, pypy3, pypy)")
	} else {
		b.WriteString("\ncandidates:")
		for _, v := range e.Verdicts {
			what := "?"
			if v.Info != nil {
				what = v.Implementation + " " + v.Version
			}
			fmt.Fprintf(&b, "\n  %s (%s): %s", v.Path, what, oneLine(v.Reason))
		}
	}
	b.WriteString("\nchoose the interpreter with PEX_PYTHON (a path or a name on PATH), or list interpreters or" +
		" directories in PEX_PYTHON_PATH (colon-separated); otherwise PATH is searched. PEX_VERBOSE=1 shows every decision.")
	return b.String()
}

// oneLine joins the non-blank lines of s (a broken interpreter's stderr)
// with " / ", so that the list keeps one line per candidate.
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " / ")
}
