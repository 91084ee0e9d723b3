package pack

import (
	"fmt"
	"os"
	"slices"
	"sort"

	"github.com/rules-pex/rules_pex/internal/atomicfile"
	"github.com/rules-pex/rules_pex/internal/layout"
)

// Version identifies this packer in build_properties. A release stamps it
// (go build -ldflags=-X github.com/rules-pex/rules_pex/tools/packer/internal/pack.Version=x.y.z);
// a build from source says 0.1.0.
var Version = "0.1.0"

// Build validates o, then writes the archive to o.Output atomically.
// Every problem found in the inputs is reported in one Problems error.
//
// Each job has its file: the flags (flags.go), the sources (sources.go), the
// wheels (wheels.go), the requirement closure (requirements.go), what the
// archive runs (entrypoint.go), the manifest (manifest.go), whether its
// targets can run it (fit.go) and the zip
// (write.go); terms.go words the problems.
func Build(o *Options) error {
	var ps Problems
	t := newTerms(o, &ps)
	flags := checkFlags(o, t, &ps)
	srcs := readSources(o.Sources, t, &ps)
	dists := openWheels(o.Wheels, o.CheckedWheels, &ps)
	defer func() {
		for _, d := range dists {
			d.close()
		}
	}()
	checkWheelClashes(dists, t, &ps)
	bundles := readBundles(o.Bytecode, srcs, dists, t, &ps)
	defer func() {
		for _, b := range bundles {
			b.close()
		}
	}()
	reqs := checkRequirements(o.Requirements, dists, t, &ps)
	checkEntry(o, flags, t, srcs, dists, &ps)
	if len(ps) > 0 {
		return t.prefixed(ps)
	}
	m, entries := newManifest(o, flags, reqs, srcs, dists, bundles)
	if checkFit(o, flags, m, dists, t, &ps); len(ps) > 0 {
		return t.prefixed(ps)
	}
	manifest, err := layout.Encode(m)
	if err != nil {
		return err
	}
	return writeOutput(o.Output, 0o755, func(f *os.File) error {
		return writeArchive(f, o.Launcher, flags.universal, flags.comp, manifest, entries)
	})
}

// writeOutput writes path atomically (atomicfile.Write), naming it as the
// -o flag in errors other than write's own.
func writeOutput(path string, mode os.FileMode, write func(*os.File) error) error {
	var werr error
	err := atomicfile.Write(path, mode, func(f *os.File) error {
		werr = write(f)
		return werr
	})
	switch pe, _ := err.(*os.PathError); {
	case err == nil || err == werr:
		return err
	case pe != nil && pe.Op == "open":
		return fmt.Errorf("-o %s: %v", path, errText(err))
	default:
		return fmt.Errorf("-o %s: %w", path, err)
	}
}

// sortedUnique returns the distinct strings of s in order, never nil. Used
// for lists whose order carries no meaning (OR'ed constraints, root
// requirements), so the order of flags cannot change the output.
func sortedUnique(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return slices.Compact(out)
}

// errText renders file-system errors without Go's operation prefix
// duplication ("open x: no such file" becomes "no such file or directory").
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
