package layout

import (
	"strings"
	"testing"
)

func TestReservedEnvVar(t *testing.T) {
	for _, c := range []struct {
		key     string
		want    bool
		fixWord string
	}{
		{"PEX", true, "another name"},
		{"PEX_ROOT", true, "where the file runs"},
		{"PEX_VERBOSE", true, "where the file runs"},
		{"PEX_SOMETHING_NEW", true, "where the file runs"},
		{"PEX_INHERIT_PATH", true, "inherit_path"},
		{"PEX_MODULE", true, "entry_point"},
		{"PEX_SCRIPT", true, "script"},
		{"PEX_PYTHON", true, "interpreter_constraints"},
		{"__RULES_PEX_ARGV0", true, "another name"},
		{"__RULES_PEX_ANYTHING", true, "another name"},
		{"PEXX", false, ""},
		{"pex_root", false, ""},
		{"APP_PEX_ROOT", false, ""},
		{"_RULES_PEX_X", false, ""},
		{"PATH", false, ""},
		{"PYTHONPATH", false, ""},
	} {
		reason, fix, got := ReservedEnvVar(c.key)
		if got != c.want || got && (reason == "" || !strings.Contains(fix, c.fixWord)) {
			t.Errorf("ReservedEnvVar(%q) = %q, %q, %v; want %v with a fix mentioning %q", c.key, reason, fix, got, c.want, c.fixWord)
		}
	}
}

// TestLauncherVariablesAreReserved: every variable the launcher reads or
// passes to the application's boot module is one an archive's env may not
// set, so a value there is never silently ignored.
func TestLauncherVariablesAreReserved(t *testing.T) {
	for _, k := range []string{"PEX_ROOT", "PEX_PYTHON", "PEX_PYTHON_PATH", "PEX_INHERIT_PATH", "PEX_MODULE", "PEX_SCRIPT",
		"PEX_INTERPRETER", "PEX_VERBOSE", "PEX_TOOLS", "PEX_PROBE_TIMEOUT", PythonOptionsEnv} {
		if _, _, ok := ReservedEnvVar(k); !ok {
			t.Errorf("%s is read by the launcher but an archive's env may set it", k)
		}
	}
}
