package pack

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/activate"
	"github.com/rules-pex/rules_pex/internal/constraint"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/pep508"
	"github.com/rules-pex/rules_pex/internal/tags"
)

// The fit check: before an archive is written, its wheels are resolved as
// the launcher resolves them at run time, for each target environment
// given (--target-environment), or else, for the operating system and
// architecture of the launcher in front of the archive. A project that would
// leave the application unable to start there fails the build.

// targetEnvironment is a description of where an archive will run: the
// marker environment and the ordered tags of one interpreter on one host.
// Its JSON is pex's "complete platform" format, so a file written by
// `pex3 interpreter inspect --markers --tags` works too:
//
//	{"marker_environment": {"python_full_version": "3.11.7", ...},
//	 "compatible_tags": ["cp311-cp311-manylinux_2_36_x86_64", ...]}
//
// An optional "name" names it in messages (default: the file name without
// .json).
type targetEnvironment struct {
	name    string
	path    string
	markers pep508.Environment
	tags    []tags.Tag
	version pep440.Version
}

// requiredMarkers are the marker variables a target environment must
// define; the others default to "".
var requiredMarkers = []string{
	"python_version", "python_full_version", "platform_python_implementation",
	"implementation_name", "sys_platform", "platform_system", "platform_machine", "os_name",
}

// readTargetEnvironment reads and checks a target environment file.
func readTargetEnvironment(path string) (*targetEnvironment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Name    *string            `json:"name"`
		Markers map[string]*string `json:"marker_environment"`
		Tags    []string           `json:"compatible_tags"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a target environment (JSON with marker_environment and compatible_tags): %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("not a target environment: text after the JSON object")
	}
	e := &targetEnvironment{path: path, markers: pep508.Environment{}}
	e.name = strings.TrimSuffix(filepath.Base(path), ".json")
	if raw.Name != nil {
		if *raw.Name == "" {
			return nil, fmt.Errorf(`field "name" is empty; give the environment a name or leave the field out`)
		}
		e.name = *raw.Name
	}
	if raw.Markers == nil {
		return nil, fmt.Errorf(`field "marker_environment" is missing: it maps PEP 508 marker variables (python_full_version, sys_platform, ...) to their values on the target`)
	}
	known := map[string]bool{}
	for _, v := range pep508.VariableNames() {
		known[v] = true
		e.markers[v] = ""
	}
	for k, v := range raw.Markers {
		if !known[k] || k == "extra" {
			return nil, fmt.Errorf("field marker_environment.%s: not a PEP 508 marker variable (want one of %s)", k, strings.Join(requiredMarkers, ", "))
		}
		if v == nil {
			return nil, fmt.Errorf("field marker_environment.%s: null; give its value on the target as a string", k)
		}
		e.markers[k] = *v
	}
	for _, k := range requiredMarkers {
		if raw.Markers[k] == nil {
			return nil, fmt.Errorf("field marker_environment.%s is missing; the launcher needs it to choose wheels", k)
		}
	}
	v, err := pep440.Parse(pep508.FullVersion(e.markers["python_full_version"]))
	if err != nil {
		return nil, fmt.Errorf("field marker_environment.python_full_version %q: not a Python version", e.markers["python_full_version"])
	}
	e.version = v
	if len(raw.Tags) == 0 {
		return nil, fmt.Errorf(`field "compatible_tags" is missing or empty: it lists the tags the target's interpreter supports, most preferred first`)
	}
	for i, s := range raw.Tags {
		ts, err := tags.ParseSet(s)
		if err != nil {
			return nil, fmt.Errorf("field compatible_tags[%d]: %v", i, err)
		}
		e.tags = append(e.tags, ts...)
	}
	return e, nil
}

// checkFit resolves the archive's wheels for each target environment, or
// for the launcher's platform without any, and reports what would fail.
func checkFit(o *Options, f flagValues, m *layout.Manifest, dists []*dist, t *terms, ps *Problems) {
	var envs []*targetEnvironment
	for _, path := range o.TargetEnvironments {
		e, err := readTargetEnvironment(path)
		if err != nil {
			ps.addf("%s %s: %v", t.attr("target_environments", "--target-environment"), t.input(path), err)
			continue
		}
		envs = append(envs, e)
	}
	if len(*ps) > 0 {
		return
	}
	set, err := activate.New(m)
	if err != nil {
		return // the wheels' own problems were reported already
	}
	byProject := map[string][]*dist{}
	for _, d := range dists {
		byProject[d.s.Project] = append(byProject[d.s.Project], d)
	}
	for _, e := range envs {
		_, err := set.Resolve(activate.Interpreter{Ranking: tags.NewRanking(e.tags), Markers: e.markers, Version: e.version})
		if err == nil {
			continue
		}
		msg := fmt.Sprintf("target environment %s (%s) cannot run the archive: %v", e.name, t.input(e.path), err)
		if p, ok := err.(*activate.Problem); ok && p.Project != "" {
			msg += fmt.Sprintf("; it supports %d tags, most preferred %s; %s", len(e.tags), e.tags[0], fitFix(p.Project, byProject[p.Project], t, "for "+e.name))
		}
		ps.addf("%s", msg)
	}
	if len(envs) > 0 {
		return
	}
	if len(f.universal) > 0 {
		// A universal file must run on every platform it has a launcher for.
		for _, l := range f.universal {
			goos, goarch, _ := strings.Cut(l.platform, "/")
			checkLauncherFit(goos, goarch, m, set, byProject, t, ps)
		}
		return
	}
	goos, goarch := executablePlatform(o.Launcher)
	if goos == "" {
		return
	}
	checkLauncherFit(goos, goarch, m, set, byProject, t, ps)
}

// checkLauncherFit is the check without target environments: the launcher
// runs on goos/goarch only, so the archive must hold, for every project the
// launcher would need there, a wheel for that operating system and
// architecture. Python versions and ABIs are not checked (no environment
// says which interpreter the host has): the launcher is resolved for each
// CPython and PyPy version the interpreter constraints allow, with every
// packed tag on a fitting platform supported, and only a project with no
// wheel on a fitting platform at all is reported.
func checkLauncherFit(goos, goarch string, m *layout.Manifest, set *activate.Set, byProject map[string][]*dist, t *terms, ps *Problems) {
	platforms := hostPlatforms(goos, goarch)
	var fitting []tags.Tag
	fits := map[*dist]bool{} // whether a wheel has a tag on a fitting platform
	for _, ds := range byProject {
		for _, d := range ds {
			for _, s := range d.s.Tags {
				ts, _ := tags.ParseSet(s)
				for _, tg := range ts {
					if platforms[tg.Platform] {
						fitting = append(fitting, tg)
						fits[d] = true
					}
				}
			}
		}
	}
	sort.Slice(fitting, func(i, j int) bool { return fitting[i].String() < fitting[j].String() })
	ranking := tags.NewRanking(fitting)
	cs, _ := constraint.ParseAll(m.InterpreterConstraints)
	reported := map[string]bool{}
	for _, impl := range []struct {
		name, marker string
		minors       []int
	}{
		{"CPython", "cpython", []int{8, 9, 10, 11, 12, 13, 14}},
		{"PyPy", "pypy", []int{9, 10, 11}},
	} {
		for _, minor := range impl.minors {
			full := fmt.Sprintf("3.%d.0", minor)
			v, _ := pep440.Parse(full)
			if !cs.Matches(impl.name, v) {
				continue
			}
			env := hostMarkers(goos, goarch)
			env["python_version"] = fmt.Sprintf("3.%d", minor)
			env["python_full_version"] = full
			env["implementation_version"] = full
			env["platform_python_implementation"] = impl.name
			env["implementation_name"] = impl.marker
			_, err := set.Resolve(activate.Interpreter{Ranking: ranking, Markers: env, Version: v})
			p, ok := err.(*activate.Problem)
			if !ok || p.Project == "" || reported[p.Project] {
				continue
			}
			ds := byProject[p.Project]
			if len(ds) == 0 || slices.ContainsFunc(ds, func(d *dist) bool { return fits[d] }) {
				continue // missing, or unfit for other reasons: the launcher says why on the host
			}
			reported[p.Project] = true
			var which []string
			for _, d := range ds {
				which = append(which, fmt.Sprintf("%s has tags %s", t.wheelFile(d), strings.Join(d.s.Tags, ", ")))
			}
			ps.addf("the launcher is for %s/%s, but no wheel of %s is: %s; %s", goos, goarch, p.Project, strings.Join(which, "; "),
				fitFix(p.Project, ds, t, "for "+goos+"/"+goarch+" ("+platformHint(goos, goarch)+")"))
		}
	}
}

// fitFix says what to do about a project that has no wheel for a target.
func fitFix(project string, ds []*dist, t *terms, target string) string {
	if !t.bazel() {
		return fmt.Sprintf("add a wheel of %s %s with --wheel, or build for a target its wheels support", project, target)
	}
	var labels []string
	for _, d := range ds {
		if l := t.origins[d.path]; l != "" && !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	from := ""
	if len(labels) > 0 {
		from = " (it comes from " + strings.Join(labels, ", ") + ")"
	}
	return fmt.Sprintf("add a wheel of %s %s to its repository or deps%s, or build for a platform its wheels support", project, target, from)
}

// machine returns platform.machine() on goos/goarch: x86_64, or for arm64
// aarch64 on Linux and arm64 on macOS.
func machine(goos, goarch string) string {
	switch {
	case goarch == "amd64":
		return "x86_64"
	case goos == "darwin":
		return "arm64"
	}
	return "aarch64"
}

func platformHint(goos, goarch string) string {
	if goos == "darwin" {
		return "a macosx_*_" + machine(goos, goarch) + " or universal2 wheel"
	}
	return "a manylinux, musllinux or linux_" + machine(goos, goarch) + " wheel"
}

// hostPlatforms returns the platform tags the launcher would accept on
// goos/goarch for any libc or OS version: those of tags.Supported for the
// newest ones, plus "any".
func hostPlatforms(goos, goarch string) map[string]bool {
	in := tags.Interpreter{Name: "cp", Major: 3, Minor: 12}
	switch goos {
	case "linux":
		in.OS = "linux"
		in.Platform = "linux-" + machine(goos, goarch)
		in.Glibc = tags.Version{Major: 2, Minor: 99}
		in.Musl = tags.Version{Major: 1, Minor: 99}
	case "darwin":
		in.OS = "darwin"
		in.Machine = machine(goos, goarch)
		in.MacOS = tags.Version{Major: 99, Minor: 0}
	}
	out := map[string]bool{"any": true}
	for _, tg := range tags.Supported(in) {
		out[tg.Platform] = true
	}
	return out
}

// hostMarkers returns the marker environment of goos/goarch, without the
// interpreter's variables.
func hostMarkers(goos, goarch string) pep508.Environment {
	env := pep508.Environment{}
	for _, v := range pep508.VariableNames() {
		env[v] = ""
	}
	env["os_name"] = "posix"
	env["platform_machine"] = machine(goos, goarch)
	switch goos {
	case "linux":
		env["sys_platform"], env["platform_system"] = "linux", "Linux"
	case "darwin":
		env["sys_platform"], env["platform_system"] = "darwin", "Darwin"
	}
	return env
}

// executablePlatform reads the header of the launcher: ELF (Linux) or
// Mach-O (macOS) for x86-64 or arm64. Anything else (a universal launcher,
// a test's stand-in) gives "", "": no check.
func executablePlatform(path string) (goos, goarch string) {
	f, err := os.Open(path)
	if err != nil {
		return "", ""
	}
	defer f.Close()
	var h [20]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return "", ""
	}
	switch {
	case string(h[:4]) == "\x7fELF" && h[5] == 1: // little-endian
		switch binary.LittleEndian.Uint16(h[18:]) {
		case 62:
			return "linux", "amd64"
		case 183:
			return "linux", "arm64"
		}
	case binary.LittleEndian.Uint32(h[:]) == 0xfeedfacf:
		switch binary.LittleEndian.Uint32(h[4:]) {
		case 0x01000007:
			return "darwin", "amd64"
		case 0x0100000c:
			return "darwin", "arm64"
		}
	}
	return "", ""
}

// TargetEnvironment writes to w the target environment of CPython
// python ("3.11") on platform, a platform tag naming the oldest system the
// file must run on: manylinux_2_28_x86_64 (or a legacy alias such as
// manylinux2014_aarch64) for a glibc of at least that version,
// musllinux_1_2_x86_64 for musl, macosx_11_0_arm64 for that macOS and
// later. Its tags are those the launcher computes for such an interpreter
// on such a system (the oldest one), and python_full_version is python's
// first release (3.11.0), so that a check passing for it passes for the
// series. name is its "name" ("" for none).
func TargetEnvironment(w io.Writer, python, platform, name string) error {
	var major, minor int
	if n, err := fmt.Sscanf(python, "%d.%d", &major, &minor); err != nil || n != 2 || fmt.Sprintf("%d.%d", major, minor) != python || major != 3 {
		return fmt.Errorf("--python %q: want a CPython 3 release series such as 3.11", python)
	}
	in := tags.Interpreter{Name: "cp", Major: major, Minor: minor}
	env := map[string]string{"os_name": "posix"}
	legacy := map[string]string{"manylinux2014": "manylinux_2_17", "manylinux2010": "manylinux_2_12", "manylinux1": "manylinux_2_5"}
	p := platform
	for old, now := range legacy {
		if rest, ok := strings.CutPrefix(p, old+"_"); ok {
			p = now + "_" + rest
		}
	}
	var a, b int
	var arch string
	bad := fmt.Errorf("--platform %q: want manylinux_2_M_ARCH, manylinux2014_ARCH, musllinux_1_M_ARCH or macosx_M_N_ARCH with ARCH x86_64 or aarch64 (arm64 on macOS)", platform)
	parse := func(prefix string) bool {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			return false
		}
		parts := strings.SplitN(rest, "_", 3)
		if len(parts) != 3 {
			return false
		}
		if _, err := fmt.Sscanf(parts[0]+" "+parts[1], "%d %d", &a, &b); err != nil {
			return false
		}
		arch = parts[2]
		return true
	}
	switch {
	case parse("manylinux_") && a == 2 && (arch == "x86_64" || arch == "aarch64"):
		in.OS, in.Platform, in.Glibc = "linux", "linux-"+arch, tags.Version{Major: a, Minor: b}
		env["sys_platform"], env["platform_system"], env["platform_machine"] = "linux", "Linux", arch
	case parse("musllinux_") && a == 1 && (arch == "x86_64" || arch == "aarch64"):
		in.OS, in.Platform, in.Musl = "linux", "linux-"+arch, tags.Version{Major: a, Minor: b}
		env["sys_platform"], env["platform_system"], env["platform_machine"] = "linux", "Linux", arch
	case parse("macosx_") && (arch == "x86_64" || arch == "arm64") && a >= 10:
		in.OS, in.Machine, in.MacOS = "darwin", arch, tags.Version{Major: a, Minor: b}
		env["sys_platform"], env["platform_system"], env["platform_machine"] = "darwin", "Darwin", arch
	default:
		return bad
	}
	full := python + ".0"
	env["python_version"], env["python_full_version"] = python, full
	env["implementation_name"], env["implementation_version"], env["platform_python_implementation"] = "cpython", full, "CPython"
	env["platform_release"], env["platform_version"] = "", ""
	var ts []string
	for _, tg := range tags.Supported(in) {
		ts = append(ts, tg.String())
	}
	if len(ts) == 0 {
		return bad
	}
	out := struct {
		Name    string            `json:"name,omitempty"`
		Markers map[string]string `json:"marker_environment"`
		Tags    []string          `json:"compatible_tags"`
	}{name, env, ts}
	data, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}
