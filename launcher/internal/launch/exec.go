package launch

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/venv"
)

// execPlan runs the application in the plan's environment. It returns an
// error wrapping errStale if the environment is gone or its python cannot
// be executed (the caller plans again, rebuilding it), or the exec error.
func (l *launcher) execPlan(p *Plan) error {
	// The use lock is inside the environment, which is renamed into place
	// whole: if the lock exists, so does the complete environment.
	lock, err := cache.AcquireExisting(cache.UseLockPath(p.Venv), false)
	if err != nil {
		l.log.printf("environment %s: %v", p.Venv, err)
		return errStale
	}
	// Record the use for pruning; a read-only cache just does not record.
	lock.Touch()
	l.maybeCompile(p)
	// The exec'ed process keeps the shared lock until it exits, so pruning
	// never removes an environment in use.
	if _, err := lock.Inherit(); err != nil {
		l.log.printf("cannot keep the environment's lock across exec: %v", err)
	}
	argv, env := l.command(p)
	l.log.printf("exec %s", strings.Join(argv, " "))
	err = execve(argv[0], argv, env)
	lock.Release()
	if damaged(err) {
		// bin/python is gone or broken: the environment is rebuilt.
		l.log.printf("environment %s: executing %s: %v", p.Venv, argv[0], err)
		return fmt.Errorf("%w: executing %s: %v", errStale, argv[0], err)
	}
	return fmt.Errorf("executing %s: %w", argv[0], err)
}

// Variables the launcher consumes: the application does not see them.
var consumed = []string{"PEX_INTERPRETER", "PEX_TOOLS", compileEnv, venv.ArgvEnv, layout.PythonOptionsEnv, layout.UniversalArchiveEnv}

// command returns the argv and environment that run the application.
func (l *launcher) command(p *Plan) ([]string, []string) {
	interactive := truthy(l.getenv("PEX_INTERPRETER"))
	var argv []string
	if interactive {
		// Python's own command line: a REPL, -c, -m or a script.
		argv = append([]string{venv.Python(p.Venv)}, l.args...)
	} else {
		argv = append(venv.Command(p.Venv), l.args...)
	}
	if opts := l.getenv(layout.PythonOptionsEnv); opts != "" {
		// "python3 -X dev ARCHIVE": the archive's __main__.py passed them on.
		argv = slices.Insert(argv, 1, strings.Split(opts, "\n")...)
	}
	env := make([]string, 0, len(l.env)+len(p.Env)+2)
	for _, kv := range l.env {
		k, _, _ := strings.Cut(kv, "=")
		if k == "PEX" || slices.Contains(consumed, k) || interactive && (k == "PEX_MODULE" || k == "PEX_SCRIPT") {
			// The boot module removes PEX_MODULE and PEX_SCRIPT; no boot
			// module runs under PEX_INTERPRETER.
			continue
		}
		env = append(env, kv)
	}
	keys := make([]string, 0, len(p.Env))
	for k := range p.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// The application's env holds defaults: the caller's environment wins.
		if _, set := l.vars[k]; !set {
			env = append(env, k+"="+p.Env[k])
		}
	}
	env = append(env, "PEX="+l.exe)
	if !interactive {
		env = append(env, venv.ArgvEnv+"="+l.argv0)
	}
	return argv, env
}

// damaged reports whether an exec error means the environment's python is
// missing or unusable (rather than, say, an argument list too long).
func damaged(err error) bool {
	for _, e := range []error{syscall.ENOENT, syscall.ENOTDIR, syscall.ELOOP, syscall.EACCES, syscall.ENOEXEC} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
