package launch

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/venv"
	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

// The launcher owns the bytecode of the cache: the environment's python
// never writes any (venv.NoBytecodePth), and after a cold start a
// byte-compiler of the launcher's writes every .pyc, completely or not at
// all, in the background.

// compileEnv tells a launcher process to byte-compile an environment
// instead of running the application: "spawn:<dir>" starts the compiler
// in a new session and returns at once; "run:<dir>" compiles.
const compileEnv = warm.CompileEnv

// compileScript is the environment's python's half of the compiler: it
// writes the .pyc files of the sources it is sent (see compile.py).
//
//go:embed compile.py
var compileScript string

// maybeCompile starts byte-compiling the environment in the background
// unless it is compiled (it has the marker) or being compiled. The
// compiler is a grandchild, so the application never sees it as a child
// (no zombie, nothing for os.wait to reap), and runs at the lowest
// priority.
func (l *launcher) maybeCompile(p *Plan) {
	if _, err := os.Lstat(filepath.Join(p.Venv, compiledFile)); err == nil {
		return
	}
	if !writable(p.Venv) {
		return
	}
	lock, err := cache.TryAcquire(filepath.Join(p.Venv, compileLock), true)
	if err != nil {
		return // another compiler at work (or a cache we cannot lock in)
	}
	lock.Release()
	cmd := exec.Command(l.self())
	cmd.Env = append(l.environWithout(compileEnv), compileEnv+"=spawn:"+p.Venv)
	if err := cmd.Run(); err != nil {
		l.log.printf("starting the byte-compiler: %v", err)
		return
	}
	l.log.printf("byte-compiling %s in the background", p.Venv)
}

// self returns this program's file, which runs the byte-compiler: the
// launcher itself, which is the archive, or the full launcher in the cache
// that a first stage or a universal file's preamble runs on it.
func (l *launcher) self() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return l.Exe
}

func (l *launcher) environWithout(keys ...string) []string { return warm.EnvWithout(l.Env, keys...) }

// compileMode runs the two steps of background byte-compilation.
func (l *launcher) compileMode(mode string) int {
	step, dir, ok := strings.Cut(mode, ":")
	if !ok || !filepath.IsAbs(dir) {
		return ExitUsage
	}
	switch step {
	case "spawn":
		cmd := exec.Command(l.self())
		cmd.Env = append(l.environWithout(compileEnv), compileEnv+"=run:"+dir)
		detach(cmd)
		if err := cmd.Start(); err != nil {
			return ExitError
		}
		cmd.Process.Release()
		return 0
	case "run":
		// The compiler's environment keeps compileEnv, which names it.
		return compileEnvironment(dir, l.Env)
	}
	return ExitUsage
}

// compileEnvironment byte-compiles the environment at dir, then marks it
// compiled. It holds the environment's use lock (shared, as a running
// application does), so pruning removes neither the environment nor a
// tree it links to meanwhile; without that lock the environment is gone
// and there is nothing to do. One compiler per environment at a time (the
// others leave at once), and one writer per tree: it holds the exclusive
// entry lock of every tree it writes into. It never creates a directory
// but __pycache__ inside one that exists. When a write fails (a full disk)
// it stops and leaves no marker, so a later run tries again; what it wrote
// is complete. Its output is in rules_pex.compile.log.
//
// Once it holds the locks it execs the environment's python on
// compile.py, which inherits them: this process must not go on running
// the archive, which could then not be replaced in place (ETXTBSY) while
// the compiler works.
func compileEnvironment(dir string, env []string) int {
	use, err := cache.AcquireExisting(cache.UseLockPath(dir), false)
	if err != nil {
		return 0
	}
	defer use.Release()
	lock, err := cache.TryAcquire(filepath.Join(dir, compileLock), true)
	if err != nil {
		return 0
	}
	defer lock.Release()
	if _, err := os.Lstat(filepath.Join(dir, compiledFile)); err == nil {
		return 0
	}
	lowerPriority()
	removeTemps(dir, compileLogFile, compiledFile)
	log, err := os.CreateTemp(dir, compileLogFile+tempInfix+"*")
	if err != nil {
		return ExitError
	}
	defer log.Close()
	log.Chmod(0o644)
	// A first line now gives the log its first block: on a disk that the
	// compiler then fills, the lines saying so still fit.
	fmt.Fprintf(log, "rules_pex: byte-compiling %s\n", dir)
	fail := func(err error) int {
		fmt.Fprintf(log, "rules_pex: byte-compiling stopped: %v; no %s written, so the next run tries again\n", err, compiledFile)
		os.Rename(log.Name(), filepath.Join(dir, compileLogFile))
		return ExitError
	}
	meta, err := readMeta(dir)
	if err != nil {
		return fail(err)
	}
	src, err := findSources(dir, meta.Trees)
	if err != nil {
		return fail(fmt.Errorf("listing the sources of %s: %w", dir, err))
	}
	held := []*cache.Lock{use, lock}
	dirs, busy := src.lockTrees(log, &held)
	for _, l := range held {
		defer l.Release()
	}
	marker := compiledFile
	if busy {
		marker = "" // compiled again by the next run
	}
	// The locks' and the log's descriptors survive exec; the originals
	// close on exec.
	for _, l := range held {
		if _, err := l.Inherit(); err != nil {
			return fail(fmt.Errorf("keeping a lock across exec: %w", err))
		}
	}
	logFd, err := inheritable(log)
	if err != nil {
		return fail(err)
	}
	argv := append([]string{venv.Python(dir), "-I", "-S", "-B", "-c", compileScript,
		dir, strconv.Itoa(logFd), log.Name(), compileLogFile, marker, "--files"}, src.own...)
	argv = append(append(argv, "--dirs"), dirs...)
	err = execve(argv[0], argv, env)
	return fail(fmt.Errorf("executing %s: %w", argv[0], err))
}

// tempInfix separates the name of a file the compiler publishes by rename
// from the random suffix of its temporary file.
const tempInfix = ".tmp-"

// removeTemps deletes the temporary files of the named files in dir that
// a killed compiler left behind. The caller holds the compile lock.
func removeTemps(dir string, names ...string) {
	for _, n := range names {
		matches, _ := filepath.Glob(filepath.Join(globEscape(dir), globEscape(n)+tempInfix+"*"))
		for _, m := range matches {
			os.Remove(m)
		}
	}
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// sources is what an environment's bytecode is made of.
type sources struct {
	// own are the environment's own sources (the boot module, and the
	// files of site-packages and of its merged directories, hard links
	// whose bytecode belongs next to them here).
	own []string
	// trees lists, per tree, the directories of it that site-packages
	// links to.
	trees map[string][]string
	order []string
}

// findSources walks the environment at dir, whose site-packages links
// into the trees.
func findSources(dir string, trees []string) (*sources, error) {
	s := &sources{trees: map[string][]string{}}
	real := make([]string, 0, len(trees))
	for _, t := range trees {
		if r, err := filepath.EvalSymlinks(t); err == nil {
			real = append(real, r)
		}
	}
	owner := func(p string) string {
		for i, r := range real {
			if p == r || strings.HasPrefix(p, r+string(filepath.Separator)) {
				return trees[i]
			}
		}
		return ""
	}
	var walk func(d string) error
	walk = func(d string) error {
		entries, err := os.ReadDir(d)
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := filepath.Join(d, e.Name())
			switch {
			case e.Name() == "__pycache__":
			case e.Type().IsRegular():
				if strings.HasSuffix(e.Name(), ".py") {
					s.own = append(s.own, p)
				}
			case e.IsDir():
				if err := walk(p); err != nil {
					return err
				}
			case e.Type()&fs.ModeSymlink != 0:
				target, err := filepath.EvalSymlinks(p)
				if err != nil {
					continue // dangling: nothing to compile
				}
				fi, err := os.Stat(target)
				if err != nil {
					continue
				}
				if !fi.IsDir() {
					if strings.HasSuffix(e.Name(), ".py") {
						s.own = append(s.own, p)
					}
				} else if t := owner(target); t != "" {
					if _, seen := s.trees[t]; !seen {
						s.order = append(s.order, t)
					}
					s.trees[t] = append(s.trees[t], target)
				}
			}
		}
		return nil
	}
	sps, _ := filepath.Glob(filepath.Join(globEscape(dir), "lib", "*", "site-packages"))
	for _, sp := range sps {
		if err := walk(sp); err != nil {
			return nil, err
		}
	}
	s.own = append(s.own, filepath.Join(dir, venv.BootModule+".py"))
	return s, nil
}

// lockTrees takes the exclusive entry lock of every tree the sources are
// in, adding each to held, and returns the directories to compile of those
// that are complete. It never waits (this process runs the archive, which
// cannot be replaced while it does): a tree whose lock another process
// holds (another compiler, a repair) is left for the next run, and so is
// the marker (busy is true). A tree that is gone or incomplete is left
// alone.
func (s *sources) lockTrees(log io.Writer, held *[]*cache.Lock) (dirs []string, busy bool) {
	for _, t := range s.order {
		lock, err := cache.TryAcquireExisting(cache.LockPath(t), true)
		if errors.Is(err, cache.ErrLocked) {
			fmt.Fprintf(log, "rules_pex: not compiled now: another process holds %s\n", t)
			busy = true
			continue
		}
		if err != nil {
			fmt.Fprintf(log, "rules_pex: not compiled: %s: %v\n", t, err)
			continue
		}
		*held = append(*held, lock)
		if !treeComplete(t) {
			fmt.Fprintf(log, "rules_pex: not compiled: %s is not a complete tree\n", t)
			continue
		}
		dirs = append(dirs, s.trees[t]...)
	}
	return dirs, busy
}

// treeComplete reports whether the tree at dir is complete (its marker
// exists).
func treeComplete(dir string) bool { return cache.Complete(dir) }
