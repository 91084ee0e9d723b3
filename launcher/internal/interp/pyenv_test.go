package interp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakePyenv makes a pyenv root holding shims as pyenv writes them and
// versions 3.11.7 (python3.11, python3) and 3.12.1 (python3.12), 3.11.7
// selected globally.
func fakePyenv(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "pyenv")
	for _, p := range []string{"versions/3.11.7/bin/python3.11", "versions/3.11.7/bin/python3", "versions/3.12.1/bin/python3.12", "libexec/pyenv"} {
		script(t, filepath.Join(root, p), "exit 0")
	}
	for _, name := range []string{"python3.12", "python3.11", "python3"} {
		shim := `#!/usr/bin/env bash
set -e
[ -n "$PYENV_DEBUG" ] && set -x

program="${0##*/}"

export PYENV_ROOT="` + root + `"
SHIM_PATH=${0%/*}
if [[ $SHIM_PATH != "` + root + `/shims" ]]; then
  export _PYENV_SHIM_PATH="$SHIM_PATH"
fi
exec "` + root + `/libexec/pyenv" exec "$program" "$@"
`
		os.MkdirAll(filepath.Join(root, "shims"), 0o755)
		if err := os.WriteFile(filepath.Join(root, "shims", name), []byte(shim), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "version"), []byte("3.11.7\n"), 0o644)
	return root
}

func TestShimProblem(t *testing.T) {
	root := fakePyenv(t)
	shims := filepath.Join(root, "shims")
	t.Chdir(t.TempDir())
	problem := func(env map[string]string, name string) error {
		t.Helper()
		p := filepath.Join(shims, name)
		return shimProblem(p, Stat(p).Size, func(k string) string { return env[k] }, map[string]bool{})
	}
	env := map[string]string{"PATH": shims + ":/nonexistent"}
	err := problem(env, "python3.12")
	var se *ShimError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "python3.12 is in neither the selected pyenv version 3.11.7 (set by "+root+"/version) nor the system PATH; installed in 3.12.1") {
		t.Errorf("python3.12 with 3.11.7 selected: %v", err)
	}
	for _, name := range []string{"python3.11", "python3"} {
		if err := problem(env, name); err != nil {
			t.Errorf("%s with 3.11.7 selected: %v", name, err)
		}
	}
	// A file that is not a shim.
	if p := filepath.Join(root, "versions/3.12.1/bin/python3.12"); shimProblem(p, Stat(p).Size, os.Getenv, map[string]bool{}) != nil {
		t.Error("a plain script was taken for a shim")
	}

	// PYENV_VERSION, a .python-version above the working directory, a
	// list of versions, "system".
	for _, tc := range []struct {
		env  map[string]string
		file string // .python-version content, in the working directory's parent
		ok   bool
	}{
		{map[string]string{"PYENV_VERSION": "3.12.1"}, "", true},
		{map[string]string{"PYENV_VERSION": "3.11.7:3.12.1"}, "", true},
		{map[string]string{"PYENV_VERSION": "system"}, "", false},
		{nil, "# comment\n3.12.1\n", true},
		{nil, "3.11.7 ignored words\n", false},
		{map[string]string{"PYENV_VERSION": "3.11.7"}, "3.12.1\n", false}, // the variable wins
		// A version not installed contributes nothing, as in pyenv-which
		// (one that no installed name starts with is no prefix either).
		{map[string]string{"PYENV_VERSION": "nope"}, "", false},
		{map[string]string{"PYENV_VERSION": "3.1"}, "", false},
		{nil, "3.12.4\n", false},
		{map[string]string{"PYENV_VERSION": "nope:3.12.1"}, "", true},
		{map[string]string{"PYENV_VERSION": "3.12.1:nope"}, "", true},
	} {
		wd := filepath.Join(t.TempDir(), "a", "b")
		os.MkdirAll(wd, 0o755)
		t.Chdir(wd)
		if tc.file != "" {
			os.WriteFile(filepath.Join(wd, "..", ".python-version"), []byte(tc.file), 0o644)
		}
		e := map[string]string{"PATH": env["PATH"]}
		for k, v := range tc.env {
			e[k] = v
		}
		if err := problem(e, "python3.12"); (err == nil) != tc.ok {
			t.Errorf("env %v, .python-version %q: %v, want ok=%v", tc.env, tc.file, err, tc.ok)
		}
	}

	if err := problem(map[string]string{"PATH": env["PATH"], "PYENV_VERSION": "nope"}, "python3.12"); err == nil || !strings.Contains(err.Error(), "; not installed: nope;") {
		t.Errorf("PYENV_VERSION=nope: %v, want it named as not installed", err)
	}

	// The system fallback: a python3.12 on PATH after the shims.
	t.Chdir(t.TempDir())
	sys := t.TempDir()
	script(t, filepath.Join(sys, "python3.12"), "exit 0")
	if err := problem(map[string]string{"PATH": shims + ":" + sys}, "python3.12"); err != nil {
		t.Errorf("python3.12 on the system PATH: %v", err)
	}

	// Whatever pyenv might resolve otherwise is left to running the shim:
	// a version prefix, a virtualenv, a hook it does not know.
	for _, tc := range []struct {
		name  string
		setup func() func()
	}{
		{"prefix", func() func() { env["PYENV_VERSION"] = "3.12"; return func() { delete(env, "PYENV_VERSION") } }},
		{"prefix with t", func() func() { env["PYENV_VERSION"] = "3.12t"; return func() { delete(env, "PYENV_VERSION") } }},
		{"python- prefix", func() func() { env["PYENV_VERSION"] = "python-3.12"; return func() { delete(env, "PYENV_VERSION") } }},
		{"virtualenv", func() func() {
			a := filepath.Join(root, "versions/3.11.7/bin/activate")
			os.WriteFile(a, nil, 0o644)
			return func() { os.Remove(a) }
		}},
		{"unknown hook", func() func() {
			h := filepath.Join(root, "pyenv.d/which/mine.bash")
			os.MkdirAll(filepath.Dir(h), 0o755)
			os.WriteFile(h, nil, 0o644)
			return func() { os.Remove(h) }
		}},
	} {
		undo := tc.setup()
		if err := problem(env, "python3.12"); err != nil {
			t.Errorf("%s: %v, want the shim left to run", tc.name, err)
		}
		undo()
	}
	if problem(env, "python3.12") == nil {
		t.Error("after undoing: python3.12 not recognised")
	}
}
