package launch

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/rules-pex/rules_pex/launcher/internal/cache"
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

// command returns the argv and environment that run the application.
func (l *launcher) command(p *Plan) ([]string, []string) { return l.Exec(p) }

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
