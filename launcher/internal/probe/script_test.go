package probe

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/oracletest"
)

// writeScript writes the embedded probe script to a file for Python to load.
func writeScript(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "probe.py")
	if err := os.WriteFile(path, Script, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestScriptSyntaxIsPython36 parses the script with Python 3.6's grammar, the
// oldest the launcher supports.
func TestScriptSyntaxIsPython36(t *testing.T) {
	python := lookPython(t, "/usr/bin/python3.11", "`apt-get install -y python3.11`")
	runPython(t, python, t.TempDir(), Script, "-I", "-S", "-c",
		"import ast, sys; ast.parse(sys.stdin.read(), feature_version=(3, 6))")
}

// TestScriptIsLean runs the probe in each interpreter and checks it does not
// import the modules that make it slow (platform, json, re and what they
// pull in), nor subprocess and ctypes on a glibc system, nor sysconfig on
// Linux (its code and config dict are most of the probe's peak memory).
func TestScriptIsLean(t *testing.T) {
	const harness = `
import sys
before = set(sys.modules)
src = open(sys.argv[1]).read()
exec(compile(src, sys.argv[1], "exec"), {"__name__": "__main__"})
sys.stderr.write("\n".join(sorted(set(sys.modules) - before)))
`
	heavy := []string{"platform", "json", "re", "subprocess", "ctypes", "plistlib", "threading", "enum", "typing", "sysconfig"}
	script := writeScript(t)
	for _, tc := range oracleInterpreters {
		t.Run(tc.name, func(t *testing.T) {
			python := lookPython(t, tc.python, tc.install)
			var stderr strings.Builder
			cmd := exec.Command(python, "-I", "-S", "-c", harness, script)
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, stderr.String())
			}
			if _, err := Parse(out); err != nil {
				t.Fatal(err)
			}
			imported := strings.Split(stderr.String(), "\n")
			for _, m := range imported {
				for _, h := range heavy {
					if m == h {
						t.Errorf("the probe imports %s (it imported %q)", m, imported)
					}
				}
			}
		})
	}
}

// TestScriptHelpersMatchStdlib checks the probe's stand-ins for platform,
// json and packaging helpers against the real ones, on inputs this
// machine's interpreters would never show.
func TestScriptHelpersMatchStdlib(t *testing.T) {
	python := lookPython(t, "/usr/bin/python3.11", "`apt-get install -y python3.11`")
	const harness = `
import json, platform, sys, types
probe = {"__name__": "rules_pex_probe"}
exec(compile(open(sys.argv[1]).read(), sys.argv[1], "exec"), probe)
sys.path.insert(0, sys.argv[2])
from packaging.markers import format_full_version

bad = []
versions = [
    "3.11.7 (main, May  9 2026, 07:35:25) [GCC 12.2.0]",
    "3.13.0rc1 (main, Aug  1 2024, 00:00:00) [Clang 15.0.0 (clang-1500.3.9.4)]",
    "3.12.0a1+ (heads/main:abc, Oct 25 2022, 10:00:00) [GCC 11.3.0]",
    "3.9.16 (7.3.11+dfsg-2+deb12u3, Dec 30 2024, 22:36:23)\n[PyPy 7.3.11 with GCC 12.2.0]",
    "3.10 (main, Jan  1 2022, 00:00:00) [GCC 10.2.1]",
    "3.8.10 (default, Nov 22 2023, 10:22:35) \n[GCC 9.4.0]",
    "3.7.0 (default, Jun 28 2018, 13:15:42) [MSC v.1900 64 bit (AMD64)]",
]
for v in versions:
    name, _, _, _, _, _, _ = platform._sys_version(v)
    want = (name, platform._sys_version(v)[1])
    got = probe["sys_version"](v)
    if tuple(got) != want:
        bad.append("sys_version(%r) = %r, platform says %r" % (v, got, want))

infos = [
    (3, 11, 7, "final", 0), (3, 13, 0, "candidate", 1), (3, 12, 0, "alpha", 4),
    (7, 3, 11, "final", 0), (3, 14, 0, "beta", 2),
]
for i in infos:
    vi = types.SimpleNamespace(major=i[0], minor=i[1], micro=i[2], releaselevel=i[3], serial=i[4])
    if probe["format_full_version"](vi) != format_full_version(vi):
        bad.append("format_full_version(%r) = %r, packaging says %r" % (i, probe["format_full_version"](vi), format_full_version(vi)))

values = [
    None, True, False, 0, -5, 2 ** 70, "", "plain", 'quote " backslash \\ slash /',
    "tab\tnewline\ncr\r nul\0 del\x7f", "caf\u00e9 \u2028 \U0001F40D", "surrogate \udcff",
    [1, "two", [None]], {"k": {"nested": ["v"]}, "": 1},
]
for v in values:
    text = probe["to_json"](v)
    if not text.isascii():
        bad.append("to_json(%r) is not ASCII: %r" % (v, text))
    if json.loads(text) != v:
        bad.append("to_json(%r) = %r reads back as %r" % (v, text, json.loads(text)))

json.dump(bad, sys.stdout)
`
	out := runPython(t, python, t.TempDir(), nil, "-I", "-c", harness, writeScript(t), oracletest.PackagingDir(t))
	var bad []string
	if err := json.Unmarshal(out, &bad); err != nil {
		t.Fatalf("harness output %q: %v", out, err)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// TestArgsRunTheWholeScript checks that the probe run in pieces (Args)
// prints what the whole script prints.
func TestArgsRunTheWholeScript(t *testing.T) {
	if n := len(Args()); n < 10 {
		t.Errorf("Script splits into %d arguments; the pieces are meant to be its top-level statements", n)
	}
	for _, tc := range oracleInterpreters {
		t.Run(tc.name, func(t *testing.T) {
			python := lookPython(t, tc.python, tc.install)
			whole := runPython(t, python, t.TempDir(), nil, "-I", "-S", "-c", string(Script))
			pieces := runPython(t, python, t.TempDir(), nil, Args()...)
			if string(whole) != string(pieces) {
				t.Errorf("in pieces the probe prints\n%s\nwhole\n%s", pieces, whole)
			}
		})
	}
}

// TestScriptConfigMatchesSysconfig checks the probe's stand-ins for
// sysconfig on Linux (the build-time config data and get_platform) against
// sysconfig itself, in each interpreter and in every pyenv CPython found.
func TestScriptConfigMatchesSysconfig(t *testing.T) {
	const harness = `
import json, os, sys, sysconfig
probe = {"__name__": "rules_pex_probe"}
exec(compile(open(sys.argv[1]).read(), sys.argv[1], "exec"), probe)
bad = []
if probe["_use_sysconfig"]():
    bad.append("the probe would use sysconfig here")
if probe["linux_platform"](os.uname()) != sysconfig.get_platform():
    bad.append("linux_platform %r, sysconfig.get_platform() %r" % (probe["linux_platform"](os.uname()), sysconfig.get_platform()))
if sys.implementation.name == "cpython":
    get = probe["cpython_config_var"]()
    if get is None:
        bad.append("no _sysconfigdata module found")
    else:
        for name in ("SOABI", "EXT_SUFFIX", "Py_DEBUG", "WITH_PYMALLOC", "Py_GIL_DISABLED", "py_version_nodot", "NO_SUCH_VAR"):
            if get(name) != sysconfig.get_config_var(name):
                bad.append("%s: %r, sysconfig %r" % (name, get(name), sysconfig.get_config_var(name)))
os.environ["_PYTHON_HOST_PLATFORM"] = "linux-armv7l"
if not probe["_use_sysconfig"]():
    bad.append("the probe ignores _PYTHON_HOST_PLATFORM")
json.dump(bad, sys.stdout)
`
	pythons := map[string]string{}
	for _, tc := range oracleInterpreters {
		pythons[tc.name] = lookPython(t, tc.python, tc.install)
	}
	if home, err := os.UserHomeDir(); err == nil {
		found, _ := filepath.Glob(filepath.Join(home, ".pyenv", "versions", "3.*", "bin", "python3"))
		for _, p := range found {
			pythons["pyenv-"+filepath.Base(filepath.Dir(filepath.Dir(p)))] = p
		}
	}
	script := writeScript(t)
	for name, python := range pythons {
		t.Run(name, func(t *testing.T) {
			var bad []string
			if err := json.Unmarshal(runPython(t, python, t.TempDir(), nil, "-I", "-S", "-c", harness, script), &bad); err != nil {
				t.Fatal(err)
			}
			for _, b := range bad {
				t.Error(b)
			}
		})
	}
}
