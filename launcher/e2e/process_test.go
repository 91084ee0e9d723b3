package launcher_test

import (
	"bufio"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestSignalsReachTheAppInTheSameProcess(t *testing.T) {
	src := app{"sig.py": `import os, signal, sys, time
def on_term(signum, frame):
    print("got SIGTERM", flush=True)
    sys.exit(7)
signal.signal(signal.SIGTERM, on_term)
print("ready", os.getpid(), flush=True)
time.sleep(60)
`}
	archive := pack(t, src, "--main", "sig.py")
	w := newWorld(t, cpython)
	w.ok(pack(t, whoAmI, "--main", "who.py"), nil) // probe outside the timed part
	cmd := exec.Command(archive)
	cmd.Env = w.environ()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatalf("no output: %v", cmd.Wait())
	}
	fields := strings.Fields(lines.Text())
	if len(fields) != 2 || fields[0] != "ready" || fields[1] != strconv.Itoa(cmd.Process.Pid) {
		t.Fatalf("first line %q: want ready and the launcher's PID %d (exec, not a child)", lines.Text(), cmd.Process.Pid)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	rest := ""
	for lines.Scan() {
		rest += lines.Text() + "\n"
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 7 || rest != "got SIGTERM\n" {
		t.Errorf("after SIGTERM: %v, output %q; want exit 7 from the app's handler", err, rest)
	}
	// A signal the app does not handle is its death by that signal.
	src2 := app{"sleep.py": "import os, time\nprint(os.getpid(), flush=True)\ntime.sleep(60)\n"}
	cmd = exec.Command(pack(t, src2, "--main", "sleep.py"))
	cmd.Env = w.environ()
	stdout, _ = cmd.StdoutPipe()
	cmd.Start()
	bufio.NewReader(stdout).ReadString('\n')
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 && ee.ExitCode() != -1 {
		t.Errorf("after SIGINT: %v", err)
	}
}

func TestMultiprocessingSpawnChildSeesDependencies(t *testing.T) {
	src := app{
		"mp/__init__.py": "",
		"mp/work.py":     "def task(x):\n    import yaml, sys\n    return (yaml.__version__, sys.executable, x * 2)\n",
		"mp/main.py": `import multiprocessing as mp, sys
from mp.work import task
def run():
    with mp.get_context("spawn").Pool(2) as pool:
        print(pool.map(task, [1, 2]), sys.executable)
if __name__ == "__main__":
    run()
`,
		"script.py": `import multiprocessing as mp
def square(x):
    import yaml
    return x * x
if __name__ == "__main__":
    with mp.get_context("spawn").Pool(1) as pool:
        print(pool.map(square, [3]))
`,
	}
	w := newWorld(t, cpython)
	for _, tc := range []struct {
		entry []string
		check func(string) bool
	}{
		{[]string{"--entry-point", "mp.main:run"}, func(out string) bool {
			f := strings.Fields(out)
			return strings.HasPrefix(out, "[('6.0', '") && strings.Contains(out, "', 2), ('6.0', '") && strings.Contains(out, f[len(f)-1]+"', 4)]")
		}},
		{[]string{"--main", "script.py"}, func(out string) bool { return out == "[9]\n" }},
		{[]string{"--entry-point", "mp.main"}, func(out string) bool { return strings.Contains(out, "', 4)]") }},
	} {
		archive := pack(t, src, append(append(tc.entry, "--requirement", "pyyaml"), allWheels(t)...)...)
		r := w.run(archive, nil)
		if r.code != 0 || !tc.check(r.stdout) {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s", tc.entry, r.code, r.stdout, r.stderr)
		}
	}
}
