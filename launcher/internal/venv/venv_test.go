package venv

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/layout"
)

// interpreters are the real interpreters the tests assemble environments
// for; each must exist (CI installs them).
var interpreters = []string{
	"/usr/bin/python3.11",
	"/root/.pyenv/versions/3.11.7/bin/python3.11",
	"/usr/bin/pypy3",
}

func describe(t *testing.T, python string) Interpreter {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Fatalf("interpreter %s is missing (CI installs it): %v", python, err)
	}
	out, err := exec.Command(python, "-I", "-c",
		`import json, sys; print(json.dumps([sys.implementation.name, sys.version_info[0], sys.version_info[1], "%d.%d.%d" % sys.version_info[:3]]))`).Output()
	if err != nil {
		t.Fatalf("describing %s: %v", python, err)
	}
	var v []any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	return Interpreter{Python: python, Implementation: v[0].(string), Major: int(v[1].(float64)), Minor: int(v[2].(float64)), Version: v[3].(string)}
}

// writeTree creates files (path -> content; a "x:" prefix makes it executable).
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if c, ok := strings.CutPrefix(content, "x:"); ok {
			content, mode = c, 0o755
		}
		if err := os.WriteFile(full, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// fixture makes a code tree and two distributions that share a namespace
// package, carry a .pth file, metadata, a console script and a script.
func fixture(t *testing.T) (code string, dists []Dist) {
	dir := t.TempDir()
	code = filepath.Join(dir, "code")
	writeTree(t, code, map[string]string{
		"app/__init__.py": "",
		"app/main.py":     "import sys\ndef run():\n    print('run', sys.argv[1:])\n    return 3\n",
		"app/data.txt":    "payload\n",
		"app/__main__.py": "import sys\nprint('module main', sys.argv[0] == __import__('os').environ.get('CHECK_ARGV0', sys.argv[0]))\n",
		"tool.py":         "import app, sys\nprint('main file', __name__, __file__.endswith('tool.py'), sys.argv[1:])\n",
		"app/paths.py":    "import os, sys\nprint('' in sys.path, os.environ['ENV_ROOT'] in sys.path)\n",
		"app/argv.py":     "import os, sys\nprint(sys.argv[1:], os.environ.get('" + InjectedEnv + "'))\n",
	})
	a := filepath.Join(dir, "a")
	writeTree(t, a, map[string]string{
		"site-packages/ns/alpha/__init__.py":                 "VALUE = 'alpha'\n",
		"site-packages/alpha_pth_hook.pth":                   "import os; os.environ['ALPHA_PTH_RAN'] = '1'\n",
		"site-packages/alpha-1.0.dist-info/METADATA":         "Metadata-Version: 2.1\nName: alpha\nVersion: 1.0\n",
		"site-packages/alpha-1.0.dist-info/entry_points.txt": "[console_scripts]\nalpha-cli = ns.alpha.cli:main\n",
		"site-packages/ns/alpha/cli.py":                      "import sys\ndef main():\n    print('cli', sys.argv[1:])\n    return 0\n",
		"scripts/alpha-tool":                                 "x:#!python\nimport ns.alpha\nprint('tool', ns.alpha.VALUE)\n",
		"scripts/alpha-sh":                                   "x:#!/bin/sh\necho shell script\n",
		"headers/alpha.h":                                    "#define ALPHA 1\n",
		"data/share/alpha/readme.txt":                        "alpha data\n",
	})
	b := filepath.Join(dir, "b")
	writeTree(t, b, map[string]string{
		"site-packages/ns/beta/__init__.py":         "VALUE = 'beta'\n",
		"site-packages/beta.py":                     "VALUE = 'beta module'\n",
		"site-packages/beta-2.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: beta\nVersion: 2.0\n",
	})
	return code, []Dist{
		{Wheel: "alpha-1.0-py3-none-any.whl", Project: "alpha", Dir: a,
			ConsoleScripts: map[string]string{"alpha-cli": "ns.alpha.cli:main"}, Scripts: []string{"alpha-tool", "alpha-sh"}},
		{Wheel: "beta-2.0-py3-none-any.whl", Project: "beta", Dir: b},
	}
}

func build(t *testing.T, spec Spec) string {
	t.Helper()
	parent := t.TempDir()
	final := filepath.Join(parent, "env")
	work := filepath.Join(parent, "env.tmp-1")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	spec.Dir = final
	if _, err := Build(work, spec); err != nil {
		t.Fatalf("Build: %v", err)
	}
	if err := os.Rename(work, final); err != nil {
		t.Fatal(err)
	}
	return final
}

func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}

const checkScript = `
import importlib.metadata as md, json, os, sys
import app, ns.alpha, ns.beta, beta
here = os.path.dirname(app.__file__)
print(json.dumps({
    "prefix_is_env": sys.prefix != sys.base_prefix,
    "app_file_real": os.path.isfile(app.__file__),
    "data": open(os.path.join(here, "data.txt")).read(),
    "ns": [ns.alpha.VALUE, ns.beta.VALUE, beta.VALUE],
    "pth": os.environ.get("ALPHA_PTH_RAN"),
    "dists": sorted(d.metadata["Name"] for d in md.distributions()),
    "boto3": __import__("importlib.util").util.find_spec("boto3") is not None,
}))
`

func TestBuildRunsWithEachInterpreter(t *testing.T) {
	for _, py := range interpreters {
		t.Run(filepath.Base(filepath.Dir(filepath.Dir(py)))+"-"+filepath.Base(py), func(t *testing.T) {
			in := describe(t, py)
			code, dists := fixture(t)
			env := build(t, Spec{Interpreter: in, Code: code, Dists: dists, Inherit: layout.InheritFalse,
				Entry: Entry{EntryPoint: "app.main:run"}})
			out := run(t, nil, Python(env), "-c", checkScript)
			var got struct {
				PrefixIsEnv bool     `json:"prefix_is_env"`
				AppFileReal bool     `json:"app_file_real"`
				Boto3       bool     `json:"boto3"`
				Data        string   `json:"data"`
				Pth         string   `json:"pth"`
				NS          []string `json:"ns"`
				Dists       []string `json:"dists"`
			}
			dec := json.NewDecoder(strings.NewReader(out))
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if !got.PrefixIsEnv || !got.AppFileReal || got.Data != "payload\n" || got.Pth != "1" {
				t.Errorf("environment is wrong: %s", out)
			}
			if strings.Join(got.NS, ",") != "alpha,beta,beta module" {
				t.Errorf("namespace package not merged: %v", got.NS)
			}
			// Besides alpha and beta, only what the interpreter bundles in
			// its standard library (PyPy ships cffi, greenlet, ...).
			bundled := run(t, nil, py, "-I", "-S", "-c", "import importlib.metadata as md; print(','.join(sorted(d.metadata['Name'] for d in md.distributions())))")
			want := strings.Split(strings.TrimSpace(bundled), ",")
			want = append(want, "alpha", "beta")
			slices.Sort(want)
			want = slices.DeleteFunc(want, func(s string) bool { return s == "" })
			if !slices.Equal(got.Dists, want) {
				t.Errorf("importlib.metadata sees %v, want %v", got.Dists, want)
			}
			if got.Boto3 {
				t.Errorf("boto3 from the interpreter's site-packages is visible without inherit_path")
			}
			// Console script, #!python script rewritten, other script linked.
			if out := run(t, nil, filepath.Join(env, "bin", "alpha-cli"), "x"); out != "cli ['x']\n" {
				t.Errorf("console script printed %q", out)
			}
			if out := run(t, nil, filepath.Join(env, "bin", "alpha-tool")); out != "tool alpha\n" {
				t.Errorf("script printed %q", out)
			}
			if out := run(t, nil, filepath.Join(env, "bin", "alpha-sh")); out != "shell script\n" {
				t.Errorf("shell script printed %q", out)
			}
			if _, err := os.Stat(filepath.Join(env, "include", "site", in.libName(), "alpha", "alpha.h")); err != nil {
				t.Errorf("header not installed: %v", err)
			}
			if _, err := os.Stat(filepath.Join(env, "share", "alpha", "readme.txt")); err != nil {
				t.Errorf("data file not installed: %v", err)
			}
			// The bootstrap: entry point with exit code, argv[0] from the launcher.
			cmd := exec.Command(Python(env), filepath.Join(env, Bootstrap), "a", "b")
			cmd.Env = append(os.Environ(), ArgvEnv+"=/some/app")
			out2, err := cmd.CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 || string(out2) != "run ['a', 'b']\n" {
				t.Errorf("bootstrap: err=%v out=%q, want exit 3", err, out2)
			}
			if out := run(t, []string{"PEX_MODULE=app", "CHECK_ARGV0=/some/app", ArgvEnv + "=/some/app"}, Python(env), filepath.Join(env, Bootstrap)); out != "module main True\n" {
				t.Errorf("PEX_MODULE run printed %q", out)
			}
			if out := run(t, []string{"PEX_SCRIPT=alpha-cli"}, Python(env), filepath.Join(env, Bootstrap), "y"); out != "cli ['y']\n" {
				t.Errorf("PEX_SCRIPT console script printed %q", out)
			}
			if out := run(t, []string{"PEX_SCRIPT=alpha-tool"}, Python(env), filepath.Join(env, Bootstrap)); out != "tool alpha\n" {
				t.Errorf("PEX_SCRIPT script printed %q", out)
			}
			// The launcher's command: python -c, same result, and neither the
			// current directory nor the environment's root on sys.path.
			cmd = exec.Command(Command(env)[0], append(Command(env)[1:], "c")...)
			cmd.Env = append(os.Environ(), ArgvEnv+"=/some/app", "PEX_MODULE=app.main:run")
			cmd.Dir = t.TempDir()
			out3, err := cmd.CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 || string(out3) != "run ['c']\n" {
				t.Errorf("Command: err=%v out=%q, want exit 3", err, out3)
			}
			cmd = exec.Command(Command(env)[0], Command(env)[1:]...)
			cmd.Env = append(os.Environ(), ArgvEnv+"=/some/app", "PEX_MODULE=app.paths", "ENV_ROOT="+env)
			cmd.Dir = t.TempDir()
			if out, err := cmd.CombinedOutput(); err != nil || string(out) != "False False\n" {
				t.Errorf("sys.path under Command holds the current directory or the environment's root: %v %q", err, out)
			}
		})
	}
}

// TestInjectArgs: inject_args go before the user's arguments, once: not
// again in a process that re-ran the application with its sys.argv (the
// marker holds this application's pex_hash), always in a rerun of the
// launcher's python -c line (sys.orig_argv never holds them), never under
// PEX_MODULE or PEX_SCRIPT.
func TestInjectArgs(t *testing.T) {
	in := describe(t, interpreters[0])
	code, dists := fixture(t)
	env := build(t, Spec{Interpreter: in, Code: code, Dists: dists, PexHash: "h1",
		Entry: Entry{EntryPoint: "app.argv", InjectArgs: []string{"--x", "a b"}}})
	command := func(vars []string, args ...string) string {
		return run(t, vars, Command(env)[0], append(Command(env)[1:], args...)...)
	}
	bootstrap := func(vars []string, args ...string) string {
		return run(t, vars, Python(env), append([]string{filepath.Join(env, Bootstrap)}, args...)...)
	}
	launched := ArgvEnv + "=/some/app"
	for _, c := range []struct {
		name, got, want string
	}{
		{"launcher", command([]string{launched}, "u"), "['--x', 'a b', 'u'] h1\n"},
		{"no user arguments", command([]string{launched}), "['--x', 'a b'] h1\n"},
		{"rerun of sys.orig_argv", command([]string{"PEX=/some/app", InjectedEnv + "=h1"}, "u"), "['--x', 'a b', 'u'] h1\n"},
		{"rerun of sys.argv", bootstrap([]string{launched, InjectedEnv + "=h1"}, "--x", "a b", "u"), "['--x', 'a b', 'u'] h1\n"},
		{"another application's marker", bootstrap([]string{launched, InjectedEnv + "=h0"}, "--x", "a b"), "['--x', 'a b', '--x', 'a b'] h1\n"},
		{"marker but other arguments", bootstrap([]string{launched, InjectedEnv + "=h1"}, "u"), "['--x', 'a b', 'u'] h1\n"},
		{"PEX_MODULE", command([]string{launched, "PEX_MODULE=app.argv"}, "u"), "['u'] None\n"},
		{"PEX_SCRIPT", command([]string{launched, "PEX_SCRIPT=alpha-cli"}, "u"), "cli ['u']\n"},
	} {
		if c.got != c.want {
			t.Errorf("%s: printed %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestMainFileAndSymlinks(t *testing.T) {
	in := describe(t, interpreters[0])
	code, dists := fixture(t)
	env := build(t, Spec{Interpreter: in, Code: code, Dists: dists, Entry: Entry{Main: "tool.py"}})
	if out := run(t, nil, Python(env), filepath.Join(env, Bootstrap), "z"); out != "main file __main__ True ['z']\n" {
		t.Errorf("main file printed %q", out)
	}
	sp := filepath.Join(env, in.SitePackages())
	// Unique top-level directories are symlinks into their tree; shared
	// ones (ns) are real directories; files are hard links.
	for name, wantLink := range map[string]bool{"app": true, "alpha-1.0.dist-info": true, "ns": false} {
		fi, err := os.Lstat(filepath.Join(sp, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode()&os.ModeSymlink != 0; got != wantLink {
			t.Errorf("%s: symlink=%v, want %v", name, got, wantLink)
		}
	}
	a, _ := os.Stat(filepath.Join(sp, "beta.py"))
	b, _ := os.Stat(filepath.Join(dists[1].Dir, "site-packages", "beta.py"))
	if !os.SameFile(a, b) {
		t.Errorf("beta.py is not a hard link of the tree's file")
	}
}

func TestInherit(t *testing.T) {
	in := describe(t, "/root/.pyenv/versions/3.11.7/bin/python3.11")
	code, dists := fixture(t)
	// The interpreter's site-packages has its own "beta"? It has boto3: check
	// visibility and order against the application's site-packages.
	probe := `import sys, importlib.util as u; sp = [p for p in sys.path if p.endswith("site-packages")]; print(u.find_spec("boto3") is not None, sp[0].startswith(sys.prefix))`
	for _, tc := range []struct {
		inherit layout.InheritPath
		want    string
	}{
		{layout.InheritFalse, "False True\n"},
		{layout.InheritFallback, "True True\n"},
		{layout.InheritPrefer, "True False\n"},
	} {
		env := build(t, Spec{Interpreter: in, Code: code, Dists: dists, Inherit: tc.inherit, InheritSystem: true})
		if out := run(t, nil, Python(env), "-c", probe); out != tc.want {
			t.Errorf("inherit %s: got %q, want %q", tc.inherit, out, tc.want)
		}
	}
}

func TestCopyModeStandsAlone(t *testing.T) {
	in := describe(t, interpreters[0])
	code, dists := fixture(t)
	env := build(t, Spec{Interpreter: in, Code: code, Dists: dists, Copy: true, Entry: Entry{EntryPoint: "app.main:run"}})
	// Remove the trees: the environment must not depend on them.
	for _, d := range dists {
		os.RemoveAll(d.Dir)
	}
	os.RemoveAll(code)
	out := run(t, nil, Python(env), "-c", "import app, ns.alpha, beta; print('ok')")
	if out != "ok\n" {
		t.Errorf("copied environment printed %q", out)
	}
}

func TestShebang(t *testing.T) {
	short := (&builder{spec: Spec{Dir: "/c/env"}}).shebang()
	if short != "#!/c/env/bin/python\n" {
		t.Errorf("short shebang %q", short)
	}
	long := (&builder{spec: Spec{Dir: "/" + strings.Repeat("d", 130)}}).shebang()
	if !strings.HasPrefix(long, "#!/bin/sh\n'''exec' '/ddd") {
		t.Errorf("long shebang %q", long)
	}
	spaced := (&builder{spec: Spec{Dir: "/a b/env"}}).shebang()
	if !strings.Contains(spaced, "'/a b/env/bin/python'") {
		t.Errorf("spaced shebang %q", spaced)
	}
}

func TestConsoleScriptRejectsCode(t *testing.T) {
	for _, target := range []string{"os:system('x')", "a b:c", "mod:attr;x", "", "mod:f [extra]", "class:x"} {
		if _, err := consoleScript(target); err == nil {
			t.Errorf("consoleScript(%q) accepted a target that is not module:attr", target)
		}
	}
	if body, err := consoleScript("pkg.mod:obj.attr"); err != nil || !strings.Contains(body, "from pkg.mod import obj\n") || !strings.Contains(body, "sys.exit(obj.attr())") {
		t.Errorf("consoleScript: %v %q", err, body)
	}
	// The packer's rule: Unicode identifiers (PEP 3131).
	if body, err := consoleScript("demo.café:main"); err != nil || !strings.Contains(body, "from demo.café import main\n") {
		t.Errorf("consoleScript: %v %q", err, body)
	}
}

func FuzzConsoleScript(f *testing.F) {
	for _, s := range []string{"a.b:c.d", "mod:func [extra]", "mod", "os:system('x')", "a:b\nimport os", " m : f "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		body, err := consoleScript(target)
		if err != nil {
			return
		}
		// Whatever is accepted is made of identifiers only: no code from
		// the manifest reaches the script.
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, "from ") {
				fields := strings.Fields(line)
				_, err1 := layout.ParseEntryPoint(fields[1])
				if len(fields) != 4 || err1 != nil || !layout.IsIdentifier(fields[3]) {
					t.Fatalf("consoleScript(%q) wrote %q", target, line)
				}
			}
		}
		if strings.Count(body, "\n") > 6 {
			t.Fatalf("consoleScript(%q) wrote extra lines:\n%s", target, body)
		}
	})
}

func TestShebangRule(t *testing.T) {
	for s, want := range map[string]bool{"#!python": true, "#!pythonw": true, "#!python -u": true, "#!python\t-E": true, "#!python3": false, "#!/usr/bin/python": false, "#!pythonx": false} {
		if isPythonShebang([]byte(s)) != want {
			t.Errorf("isPythonShebang(%q) = %v", s, !want)
		}
	}
}
