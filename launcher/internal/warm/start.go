package warm

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Variables through which the stages of a start talk. internal/layout
// names the ones that are part of the archive's contract too; a test keeps
// the names equal.
const (
	// ArchiveEnv names the archive when the running program is not it: a
	// universal file's preamble and the first stage set it when they exec
	// a launcher from the cache (layout.UniversalArchiveEnv).
	ArchiveEnv = "__RULES_PEX_ARCHIVE"
	// ArgvEnv passes the value of sys.argv[0] to the boot module, and from
	// the first stage to the full launcher. Both remove it.
	ArgvEnv = "__RULES_PEX_ARGV0"
	// PythonOptionsEnv passes the options of "python3 -X dev ARCHIVE" on
	// (layout.PythonOptionsEnv).
	PythonOptionsEnv = "__RULES_PEX_PYTHON_OPTIONS"
	// CompileEnv turns a launcher into the background byte-compiler.
	CompileEnv = "__RULES_PEX_COMPILE"
	// BootModule is the module at an environment's root that runs the
	// application (layout.EnvBootModule).
	BootModule = "_rules_pex_main"
)

// DefaultPath is searched when PATH is unset or empty (`env -i ./app`): the
// directories of execvp(3) and Python's os.defpath ("/bin:/usr/bin"),
// /usr/bin first so that a merged /usr names /usr/bin/python3.
const DefaultPath = "/usr/bin:/bin"

// Start is what one start of an archive is given.
type Start struct {
	// Exe is the absolute path of the archive.
	Exe string
	// Argv0 is what sys.argv[0] becomes.
	Argv0 string
	// Args are the user's arguments.
	Args []string
	// Env is the process's environment; Vars its variables, the first
	// definition of each.
	Env  []string
	Vars map[string]string

	exeInfo os.FileInfo
	exeErr  error
}

// NewStart reads a start from the process's arguments and environment:
// the archive is the running executable, unless ArchiveEnv names it.
func NewStart(argv, env []string) (*Start, error) {
	s := &Start{Env: env, Vars: make(map[string]string, len(env))}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			if _, dup := s.Vars[k]; !dup {
				s.Vars[k] = v
			}
		}
	}
	if len(argv) > 0 {
		s.Args = argv[1:]
	}
	if archive := s.Vars[ArchiveEnv]; archive != "" {
		// Run from the cache by a universal file's preamble (sys.argv[0]
		// is the file's path as the shell ran it) or by the first stage
		// (which passes sys.argv[0] on).
		s.Exe, s.Argv0 = Abs(archive), archive
		if a := s.Vars[ArgvEnv]; a != "" {
			s.Argv0 = a
		}
		return s, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, &os.PathError{Op: "finding the launcher's own file", Path: "", Err: err}
	}
	s.Exe, s.Argv0 = exe, exe
	if len(argv) > 0 {
		if strings.ContainsRune(argv[0], '/') {
			s.Argv0 = argv[0]
		} else if self, err := s.Stat(); err == nil {
			if p := FoundOnPath(argv[0], self, s.Vars["PATH"]); p != "" {
				s.Argv0 = p
			}
		}
	}
	return s, nil
}

// Getenv returns the value of the variable k (its first definition).
func (s *Start) Getenv(k string) string { return s.Vars[k] }

// EnvWithout returns env without the variables named keys.
func EnvWithout(env []string, keys ...string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); !slices.Contains(keys, k) {
			out = append(out, kv)
		}
	}
	return out
}

// Stat stats the archive once per start: naming sys.argv[0] and keying the
// warm plan both need it.
func (s *Start) Stat() (os.FileInfo, error) {
	if s.exeInfo == nil && s.exeErr == nil {
		s.exeInfo, s.exeErr = os.Stat(s.Exe)
	}
	return s.exeInfo, s.exeErr
}

// FoundOnPath returns the path under which execvp found the command name
// (which has no slash) if that is this very file, self; else name itself if
// it names self relative to the working directory (what "python3 app" runs
// the archive as); else "". A script found on PATH gets that path from the
// kernel as its argv[0]: a symlink /usr/local/bin/tool to the archive gives
// sys.argv[0] (and argparse's prog) that name, not the name of the file it
// leads to.
func FoundOnPath(name string, self os.FileInfo, pathEnv string) string {
	if name == "" {
		return ""
	}
	if pathEnv == "" {
		pathEnv = DefaultPath
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := strings.TrimSuffix(dir, "/") + "/" + name
		if fi, err := os.Stat(p); err == nil && os.SameFile(fi, self) {
			return p
		}
	}
	if fi, err := os.Stat(name); err == nil && os.SameFile(fi, self) {
		return name
	}
	return ""
}

// Abs returns p made absolute (cleaned if that fails).
func Abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// Truthy reports whether an environment variable's value turns a feature on.
func Truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// SelectionKey captures the environment variables that decide which
// interpreter and which environment a start uses.
func (s *Start) SelectionKey() string {
	var b strings.Builder
	relative := false
	for _, k := range []string{"PEX_PYTHON", "PEX_PYTHON_PATH", "PATH", "PEX_INHERIT_PATH"} {
		v := s.Vars[k]
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
		b.WriteByte(0)
		if k != "PEX_INHERIT_PATH" && k != "PEX_PYTHON" || strings.ContainsRune(v, '/') {
			for _, e := range filepath.SplitList(v) {
				relative = relative || e != "" && !filepath.IsAbs(e)
			}
		}
	}
	// Relative entries name different files from different directories.
	if relative {
		wd, _ := os.Getwd()
		b.WriteString("cwd=" + wd)
	}
	return b.String()
}

// PreferredRoot returns the cache root the environment asks for: PEX_ROOT,
// else $XDG_CACHE_HOME/rules_pex, else ~/.cache/rules_pex. The empty
// string means none can be named (no HOME).
func PreferredRoot(getenv func(string) string) string {
	if r := getenv("PEX_ROOT"); r != "" {
		return Abs(r)
	}
	if x := getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "rules_pex")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(Abs(h), ".cache", "rules_pex")
	}
	return ""
}

// Python returns the path of the python of the environment at dir.
func Python(dir string) string { return filepath.Join(dir, "bin", "python") }

// Command returns the command that runs the application in the
// environment at dir: python -c with a line that imports BootModule (the
// launcher's way: a file to run would cost Python a millisecond more), to
// be followed by the application's arguments.
func Command(dir string) []string {
	return []string{Python(dir), "-c",
		"import sys; sys.path.insert(0, " + PyString(dir) + "); __import__(\"" + BootModule + "\").boot()"}
}

// Consumed returns the variables the launcher reads and the application
// does not see.
func Consumed() []string {
	names := make([]string, 0, len(consumed))
	for k := range consumed {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

var consumed = map[string]bool{"PEX": true, "PEX_INTERPRETER": true, "PEX_TOOLS": true, CompileEnv: true,
	ArgvEnv: true, PythonOptionsEnv: true, ArchiveEnv: true}

// Exec returns the argv and environment that run the application of plan
// p with the start's arguments.
func (s *Start) Exec(p *Plan) (argv, env []string) {
	interactive := Truthy(s.Vars["PEX_INTERPRETER"])
	if interactive {
		// Python's own command line: a REPL, -c, -m or a script.
		argv = append([]string{Python(p.Venv)}, s.Args...)
	} else {
		argv = append(Command(p.Venv), s.Args...)
	}
	if opts := s.Vars[PythonOptionsEnv]; opts != "" {
		// "python3 -X dev ARCHIVE": the archive's __main__.py passed them on.
		argv = append(argv[:1], append(strings.Split(opts, "\n"), argv[1:]...)...)
	}
	env = make([]string, 0, len(s.Env)+len(p.Env)+2)
	for _, kv := range s.Env {
		k, _, _ := strings.Cut(kv, "=")
		if consumed[k] || interactive && (k == "PEX_MODULE" || k == "PEX_SCRIPT") {
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
		if _, set := s.Vars[k]; !set {
			env = append(env, k+"="+p.Env[k])
		}
	}
	env = append(env, "PEX="+s.Exe)
	if !interactive {
		env = append(env, ArgvEnv+"="+s.Argv0)
	}
	return argv, env
}

// PyString returns s as a Python string literal: JSON's quoting (which
// Python reads), without escaping HTML characters, invalid UTF-8 as
// U+FFFD.
func PyString(s string) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(append(b, '"'))
}
