package launcher_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
)

func TestToolsInfoAndInterpreter(t *testing.T) {
	archive := pack(t, webApp, webArgs(t, "--entry-point", "app.main:run")...)
	w := newWorld(t, cpython, pypy)
	var info struct {
		PexHash    string `json:"pex_hash"`
		EntryPoint string `json:"entry_point"`
	}
	decodeJSON(t, w.ok(archive, []string{"PEX_TOOLS=1"}, "info"), &info)
	if len(info.PexHash) != 64 || info.EntryPoint != "app.main:run" {
		t.Errorf("info: %+v", info)
	}
	var in struct {
		Source string
		Chosen struct {
			Path, Implementation, Version string
			Wheels                        []string
		}
		Candidates []struct {
			Path, Implementation, Reason string
			Accepted                     bool
		}
	}
	decodeJSON(t, w.ok(archive, []string{"PEX_TOOLS=1"}, "interpreter"), &in)
	if in.Source != "PATH" || in.Chosen.Implementation != "CPython" || len(in.Chosen.Wheels) < 10 || len(in.Candidates) != 2 {
		t.Errorf("interpreter: %+v", in)
	}
	if c := in.Candidates[1]; c.Implementation != "PyPy" || c.Accepted || !strings.Contains(c.Reason, "no compatible wheel") {
		t.Errorf("the PyPy candidate: %+v", c)
	}
	for _, args := range [][]string{{}, {"nope"}, {"venv"}, {"cache", "prune"}, {"cache", "prune", "--older-than", "soon"}} {
		if r := w.run(archive, []string{"PEX_TOOLS=1"}, args...); r.code != 2 || !strings.Contains(r.stderr, "usage: PEX_TOOLS=1") {
			t.Errorf("PEX_TOOLS=1 %q: exit %d, stderr %s", args, r.code, r.stderr)
		}
	}
}

func TestToolsVenvStandsAlone(t *testing.T) {
	archive := pack(t, webApp, webArgs(t, "--entry-point", "app.main:run")...)
	w := newWorld(t, cpython)
	dir := filepath.Join(t.TempDir(), "venv")
	if out := w.ok(archive, []string{"PEX_TOOLS=1"}, "venv", dir); strings.TrimSpace(out) != dir {
		t.Errorf("venv printed %q", out)
	}
	if r := w.run(archive, []string{"PEX_TOOLS=1"}, "venv", dir); r.code != 1 || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("venv into a non-empty directory: exit %d, %s", r.code, r.stderr)
	}
	cache.RemoveAll(w.root) // the environment must not need the cache
	out, err := exec.Command(filepath.Join(dir, "pex"), "v").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"numpy": 6`) || !strings.Contains(string(out), `"argv": ["`+filepath.Join(dir, "pex")+`", "v"]`) {
		t.Errorf("DIR/pex: %v\n%s", err, out)
	}
	out, err = exec.Command(filepath.Join(dir, "bin", "python"), "-c", "import requests, cryptography, app.main; print('ok')").CombinedOutput()
	if err != nil || string(out) != "ok\n" {
		t.Errorf("DIR/bin/python: %v\n%s", err, out)
	}
}

func TestToolsCachePruneKeepsWhatIsInUse(t *testing.T) {
	long := pack(t, app{"hold.py": "import sys\nprint('holding', flush=True)\nsys.stdin.read()\n"}, "--main", "hold.py")
	short := pack(t, whoAmI, "--main", "who.py")
	w := newWorld(t, cpython)
	w.ok(short, nil)
	w.waitCompilers() // a compiler holds the environment as a running app does
	// Hold the long-running app's environment.
	cmd := exec.Command(long)
	cmd.Env = w.environ()
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "holding\n" {
		t.Fatalf("the holding app printed %q", line)
	}
	if n := len(dirsOf(t, w.root, "venvs")); n != 2 {
		t.Fatalf("%d environments before pruning, want 2", n)
	}
	out := w.ok(short, []string{"PEX_TOOLS=1"}, "cache", "prune", "--older-than", "0s")
	if got := dirsOf(t, w.root, "venvs"); len(got) != 1 {
		t.Errorf("after pruning with one app running: environments %v, want the running one only\n%s", got, out)
	}
	if got := dirsOf(t, w.root, "code"); len(got) != 1 {
		t.Errorf("after pruning: code trees %v, want the running app's", got)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	var info struct {
		Kinds map[string]struct{ Count int }
	}
	decodeJSON(t, w.ok(short, []string{"PEX_TOOLS=1"}, "cache", "info"), &info)
	if info.Kinds["venvs"].Count != 1 {
		t.Errorf("cache info: %+v", info)
	}
	w.waitCompilers()
	w.ok(short, []string{"PEX_TOOLS=1"}, "cache", "prune", "--older-than=0s")
	for _, kind := range []string{"venvs", "code", "wheels"} {
		if got := dirsOf(t, w.root, kind); len(got) != 0 {
			t.Errorf("after the app exited, pruning left %s %v", kind, got)
		}
	}
	// Everything comes back on the next run.
	if out := w.ok(long, nil); out != "holding\n" {
		t.Errorf("after pruning, the app printed %q", out)
	}
	if out := w.ok(short, nil); !strings.HasPrefix(out, "CPython") {
		t.Errorf("after pruning, the app printed %q", out)
	}
}

func TestRunAfterTheEnvironmentIsRemoved(t *testing.T) {
	archive := pack(t, whoAmI, "--main", "who.py")
	w := newWorld(t, cpython)
	w.ok(archive, nil)
	w.waitCompilers()
	// Deleting an environment behind the launcher's back (or pruning it):
	// the plans that name it are stale, and the next run makes it again.
	for _, v := range dirsOf(t, w.root, "venvs") {
		cache.RemoveAll(filepath.Join(w.root, "v2", "venvs", v))
	}
	if out := w.ok(archive, nil); !strings.HasPrefix(out, "CPython") {
		t.Errorf("printed %q", out)
	}
	if got := dirsOf(t, w.root, "venvs"); len(got) != 1 {
		t.Errorf("environments %v", got)
	}
}

// interpreter --target-environment describes the chosen interpreter as
// packaging does (default_environment(), sys_tags()), and the packer reads
// the description back: a wheel that interpreter cannot use fails the
// build naming it, one it can use builds.
func TestToolsTargetEnvironment(t *testing.T) {
	archive := pack(t, whoAmI, "--main", "who.py")
	w := newWorld(t, cpython)
	out := w.ok(archive, []string{"PEX_TOOLS=1"}, "interpreter", "--target-environment")
	var got struct {
		Markers map[string]string `json:"marker_environment"`
		Tags    []string          `json:"compatible_tags"`
	}
	decodeJSON(t, out, &got)
	ref, err := exec.Command(cpython, "-c", `import json, packaging.markers as m, packaging.tags as t
print(json.dumps({"marker_environment": m.default_environment(), "compatible_tags": [str(x) for x in t.sys_tags()]}))`).Output()
	if err != nil {
		t.Fatalf("packaging on %s: %v", cpython, err)
	}
	var want struct {
		Markers map[string]string `json:"marker_environment"`
		Tags    []string          `json:"compatible_tags"`
	}
	decodeJSON(t, string(ref), &want)
	if strings.Join(got.Tags, " ") != strings.Join(want.Tags, " ") {
		t.Errorf("tags differ from packaging's sys_tags(): got %d, want %d; first %v vs %v", len(got.Tags), len(want.Tags), got.Tags[:3], want.Tags[:3])
	}
	for k, v := range want.Markers {
		if got.Markers[k] != v {
			t.Errorf("marker %s = %q, packaging says %q", k, got.Markers[k], v)
		}
	}
	desc := filepath.Join(t.TempDir(), "host.json")
	if err := os.WriteFile(desc, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	pack(t, whoAmI, "--main", "who.py", "--target-environment", desc, "--wheel", wheel(t, "six-"))
	foreign := wheeltest.Write(t, t.TempDir(), wheeltest.Spec{Name: "foreign", Version: "1.0", Tag: "cp311-cp311-macosx_11_0_arm64",
		Files: map[string]string{"foreign.py": ""}})
	cmd := exec.Command(packerBin, "build", "-o", filepath.Join(t.TempDir(), "x"), "--launcher", launcherBin,
		"--wheel", foreign, "--entry-point", "foreign", "--target-environment", desc)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "target environment host ("+desc+") cannot run the archive: no compatible wheel of foreign") {
		t.Errorf("a macOS wheel against this host's description: %v\n%s", err, b)
	}
}
