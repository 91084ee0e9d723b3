package launch

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rules-pex/rules_pex/internal/cache"
	"github.com/rules-pex/rules_pex/internal/venv"
)

// The launcher owns the bytecode of the cache: the environment's python
// never writes any (venv.NoBytecodePth), and after a cold start a
// byte-compiler of the launcher's writes every .pyc, completely or not at
// all, in the background.

// compileEnv tells a launcher process to byte-compile an environment
// instead of running the application: "spawn:<dir>" starts the compiler
// in a new session and returns at once; "run:<dir>" compiles.
const compileEnv = "__RULES_PEX_COMPILE"

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
	cmd := exec.Command(l.exe)
	cmd.Env = append(l.environWithout(compileEnv), compileEnv+"=spawn:"+p.Venv)
	if err := cmd.Run(); err != nil {
		l.log.printf("starting the byte-compiler: %v", err)
		return
	}
	l.log.printf("byte-compiling %s in the background", p.Venv)
}

func (l *launcher) environWithout(keys ...string) []string {
	out := make([]string, 0, len(l.env))
	for _, kv := range l.env {
		k, _, _ := strings.Cut(kv, "=")
		if !contains(keys, k) {
			out = append(out, kv)
		}
	}
	return out
}

// compileMode runs the two steps of background byte-compilation.
func (l *launcher) compileMode(mode string) int {
	step, dir, ok := strings.Cut(mode, ":")
	if !ok || !filepath.IsAbs(dir) {
		return ExitUsage
	}
	switch step {
	case "spawn":
		cmd := exec.Command(l.exe)
		cmd.Env = append(l.environWithout(compileEnv), compileEnv+"=run:"+dir)
		detach(cmd)
		if err := cmd.Start(); err != nil {
			return ExitError
		}
		cmd.Process.Release()
		return 0
	case "run":
		return compileEnvironment(dir, l.environWithout(compileEnv))
	}
	return ExitUsage
}

// compileEnvironment byte-compiles the environment at dir, then marks it
// compiled. It holds the environment's use lock (shared, as a running
// application does), so pruning removes neither the environment nor a
// tree it links to meanwhile; without that lock the environment is gone
// and there is nothing to do. One compiler per environment at a time (the
// others leave at once), and one writer per tree: each tree is compiled
// under its exclusive entry lock. It never creates a directory but
// __pycache__ inside one that exists. When a write fails (a full disk) it
// stops and leaves no marker, so a later run tries again; what it wrote is
// complete. Its output is in rules_pex.compile.log.
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
	defer os.Remove(log.Name()) // a no-op once published
	start := time.Now()
	err = compileAll(dir, env, log)
	if err == nil {
		err = createFile(dir, compiledFile)
	}
	if err != nil {
		fmt.Fprintf(log, "rules_pex: byte-compiling stopped: %v; no %s written, so the next run tries again\n", err, compiledFile)
	} else {
		fmt.Fprintf(log, "rules_pex: byte-compiled in %v\n", time.Since(start).Round(time.Millisecond))
	}
	log.Chmod(0o644)
	log.Close()
	os.Rename(log.Name(), filepath.Join(dir, compileLogFile))
	if err != nil {
		return ExitError
	}
	return 0
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

// createFile makes an empty file name in dir: a new file renamed into
// place, so that nothing already at that path is ever opened for writing.
// dir must exist (it is never created).
func createFile(dir, name string) error {
	f, err := os.CreateTemp(dir, name+tempInfix+"*")
	if err != nil {
		return err
	}
	err = f.Chmod(0o644)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
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

// compileAll compiles the environment's sources with its python running
// compile.py, logging to log.
func compileAll(dir string, env []string, log io.Writer) error {
	meta, err := readMeta(dir)
	if err != nil {
		return err
	}
	src, err := findSources(dir, meta.Trees)
	if err != nil {
		return fmt.Errorf("listing the sources of %s: %w", dir, err)
	}
	c, err := startCompiler(venv.Python(dir), env, log)
	if err != nil {
		return err
	}
	err = c.do('F', src.own)
	for _, t := range src.order {
		if err != nil {
			break
		}
		err = c.tree(t, src.trees[t])
	}
	if cerr := c.close(); err == nil {
		err = cerr
	}
	fmt.Fprintf(log, "rules_pex: %d .pyc files written, %d already valid, %d shipped by the archive; %d sources do not compile, %d are in directories this user may not write\n",
		c.total.Compiled, c.total.Valid, c.total.Shipped, c.total.Skipped, c.total.Unwritable)
	return err
}

// startCompiler runs compile.py with python (-I -S -B: no site, no .pth
// files, no bytecode of its own), its errors going to log.
func startCompiler(python string, env []string, log io.Writer) (*compiler, error) {
	py := exec.Command(python, "-I", "-S", "-B", "-c", compileScript)
	py.Env = env
	py.Stderr = log
	stdin, err := py.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := py.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := py.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", python, err)
	}
	return &compiler{cmd: py, in: stdin, out: bufio.NewReader(stdout), log: log}, nil
}

// close ends the compiler's input and waits for it to exit.
func (c *compiler) close() error {
	c.in.Close()
	if err := c.cmd.Wait(); err != nil {
		return fmt.Errorf("%s: %w", c.cmd.Path, err)
	}
	return nil
}

// compiler talks to compile.py.
type compiler struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Reader
	log   io.Writer
	total compileCounts
}

type compileCounts struct {
	Compiled   int    `json:"compiled"`
	Valid      int    `json:"valid"`
	Shipped    int    `json:"shipped"`
	Skipped    int    `json:"skipped"`
	Unwritable int    `json:"unwritable"`
	Error      string `json:"error"`
}

// tree compiles the directories dirs of the tree at t, under the tree's
// exclusive entry lock, so that no other compiler, repair or pruning
// meets this one there. A tree that is gone or incomplete is left alone.
func (c *compiler) tree(t string, dirs []string) error {
	lock, err := cache.AcquireExisting(cache.LockPath(t), true)
	if err != nil {
		fmt.Fprintf(c.log, "rules_pex: not compiled: %s: %v\n", t, err)
		return nil
	}
	defer lock.Release()
	if !treeComplete(t) {
		fmt.Fprintf(c.log, "rules_pex: not compiled: %s is not a complete tree\n", t)
		return nil
	}
	return c.do('D', dirs)
}

// treeComplete reports whether the tree at dir is complete: for now,
// that it exists (an entry is renamed into place whole). Once entries have
// completion markers (issue 8, point 5), this is cache.Complete.
func treeComplete(dir string) bool {
	fi, err := os.Lstat(dir)
	return err == nil && fi.IsDir()
}

// do sends one request (kind 'F': these files, 'D': every source under
// these directories; paths ended by NUL, then a newline) and reads the
// answer.
func (c *compiler) do(kind byte, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	req := []byte{kind}
	for _, p := range paths {
		req = append(append(req, p...), 0)
	}
	if _, err := c.in.Write(append(req, '\n')); err != nil {
		return fmt.Errorf("sending to the compiler: %w", err)
	}
	line, err := c.out.ReadBytes('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("the compiler exited early (see its output above)")
		}
		return err
	}
	var n compileCounts
	if err := json.Unmarshal(line, &n); err != nil {
		return fmt.Errorf("reading the compiler's answer %q: %w", line, err)
	}
	if n.Error != "" {
		return errors.New(n.Error)
	}
	c.total.Compiled += n.Compiled
	c.total.Valid += n.Valid
	c.total.Shipped += n.Shipped
	c.total.Skipped += n.Skipped
	c.total.Unwritable += n.Unwritable
	return nil
}
