// Command packer writes rules_pex archives: one executable file made of the
// launcher followed by a zip of the application's code and wheels. It is the
// build-time half of rules_pex and needs no Python. See usage for the
// interface, which Bazel rules and tests outside the project rely on.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rules-pex/rules_pex/internal/atomicfile"
	"github.com/rules-pex/rules_pex/internal/launcherfile"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/tools/packer/internal/lock"
	"github.com/rules-pex/rules_pex/tools/packer/internal/pack"
)

// Exit codes.
const (
	exitOK      = 0
	exitInvalid = 1 // bad input, or an archive that is not sound
	exitUsage   = 2 // bad command line
)

const usage = `usage:
  packer build -o OUT --launcher FILE [options] [@PARAMSFILE]
  packer build -o OUT --universal-launcher [OS/ARCH=]FILE... [options] [@PARAMSFILE]
  packer inspect FILE     print the manifest (PEX-INFO) as JSON on stdout
  packer verify FILE      check every entry against the manifest; exit 0 only if sound
  packer check-wheel -o SUMMARY WHEEL
                          validate WHEEL fully and write its summary (JSON) for --checked-wheel
  packer target-environment --python X.Y --platform TAG [--name NAME] [-o OUT]
                          print (or write to OUT) the target environment (--target-environment's JSON) of CPython X.Y on
                          the oldest system of platform tag TAG (manylinux_2_28_x86_64, manylinux2014_aarch64,
                          musllinux_1_2_x86_64, macosx_11_0_arm64, ...), with the tags the launcher computes
  packer lock --lock FILE [--directory DIR]... [--listing BASEURL=HTMLFILE]...
                          read a lock file and print its packages and their wheels as JSON on stdout
  packer join-launcher -o OUT FIRST FULL
                          write a two-stage launcher: the first stage FIRST (launcher/first), a header, then
                          the full launcher FULL (launcher); fails unless FIRST can find the header

build options:
  -o, --output OUT                  the executable to write (atomically: nothing is left on failure)
  --launcher FILE                   launcher binary to put in front of the zip
  --universal-launcher [OS/ARCH=]FILE  instead of --launcher, two or more (linux/amd64, linux/arm64,
                                    darwin/amd64, darwin/arm64; without OS/ARCH read from the file's ELF or
                                    Mach-O header): a universal file, a POSIX sh preamble
                                    that extracts the host's launcher once into the cache (by its sha256)
                                    and runs it on the file; every platform's wheels are fit-checked
  --source DEST=PATH                a file placed at DEST (relative, slash-separated) in the app's code;
                                    symlinks to regular files are followed (Bazel stages inputs so)
  --wheel PATH.whl                  a wheel; several wheels of one project with different tags are allowed
  --checked-wheel PATH.whl=SUMMARY  a wheel validated by check-wheel: its size and zip directory (names,
                                    sizes, CRC-32s) are checked against SUMMARY, and its entries copied
                                    without reading them twice
  --bytecode BUNDLE                 the .pyc files of the code or of one wheel for one Python version, as
                                    tools/precompile/precompile.py writes them (PEP 552 unchecked-hash pycs);
                                    checked against the archive's sources and wheels, shipped under
                                    bytecode/<cache tag>/ and installed only for an interpreter of that tag
  --requirement REQ                 a PEP 508 root requirement; without any, every given project is a root
  --entry-point MODULE[:FUNC]       what to run; at most one of --entry-point, --script, --main. MODULE
                                    must be packed: a --source, a module or package in a wheel's
                                    site-packages, or the standard library (CPython 3.11's top-level
                                    modules, and later ones) - unless --inherit-path is prefer or
                                    fallback; a file path (tool.py:main) is refused with the module to write
  --script NAME                     a console script (or .data/scripts file) of one of the wheels
  --main DEST                       a --source DEST run as __main__
  --interpreter-constraint SPEC     e.g. CPython>=3.9,<3.13, PyPy, >=3.8; several are OR'ed
  --interpreter-selection newest|oldest   which accepted interpreter wins at run time (default newest)
  --inherit-path false|prefer|fallback    whether the interpreter's own site-packages are visible (default false)
  --env KEY=VALUE                   an environment variable set for the application; not PEX, PEX_* or
                                    __RULES_PEX_* (the launcher's own: read before the application's env)
  --inject-arg ARG                  an argument given to the entry point before the user's (repeatable,
                                    in order; recorded in the manifest as inject_args)
  --compression deflate|zstd|store  how the packer compresses files it adds (default deflate);
                                    wheel entries are copied with their own compression, and the
                                    archive's __main__.py (what "python3 OUT" runs) is always stored
  --target-environment FILE         a JSON description of a target (pex's complete-platform format: its
                                    marker_environment and ordered compatible_tags; repeatable): the wheels
                                    are resolved for it as the launcher resolves them at run time, and the
                                    build fails when it could not run the archive. Without any, every
                                    project the launcher could need must have a wheel for the launcher's
                                    OS and architecture (read from its ELF or Mach-O header)
  --label LABEL, --rule KIND        the Bazel target being built (//app:app, pex_binary): problems then
                                    name the target and its attributes instead of these flags
  --origin PATH=LABEL               the label that brought the input file PATH (of --source, --wheel,
                                    --checked-wheel or --target-environment), named in problems about it
  @PARAMSFILE                       read more arguments from a file, one per line (Bazel's multiline format)

lock options:
  --lock FILE                       pylock.toml or pylock.NAME.toml: a PEP 751 lock; any other name: a pip
                                    requirements file in which every requirement is NAME[EXTRAS]==VERSION
                                    [; MARKER] with --hash=sha256:HEX options (pip-compile --generate-hashes,
                                    uv pip compile --generate-hashes); -r, -c, -e and URL requirements are refused
  --directory DIR                   wheels of the locked versions are taken from DIR; each is hashed and must
                                    have one of the lock's sha256 hashes (a pylock's wheels get a local path);
                                    a project with a marker and no file of its version there is skipped
  --listing BASEURL=HTMLFILE        a simple-index or find-links page saved to HTMLFILE, whose relative links
                                    resolve against BASEURL; its .whl links of the locked versions are listed
                                    (a #sha256= fragment must be one of the lock's hashes; without one, the
                                    caller checks the file after download). For requirements files only
  The JSON: {"lock", "format": "requirements"|"pylock", "index_urls", "find_links", "packages": [{"name",
  "version", "marker", "extras", "line", "wheels": [{"filename", "url", "path", "sha256"}], "sha256"}],
  "skipped": [{"name", "version", "line", "reason"}]}, names and versions normalized, sorted. Packages
  that are not wheels (sdist only, vcs, directory, archive) are skipped, with the reason.

exit codes:
  0  success
  1  invalid input (every problem is printed, one per line), or verify found the archive unsound
  2  usage error
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	args, err := expandParams(args)
	if err != nil {
		fmt.Fprintf(stderr, "packer: %v\n", err)
		return exitUsage
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "build":
		return runBuild(args[1:], stderr)
	case "inspect":
		return runOnFile("inspect", args[1:], stderr, func(path string) error { return pack.Inspect(path, stdout) })
	case "verify":
		return runOnFile("verify", args[1:], stderr, func(path string) error {
			if err := pack.Verify(path); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: ok\n", path)
			return nil
		})
	case "check-wheel":
		return runCheckWheel(args[1:], stderr)
	case "lock":
		return runLock(args[1:], stdout, stderr)
	case "join-launcher":
		return runJoinLauncher(args[1:], stderr)
	case "target-environment":
		return runTargetEnvironment(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "packer: unknown command %q\n%s", args[0], usage)
		return exitUsage
	}
}

func runOnFile(cmd string, args []string, stderr io.Writer, f func(string) error) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "packer %s: want exactly one FILE\n%s", cmd, usage)
		return exitUsage
	}
	if err := f(args[0]); err != nil {
		printProblems(stderr, err)
		return exitInvalid
	}
	return exitOK
}

// multi collects a repeatable flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func runBuild(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("packer build", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o pack.Options
	var sources, wheels, checked, bytecode, reqs, constraints, env, inject, origins, targets, universal multi
	fs.StringVar(&o.Output, "o", "", "")
	fs.StringVar(&o.Output, "output", "", "")
	fs.StringVar(&o.Launcher, "launcher", "", "")
	fs.Var(&sources, "source", "")
	fs.Var(&wheels, "wheel", "")
	fs.Var(&checked, "checked-wheel", "")
	fs.Var(&bytecode, "bytecode", "")
	fs.Var(&reqs, "requirement", "")
	fs.StringVar(&o.EntryPoint, "entry-point", "", "")
	fs.StringVar(&o.Script, "script", "", "")
	fs.StringVar(&o.Main, "main", "", "")
	fs.Var(&constraints, "interpreter-constraint", "")
	fs.StringVar(&o.InterpreterSelection, "interpreter-selection", layout.DefaultInterpreterSelection.String(), "")
	fs.StringVar(&o.InheritPath, "inherit-path", layout.DefaultInheritPath.String(), "")
	fs.Var(&env, "env", "")
	fs.Var(&inject, "inject-arg", "")
	fs.StringVar(&o.Label, "label", "", "")
	fs.StringVar(&o.Rule, "rule", "", "")
	fs.Var(&origins, "origin", "")
	fs.Var(&targets, "target-environment", "")
	fs.Var(&universal, "universal-launcher", "")
	fs.StringVar(&o.Compression, "compression", "deflate", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usage)
			return exitUsage
		}
		fmt.Fprintf(stderr, "packer build: %v\n%s", err, usage)
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "packer build: unexpected argument %q\n%s", fs.Arg(0), usage)
		return exitUsage
	}
	if o.Output == "" || o.Launcher == "" && len(universal) == 0 {
		fmt.Fprintf(stderr, "packer build: -o OUT and --launcher FILE (or --universal-launcher OS/ARCH=FILE) are required\n%s", usage)
		return exitUsage
	}
	o.CheckedWheels, o.Bytecode = checked, bytecode
	o.Sources, o.Wheels, o.Requirements, o.InterpreterConstraints, o.Env = sources, wheels, reqs, constraints, env
	o.InjectArgs, o.Origins, o.TargetEnvironments, o.UniversalLaunchers = inject, origins, targets, universal
	if err := pack.Build(&o); err != nil {
		printProblems(stderr, err)
		return exitInvalid
	}
	return exitOK
}

func runCheckWheel(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("packer check-wheel", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var out string
	fs.StringVar(&out, "o", "", "")
	fs.StringVar(&out, "output", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || out == "" {
		fmt.Fprintf(stderr, "packer check-wheel: want -o SUMMARY WHEEL\n%s", usage)
		return exitUsage
	}
	if err := pack.CheckWheel(fs.Arg(0), out); err != nil {
		printProblems(stderr, err)
		return exitInvalid
	}
	return exitOK
}

func runTargetEnvironment(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("packer target-environment", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var python, platform, name, output string
	fs.StringVar(&output, "o", "", "")
	fs.StringVar(&python, "python", "", "")
	fs.StringVar(&platform, "platform", "", "")
	fs.StringVar(&name, "name", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || python == "" || platform == "" {
		why := "want --python X.Y and --platform TAG"
		switch {
		case err != nil:
			why = err.Error()
		case fs.NArg() > 0:
			why = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
		}
		fmt.Fprintf(stderr, "packer target-environment: %s\n%s", why, usage)
		return exitUsage
	}
	var buf bytes.Buffer
	if err := pack.TargetEnvironment(&buf, python, platform, name); err != nil {
		fmt.Fprintf(stderr, "packer target-environment: %v\n", err)
		return exitUsage
	}
	if output == "" {
		stdout.Write(buf.Bytes())
		return exitOK
	}
	if err := atomicfile.Write(output, 0o644, func(f *os.File) error { _, err := f.Write(buf.Bytes()); return err }); err != nil {
		fmt.Fprintf(stderr, "packer target-environment: -o %s: %v\n", output, err)
		return exitInvalid
	}
	return exitOK
}

func runJoinLauncher(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("packer join-launcher", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var output string
	fs.StringVar(&output, "o", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 2 || output == "" {
		fmt.Fprintf(stderr, "packer join-launcher: want -o OUT FIRST FULL\n%s", usage)
		return exitUsage
	}
	var parts [2][]byte
	for i, p := range fs.Args() {
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintf(stderr, "packer join-launcher: %v\n", err)
			return exitInvalid
		}
		parts[i] = b
	}
	err := atomicfile.Write(output, 0o755, func(f *os.File) error { return launcherfile.Join(f, parts[0], parts[1]) })
	if err != nil {
		fmt.Fprintf(stderr, "packer join-launcher: %s, %s: %v\n", fs.Arg(0), fs.Arg(1), err)
		return exitInvalid
	}
	return exitOK
}

func runLock(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("packer lock", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o lock.Options
	var dirs, listings multi
	fs.StringVar(&o.Lock, "lock", "", "")
	fs.Var(&dirs, "directory", "")
	fs.Var(&listings, "listing", "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || o.Lock == "" {
		why := "want --lock FILE"
		switch {
		case err != nil:
			why = err.Error()
		case fs.NArg() > 0:
			why = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
		}
		fmt.Fprintf(stderr, "packer lock: %s\n%s", why, usage)
		return exitUsage
	}
	o.Directories = dirs
	for _, l := range listings {
		base, file, ok := strings.Cut(l, "=")
		if !ok || base == "" || file == "" {
			fmt.Fprintf(stderr, "packer lock: --listing %q: want BASEURL=HTMLFILE\n%s", l, usage)
			return exitUsage
		}
		o.Listings = append(o.Listings, lock.Listing{BaseURL: base, File: file})
	}
	l, err := lock.Read(&o)
	if err != nil {
		printProblems(stderr, err)
		return exitInvalid
	}
	out, err := l.JSON()
	if err != nil {
		printProblems(stderr, err)
		return exitInvalid
	}
	if _, err := stdout.Write(out); err != nil {
		printProblems(stderr, fmt.Errorf("writing the JSON: %w", err))
		return exitInvalid
	}
	return exitOK
}

// printProblems prints one line per problem, each with the tool's prefix.
func printProblems(w io.Writer, err error) {
	var ps pack.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintf(w, "packer: %s\n", p)
		}
		return
	}
	var lps lock.Problems
	if errors.As(err, &lps) {
		for _, p := range lps {
			fmt.Fprintf(w, "packer: %s\n", p)
		}
		return
	}
	fmt.Fprintf(w, "packer: %v\n", err)
}

// maxParams bounds a params file: Bazel's are at most a few megabytes.
const maxParams = 1 << 30

// expandParams replaces each @FILE argument with the lines of FILE, as Bazel
// writes parameter files in its multiline format.
func expandParams(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if !strings.HasPrefix(a, "@") || len(a) == 1 {
			out = append(out, a)
			continue
		}
		data, err := regfile.ReadFile(a[1:], maxParams)
		if err != nil {
			return nil, fmt.Errorf("reading params file: %w", err)
		}
		text := strings.TrimSuffix(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
		if text != "" {
			out = append(out, strings.Split(text, "\n")...)
		}
	}
	return out, nil
}
