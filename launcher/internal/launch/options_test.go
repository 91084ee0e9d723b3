package launch

import (
	"slices"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/launcher/internal/venv"
)

// TestCommandPythonOptions: options that "python3 -X dev ARCHIVE" was given
// reach the application's interpreter, before -c (or before Python's own
// command line with PEX_INTERPRETER), and the variable that carried them
// does not reach the application.
func TestCommandPythonOptions(t *testing.T) {
	p := &Plan{Venv: "/c/v1/venvs/k"}
	opts := layout.PythonOptionsEnv + "=-X\ndev\n-Werror::DeprecationWarning"
	l := testLauncher(t, []string{"/srv/app", "a"}, []string{opts})
	argv, env := l.command(p)
	want := append(append([]string{venv.Python(p.Venv), "-X", "dev", "-Werror::DeprecationWarning"}, venv.Command(p.Venv)[1:]...), "a")
	if !slices.Equal(argv, want) {
		t.Errorf("argv %q, want %q", argv, want)
	}
	if strings.Contains(strings.Join(env, "\n"), layout.PythonOptionsEnv) {
		t.Errorf("the application's environment has %s: %q", layout.PythonOptionsEnv, env)
	}
	l = testLauncher(t, []string{"/srv/app", "-c", "pass"}, []string{opts, "PEX_INTERPRETER=1"})
	if argv, _ := l.command(p); strings.Join(argv, " ") != venv.Python(p.Venv)+" -X dev -Werror::DeprecationWarning -c pass" {
		t.Errorf("interpreter mode: argv %q", argv)
	}
}
