package launch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rules-pex/rules_pex/internal/cache"
	"github.com/rules-pex/rules_pex/internal/venv"
)

// compileEnv tells a launcher process to byte-compile an environment
// instead of running the application: "spawn:<dir>" starts the compiler
// in a new session and returns at once; "run:<dir>" compiles.
const compileEnv = "__RULES_PEX_COMPILE"

// maybeCompile starts byte-compiling the environment in the background
// when Python will not write bytecode itself (PYTHONDONTWRITEBYTECODE) and
// nobody has yet. The compiler is a grandchild, so the application never
// sees it as a child (no zombie, nothing for os.wait to reap), and runs at
// the lowest priority.
func (l *launcher) maybeCompile(p *Plan) {
	if l.getenv("PYTHONDONTWRITEBYTECODE") == "" {
		return
	}
	if _, err := os.Lstat(filepath.Join(p.Venv, compiledFile)); err == nil {
		return
	}
	if !writable(p.Venv) {
		return
	}
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

// compileEnvironment byte-compiles the environment's sources with its own
// python (compileall writes each .pyc atomically, so concurrent imports
// never see a partial file), then marks the environment compiled. One
// process at a time; the others give up at once.
func compileEnvironment(dir string, env []string) int {
	lock, err := cache.TryAcquire(filepath.Join(dir, compileLock), true)
	if err != nil {
		return 0
	}
	defer lock.Release()
	if _, err := os.Lstat(filepath.Join(dir, compiledFile)); err == nil {
		return 0
	}
	meta, err := readMeta(dir)
	if err != nil {
		return ExitError
	}
	lowerPriority()
	args := append([]string{"-m", "compileall", "-q", "-j", "0"}, meta.CompileDirs...)
	cmd := exec.Command(venv.Python(dir), args...)
	cmd.Env = env
	// A new file, not the old one truncated: nothing is ever written
	// through a path that exists in an environment.
	logPath := filepath.Join(dir, compileLogFile)
	os.Remove(logPath)
	if log, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err == nil {
		defer log.Close()
		cmd.Stdout, cmd.Stderr = log, log
	}
	err = cmd.Run()
	// compileall exits 1 when some file does not compile (a Python 2
	// module in a wheel, say): that is final, the rest is compiled. Only
	// an interrupted run is tried again.
	if cmd.ProcessState == nil || !cmd.ProcessState.Exited() {
		return ExitError
	}
	if err := cache.WriteFileAtomic(filepath.Join(dir, compiledFile), nil, 0o644); err != nil {
		return ExitError
	}
	return 0
}
