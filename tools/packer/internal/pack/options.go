// Package pack builds, inspects and verifies rules_pex archives: the logic
// behind the packer CLI. It validates every input up front and reports all
// problems at once, then writes the archive deterministically and atomically.
package pack

import (
	"fmt"
	"strings"
)

// Options are the inputs of one build; they mirror the packer's flags.
type Options struct {
	Output   string // the file to write
	Launcher string // the launcher binary placed before the zip
	// UniversalLaunchers (OS/ARCH=FILE, instead of Launcher) make a
	// universal file: a sh preamble and these launchers before the zip.
	UniversalLaunchers []string

	Sources       []string // DEST=PATH
	Wheels        []string // paths of .whl files, validated while packing
	CheckedWheels []string // WHEEL=SUMMARY: wheels validated by CheckWheel
	Requirements  []string // PEP 508 root requirements
	// Bytecode are bytecode bundles (tools/precompile/precompile.py's):
	// the .pyc files of one tree (the code, a wheel) for one interpreter.
	Bytecode []string

	EntryPoint string // MODULE or MODULE:FUNC
	Script     string // console script name
	Main       string // DEST of a source run as __main__

	InterpreterConstraints []string
	InterpreterSelection   string // layout.ParseInterpreterSelection's: newest (default) or oldest
	InheritPath            string // layout.ParseInheritPath's: false (default), prefer, fallback
	Env                    []string
	InjectArgs             []string // arguments placed before the user's
	Compression            string   // deflate (default), zstd, store

	// TargetEnvironments are JSON descriptions of where the archive will
	// run (see fit.go); the build fails when one of them could not run it.
	// Without any, the launcher's operating system and architecture are
	// checked.
	TargetEnvironments []string

	// Label and Rule name the Bazel target being built ("//app:app",
	// "pex_binary"); Origins map input paths (of --source, --wheel and
	// --checked-wheel) to the label that brought them: PATH=LABEL. With a
	// Label, problems are told in Bazel's terms (see terms).
	Label   string
	Rule    string
	Origins []string
}

// Problems is the list of everything wrong with a build's inputs, or with an
// archive being verified. Its Error joins them one per line.
type Problems []string

func (ps Problems) Error() string { return strings.Join(ps, "\n") }

func (ps *Problems) addf(format string, args ...any) {
	*ps = append(*ps, fmt.Sprintf(format, args...))
}

func (ps Problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}
