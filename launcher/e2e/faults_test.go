package launcher_test

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/archive/archivetest"
	"github.com/rules-pex/rules_pex/internal/layout"
)

// bigApp is an archive (written with archivetest, stored) whose one wheel
// holds a large file, and an entry point that imports nothing.
func bigApp(t testing.TB, size int, random bool, tamper string) (string, *layout.Manifest) {
	t.Helper()
	prefix, err := os.ReadFile(launcherBin)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, size)
	if random {
		// A cheap deterministic incompressible pattern (xorshift).
		x := uint64(88172645463325252)
		for i := 0; i+8 <= len(data); i += 8 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			for j := 0; j < 8; j++ {
				data[i+j] = byte(x >> (8 * j))
			}
		}
	}
	path := filepath.Join(t.TempDir(), "big")
	m, err := archivetest.Write(path, archivetest.App{
		Prefix:      prefix,
		Compression: archive.Store,
		TamperTree:  tamper,
		Manifest:    layout.Manifest{EntryPoint: "tiny", Requirements: []string{"big"}},
		Code:        map[string]archivetest.File{"tiny.py": {Data: "pass\n"}},
		Dists: []archivetest.Dist{{
			Wheel: "big-1.0-py3-none-any.whl",
			Files: map[string]archivetest.File{
				"site-packages/big/__init__.py":            {Data: ""},
				"site-packages/big/_native.so":             {Data: string(data)},
				"site-packages/big-1.0.dist-info/METADATA": {Data: "Metadata-Version: 2.1\nName: big\nVersion: 1.0\n"},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return path, m
}

func noWorkDirs(t testing.TB, root string) {
	t.Helper()
	for _, kind := range []string{"wheels", "code", "venvs"} {
		for _, name := range dirsOf(t, root, kind) {
			if strings.Contains(name, ".tmp-") {
				t.Errorf("work directory left behind: %s/%s", kind, name)
			}
		}
	}
}

func TestKillDuringExtractionLeavesASoundCache(t *testing.T) {
	archivePath, m := bigApp(t, 256<<20, false, "")
	w := newWorld(t, cpython)
	wheelDir := filepath.Join(w.root, "v2", "wheels", m.Distributions["big-1.0-py3-none-any.whl"].TreeHash)
	cmd := exec.Command(archivePath)
	cmd.Env = w.environ()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the big file is being written in a work directory.
	deadline := time.Now().Add(2 * time.Minute)
	killed := false
	for time.Now().Before(deadline) {
		matches, _ := filepath.Glob(wheelDir + ".tmp-*/site-packages/big/_native.so")
		if len(matches) == 1 {
			if fi, err := os.Stat(matches[0]); err == nil && fi.Size() > 0 && fi.Size() < 256<<20 {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
				break
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	cmd.Wait()
	if !killed {
		t.Fatal("never saw the extraction in progress")
	}
	if _, err := os.Stat(wheelDir); err == nil {
		t.Fatal("the wheel's entry exists after the extraction was killed")
	}
	if out := w.ok(archivePath, nil); out != "" {
		t.Errorf("printed %q", out)
	}
	fi, err := os.Stat(filepath.Join(wheelDir, "site-packages", "big", "_native.so"))
	if err != nil || fi.Size() != 256<<20 {
		t.Fatalf("the wheel was not extracted whole: %v", err)
	}
	noWorkDirs(t, w.root)
}

func TestReadOnlyOrMissingCacheRootFallsBack(t *testing.T) {
	archive := pack(t, whoAmI, "--main", "who.py")
	w := newWorld(t, cpython)
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o644)
	for _, env := range [][]string{
		{"PEX_ROOT=" + filepath.Join(file, "root")}, // a path under a file: cannot be created
		{"PEX_ROOT=/proc/rules_pex"},                // a read-only file system
		{"PEX_ROOT=", "HOME=", "XDG_CACHE_HOME="},   // nowhere to put it
	} {
		for run := 0; run < 2; run++ {
			r := w.run(archive, env)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "CPython") {
				t.Fatalf("%v: exit %d, stdout %q, stderr:\n%s", env, r.code, r.stdout, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "rules_pex: warning: ") || !strings.Contains(lines[0], filepath.Join(w.tmp, "rules_pex-")) {
				t.Errorf("%v: want one warning line naming the fallback root, got:\n%s", env, r.stderr)
			}
		}
	}
}

func TestBrokenArchivesFailClearly(t *testing.T) {
	good, m := bigApp(t, 1<<20, true, "")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	corrupt := bytes.Clone(data)
	corrupt[len(corrupt)-(1<<19)] ^= 0xff // inside the big file's stored data
	tampered, _ := bigApp(t, 1<<20, true, "big-1.0-py3-none-any.whl")
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"truncated", write("truncated", data[:len(data)-1000]), []string{"is not a runnable archive", "not a zip archive"}},
		{"cut in the payload", write("half", data[:len(data)-(1<<19)]), []string{"is not a runnable archive"}},
		{"launcher only", write("bare", data[:len(data)-(1<<20)-4096]), []string{"is not a runnable archive"}},
		{"corrupt data", write("corrupt", corrupt), []string{"extracting big-1.0-py3-none-any.whl", "corrupt archive"}},
		{"tampered tree", tampered, []string{"does not match the manifest"}},
		{"zip slip", zipSlip(t, dir), []string{"corrupt archive", "../"}},
	} {
		w := newWorld(t, cpython)
		r := w.run(tc.path, nil)
		if r.code != 1 {
			t.Errorf("%s: exit %d, want 1; stderr:\n%s", tc.name, r.code, r.stderr)
		}
		for _, want := range tc.want {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: error does not mention %q:\n%s", tc.name, want, r.stderr)
			}
		}
		if got := dirsOf(t, w.root, "wheels"); len(got) != 0 && tc.name != "tampered tree" {
			t.Errorf("%s: extracted %v", tc.name, got)
		}
		if _, err := os.Stat(filepath.Join(w.root, "v2", "wheels", m.Distributions["big-1.0-py3-none-any.whl"].TreeHash)); err == nil {
			t.Errorf("%s: a wheel entry was created from a broken archive", tc.name)
		}
		noWorkDirs(t, w.root)
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "evil.py")); err == nil {
		t.Error("the ../ entry was written outside")
	}
}

// zipSlip writes an archive whose code tree has a "code/../evil.py" entry
// (Go's zip writer allows any name), with a manifest that matches it.
func zipSlip(t testing.TB, dir string) string {
	t.Helper()
	prefix, _ := os.ReadFile(launcherBin)
	_, m, err := archivetest.Bytes(archivetest.App{
		Manifest: layout.Manifest{Main: "../evil.py"},
		Code:     map[string]archivetest.File{"x.py": {Data: "print('x')\n"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := layout.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.Write(prefix)
	zw := zip.NewWriter(&buf)
	zw.SetOffset(int64(len(prefix)))
	for _, e := range []struct{ name, data string }{{layout.ManifestName, string(manifest)}, {"code/../evil.py", "print('escaped')\n"}} {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(e.data))
	}
	zw.Close()
	p := filepath.Join(dir, "sub", "slip")
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, buf.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConcurrentColdStarts(t *testing.T) {
	archive := pack(t, webApp, webArgs(t, "--entry-point", "app.main:run")...)
	w := newWorld(t, cpython)
	const n = 32
	cmds := make([]*exec.Cmd, n)
	outs := make([]bytes.Buffer, n)
	errs := make([]bytes.Buffer, n)
	for i := range cmds {
		cmds[i] = exec.Command(archive, "same", "time")
		cmds[i].Env = w.environ()
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &errs[i]
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make([]error, n)
	for i := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = cmds[i].Run()
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range results {
		if err != nil || !strings.Contains(outs[i].String(), `"numpy": 6`) || !strings.Contains(outs[i].String(), `"argv": ["`+archive+`", "same", "time"]`) {
			t.Errorf("process %d: %v\nstdout: %s\nstderr: %s", i, err, outs[i].String(), errs[i].String())
		}
	}
	// One copy of each wheel the interpreter needs, one environment.
	r := w.run(archive, []string{"PEX_TOOLS=1"}, "interpreter")
	need := strings.Count(r.stdout, ".whl\"") / 2 // listed under "chosen" and under its candidate
	if got := dirsOf(t, w.root, "wheels"); len(got) != need || need < 10 {
		t.Errorf("the cache holds %d wheel trees, want %d", len(got), need)
	}
	if got := dirsOf(t, w.root, "venvs"); len(got) != 1 {
		t.Errorf("the cache holds environments %v, want one", got)
	}
	noWorkDirs(t, w.root)
}

func TestFirstRunMemoryDoesNotGrowWithFileSize(t *testing.T) {
	small, _ := bigApp(t, 1<<20, true, "")
	large, _ := bigApp(t, 40<<20, true, "")
	w := newWorld(t, cpython)
	// Through GNU time: a child started by this (large) test process with
	// vfork would report this process's RSS as its own peak.
	base, big := w.peakRSS(small), w.peakRSS(large)
	t.Logf("peak RSS of the first run: 1 MiB file %d KiB, 40 MiB file %d KiB", base, big)
	if big > base+8<<10 {
		t.Errorf("extracting a 40 MiB file raised peak RSS from %d to %d KiB", base, big)
	}
}
