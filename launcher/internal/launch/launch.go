// Package launch is the launcher's program. It reads the manifest of the
// archive it is part of, chooses a Python interpreter, makes sure the cache
// holds the application's environment (extracting only what is missing),
// and execs the environment's python on the entry point. launcher/main.go
// only calls Main.
//
// A warm start reads one small plan file, checks with a few stats that
// nothing it depends on changed (the archive, the interpreters, the
// directories searched for them), takes a shared lock on the environment
// and execs: it neither parses the archive nor runs any interpreter.
package launch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/interp"
	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

// Exit codes of the launcher itself (the application's own exit code
// replaces them once Python runs).
const (
	// ExitError is any failure to start the application.
	ExitError = 1
	// ExitUsage is a PEX_TOOLS command line the launcher does not understand.
	ExitUsage = 2
)

// Main runs the launcher and returns an exit code, or does not return at
// all once the application is exec'ed.
func Main() int {
	l, err := newLauncher(os.Args, os.Environ(), os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rules_pex: %v\n", err)
		return ExitError
	}
	if mode := l.Getenv(compileEnv); mode != "" {
		return l.compileMode(mode)
	}
	if tool := l.Getenv("PEX_TOOLS"); truthy(tool) {
		return l.tools(os.Stdout)
	}
	err = l.run()
	l.log.printf("failed: %v", err)
	fmt.Fprintf(os.Stderr, "rules_pex: %v\n", err)
	return ExitError
}

// launcher holds one run's inputs.
type launcher struct {
	*warm.Start
	log  *logger
	errw io.Writer
}

func newLauncher(argv, env []string, errw io.Writer) (*launcher, error) {
	s, err := warm.NewStart(argv, env)
	if err != nil {
		return nil, err
	}
	l := &launcher{Start: s, errw: errw}
	l.log = newLogger(truthy(l.Getenv("PEX_VERBOSE")), errw)
	return l, nil
}

func truthy(v string) bool { return warm.Truthy(v) }

// errStale means a plan's environment disappeared (pruned) before we could
// lock it; the launcher plans again.
var errStale = errors.New("environment no longer in the cache")

// run starts the application; it returns only on failure.
func (l *launcher) run() error {
	if m := l.Getenv("PEX_MODULE"); m != "" && !truthy(l.Getenv("PEX_INTERPRETER")) {
		// The boot module would import it as given: " m" or "m:f()" would
		// fail there with a misleading message or a traceback.
		if _, err := layout.ParseEntryPoint(m); err != nil {
			return fmt.Errorf("PEX_MODULE %q: %v; set it to MODULE or MODULE:FUNC", m, err)
		}
	}
	fi, err := l.Stat()
	if err != nil {
		return fmt.Errorf("reading %s: %w", l.Exe, err)
	}
	if !fi.Mode().IsRegular() {
		return &regfile.NotRegularError{Path: l.Exe, Mode: fi.Mode()}
	}
	selection := l.SelectionKey()
	idKey := warm.IdentityKey(l.Exe, fileIdentity(fi), selection)
	l.log.printf("archive %s (%d bytes)", l.Exe, fi.Size())

	// Warm start: a plan for this very file.
	if base := cache.Preferred(l.Getenv); base != "" {
		if err := l.tryPlan(cache.At(base), idKey); !errors.Is(err, errNoPlan) {
			return err
		}
	}

	f, err := regfile.Open(l.Exe)
	if err != nil {
		return fmt.Errorf("opening the archive: %w", err)
	}
	defer f.Close()
	data, err := archive.ReadFirstEntry(f, fi.Size(), layout.ManifestName, layout.MaxManifest)
	if err != nil {
		return fmt.Errorf("%s is not a runnable archive: %w", l.Exe, err)
	}
	m, err := layout.Decode(data)
	if err != nil {
		return fmt.Errorf("%s: %w", l.Exe, err)
	}
	l.log.printf("manifest read: pex_hash %s", m.PexHash)

	root, warning, err := cache.Open(l.Getenv)
	if err != nil {
		return err
	}
	if warning != "" {
		fmt.Fprintf(l.errw, "rules_pex: warning: %s\n", warning)
	}
	l.log.printf("cache root %s", root.Base)
	if root.Fallback {
		if err := l.tryPlan(root, idKey); !errors.Is(err, errNoPlan) {
			return err
		}
	}
	// A plan for the same application elsewhere (a copy, a rebuild).
	appKey := warm.ContentKey(m.PexHash, selection)
	if p := loadPlan(root, appKey, l.log); p != nil {
		savePlan(root, idKey, p)
		if err := l.execPlan(p); !errors.Is(err, errStale) {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		p, err := l.planOnce(root, m, appKey)
		if err != nil {
			return err
		}
		savePlan(root, idKey, p)
		if err := l.execPlan(p); !errors.Is(err, errStale) || attempt == 2 {
			return err
		}
	}
}

var errNoPlan = errors.New("no usable plan")

// tryPlan execs the plan stored under key if it is still valid. It returns
// errNoPlan when there is none, or the exec error.
func (l *launcher) tryPlan(root *cache.Root, key string) error {
	p := loadPlan(root, key, l.log)
	if p == nil {
		return errNoPlan
	}
	if err := l.execPlan(p); !errors.Is(err, errStale) {
		return err
	}
	return errNoPlan
}

// planOnce makes the plan under the plan's exclusive lock, so that of many
// processes starting at once on a cold cache one does the work and the
// others wait for it, then use its plan.
func (l *launcher) planOnce(root *cache.Root, m *layout.Manifest, key string) (*Plan, error) {
	path := planPath(root, key)
	if err := os.MkdirAll(root.Path(cache.Plans, ""), 0o755); err != nil {
		return nil, err
	}
	lock, err := cache.Acquire(path+".lock", true)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	// Another process may have planned while we waited; its environment
	// must still be complete and sound (it may have been pruned or damaged
	// since).
	if p := loadPlan(root, key, l.log); p != nil {
		if err := venvSound(p.Venv); err == nil && cache.Complete(p.Venv) {
			return p, nil
		} else if err != nil {
			l.log.printf("environment %s is damaged (%v): rebuilding it", p.Venv, err)
		}
	}
	start := time.Now()
	p, err := l.prepare(root, m)
	if err != nil {
		return nil, err
	}
	savePlan(root, key, p)
	l.log.printf("environment ready in %v", time.Since(start).Round(time.Microsecond))
	return p, nil
}

// logger prints PEX_VERBOSE messages with the time since start.
type logger struct {
	on    bool
	start time.Time
	w     io.Writer
}

func newLogger(on bool, w io.Writer) *logger {
	return &logger{on: on, start: time.Now(), w: w}
}

func (g *logger) printf(format string, args ...any) {
	if g == nil || !g.on {
		return
	}
	ms := float64(time.Since(g.start).Microseconds()) / 1000
	fmt.Fprintf(g.w, "rules_pex: [%7.1fms] %s\n", ms, fmt.Sprintf(format, args...))
}

// fileIdentity is interp's FileID of an open file's info.
func fileIdentity(fi os.FileInfo) interp.FileID {
	return interp.IdentityOf(fi)
}
