// Command first is the first stage of the launcher: the program at the
// start of every archive built with a two-stage launcher (see
// internal/launcherfile). It does a warm start alone — reads the plan, checks
// with a few stats that nothing it depends on changed, takes the
// environment's shared lock and execs the application's python — and for
// anything else (no plan or a stale one, a damaged environment, bytecode not
// yet written, PEX_VERBOSE, PEX_TOOLS, PEX_MODULE, the byte-compiler) execs
// the full launcher, which follows it in the file and which it copies into
// the cache once (<root>/v2/launchers/<digest>). The full launcher then does
// everything as if it had been run itself, with the same arguments and PID.
//
// It links only package warm and what that needs: no fmt, no JSON, no
// compression, so that Go's start-up and package initialisation cost as
// little as they can. docs/launcher.md says what it does.

//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/rules-pex/rules_pex/internal/launcherfile"
	"github.com/rules-pex/rules_pex/launcher/internal/flock"
	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

func main() {
	s, err := warm.NewStart(os.Args, os.Environ())
	if err != nil {
		fail(err)
	}
	if !delegated(s) {
		warmStart(s)
	}
	fail(execFull(s))
}

func fail(err error) {
	os.Stderr.WriteString("rules_pex: " + err.Error() + "\n")
	os.Exit(1)
}

// delegated reports whether the full launcher must handle this start
// whatever the plan says: it traces, runs a tool, checks PEX_MODULE, or is
// the byte-compiler.
func delegated(s *warm.Start) bool {
	return warm.Truthy(s.Vars["PEX_VERBOSE"]) || warm.Truthy(s.Vars["PEX_TOOLS"]) ||
		s.Vars["PEX_MODULE"] != "" || s.Vars[warm.CompileEnv] != ""
}

// warmStart execs the application if the archive's plan stands; it returns
// when the full launcher has to start it instead.
func warmStart(s *warm.Start) {
	fi, err := s.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return // the full launcher says what is wrong
	}
	key := warm.IdentityKey(s.Exe, warm.IdentityOf(fi), s.SelectionKey())
	// Only the preferred root: when it is not writable, the full launcher
	// uses the private fallback root and says so at every start.
	p := plan(warm.PreferredRoot(s.Getenv), key)
	if p == nil {
		return
	}
	// The use lock is inside the environment, which is renamed into place
	// whole: if the lock exists, so does the complete environment.
	lock, err := flock.AcquireExisting(filepath.Join(p.Venv, warm.UseLockName), false)
	if err != nil {
		return
	}
	defer lock.Release()
	if _, err := os.Lstat(filepath.Join(p.Venv, warm.CompiledName)); err != nil && warm.Writable(p.Venv) {
		return // the full launcher starts the byte-compiler
	}
	lock.Touch() // a use, for pruning; a read-only cache records none
	// The exec'ed process keeps the shared lock until it exits, so pruning
	// never removes an environment in use.
	fd, err := lock.Inherit()
	if err != nil {
		return
	}
	argv, env := s.Exec(p)
	syscall.Exec(argv[0], argv, env)
	// A python that cannot be executed: the full launcher rebuilds the
	// environment, or says why it cannot run.
	syscall.Close(fd)
}

// plan returns the plan named key under the cache root base if it stands.
func plan(base, key string) *warm.Plan {
	if base == "" {
		return nil
	}
	p, err := warm.LoadPlan(warm.PlanPath(base, key))
	if err != nil {
		return nil
	}
	return p
}

// execFull execs the full launcher, copied out of this program's own file
// into the cache if it is not there yet, on the same arguments, with the
// archive and sys.argv[0] passed on (warm.ArchiveEnv, warm.ArgvEnv).
func execFull(s *warm.Start) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	f, err := os.Open(self)
	if err != nil {
		return err
	}
	defer f.Close()
	h, offset, err := launcherfile.Locate(f)
	if err != nil {
		return errors.New(s.Exe + " is not a runnable archive: its launcher " + self + " has no full launcher after its first stage (" + err.Error() + ")")
	}
	roots := []string{warm.PreferredRoot(s.Getenv), warm.FallbackBase()}
	path, used, copied, err := fullLauncher(f, h, offset, roots, false)
	if err != nil {
		return err
	}
	env := append(warm.EnvWithout(s.Env, warm.ArchiveEnv, warm.ArgvEnv), warm.ArchiveEnv+"="+s.Exe, warm.ArgvEnv+"="+s.Argv0)
	run := func() error {
		now := time.Now()
		os.Chtimes(path, now, now) // its last use, for pruning
		return syscall.Exec(path, append([]string{path}, s.Args...), env)
	}
	err = run()
	if errors.Is(err, syscall.ENOENT) || !copied && (errors.Is(err, syscall.ENOEXEC) || errors.Is(err, syscall.EACCES)) {
		// Pruned between the check and the exec, or damaged (not an
		// executable, or its mode lost): copy it out again, over it.
		var again int
		if path, again, _, err = fullLauncher(f, h, offset, roots[used:], true); err != nil {
			return err
		}
		used += again
		err = run()
	}
	if errors.Is(err, syscall.EACCES) && used+1 < len(roots) {
		// The root's file system does not let programs run (mounted
		// noexec): the next root's may.
		var again int
		if path, again, _, err = fullLauncher(f, h, offset, roots[used+1:], false); err != nil {
			return err
		}
		used += 1 + again
		err = run()
	}
	if errors.Is(err, syscall.EACCES) {
		return errors.New("executing the full launcher " + path + ": " + err.Error() +
			" (is its file system mounted noexec?); set PEX_ROOT to a directory where programs may run")
	}
	return errors.New("executing the full launcher " + path + ": " + err.Error())
}

// fullLauncher returns the path of the full launcher in the first cache
// root of roots that has it or can take it, copying it there first if it
// is missing (or, again, if the copy there is damaged), the index of that
// root, and whether it copied it. The private fallback root is made if it
// is missing.
func fullLauncher(f *os.File, h launcherfile.Header, offset int64, roots []string, damaged bool) (string, int, bool, error) {
	name := warm.Hex(h.Digest[:])
	fallback := warm.FallbackBase()
	var firstErr error
	for i, base := range roots {
		if base == "" {
			continue
		}
		dir := filepath.Join(base, warm.CacheVersion, warm.LaunchersDir)
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == h.Size && !damaged {
			return path, i, false, nil
		}
		if base == fallback {
			if err := os.Mkdir(base, 0o700); err != nil && !errors.Is(err, os.ErrExist) || !warm.PrivateDir(base) {
				if firstErr == nil {
					firstErr = errors.New(base + " is not a private directory of this user")
				}
				continue
			}
		}
		err := copyOut(f, h, offset, dir, path)
		if err == nil {
			return path, i, true, nil
		}
		if _, ok := err.(*notRunnable); ok {
			return "", 0, false, err
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = errors.New("no cache root: PEX_ROOT and HOME are unset")
	}
	return "", 0, false, errors.New("could not copy the full launcher into the cache: " + firstErr.Error() + "; set PEX_ROOT to a writable directory")
}

// copyOut writes the full launcher to path: inflated into a temporary file
// of dir, checked against its digest, made durable, then renamed into
// place, so that path is complete or absent, even after a machine crash.
// It is read-only, as every file of the cache's trees is.
func copyOut(f *os.File, h launcherfile.Header, offset int64, dir, path string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-launcher-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if err = launcherfile.Extract(tmp, f, h, offset); errors.Is(err, launcherfile.ErrDamaged) || errors.Is(err, launcherfile.ErrInflate) {
		err = &notRunnable{f.Name() + " is not a runnable archive: it is cut short or damaged: " + err.Error()}
	}
	if err == nil {
		err = tmp.Chmod(0o555)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return err
}

// notRunnable is an error in the file itself, which no other cache root
// can help with.
type notRunnable struct{ msg string }

func (e *notRunnable) Error() string { return e.msg }
