package interp

import (
	"path/filepath"
	"testing"
)

// TestUnsetPathSearchesTheDefault: with PATH unset (`env -i ./app`) the
// launcher searches /usr/bin:/bin, as execvp and Python do, for
// candidates and for a PEX_PYTHON name.
func TestUnsetPathSearchesTheDefault(t *testing.T) {
	requireFile(t, cpython)
	for _, env := range []map[string]string{{}, {"PATH": ""}} {
		get := func(k string) string { return env[k] }
		s := Discover(get)
		if s.Source != FromPath || s.Spec != DefaultPath {
			t.Errorf("PATH %q: searched %s=%s", env["PATH"], s.Source, s.Spec)
		}
		found := false
		for _, c := range s.Candidates {
			found = found || c == cpython || c == filepath.Join("/bin", filepath.Base(cpython))
		}
		if !found {
			t.Errorf("PATH %q: candidates %v lack %s", env["PATH"], s.Candidates, cpython)
		}
		env["PEX_PYTHON"] = filepath.Base(cpython)
		if s := Discover(get); len(s.Candidates) != 1 || filepath.Base(s.Candidates[0]) != filepath.Base(cpython) {
			t.Errorf("PATH %q, PEX_PYTHON=%s: candidates %v", env["PATH"], env["PEX_PYTHON"], s.Candidates)
		}
	}
}
