package probe

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-pex/rules_pex/internal/oracletest"
	"github.com/rules-pex/rules_pex/internal/tags"
)

// oracleScript prints what packaging says about the interpreter running it:
// sys_tags() in order and default_environment(). argv[1] is a directory
// holding only the packaging library, put first on sys.path.
const oracleScript = `
import json, sys
sys.path.insert(0, sys.argv[1])
import packaging
from packaging import markers, tags
if not packaging.__file__.startswith(sys.argv[1]):
    raise SystemExit("packaging imported from %s, not %s" % (packaging.__file__, sys.argv[1]))
json.dump({
    "version": packaging.__version__,
    "tags": [str(t) for t in tags.sys_tags()],
    "markers": markers.default_environment(),
}, sys.stdout)
`

// oracleInterpreters are the interpreters the oracle test runs: the ones
// this repository's CI installs.
var oracleInterpreters = []struct {
	name, python, install string
}{
	{"debian-python3.11", "/usr/bin/python3.11", "`apt-get install -y python3.11`"},
	{"python3-on-PATH", "python3", "put a python3 on PATH"},
	{"pypy3", "pypy3", "`apt-get install -y pypy3`"},
}

// TestSupportedMatchesPackaging probes each real interpreter, computes its
// supported tags and marker environment in Go, and compares them with what
// packaging computes inside that interpreter: the full ordered tag list and
// all marker variables must be equal.
func TestSupportedMatchesPackaging(t *testing.T) {
	pkg := oracletest.PackagingDir(t)
	for _, tc := range oracleInterpreters {
		t.Run(tc.name, func(t *testing.T) {
			python := lookPython(t, tc.python, tc.install)
			info, err := Run(context.Background(), python)
			if err != nil {
				t.Fatal(err)
			}
			var want struct {
				Version string
				Tags    []string
				Markers map[string]string
			}
			out := runPython(t, python, t.TempDir(), nil, "-c", oracleScript, pkg)
			if err := json.Unmarshal(out, &want); err != nil {
				t.Fatalf("oracle output of %s: %v: %q", python, err, out)
			}
			t.Logf("%s: %s %s, packaging %s, %d tags", python, info.ImplementationName,
				info.ImplementationVersion, want.Version, len(want.Tags))

			got := tags.Supported(info.Tags())
			if d := diffTags(got, want.Tags); d != "" {
				t.Errorf("tags.Supported for %s differs from packaging.tags.sys_tags():\n%s", python, d)
			}

			env := info.MarkerEnv()
			if len(want.Markers) != len(MarkerKeys) {
				t.Errorf("packaging reports %d marker variables, MarkerKeys has %d", len(want.Markers), len(MarkerKeys))
			}
			for k, w := range want.Markers {
				if g, ok := env[k]; !ok || g != w {
					t.Errorf("marker %s of %s: probe says %q (present %v), packaging says %q", k, python, g, ok, w)
				}
			}
			for k := range env {
				if _, ok := want.Markers[k]; !ok {
					t.Errorf("marker %s of %s: probe reports it, packaging does not", k, python)
				}
			}
		})
	}
}

// TestRunReportsIdentity checks the identity fields against the interpreter
// itself.
func TestRunReportsIdentity(t *testing.T) {
	for _, tc := range oracleInterpreters {
		t.Run(tc.name, func(t *testing.T) {
			python := lookPython(t, tc.python, tc.install)
			info, err := Run(context.Background(), python)
			if err != nil {
				t.Fatal(err)
			}
			const script = `
import json, os, sys, sysconfig
json.dump({
    "executable": sys.executable,
    "realpath": os.path.realpath(sys.executable),
    "prefix": sys.prefix,
    "base_prefix": sys.base_prefix,
    "version_info": list(sys.version_info),
    "implementation": sys.implementation.name,
    "soabi": sysconfig.get_config_var("SOABI"),
    "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
    "py_version_nodot": sysconfig.get_config_var("py_version_nodot"),
    "py_debug": sysconfig.get_config_var("Py_DEBUG"),
}, sys.stdout)
`
			var want struct {
				Executable     string  `json:"executable"`
				Realpath       string  `json:"realpath"`
				Prefix         string  `json:"prefix"`
				BasePrefix     string  `json:"base_prefix"`
				VersionInfo    []any   `json:"version_info"`
				Implementation string  `json:"implementation"`
				SOABI          *string `json:"soabi"`
				ExtSuffix      *string `json:"ext_suffix"`
				PyVersionNodot *string `json:"py_version_nodot"`
				PyDebug        *int    `json:"py_debug"`
			}
			if err := json.Unmarshal(runPython(t, python, t.TempDir(), nil, "-c", script), &want); err != nil {
				t.Fatal(err)
			}
			if info.Executable != want.Executable || info.Realpath != want.Realpath ||
				info.Prefix != want.Prefix || info.BasePrefix != want.BasePrefix {
				t.Errorf("paths: probe %q %q %q %q, python %q %q %q %q", info.Executable, info.Realpath, info.Prefix,
					info.BasePrefix, want.Executable, want.Realpath, want.Prefix, want.BasePrefix)
			}
			if info.InVenv() {
				t.Errorf("%s reported as a venv: prefix %q base %q", python, info.Prefix, info.BasePrefix)
			}
			if info.ImplementationName != want.Implementation ||
				float64(info.VersionInfo.Major) != want.VersionInfo[0] || float64(info.VersionInfo.Minor) != want.VersionInfo[1] {
				t.Errorf("identity: probe %s %+v, python %s %v", info.ImplementationName, info.VersionInfo, want.Implementation, want.VersionInfo)
			}
			// The sysconfig values the probe reads (or, on PyPy, computes).
			if deref(info.SOABI) != deref(want.SOABI) || deref(info.ExtSuffix) != deref(want.ExtSuffix) ||
				deref(info.PyVersionNodot) != deref(want.PyVersionNodot) {
				t.Errorf("SOABI, EXT_SUFFIX, py_version_nodot: probe %q %q %q, sysconfig %q %q %q",
					deref(info.SOABI), deref(info.ExtSuffix), deref(info.PyVersionNodot),
					deref(want.SOABI), deref(want.ExtSuffix), deref(want.PyVersionNodot))
			}
			if (info.PyDebug == nil) != (want.PyDebug == nil) || info.PyDebug != nil && *info.PyDebug != (*want.PyDebug != 0) {
				t.Errorf("Py_DEBUG: probe %v, sysconfig %v", info.PyDebug, want.PyDebug)
			}
		})
	}
}

// TestRunDetectsVenv probes the python of a virtual environment made with
// the venv module.
func TestRunDetectsVenv(t *testing.T) {
	python := lookPython(t, "/usr/bin/python3.11", "`apt-get install -y python3.11`")
	dir := filepath.Join(t.TempDir(), "venv")
	runPython(t, python, t.TempDir(), nil, "-m", "venv", "--without-pip", dir)
	venvPython := filepath.Join(dir, "bin", "python")
	info, err := Run(context.Background(), venvPython)
	if err != nil {
		t.Fatal(err)
	}
	if !info.InVenv() || info.Prefix != dir || info.BasePrefix != "/usr" {
		t.Errorf("venv: InVenv %v, prefix %q, base prefix %q; want true, %q, /usr", info.InVenv(), info.Prefix, info.BasePrefix, dir)
	}
	if info.Executable != venvPython {
		t.Errorf("executable %q, want %q", info.Executable, venvPython)
	}
	if _, err := os.Stat(info.Realpath); err != nil || info.Realpath == venvPython {
		t.Errorf("realpath %q: %v (want the resolved base interpreter)", info.Realpath, err)
	}
}
