package interp

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-pex/rules_pex/internal/regfile"
)

// ShimError says why a pyenv shim cannot run its command, found by reading
// what pyenv would read instead of running the shim (which costs a few
// hundred milliseconds of bash and prints a dozen lines of advice).
type ShimError struct {
	Program   string   // the command the shim runs: "python3.12"
	Versions  []string // the selected pyenv versions
	Origin    string   // what selected them: "PYENV_VERSION" or a version file
	Installed []string // the installed versions that have Program
	Missing   []string // the selected versions that are not installed
}

func (e *ShimError) Error() string {
	msg := fmt.Sprintf("pyenv shim, not run: %s is in neither the selected pyenv version %s (set by %s) nor the system PATH",
		e.Program, strings.Join(e.Versions, ":"), e.Origin)
	if len(e.Missing) > 0 {
		msg += "; not installed: " + strings.Join(e.Missing, ", ")
	}
	if len(e.Installed) > 0 {
		msg += "; installed in " + strings.Join(e.Installed, ", ")
	}
	return msg
}

// findShims fills s.Skip with the pyenv shims among the candidates that
// cannot run.
func (s *Search) findShims(getenv func(string) string) {
	hooks := map[string]bool{}
	for i, p := range s.Candidates {
		if err := shimProblem(p, s.IDs[i].Size, getenv, hooks); err != nil {
			if s.Skip == nil {
				s.Skip = make([]error, len(s.Candidates))
			}
			s.Skip[i] = err
		}
	}
}

// maxShim bounds the size of a file read as a possible pyenv shim: pyenv's
// shims are a few hundred bytes, interpreters megabytes.
const maxShim = 4096

// shimProblem returns a *ShimError if the file at path (of the given size)
// is a pyenv shim that would fail with "command not found", decided the
// way pyenv decides (pyenv-exec, pyenv-version-name, pyenv-which). It
// returns nil when the file is not a shim, when the shim finds its command,
// and whenever pyenv's choice cannot be predicted for sure (hooks it does
// not know, versions given as prefixes, virtualenvs): then the shim is run
// as any candidate is.
func shimProblem(path string, size int64, getenv func(string) string, hooks map[string]bool) error {
	if size > maxShim {
		return nil
	}
	data, err := regfile.ReadFile(path, maxShim)
	if err != nil || !bytes.HasPrefix(data, []byte("#!")) {
		return nil
	}
	var root, pyenvBin string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, `export PYENV_ROOT="`); ok {
			root, _ = strings.CutSuffix(v, `"`)
		}
		if v, ok := strings.CutPrefix(line, `exec "`); ok {
			if b, ok := strings.CutSuffix(v, `" exec "$program" "$@"`); ok && strings.HasSuffix(b, "/libexec/pyenv") {
				pyenvBin = b
			}
		}
	}
	if root == "" || pyenvBin == "" || strings.ContainsAny(root+pyenvBin, "$`\\") {
		return nil
	}
	prefix := filepath.Dir(filepath.Dir(pyenvBin)) // pyenv's installation
	key := root + "\x00" + prefix
	known, done := hooks[key]
	if !done {
		known = onlyKnownHooks(root, prefix, getenv)
		hooks[key] = known
	}
	if !known {
		return nil
	}
	program := filepath.Base(path)
	versions, origin, ok := pyenvVersions(root, getenv)
	if !ok {
		return nil
	}
	var missing []string
	for _, v := range versions {
		if v == "system" {
			continue
		}
		dir := filepath.Join(root, "versions", v)
		if !Stat(dir).Dir {
			if n, ok := strings.CutPrefix(v, "python-"); ok && Stat(filepath.Join(root, "versions", n)).Dir {
				dir = filepath.Join(root, "versions", n)
			} else if mayResolve(root, v) {
				return nil // a prefix (3.12) pyenv-latest may resolve
			} else {
				// Not installed: pyenv-which skips it and goes on.
				missing = append(missing, v)
				continue
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "bin", "activate")); err == nil {
			return nil // a virtualenv: pyenv-virtualenv's hooks may look elsewhere
		}
		if executable(filepath.Join(dir, "bin", program)) {
			return nil
		}
	}
	// pyenv-which always tries the system last: PATH without the shims,
	// after pyenv put its own libexec and plugins' bin first.
	shims := map[string]bool{filepath.Join(root, "shims"): true, filepath.Dir(path): true}
	for _, d := range filepath.SplitList(getenv("_PYENV_SHIM_PATHS_" + shimVar(program))) {
		shims[d] = true
	}
	search := []string{filepath.Join(prefix, "libexec")}
	plugins, _ := filepath.Glob(filepath.Join(prefix, "plugins", "*", "bin"))
	search = append(search, plugins...)
	if prefix != root {
		plugins, _ = filepath.Glob(filepath.Join(root, "plugins", "*", "bin"))
		search = append(search, plugins...)
	}
	for _, d := range filepath.SplitList(getenv("PATH")) {
		if strings.HasPrefix(d, "~") {
			d = getenv("HOME") + d[1:]
		}
		if !shims[d] {
			search = append(search, d)
		}
	}
	for _, d := range search {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, program)
		if id := Stat(p); id != (FileID{}) && !id.Dir && executable(p) {
			return nil
		}
	}
	e := &ShimError{Program: program, Versions: versions, Origin: origin, Missing: missing}
	installed, _ := filepath.Glob(filepath.Join(root, "versions", "*", "bin", program))
	for _, p := range installed {
		if executable(p) {
			e.Installed = append(e.Installed, filepath.Base(filepath.Dir(filepath.Dir(p))))
		}
	}
	return e
}

// mayResolve reports whether pyenv-latest could resolve the version v,
// which is not a directory of versions, to an installed version: some
// installed name starts with v (or v without "python-" or a final "t")
// followed by "." or "-", as its pattern ^PREFIX[-.].*SUFFIX$ asks. It
// errs towards yes: then the shim is run.
func mayResolve(root, v string) bool {
	entries, err := os.ReadDir(filepath.Join(root, "versions"))
	if err != nil {
		return !os.IsNotExist(err)
	}
	prefixes := []string{v, strings.TrimPrefix(v, "python-")}
	for _, p := range prefixes[:2] {
		if t, ok := strings.CutSuffix(p, "t"); ok {
			prefixes = append(prefixes, t)
		}
	}
	for _, e := range entries {
		for _, p := range prefixes {
			n := e.Name()
			if n == p || strings.HasPrefix(n, p+".") || strings.HasPrefix(n, p+"-") {
				return true
			}
		}
	}
	return false
}

// shimVar is how pyenv-exec names a program in a variable: upper case,
// "-" as "_", anything else not alphanumeric as "_".
func shimVar(program string) string {
	b := []byte(strings.ToUpper(program))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// knownHooks are the hook scripts of pyenv and pyenv-virtualenv that never
// change which interpreter a python shim runs, given that virtualenv
// versions are left to pyenv itself: pip-rehash acts on pip and
// easy_install, conda.bash on conda, python-config.bash on python*-config,
// system-site-packages.bash on virtualenvs only.
var knownHooks = map[string]bool{
	"exec/pip-rehash.bash":            true,
	"which/conda.bash":                true,
	"which/python-config.bash":        true,
	"which/system-site-packages.bash": true,
}

// onlyKnownHooks reports whether every hook that pyenv would source for
// exec, version-name and which is one of knownHooks. The hook path is
// built as libexec/pyenv builds it.
func onlyKnownHooks(root, prefix string, getenv func(string) string) bool {
	dirs := filepath.SplitList(getenv("PYENV_HOOK_PATH"))
	dirs = append(dirs, filepath.Join(root, "pyenv.d"))
	if prefix != root {
		dirs = append(dirs, filepath.Join(prefix, "pyenv.d"))
	}
	dirs = append(dirs, "/usr/etc/pyenv.d", "/usr/local/etc/pyenv.d", "/etc/pyenv.d", "/usr/lib/pyenv/hooks")
	plugins, _ := filepath.Glob(filepath.Join(root, "plugins", "*", "etc", "pyenv.d"))
	dirs = append(dirs, plugins...)
	for _, d := range dirs {
		for _, cmd := range []string{"exec", "version-name", "which"} {
			scripts, _ := filepath.Glob(filepath.Join(d, cmd, "*.bash"))
			for _, s := range scripts {
				if !knownHooks[cmd+"/"+filepath.Base(s)] {
					return false
				}
			}
		}
	}
	return true
}

// pyenvVersions returns the selected versions as pyenv-version-name finds
// them: PYENV_VERSION, else the first .python-version file from PYENV_DIR
// (or the working directory) up, else $PYENV_ROOT/version; "system" if
// none names a version. ok is false when the selection cannot be read for
// sure.
func pyenvVersions(root string, getenv func(string) string) (versions []string, origin string, ok bool) {
	if v := getenv("PYENV_VERSION"); v != "" {
		return strings.Split(v, ":"), "PYENV_VERSION", true
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, "", false
	}
	file := ""
	starts := []string{wd}
	if d := getenv("PYENV_DIR"); d != "" && absolute(d) != wd {
		starts = []string{absolute(d), wd}
	}
search:
	for _, dir := range starts {
		for {
			p := filepath.Join(dir, ".python-version")
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				file = p
				break search
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if file == "" {
		file = filepath.Join(root, "version")
	}
	data, err := regfile.ReadFile(file, 1<<20)
	if err != nil && !os.IsNotExist(err) {
		return nil, "", false
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if f[0] == ".." || strings.Contains(f[0], "/") {
			return nil, "", false // pyenv checks these against path traversal
		}
		versions = append(versions, f[0])
	}
	if len(versions) == 0 {
		versions = []string{"system"}
	}
	return versions, file, true
}
