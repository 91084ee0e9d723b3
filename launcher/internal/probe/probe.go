// Package probe owns what the launcher learns about a Python interpreter by
// running it once: an embedded Python script (Script) prints one JSON object
// (Info) with the interpreter's identity, its prefixes (venv detection), the
// facts compatibility tags depend on and the PEP 508 marker environment.
// Info converts to a tags.Interpreter (Tags) and a marker environment
// (MarkerEnv), computed as Python's packaging library computes them.
//
// Two things packaging looks at are not probed: the _manylinux module a
// distributor may install in site-packages to veto manylinux tags (the probe
// runs with -S, so it cannot see it), and paths that are not valid UTF-8
// (they arrive with U+FFFD in place of the undecodable bytes).
package probe

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Script is the probe program. It runs on CPython 3.6+ and PyPy3, imports
// only cheap stdlib modules and prints one JSON object (see Info). Run
// passes it with "-I -S -c" in pieces (see Args).
//
//go:embed probe.py
var Script []byte

// driver is the "-c" program of a probe run: it runs the pieces of Script
// it is given as arguments, one after the other in one namespace, as
// Python would run the whole script. Compiling one top-level statement at
// a time rather than the whole script costs the interpreter about 0.5 MB
// less peak memory (the compiler's memory is reused from one piece to the
// next; exec of the string costs less than compile and exec), and the
// probe is the process with the largest peak of an application's first
// run. Tracebacks name the file "<string>", as with the whole script.
const driver = "import sys\n" +
	"g = {\"__name__\": \"__main__\"}\n" +
	"for s in sys.argv[1:]:\n" +
	"    exec(s, g)\n"

// Args returns the interpreter arguments of a probe run: -I -S -c, the
// driver, then Script split at its blank-line pairs (where its top-level
// statements are separated), each piece preceded by newlines so that
// tracebacks give the line numbers of probe.py.
func Args() []string {
	args := []string{"-I", "-S", "-c", driver}
	line := 0
	for piece := range strings.SplitSeq(string(Script), "\n\n\n") {
		args = append(args, strings.Repeat("\n", line)+piece+"\n")
		line += strings.Count(piece, "\n") + 3
	}
	return args
}

// SchemaVersion is the "schema" the embedded Script prints. It changes
// whenever the meaning or set of fields changes, so cached probe results
// can be keyed on it.
const SchemaVersion = 2

// DefaultTimeout bounds one probe run unless the context passed to Run has
// a deadline.
const DefaultTimeout = 10 * time.Second

// Output limits: a real probe prints a few kilobytes.
const (
	maxStdout = 1 << 20
	maxStderr = 16 << 10
)

// ErrMalformedOutput is wrapped by the Error Run returns when the
// interpreter exits successfully but prints something that is not a probe
// result.
var ErrMalformedOutput = errors.New("malformed probe output")

// Error is the error Run returns: it names the interpreter, says what went
// wrong and carries the end of what the interpreter printed to stderr.
type Error struct {
	Python string // the interpreter as given to Run
	Err    error  // the cause: exec failure, exit status, timeout, ErrMalformedOutput
	Stderr string // the end of the interpreter's standard error, if any
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("probing python interpreter %s: %v", e.Python, e.Err)
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += ": stderr: " + s
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Info is what the probe script reports about an interpreter. Config
// variables that Python reports as None are nil pointers.
type Info struct {
	Schema                int         `json:"schema"`
	ImplementationName    string      `json:"implementation_name"`    // sys.implementation.name: "cpython", "pypy"
	ImplementationVersion string      `json:"implementation_version"` // sys.implementation.version: "3.11.7", "7.3.11"
	VersionInfo           VersionInfo `json:"version_info"`           // sys.version_info
	Version               string      `json:"version"`                // sys.version
	// CacheTag is sys.implementation.cache_tag ("cpython-311", "pypy39"),
	// nil when the interpreter uses no bytecode files; MagicNumber is the
	// hex of importlib.util.MAGIC_NUMBER. Shipped bytecode is used when
	// both match.
	CacheTag    *string `json:"cache_tag"`
	MagicNumber string  `json:"magic_number"`

	Executable string `json:"executable"` // sys.executable
	Realpath   string `json:"realpath"`   // os.path.realpath(sys.executable)
	// Prefix and ExecPrefix are sys.prefix and sys.exec_prefix as site.py
	// sets them: the venv directory in a virtual environment.
	Prefix         string `json:"prefix"`
	ExecPrefix     string `json:"exec_prefix"`
	BasePrefix     string `json:"base_prefix"`      // sys.base_prefix
	BaseExecPrefix string `json:"base_exec_prefix"` // sys.base_exec_prefix

	Is32Bit             bool     `json:"is_32bit"`             // sys.maxsize <= 2**32
	SOABI               *string  `json:"soabi"`                // sysconfig SOABI
	ExtSuffix           *string  `json:"ext_suffix"`           // sysconfig EXT_SUFFIX
	ExtensionSuffixes   []string `json:"extension_suffixes"`   // importlib.machinery.EXTENSION_SUFFIXES
	PyDebug             *bool    `json:"py_debug"`             // sysconfig Py_DEBUG
	WithPymalloc        *bool    `json:"with_pymalloc"`        // sysconfig WITH_PYMALLOC
	PyGILDisabled       *bool    `json:"py_gil_disabled"`      // sysconfig Py_GIL_DISABLED
	HasGetTotalRefCount bool     `json:"has_gettotalrefcount"` // hasattr(sys, "gettotalrefcount")
	PyVersionNodot      *string  `json:"py_version_nodot"`     // sysconfig py_version_nodot

	System            string  `json:"system"`             // os.uname().sysname: "Linux", "Darwin"
	Machine           string  `json:"machine"`            // os.uname().machine
	SysconfigPlatform *string `json:"sysconfig_platform"` // sysconfig.get_platform(); nil on macOS
	// GlibcVersion is the glibc version string ("2.36") from
	// os.confstr("CS_GNU_LIBC_VERSION") or gnu_get_libc_version(); Linux only.
	GlibcVersion *string `json:"glibc_version"`
	// ELF describes sys.executable on Linux; nil when it is not ELF.
	ELF *ELF `json:"elf"`
	// MuslLoaderOutput is what the ELF interpreter of sys.executable printed
	// to stderr when run bare, if its path names musl.
	MuslLoaderOutput *string `json:"musl_loader_output"`
	// MacOSVersion is the macOS ProductVersion ("14.2.1"); macOS only.
	MacOSVersion *string `json:"macos_version"`

	// Markers is the PEP 508 environment: the 11 marker variables.
	Markers map[string]string `json:"marker_environment"`
}

// VersionInfo mirrors sys.version_info.
type VersionInfo struct {
	Major        int    `json:"major"`
	Minor        int    `json:"minor"`
	Micro        int    `json:"micro"`
	ReleaseLevel string `json:"releaselevel"`
	Serial       int    `json:"serial"`
}

// ELF is the header of an ELF executable and its PT_INTERP path.
type ELF struct {
	Class       uint8   `json:"class"`
	Data        uint8   `json:"data"`
	Machine     uint16  `json:"machine"`
	Flags       uint32  `json:"flags"`
	Interpreter *string `json:"interpreter"`
}

// MarkerKeys are the PEP 508 environment marker variables, all present in
// Info.Markers.
var MarkerKeys = []string{
	"implementation_name",
	"implementation_version",
	"os_name",
	"platform_machine",
	"platform_release",
	"platform_system",
	"platform_version",
	"python_full_version",
	"platform_python_implementation",
	"python_version",
	"sys_platform",
}

// Run runs the probe script with the interpreter python (a path, or a name
// looked up in PATH) and returns what it reports. The run is isolated from
// the user's site-packages and PYTHON* variables (-I -S) and bounded by
// ctx's deadline, or DefaultTimeout if it has none. Errors are *Error values
// naming the interpreter.
func Run(ctx context.Context, python string) (*Info, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}

	cmd := exec.CommandContext(ctx, python, Args()...)
	// Old-SDK builds on macOS 11+ are told the version is 10.16 unless this is set.
	cmd.Env = append(os.Environ(), "SYSTEM_VERSION_COMPAT=0")
	cmd.WaitDelay = time.Second
	stdout := limitedBuffer{max: maxStdout}
	stderr := tailBuffer{max: maxStderr}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr

	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		// The interpreter answered and exited; something it started (a
		// wrapper script's background job) still holds its output open.
		// What the interpreter wrote is all there is: judge that.
		err = nil
	}
	if stdout.truncated {
		return nil, &Error{Python: python, Err: fmt.Errorf("%w: more than %d bytes", ErrMalformedOutput, maxStdout)}
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			ctxErr = fmt.Errorf("no answer in time: %w", ctxErr)
		}
		return nil, &Error{Python: python, Err: ctxErr, Stderr: stderr.String()}
	}
	if err != nil {
		return nil, &Error{Python: python, Err: err, Stderr: stderr.String()}
	}
	info, err := Parse(stdout.buf)
	if err != nil {
		return nil, &Error{Python: python, Err: err, Stderr: stderr.String()}
	}
	return info, nil
}

// Parse decodes the output of the probe script: exactly one JSON object of
// the current SchemaVersion. Errors wrap ErrMalformedOutput.
func Parse(out []byte) (*Info, error) {
	dec := json.NewDecoder(bytes.NewReader(out))
	var info Info
	if err := dec.Decode(&info); err != nil {
		return nil, fmt.Errorf("%w: %v: %s", ErrMalformedOutput, err, quoteStart(out))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: unexpected data after the JSON object: %s", ErrMalformedOutput, quoteStart(out))
	}
	if info.Schema != SchemaVersion {
		return nil, fmt.Errorf("%w: schema %d, want %d", ErrMalformedOutput, info.Schema, SchemaVersion)
	}
	if info.ImplementationName == "" || info.VersionInfo.Major <= 0 || info.VersionInfo.Minor < 0 {
		return nil, fmt.Errorf("%w: no implementation name or version", ErrMalformedOutput)
	}
	for _, k := range MarkerKeys {
		if _, ok := info.Markers[k]; !ok {
			return nil, fmt.Errorf("%w: marker environment lacks %s", ErrMalformedOutput, k)
		}
	}
	return &info, nil
}

// quoteStart quotes the start of some output for an error message.
func quoteStart(out []byte) string {
	const n = 200
	if len(out) > n {
		return fmt.Sprintf("%q...", out[:n])
	}
	return fmt.Sprintf("%q", out)
}

// InVenv reports whether the interpreter runs in a virtual environment
// (sys.prefix differs from sys.base_prefix).
func (i *Info) InVenv() bool { return i.Prefix != i.BasePrefix }

// MarkerEnv returns a copy of the PEP 508 marker environment, as
// packaging.markers.default_environment() computes it.
func (i *Info) MarkerEnv() map[string]string {
	env := make(map[string]string, len(i.Markers))
	for k, v := range i.Markers {
		env[k] = v
	}
	return env
}

// limitedBuffer keeps up to max bytes; a write beyond that fails, which
// closes the pipe so an interpreter printing without end is stopped.
// (It must not embed bytes.Buffer, whose ReadFrom io.Copy would use instead
// of Write.)
type limitedBuffer struct {
	buf       []byte
	max       int
	truncated bool
}

var errTooMuchOutput = errors.New("too much output")

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if len(p) > b.max-len(b.buf) {
		b.truncated = true
		return 0, errTooMuchOutput
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// tailBuffer keeps the last max bytes written to it: the end of a Python
// traceback is what explains it.
type tailBuffer struct {
	buf []byte
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > b.max {
		p = p[len(p)-b.max:]
	}
	if drop := len(b.buf) + len(p) - b.max; drop > 0 {
		b.buf = append(b.buf[:0], b.buf[drop:]...)
	}
	b.buf = append(b.buf, p...)
	return n, nil
}

func (b *tailBuffer) String() string { return string(b.buf) }
