package launcher_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// stubLauncher writes the header of a launcher for another platform: the
// packer checks a universal file's launchers by their ELF or Mach-O header,
// and only the host's is ever run here.
func stubLauncher(t *testing.T, platform string) string {
	t.Helper()
	h := make([]byte, 4096)
	switch platform {
	case "linux/amd64", "linux/arm64":
		copy(h, "\x7fELF\x02\x01\x01")
		binary.LittleEndian.PutUint16(h[18:], map[string]uint16{"linux/amd64": 62, "linux/arm64": 183}[platform])
	default:
		binary.LittleEndian.PutUint32(h, 0xfeedfacf)
		binary.LittleEndian.PutUint32(h[4:], map[string]uint32{"darwin/amd64": 0x01000007, "darwin/arm64": 0x0100000c}[platform])
	}
	p := filepath.Join(t.TempDir(), strings.ReplaceAll(platform, "/", "-"))
	if err := os.WriteFile(p, h, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// universalArgs are the packer flags of a universal file whose host
// launcher is the real one.
func universalArgs(t *testing.T) []string {
	host := runtime.GOOS + "/" + runtime.GOARCH
	var args []string
	for _, p := range []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64"} {
		file := launcherBin
		if p != host {
			file = stubLauncher(t, p)
		}
		args = append(args, "--universal-launcher", p+"="+file)
	}
	return args
}

var argvApp = app{"show.py": "import os, sys\nprint(sys.argv[0], os.environ.get('PEX'), '__RULES_PEX_ARCHIVE' in os.environ, sys.argv[1:])\n"}

// A universal file (a sh preamble and four launchers before the archive)
// runs here: its preamble extracts the host's launcher once into the cache
// under its sha256 and runs it on the file, which the application sees as
// its own path; python3 FILE runs it too.
func TestUniversalFile(t *testing.T) {
	dir := t.TempDir()
	full := append([]string{"build", "-o", filepath.Join(dir, "app"), "--source", "show.py=" + writeApp(t, argvApp, "show.py"), "--main", "show.py"}, universalArgs(t)...)
	if out, err := exec.Command(packerBin, full...).CombinedOutput(); err != nil {
		t.Fatalf("packer: %v\n%s", err, out)
	}
	archive := filepath.Join(dir, "app")
	head, _ := os.ReadFile(archive)
	if !strings.HasPrefix(string(head), "#!/bin/sh\n") {
		t.Fatalf("a universal file starts with %q", head[:20])
	}
	w := newWorld(t, cpython)
	want := archive + " " + archive + " False ['a', 'b c']\n"
	if got := w.ok(archive, nil, "a", "b c"); got != want {
		t.Errorf("first run printed %q, want %q", got, want)
	}
	self, _ := os.ReadFile(launcherBin)
	sum := sha256.Sum256(self)
	cached := filepath.Join(w.root, "v2", "launchers", hex.EncodeToString(sum[:]))
	fi, err := os.Stat(cached)
	if err != nil || fi.Mode().Perm() != 0o755 || fi.Size() != int64(len(self)) {
		t.Fatalf("the host's launcher is not in the cache as %s: %v %v", cached, err, fi)
	}
	old := time.Unix(1000000000, 0)
	os.Chtimes(cached, old, old)
	if got := w.ok(archive, nil, "a", "b c"); got != want {
		t.Errorf("warm run printed %q, want %q", got, want)
	}
	if fi, _ := os.Stat(cached); !fi.ModTime().Equal(old) {
		t.Error("the warm run extracted the launcher again")
	}
	// The host's launcher, and the full launcher its first stage copied out.
	if entries, _ := os.ReadDir(filepath.Dir(cached)); len(entries) != 2 {
		t.Errorf("the launchers directory holds %d entries, want 2 (no temporary files left)", len(entries))
	}
	if r := w.runArgv(nil, cpython, archive, "x"); r.code != 0 || !strings.HasSuffix(r.stdout, "['x']\n") {
		t.Errorf("python3 FILE: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
	// A file on PATH is run under the name the shell found it by.
	bin := filepath.Join(t.TempDir(), "tool")
	os.Symlink(archive, bin)
	w.path = filepath.Dir(bin) + ":" + w.path
	if r := w.runArgv(nil, "/bin/sh", "-c", "tool"); r.code != 0 || r.stdout != bin+" "+bin+" False []\n" {
		t.Errorf("run from PATH: exit %d, printed %q %s", r.code, r.stdout, r.stderr)
	}
}

// The packer refuses what cannot make a universal file.
func TestUniversalFileRefused(t *testing.T) {
	src := writeApp(t, argvApp, "show.py")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--universal-launcher", "linux/amd64=" + stubLauncher(t, "linux/arm64"), "--universal-launcher", "darwin/arm64=" + stubLauncher(t, "darwin/arm64")}, "the file is a launcher for linux/arm64, not for linux/amd64"},
		{[]string{"--universal-launcher", "windows/amd64=" + launcherBin}, "platform windows/amd64 is not one of"},
		{[]string{"--universal-launcher", "linux/amd64=" + stubLauncher(t, "linux/amd64")}, "one launcher (linux/amd64) makes no universal file"},
		{[]string{"--universal-launcher", "darwin/arm64=" + stubLauncher(t, "darwin/arm64"), "--universal-launcher", "darwin/arm64=" + stubLauncher(t, "darwin/arm64")}, "a launcher for darwin/arm64 was given twice"},
		{[]string{"--launcher", launcherBin, "--universal-launcher", "darwin/arm64=" + stubLauncher(t, "darwin/arm64")}, "not both"},
	} {
		out := filepath.Join(t.TempDir(), "app")
		full := append([]string{"build", "-o", out, "--source", "show.py=" + src, "--main", "show.py"}, c.args...)
		b, err := exec.Command(packerBin, full...).CombinedOutput()
		if err == nil || !strings.Contains(string(b), c.want) {
			t.Errorf("packer %q: %v\n%s\nwant %q", c.args, err, b, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("packer %q left an output", c.args)
		}
	}
}

// writeApp writes one source file of an app and returns its path.
func writeApp(t *testing.T, a app, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(a[name]), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Without OS/ARCH, each launcher's platform is read from its header.
func TestUniversalFilePlatformsFromHeaders(t *testing.T) {
	dir := t.TempDir()
	full := []string{"build", "-o", filepath.Join(dir, "app"), "--source", "show.py=" + writeApp(t, argvApp, "show.py"), "--main", "show.py",
		"--universal-launcher", launcherBin}
	for _, p := range []string{"darwin/arm64", "darwin/amd64"} {
		full = append(full, "--universal-launcher", stubLauncher(t, p))
	}
	if out, err := exec.Command(packerBin, full...).CombinedOutput(); err != nil {
		t.Fatalf("packer: %v\n%s", err, out)
	}
	head, _ := os.ReadFile(filepath.Join(dir, "app"))
	host := runtime.GOOS + "/" + runtime.GOARCH
	if !strings.Contains(string(head[:2048]), "("+host+", darwin/amd64, darwin/arm64)") {
		t.Errorf("the preamble does not list the three platforms:\n%s", head[:600])
	}
	w := newWorld(t, cpython)
	if got := w.ok(filepath.Join(dir, "app"), nil); !strings.HasSuffix(got, " False []\n") {
		t.Errorf("printed %q", got)
	}
	bad := filepath.Join(t.TempDir(), "script")
	os.WriteFile(bad, []byte("#!/bin/sh\n"), 0o755)
	b, err := exec.Command(packerBin, "build", "-o", filepath.Join(dir, "x"), "--main", "show.py", "--source", "show.py="+writeApp(t, argvApp, "show.py"),
		"--universal-launcher", bad, "--universal-launcher", launcherBin).CombinedOutput()
	if err == nil || !strings.Contains(string(b), "neither an ELF nor a Mach-O executable") {
		t.Errorf("a script as a launcher: %v\n%s", err, b)
	}
}
