package launcher_test

// The launcher owns the bytecode of the cache (docs/launcher.md, Bytecode):
// Python running in an environment writes none, a background compiler
// writes every .pyc completely or not at all, holding the environment's
// use lock, so neither a full disk nor pruning leaves the cache broken.

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/launcher/internal/cache"
)

// compilers returns the process ids of the background byte-compilers of
// environments under root (they carry __RULES_PEX_COMPILE=run:<env>).
func compilers(root string) []int {
	procs, _ := filepath.Glob("/proc/[0-9]*/environ")
	want := []byte("\x00__RULES_PEX_COMPILE=run:" + root + "/")
	var pids []int
	for _, p := range procs {
		env, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(append([]byte{0}, env...), want) {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitCompilers waits until the world's background compilers are done.
func (w *world) waitCompilers() {
	w.t.Helper()
	waitCompilers(w.t, w.root)
}

// waitCompilers waits until the background compilers of the cache root are
// done.
func waitCompilers(t testing.TB, root string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for len(compilers(root)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("byte-compilers still running after 3 minutes: %v", compilers(root))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopCompilers kills the world's background compilers (each leads its
// own session and process group: the compiler and its python).
func (w *world) stopCompilers() {
	for i := 0; i < 200; i++ {
		pids := compilers(w.root)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			syscall.Kill(-pid, syscall.SIGKILL)
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// onlyVenv returns the world's one environment.
func onlyVenv(t *testing.T, w *world) string {
	t.Helper()
	venvs := dirsOf(t, w.root, "venvs")
	if len(venvs) != 1 {
		t.Fatalf("environments %v, want one", venvs)
	}
	return filepath.Join(w.root, "v2", "venvs", venvs[0])
}

func compileLog(venv string) string {
	b, _ := os.ReadFile(filepath.Join(venv, "rules_pex.compile.log"))
	return string(b)
}

// checkPycs (run in an environment, with the cache root as argument)
// prints the number of .pyc files under the root that the import system
// accepts for their source, then one line for each file in a __pycache__
// that is not one.
const checkPycs = `import importlib.util, marshal, os, sys
good, bad = 0, []
for d, dirs, files in os.walk(sys.argv[1]):
    if os.path.basename(d) != "__pycache__":
        continue
    for f in files:
        p = os.path.join(d, f)
        parts = f.rsplit(".", 2)
        if len(parts) != 3 or parts[2] != "pyc":
            bad.append(p + ": not a .pyc")
            continue
        if parts[1] != sys.implementation.cache_tag:
            continue
        try:
            st = os.stat(os.path.join(os.path.dirname(d), parts[0] + ".py"))
        except OSError:
            bad.append(p + ": no source")
            continue
        with open(p, "rb") as fp:
            data = fp.read()
        want = importlib.util.MAGIC_NUMBER + bytes(4) + (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little") + (st.st_size & 0xFFFFFFFF).to_bytes(4, "little")
        if data[:16] != want:
            bad.append(p + ": header %r, want %r" % (data[:16], want))
            continue
        try:
            marshal.loads(data[16:])
        except Exception as e:
            bad.append(p + ": " + repr(e))
            continue
        good += 1
print(good)
for b in bad:
    print(b)
`

// validPycs runs checkPycs in archive's environment and fails the test on
// any bad file; it returns the number of valid .pyc files.
func validPycs(t *testing.T, w *world, archive string) int {
	t.Helper()
	out := w.ok(archive, []string{"PEX_INTERPRETER=1"}, "-c", checkPycs, w.root)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) > 1 {
		t.Errorf("%d bad files in __pycache__ directories of the cache:\n%s", len(lines)-1, strings.Join(lines[1:], "\n"))
	}
	n, err := strconv.Atoi(lines[0])
	if err != nil {
		t.Fatalf("checking .pyc files: %q", out)
	}
	return n
}

// fromBytecode imports modules in archive's environment under python -v
// and returns how many modules of the cache came from a .pyc and which
// were compiled from source.
func fromBytecode(t *testing.T, w *world, archive, imports string) (int, []string) {
	t.Helper()
	r := w.run(archive, []string{"PEX_INTERPRETER=1"}, "-v", "-c", imports)
	if r.code != 0 {
		t.Fatalf("importing %s: exit %d\n%s", imports, r.code, r.stderr)
	}
	pyc, src := 0, []string(nil)
	for _, line := range strings.Split(r.stderr, "\n") {
		what, ok := strings.CutPrefix(line, "# code object from ")
		if !ok || !strings.Contains(what, w.root) {
			continue
		}
		if strings.HasSuffix(what, ".pyc'") {
			pyc++
		} else {
			src = append(src, what)
		}
	}
	return pyc, src
}

func removePycaches(t *testing.T, root string) {
	t.Helper()
	var dirs []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "__pycache__" {
			dirs = append(dirs, p)
			return fs.SkipDir
		}
		return nil
	})
	for _, d := range dirs {
		os.Chmod(filepath.Dir(d), 0o755) // as a non-root owner would have to
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBytecodeIsWrittenByTheLauncherOnly(t *testing.T) {
	archive := pack(t, webApp, webArgs(t, "--entry-point", "app.main:run")...)
	w := newWorld(t, cpython)
	// The environment's python never writes bytecode, nor do its
	// subprocesses; yet a cold start compiles it in the background,
	// whether PYTHONDONTWRITEBYTECODE is set or not.
	out := w.ok(archive, []string{"PEX_INTERPRETER=1"}, "-c", `import subprocess, sys
print(sys.dont_write_bytecode, subprocess.run([sys.executable, "-c", "import sys; print(sys.dont_write_bytecode)"], capture_output=True, text=True).stdout.strip())`)
	if out != "True True\n" {
		t.Errorf("sys.dont_write_bytecode in the environment and in a subprocess: %q", out)
	}
	w.waitCompilers()
	venv := onlyVenv(t, w)
	if _, err := os.Stat(filepath.Join(venv, "rules_pex.compiled")); err != nil {
		t.Fatalf("the environment was not byte-compiled; log:\n%s", compileLog(venv))
	}
	imports := "import numpy, requests, yaml, cryptography.hazmat.primitives.hashes, app.main"
	if n, src := fromBytecode(t, w, archive, imports); n < 100 || len(src) > 0 {
		t.Errorf("%d modules of the cache came from .pyc files, %d from source: %q", n, len(src), src)
	}
	pycs, _ := filepath.Glob(filepath.Join(w.root, "v2", "wheels", "*", "site-packages", "requests", "__pycache__", "*.pyc"))
	if len(pycs) < 10 {
		t.Errorf("requests' tree holds %d .pyc files", len(pycs))
	}
	if boot := filepath.Join(venv, "__pycache__", "_rules_pex_main.cpython-311.pyc"); !exists(boot) {
		t.Errorf("the boot module is not compiled: no %s", boot)
	}
	n := validPycs(t, w, archive)
	// Without bytecode in the cache, the application writes none.
	removePycaches(t, w.root)
	w.ok(archive, nil)
	var found []string
	filepath.WalkDir(w.root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".pyc") {
			found = append(found, p)
		}
		return nil
	})
	if len(found) > 0 {
		t.Errorf("the application wrote %d .pyc files into the cache, as %s", len(found), found[0])
	}
	// The compiler does it again when asked (no marker), under
	// PYTHONDONTWRITEBYTECODE too.
	os.Remove(filepath.Join(venv, "rules_pex.compiled"))
	w.ok(archive, []string{"PYTHONDONTWRITEBYTECODE=1"})
	w.waitCompilers()
	if again := validPycs(t, w, archive); again != n {
		t.Errorf("%d valid .pyc files after compiling again, %d the first time; log:\n%s", again, n, compileLog(venv))
	}
}

func TestBytecodeOfPyPy(t *testing.T) {
	archive := pack(t, app{"m.py": "import requests\nprint(requests.__name__)\n"}, append([]string{"--main", "m.py", "--requirement", "requests"}, allWheels(t)...)...)
	w := newWorld(t, pypy)
	w.ok(archive, nil)
	w.waitCompilers()
	venv := onlyVenv(t, w)
	if _, err := os.Stat(filepath.Join(venv, "rules_pex.compiled")); err != nil {
		t.Fatalf("the environment was not byte-compiled; log:\n%s", compileLog(venv))
	}
	if n, src := fromBytecode(t, w, archive, "import requests"); n < 10 || len(src) > 0 {
		t.Errorf("%d modules of the cache came from .pyc files, %d from source: %q", n, len(src), src)
	}
	validPycs(t, w, archive)
}

// statfs returns the free bytes of the file system at path.
func freeBytes(t *testing.T, path string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

// A full disk while bytecode is written leaves no truncated .pyc: the run
// after it succeeds once there is space again, and then every .pyc is
// complete.
func TestBytecodeAfterAFullDisk(t *testing.T) {
	archive := pack(t, webApp, webArgs(t, "--entry-point", "app.main:run")...)
	w := newWorld(t, cpython)
	// A small file system of its own for the cache (tests run as root).
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=128m,mode=0755", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Fatalf("mounting a tmpfs for the cache (the test needs root): %v\n%s", err, out)
	}
	t.Cleanup(func() {
		w.stopCompilers()
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", mnt, err, out)
		}
	})
	w.root = filepath.Join(mnt, "root")
	w.ok(archive, nil)
	w.waitCompilers()
	venv := onlyVenv(t, w)
	marker := filepath.Join(venv, "rules_pex.compiled")
	if !exists(marker) {
		t.Fatalf("not byte-compiled; log:\n%s", compileLog(venv))
	}
	n := validPycs(t, w, archive)
	// What the bytecode takes; then fill the disk to leave a tenth of it.
	withPyc := freeBytes(t, mnt)
	removePycaches(t, w.root)
	os.Remove(marker)
	need := freeBytes(t, mnt) - withPyc
	ballast := filepath.Join(mnt, "ballast")
	f, err := os.Create(ballast)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for freeBytes(t, mnt) > need/10+int64(len(chunk)) {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	t.Logf("bytecode takes %d KiB; %d KiB left free", need>>10, freeBytes(t, mnt)>>10)
	// The run on the full disk works; its compiler runs out of space.
	if out := w.ok(archive, nil, "full"); !strings.Contains(out, `"numpy": 6`) {
		t.Errorf("on a full disk the app printed %q", out)
	}
	w.waitCompilers()
	if exists(marker) {
		t.Errorf("the environment is marked compiled after running out of space; log:\n%s", compileLog(venv))
	}
	if log := compileLog(venv); !strings.Contains(log, "No space left on device") {
		t.Errorf("the compile log does not tell of the full disk:\n%s", log)
	}
	os.Remove(ballast)
	// Space is back: the next run works, compiles the rest, and every .pyc
	// is complete.
	if out := w.ok(archive, nil, "space"); !strings.Contains(out, `"numpy": 6`) {
		t.Errorf("after freeing space the app printed %q", out)
	}
	w.waitCompilers()
	if !exists(marker) {
		t.Errorf("not byte-compiled once space is back; log:\n%s", compileLog(venv))
	}
	if got := validPycs(t, w, archive); got != n {
		t.Errorf("%d valid .pyc files, want %d", got, n)
	}
	if out := w.ok(archive, nil, "again"); !strings.Contains(out, `"numpy": 6`) {
		t.Errorf("the app printed %q", out)
	}
}

// A .pyc that an old launcher left truncated (a full disk: CPython's own
// writes ignore a short write) in a shared tree is replaced by the
// compiler of the next environment that uses it.
func TestBytecodeTruncatedByAnOldLauncherIsReplaced(t *testing.T) {
	archive := pack(t, app{"m.py": "import yaml\nprint(yaml.safe_load('a: 1'))\n"}, append([]string{"--main", "m.py", "--requirement", "pyyaml"}, allWheels(t)...)...)
	w := newWorld(t, cpython)
	w.ok(archive, nil)
	w.waitCompilers()
	venv := onlyVenv(t, w)
	pycs, _ := filepath.Glob(filepath.Join(w.root, "v2", "wheels", "*", "site-packages", "yaml", "__pycache__", "__init__.cpython-311.pyc"))
	if len(pycs) != 1 {
		t.Fatalf("yaml's .pyc: %v; log:\n%s", pycs, compileLog(venv))
	}
	data, err := os.ReadFile(pycs[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pycs[0]+".broken", data[:16+(len(data)-16)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(pycs[0]+".broken", pycs[0]); err != nil {
		t.Fatal(err)
	}
	if r := w.run(archive, nil); r.code == 0 || !strings.Contains(r.stderr, "EOFError") {
		t.Fatalf("a truncated .pyc did not break the run: exit %d\n%s", r.code, r.stderr)
	}
	// A new environment (as a new launcher makes) on the same tree.
	os.Remove(filepath.Join(venv, "rules_pex.compiled"))
	w.run(archive, nil) // may still fail: the compiler starts with it
	w.waitCompilers()
	if out := w.ok(archive, nil); out != "{'a': 1}\n" {
		t.Errorf("printed %q", out)
	}
	validPycs(t, w, archive)
}

// treeListing lists a tree's files but its bytecode: path and size.
func treeListing(dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			fmt.Fprintf(&b, "error %v\n", err)
			return nil
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			return fs.SkipDir
		}
		if !d.IsDir() {
			fi, _ := d.Info()
			rel, _ := filepath.Rel(dir, p)
			fmt.Fprintf(&b, "%s %d\n", rel, fi.Size())
		}
		return nil
	})
	return b.String()
}

// checkComplete fails the test unless every tree under root is complete
// (its files those of the same tree in ref) and every environment holds
// what it is made of and links to trees that exist.
func checkComplete(t *testing.T, root, ref string) {
	t.Helper()
	for _, kind := range []string{"wheels", "code"} {
		for _, name := range dirsOf(t, root, kind) {
			if strings.Contains(name, ".tmp-") {
				continue
			}
			got, want := treeListing(filepath.Join(root, "v2", kind, name)), treeListing(filepath.Join(ref, "v2", kind, name))
			if got != want {
				t.Errorf("%s/%s is incomplete: it holds\n%swant\n%s", kind, name, got, want)
			}
		}
	}
	for _, name := range dirsOf(t, root, "venvs") {
		if strings.Contains(name, ".tmp-") {
			continue
		}
		dir := filepath.Join(root, "v2", "venvs", name)
		for _, f := range []string{"rules_pex.lock", "rules_pex.json", "pyvenv.cfg", "bin/python", "_rules_pex_main.py", "pex"} {
			if _, err := os.Lstat(filepath.Join(dir, f)); err != nil {
				entries, _ := os.ReadDir(dir)
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("environment %s is incomplete: %v; it holds %v", name, err, names)
				break
			}
		}
		links, _ := filepath.Glob(filepath.Join(dir, "lib", "*", "site-packages", "*"))
		for _, l := range links {
			if _, err := os.Stat(l); err != nil {
				t.Errorf("environment %s links to a tree that is gone: %v", name, err)
			}
		}
	}
}

// Pruning at once after a run, while the compiler works, removes nothing
// the compiler then brings back half: every tree and environment left is
// complete, and another application sharing the trees runs.
func TestBytecodeCompilerAndPruneRace(t *testing.T) {
	big := pack(t, webApp, webArgs(t, "--entry-point", "app.main:run")...)
	second := pack(t, app{"two.py": "import numpy, requests, yaml\nprint(int(numpy.ones(3).sum()), yaml.safe_load('[1]'), requests.__name__)\n"},
		append([]string{"--main", "two.py", "--requirement", "numpy", "--requirement", "requests", "--requirement", "pyyaml"}, allWheels(t)...)...)
	ref := newWorld(t, cpython)
	ref.ok(big, nil)
	ref.ok(second, nil)
	ref.stopCompilers()
	w := newWorld(t, cpython)
	w.extra = []string{"PYTHONDONTWRITEBYTECODE=1"}
	for i := 0; i < 4; i++ {
		if out := w.ok(big, nil); !strings.Contains(out, `"numpy": 6`) {
			t.Fatalf("run %d printed %q", i, out)
		}
		w.ok(big, []string{"PEX_TOOLS=1"}, "cache", "prune", "--older-than", "0s")
		time.Sleep(time.Duration(i) * 700 * time.Millisecond)
		w.ok(big, []string{"PEX_TOOLS=1"}, "cache", "prune", "--older-than", "0s")
		w.waitCompilers()
		checkComplete(t, w.root, ref.root)
	}
	if out := w.ok(second, nil); out != "3 [1] requests\n" {
		t.Errorf("the second app printed %q", out)
	}
	w.waitCompilers()
	checkComplete(t, w.root, ref.root)
	if out := w.ok(big, nil); !strings.Contains(out, `"numpy": 6`) {
		t.Errorf("the app printed %q", out)
	}
	if out := w.ok(second, nil); out != "3 [1] requests\n" {
		t.Errorf("the second app printed %q", out)
	}
}

// A user who owns the cache compiles into read-only trees (directories
// 0555, files 0444): each directory is writable only for the moment.
func TestBytecodeInReadOnlyTrees(t *testing.T) {
	src := pack(t, app{"m.py": "import yaml\nprint(yaml.safe_load('a: 1'))\n"}, append([]string{"--main", "m.py", "--requirement", "pyyaml"}, allWheels(t)...)...)
	home, err := os.MkdirTemp("", "bytecode-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	archive := filepath.Join(home, "app")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(archive, data, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(home, 0o755)
	os.Chown(home, 65534, 65534)
	w := newWorld(t)
	w.root = filepath.Join(home, "root")
	w.path = "/usr/bin:/bin"
	w.extra = []string{"PEX_PYTHON=" + cpython, "HOME=" + home}
	asNobody := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", archive}, args...)...)
		cmd.Env = w.environ()
		cmd.Dir = home
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s as nobody: %v\n%s", archive, err, out)
		}
		return string(out)
	}
	asNobody()
	w.waitCompilers()
	venv := onlyVenv(t, w)
	marker := filepath.Join(venv, "rules_pex.compiled")
	removePycaches(t, w.root)
	os.Remove(marker)
	// The trees as the extraction leaves them: read-only.
	var trees []string
	for _, kind := range []string{"wheels", "code"} {
		for _, name := range dirsOf(t, w.root, kind) {
			trees = append(trees, filepath.Join(w.root, "v2", kind, name))
		}
	}
	for _, tree := range trees {
		filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			return os.Chmod(p, 0o444)
		})
		var dirs []string
		filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
		for _, d := range dirs {
			os.Chmod(d, 0o555)
		}
	}
	// And the environment's directories but its root.
	filepath.WalkDir(venv, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != venv {
			os.Chmod(p, 0o555) // root walks on regardless
		}
		return nil
	})
	sps, _ := filepath.Glob(filepath.Join(venv, "lib", "*", "site-packages"))
	if len(sps) != 1 {
		t.Fatalf("site-packages: %v", sps)
	}
	if out := asNobody(); out != "{'a': 1}\n" {
		t.Errorf("printed %q", out)
	}
	w.waitCompilers()
	if !exists(marker) {
		t.Fatalf("not byte-compiled; log:\n%s", compileLog(venv))
	}
	pycs := 0
	for _, tree := range trees {
		filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Error(err)
				return nil
			}
			fi, _ := d.Info()
			want := fs.FileMode(0o444)
			if d.IsDir() {
				want = 0o555 | fs.ModeDir
			}
			switch {
			case d.Name() == "__pycache__":
				want = 0o755 | fs.ModeDir // as the extraction makes them
			case strings.HasSuffix(p, ".pyc"):
				want = 0o644 // written, not extracted: cache verify tells them apart
			}
			if fi.Mode() != want {
				t.Errorf("%s has mode %v, want %v", p, fi.Mode(), want)
			}
			if strings.HasSuffix(p, ".pyc") {
				pycs++
			}
			return nil
		})
	}
	if pycs < 10 {
		t.Errorf("%d .pyc files in the read-only trees; log:\n%s", pycs, compileLog(venv))
	}
	// A top-level module of the code is a hard link in site-packages: its
	// bytecode is the environment's own.
	if !exists(filepath.Join(sps[0], "__pycache__", "m.cpython-311.pyc")) {
		t.Errorf("the environment's own module m.py is not compiled; log:\n%s", compileLog(venv))
	}
	if fi, err := os.Stat(sps[0]); err != nil || fi.Mode().Perm() != 0o555 {
		t.Errorf("site-packages: %v, %v, want mode 0555 again", fi.Mode(), err)
	}
	validPycs(t, w, archive)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// A tree whose lock another process holds (another compiler, a repair) is
// not waited for: it is left, with the marker, for the next run.
func TestBytecodeOfABusyTreeIsLeftForTheNextRun(t *testing.T) {
	archive := pack(t, app{"m.py": "import yaml\nprint(yaml.safe_load('a: 1'))\n"}, append([]string{"--main", "m.py", "--requirement", "pyyaml"}, allWheels(t)...)...)
	w := newWorld(t, cpython)
	w.ok(archive, nil)
	w.waitCompilers()
	venv := onlyVenv(t, w)
	marker := filepath.Join(venv, "rules_pex.compiled")
	removePycaches(t, w.root)
	os.Remove(marker)
	trees, _ := filepath.Glob(filepath.Join(w.root, "v2", "wheels", "*", "site-packages", "yaml"))
	if len(trees) != 1 {
		t.Fatalf("yaml's tree: %v", trees)
	}
	tree := filepath.Dir(filepath.Dir(trees[0]))
	lock, err := cache.Acquire(cache.LockPath(tree), true)
	if err != nil {
		t.Fatal(err)
	}
	w.ok(archive, nil)
	w.waitCompilers()
	lock.Release()
	if exists(marker) || !strings.Contains(compileLog(venv), "another process holds "+tree) {
		t.Errorf("marker %v with a tree locked; log:\n%s", exists(marker), compileLog(venv))
	}
	if pycs, _ := filepath.Glob(filepath.Join(trees[0], "__pycache__", "*.pyc")); len(pycs) > 0 {
		t.Errorf("compiled into a tree another process held: %v", pycs)
	}
	w.ok(archive, nil)
	w.waitCompilers()
	if !exists(marker) {
		t.Errorf("not compiled once the tree is free; log:\n%s", compileLog(venv))
	}
	if pycs, _ := filepath.Glob(filepath.Join(trees[0], "__pycache__", "*.pyc")); len(pycs) < 5 {
		t.Errorf("yaml's tree holds %d .pyc files; log:\n%s", len(pycs), compileLog(venv))
	}
	validPycs(t, w, archive)
}
