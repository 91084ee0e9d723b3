package launcher_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/launcher/internal/cache"
)

// verifyApp imports a package (requests, and what it requires), a
// top-level module (six, hard-linked into the environment) and reads a
// data file of its code.
var verifyApp = app{
	"app/__init__.py": "",
	"app/data.txt":    "data\n",
	"app/main.py": `import os
def run():
    import requests, six
    print(requests.__version__, six.__version__, open(os.path.join(os.path.dirname(__file__), "data.txt")).read().strip())
`,
}

// treeOf returns the cache directory of the tree of the wheel whose file
// name starts with prefix, as the archive's manifest records it.
func treeOf(t *testing.T, w *world, archive, prefix string) string {
	t.Helper()
	var info struct {
		CodeHash      string `json:"code_hash"`
		Distributions map[string]struct {
			TreeHash string `json:"tree_hash"`
		}
	}
	decodeJSON(t, w.ok(archive, []string{"PEX_TOOLS=1"}, "info"), &info)
	if prefix == "code" {
		return filepath.Join(w.root, "v2", "code", info.CodeHash)
	}
	for file, d := range info.Distributions {
		if strings.HasPrefix(file, prefix) {
			return filepath.Join(w.root, "v2", "wheels", d.TreeHash)
		}
	}
	t.Fatalf("no wheel %s* in %s", prefix, archive)
	return ""
}

// verifyArgs packs verifyApp with only the wheels it needs.
func verifyArgs(t *testing.T) []string {
	args := []string{"--entry-point", "app.main:run", "--requirement", "requests", "--requirement", "six"}
	for _, w := range []string{"requests-", "urllib3-", "idna-", "certifi-", "charset_normalizer-", "chardet-", "six-"} {
		args = append(args, "--wheel", wheel(t, w))
	}
	return args
}

func TestCacheVerifyFindsAndRepairsDamage(t *testing.T) {
	a := pack(t, verifyApp, verifyArgs(t)...)
	b := pack(t, app{"other.py": "import tomli\nprint('other', tomli.loads('a = 1'))\n"},
		append([]string{"--main", "other.py", "--requirement", "tomli"}, allWheels(t)...)...)
	w := newWorld(t, cpython)
	want := w.ok(a, nil)
	if !strings.HasPrefix(want, "2.28.1 1.16.0 data") {
		t.Fatalf("the app printed %q", want)
	}
	w.ok(b, nil)
	w.waitCompilers() // a compiler holds an environment as a running app does
	if r := w.run(a, []string{"PEX_TOOLS=1"}, "cache", "verify"); r.code != 0 || !strings.Contains(r.stdout, " 0 problems") {
		t.Fatalf("cache verify of a sound cache: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	requests := treeOf(t, w, a, "requests-")
	six := treeOf(t, w, a, "six-")
	idna := treeOf(t, w, a, "idna-")
	code := treeOf(t, w, a, "code")
	tomli := treeOf(t, w, b, "tomli-")
	// A flipped byte (root may write a read-only file).
	version := filepath.Join(requests, "site-packages", "requests", "__version__.py")
	data, err := os.ReadFile(version)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-2] ^= 1
	if err := os.WriteFile(version, data, 0o444); err != nil {
		t.Fatal(err)
	}
	// A deleted file, in this application's code and in another's wheel.
	for _, f := range []string{filepath.Join(code, "app", "data.txt"), filepath.Join(tomli, "site-packages", "tomli", "_re.py")} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	// A deleted tree (its marker stays).
	if err := cache.RemoveAll(six); err != nil {
		t.Fatal(err)
	}
	// Bytecode is not content, but a truncated .pyc is removed.
	broken := filepath.Join(idna, "site-packages", "idna", "__pycache__", "core.cpython-311.pyc")
	if err := os.WriteFile(broken, []byte("short"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(idna, "site-packages", "idna", "__pycache__", "codec.cpython-311.pyc")
	if err := os.WriteFile(good, append([]byte{0xa7, 0x0d, '\r', '\n'}, make([]byte, 40)...), 0o644); err != nil {
		t.Fatal(err)
	}

	r := w.run(a, []string{"PEX_TOOLS=1"}, "cache", "verify")
	if r.code != 3 {
		t.Fatalf("cache verify of a damaged cache: exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, line := range []string{
		"wheels/" + filepath.Base(requests) + " (requests-2.28.1-py3-none-any.whl): content does not match its tree hash (", ": extracted it again",
		"wheels/" + filepath.Base(six) + " (six-1.16.0-py3-none-any.whl): marker without a tree: extracted it again",
		"code/" + filepath.Base(code) + " (code): content does not match its tree hash (",
		"wheels/" + filepath.Base(tomli) + ": content does not match its tree hash (", "files): removed it (its application extracts it again on its next run)",
		"wheels/" + filepath.Base(idna) + ": broken bytecode site-packages/idna/__pycache__/core.cpython-311.pyc: removed it",
		"links to the damaged tree",
		"0 left unrepaired",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("cache verify did not say %q:\n%s", line, r.stdout)
		}
	}
	if _, err := os.Stat(broken); err == nil {
		t.Error("the truncated .pyc is still there")
	}
	if _, err := os.Stat(good); err != nil {
		t.Errorf("a sound .pyc was removed: %v", err)
	}
	if len(dirsOf(t, w.root, "venvs")) != 0 {
		t.Errorf("environments linking to damaged trees were kept: %v", dirsOf(t, w.root, "venvs"))
	}
	if r := w.run(a, []string{"PEX_TOOLS=1"}, "cache", "verify"); r.code != 0 {
		t.Errorf("cache verify after the repair: exit %d\n%s", r.code, r.stdout)
	}
	if got := w.ok(a, nil); got != want {
		t.Errorf("after the repair the app printed %q, want %q", got, want)
	}
	if got := w.ok(b, nil); got != "other {'a': 1}\n" {
		t.Errorf("after the repair the other app printed %q", got)
	}
	if r := w.run(a, []string{"PEX_TOOLS=1"}, "cache", "verify"); r.code != 0 || !strings.Contains(r.stdout, " 0 problems") {
		t.Errorf("cache verify after both apps ran again: exit %d\n%s", r.code, r.stdout)
	}
}

// Parts of an environment deleted behind the launcher's back, or entries
// brought back as directories without their marker (what a writer that
// creates directories left after pruning): the next run rebuilds them.
func TestDamagedEnvironmentIsRebuilt(t *testing.T) {
	a := pack(t, verifyApp, verifyArgs(t)...)
	w := newWorld(t, cpython)
	want := w.ok(a, nil)
	venv := func() string {
		t.Helper()
		v := dirsOf(t, w.root, "venvs")
		if len(v) != 1 {
			t.Fatalf("environments: %v", v)
		}
		return filepath.Join(w.root, "v2", "venvs", v[0])
	}
	for _, damage := range []string{"bin/python", "rules_pex.lock", "marker", "resurrected venv", "resurrected tree"} {
		dir := venv()
		switch damage {
		case "marker":
			os.Remove(cache.MarkerPath(dir))
			os.Remove(filepath.Join(dir, "rules_pex.lock"))
		case "resurrected venv":
			os.Remove(cache.MarkerPath(dir))
			cache.RemoveAll(dir)
			os.Mkdir(dir, 0o755)
			os.WriteFile(filepath.Join(dir, "rules_pex.compiled"), nil, 0o644)
		case "resurrected tree":
			six := treeOf(t, w, a, "six-")
			os.Remove(cache.MarkerPath(six))
			cache.RemoveAll(six)
			os.MkdirAll(filepath.Join(six, "site-packages", "__pycache__"), 0o755)
			os.Remove(cache.MarkerPath(dir))
			cache.RemoveAll(dir)
		default:
			if err := os.Remove(filepath.Join(dir, damage)); err != nil {
				t.Fatal(err)
			}
		}
		r := w.run(a, nil)
		if r.code != 0 || r.stdout != want {
			t.Errorf("after removing %s: exit %d, printed %q\n%s", damage, r.code, r.stdout, r.stderr)
		}
	}
	if r := w.run(a, []string{"PEX_TOOLS=1"}, "cache", "verify"); r.code != 0 {
		t.Errorf("cache verify: exit %d\n%s", r.code, r.stdout)
	}
}

// As a user who owns the cache (not root, who may write anyway), an edit
// to an extracted file, a new file next to it or its removal fails, and the
// next run runs the code as extracted. Pruning still removes the trees.
func TestExtractedTreesAreReadOnly(t *testing.T) {
	// helper (code) and six (a wheel) are top-level modules: hard links in
	// the environment to the read-only files of their trees.
	a := pack(t, app{"helper.py": "", "app/__init__.py": "", "app/main.py": `import json, os
import helper, six
def run():
    here = os.path.dirname(__file__)
    res = {}
    for what, fn in [("edit", lambda: open(__file__, "a").write("raise SystemExit('edited')\n")),
                     ("create", lambda: open(os.path.join(here, "db.sqlite3"), "w").close()),
                     ("remove", lambda: os.remove(__file__)),
                     ("edit_link", lambda: open(helper.__file__, "a").write("x = 1\n")),
                     ("edit_wheel", lambda: open(six.__file__, "a").write("x = 1\n"))]:
        try:
            fn()
            res[what] = "allowed"
        except PermissionError:
            res[what] = "denied"
    print(json.dumps(res, sort_keys=True))
`}, "--entry-point", "app.main:run", "--requirement", "six", "--wheel", wheel(t, "six-"))
	requireInterpreter(t, cpython)
	// A directory user nobody owns, holding the archive and the cache.
	base, err := os.MkdirTemp("", "readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cache.RemoveAll(base) })
	exe := filepath.Join(base, "app")
	data, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{base, exe} {
		if err := os.Chown(p, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(base, 0o755)
	root := filepath.Join(base, "root")
	run := func(env ...string) (string, string, error) {
		cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", exe)
		cmd.Env = append([]string{"PATH=/usr/bin:/bin", "PEX_PYTHON=" + cpython, "PEX_ROOT=" + root, "HOME=" + base, "TMPDIR=" + base}, env...)
		var so, se strings.Builder
		cmd.Stdout, cmd.Stderr = &so, &se
		err := cmd.Run()
		return so.String(), se.String(), err
	}
	for _, start := range []string{"cold", "warm"} {
		out, stderr, err := run()
		if err != nil {
			t.Fatalf("%s run as nobody: %v\n%s%s", start, err, out, stderr)
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s run printed %q: %v\n%s", start, out, err, stderr)
		}
		for _, what := range []string{"edit", "create", "remove", "edit_link", "edit_wheel"} {
			if got[what] != "denied" {
				t.Errorf("%s run: %s of a file in the code tree was %s", start, what, got[what])
			}
		}
	}
	if out, stderr, err := run("PEX_TOOLS=1"); err == nil {
		t.Errorf("PEX_TOOLS=1 without a tool succeeded: %s%s", out, stderr)
	}
	// A byte-compiler still at work holds its environment (and so its
	// trees) as a running application does: prune would keep them.
	waitCompilers(t, root)
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", exe, "cache", "prune", "--older-than", "0s")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "PEX_PYTHON=" + cpython, "PEX_ROOT=" + root, "HOME=" + base, "TMPDIR=" + base, "PEX_TOOLS=1"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cache prune as nobody: %v\n%s", err, out)
	}
	for _, kind := range []string{"wheels", "code", "venvs"} {
		if left := dirsOf(t, root, kind); len(left) != 0 {
			t.Errorf("pruning as nobody left %s %v", kind, left)
		}
	}
}

// A first run makes every file it extracts or writes into an entry durable
// (fsync, or on Linux a syncfs of the entry's work directory's file system)
// before the rename that publishes the entry, and writes the
// marker after that rename: a machine crash cannot leave a complete entry
// with empty files. Traced with strace: -y names each descriptor's file.
func TestColdStartSyncsBeforePublishing(t *testing.T) {
	a := pack(t, verifyApp, verifyArgs(t)...)
	w := newWorld(t, cpython)
	trace := filepath.Join(t.TempDir(), "trace")
	cmd := exec.Command("strace", "-f", "-y", "-qq", "-o", trace, "-e", "trace=openat,fsync,syncfs,rename,renameat,renameat2", a)
	cmd.Env = w.environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	work := regexp.MustCompile(`(/v2/(?:wheels|code|venvs)/[^/".]+)(\.tmp-[0-9a-f-]+)(/[^"<>]*)?`)
	created := map[string]int{}    // file in a work directory -> line
	synced := map[string]int{}     // fsynced path -> line
	fsSynced := map[string][]int{} // work directory -> lines of its syncfs calls
	published := map[string]int{}
	marked := map[string]int{}
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.Contains(line, "openat(") && strings.Contains(line, "O_CREAT"):
			if m := work.FindStringSubmatch(line); m != nil && m[3] != "" {
				created[m[1]+m[2]+m[3]] = i
			}
			if j := strings.Index(line, cache.MarkerSuffix+`"`); j > 0 {
				k := strings.LastIndex(line[:j], "/v2/")
				marked[line[k:j]] = i
			}
		case strings.Contains(line, "fsync(") || strings.Contains(line, "syncfs("):
			// syncfs (Linux: one per tree, on its work directory) makes
			// everything under that directory durable.
			if j := strings.Index(line, "</"); j > 0 {
				path := line[j+1 : j+strings.Index(line[j:], ">")]
				if k := strings.Index(path, "/v2/"); k >= 0 {
					if strings.Contains(line, "syncfs(") {
						fsSynced[path[k:]] = append(fsSynced[path[k:]], i)
					} else {
						synced[path[k:]] = i
					}
				}
			}
		case strings.Contains(line, "rename"):
			if m := work.FindStringSubmatch(line); m != nil && m[3] == "" {
				published[m[1]] = i
			}
		}
	}
	if len(published) < 9 || len(created) < 50 {
		t.Fatalf("traced %d entries published and %d files created:\n%s", len(published), len(created), data)
	}
	for f, line := range created {
		m := work.FindStringSubmatch(f)
		entry, workDir := m[1], m[1]+m[2]
		durable := false
		if s, ok := synced[f]; ok && s > line && s < published[entry] {
			durable = true
		}
		for _, s := range fsSynced[workDir] {
			durable = durable || s > line && s < published[entry]
		}
		if !durable {
			t.Errorf("%s was neither fsynced nor its file system synced between its creation and the rename of %s", f, entry)
		}
	}
	for entry, line := range published {
		if m, ok := marked[entry]; !ok || m < line {
			t.Errorf("the marker of %s was not written after its rename", entry)
		}
	}
}

// An environment in use is never removed, even damaged: cache verify says
// so and exits 1; once its application exits, verify removes it and the
// next run rebuilds it (here: pyvenv.cfg deleted, which a warm start does
// not look at).
func TestCacheVerifyLeavesAnEnvironmentInUse(t *testing.T) {
	a := pack(t, app{"hold.py": `import os, sys, time
if len(sys.argv) > 1:
    while not os.path.exists(sys.argv[1]):
        time.sleep(0.05)
print("done")
`}, "--main", "hold.py")
	w := newWorld(t, cpython)
	w.ok(a, nil)
	w.waitCompilers()
	release := filepath.Join(w.tmp, "release")
	cmd := exec.Command(a, release)
	cmd.Env = w.environ()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	v := dirsOf(t, w.root, "venvs")
	if len(v) != 1 {
		t.Fatalf("environments %v", v)
	}
	venv := filepath.Join(w.root, "v2", "venvs", v[0])
	// Wait until the application holds the environment's use lock.
	for i := 0; ; i++ {
		l, err := cache.TryAcquire(cache.UseLockPath(venv), true)
		if err != nil {
			break
		}
		l.Release()
		if i > 200 {
			t.Fatal("the application never took the environment's use lock")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := os.Remove(filepath.Join(venv, "pyvenv.cfg")); err != nil {
		t.Fatal(err)
	}
	r := w.run(a, []string{"PEX_TOOLS=1"}, "cache", "verify")
	if r.code != 1 || !strings.Contains(r.stdout, "venvs/"+v[0]+": damaged: ") || !strings.Contains(r.stdout, "in use, so not removed") {
		t.Errorf("cache verify with a damaged environment in use: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	os.WriteFile(release, nil, 0o644)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if r := w.run(a, []string{"PEX_TOOLS=1"}, "cache", "verify"); r.code != 3 || !strings.Contains(r.stdout, "removed it (rebuilt on its application's next run)") {
		t.Errorf("cache verify once the application exited: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if out := w.ok(a, nil); out != "done\n" {
		t.Errorf("after the repair the app printed %q", out)
	}
}
