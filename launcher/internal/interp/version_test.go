package interp

import (
	"context"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/activate"
	"github.com/rules-pex/rules_pex/internal/constraint"
	"github.com/rules-pex/rules_pex/internal/layout"
)

// TestPrereleaseAndDevelopmentBuilds judges interpreters reporting
// 3.13.0rc1 and a development build's "3.11.2+" (platform.python_version()
// of any untagged CPython): both are valid, constraints and Requires-Python
// see their release (as pex and pip do), and markers on python_full_version
// evaluate as packaging >= 24.1 evaluates them.
func TestPrereleaseAndDevelopmentBuilds(t *testing.T) {
	requireFile(t, cpython)
	real := (&ProbeCache{}).Probe(context.Background(), cpython, FileID{})
	if real.Info == nil {
		t.Fatalf("probe of %s: %v", cpython, real.Err)
	}
	as := func(full string) Candidate {
		info := *real.Info
		info.Markers = info.MarkerEnv()
		info.Markers["python_full_version"] = full
		info.Markers["python_version"] = strings.Join(strings.Split(full, ".")[:2], ".")
		return Candidate{Path: cpython, Info: &info}
	}
	pure := []string{"py3-none-any"}
	manifest := func(d layout.Distribution) *activate.Set {
		d.Project, d.Version, d.Tags = "a", "1.0", pure
		d.SHA256, d.TreeHash = strings.Repeat("a", 64), strings.Repeat("b", 64)
		set, err := activate.New(&layout.Manifest{Requirements: []string{"a"}, Distributions: map[string]layout.Distribution{"a-1.0-py3-none-any.whl": d}})
		if err != nil {
			t.Fatal(err)
		}
		return set
	}
	// The marker holds (and asks for a distribution the archive lacks)
	// if python_full_version is compared as a string: "3.11.2+" < "3.9".
	marker := manifest(layout.Distribution{WheelInfo: layout.WheelInfo{RequiresDist: []string{`missing; python_full_version < "3.9"`}}})
	requires313 := manifest(layout.Distribution{WheelInfo: layout.WheelInfo{RequiresPython: ">=3.13"}})
	for _, tc := range []struct {
		full, constraint string
		dists            *activate.Set
		reason           string // "" when accepted
	}{
		{"3.13.0rc1", ">=3.13", nil, ""},
		{"3.13.0rc1", "CPython==3.13.*", nil, ""},
		{"3.13.0rc1", "<3.13", nil, "does not match"},
		{"3.11.2+", ">=3.11.2,<3.12", nil, ""},
		{"3.11.2+", ">3.11.2", nil, "does not match"},
		{"3.11.2+", "", marker, ""},
		{"3.13.0rc1", "", marker, ""},
		{"3.13.0rc1", "", requires313, ""}, // its release 3.13.0 satisfies Requires-Python
		{"3.11.2+", "", requires313, "requires Python >=3.13"},
	} {
		var cs []string
		if tc.constraint != "" {
			cs = []string{tc.constraint}
		}
		set, err := constraint.ParseAll(cs)
		if err != nil {
			t.Fatal(err)
		}
		v := Judge([]Candidate{as(tc.full)}, Requirements{Constraints: set, Dists: tc.dists})[0]
		switch {
		case tc.reason == "" && !v.Accepted:
			t.Errorf("%s with %q: rejected: %s", tc.full, tc.constraint, v.Reason)
		case tc.reason != "" && (v.Accepted || !strings.Contains(v.Reason, tc.reason)):
			t.Errorf("%s with %q: accepted %v, reason %q, want %q", tc.full, tc.constraint, v.Accepted, v.Reason, tc.reason)
		}
	}
}
