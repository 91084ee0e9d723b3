package launcher_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Apps that re-invoke themselves (docs/launcher.md): "python3 ARCHIVE" runs
// the archive's __main__.py, which executes the archive; Django's
// autoreloader starts its child as [sys.executable, *options, *sys.argv],
// werkzeug's (2.3 and later, on Python 3.10 and later) re-runs
// sys.orig_argv, the launcher's python -c line.

// selfApp reports how it was started ("child" as first argument), or starts
// itself again both ways and reports what the children saw.
var selfApp = app{
	"app/__init__.py": "",
	"app/__main__.py": "import sys\nfrom app.cli import main\nsys.exit(main())\n",
	"app/cli.py": `import json, os, subprocess, sys
def report():
    return {"argv": sys.argv, "pex": os.environ.get("PEX"), "impl": sys.implementation.name,
            "dev": sys.flags.dev_mode, "optimize": sys.flags.optimize, "warnoptions": sys.warnoptions,
            "leaked": [k for k in os.environ if k.startswith("__RULES_PEX")]}
def child(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        return {"error": p.returncode, "stderr": p.stderr}
    return json.loads(p.stdout)
def main():
    if sys.argv[1:2] == ["child"]:
        print(json.dumps(report()))
        return 0
    out = {"self": report()}
    # Django's autoreloader: the interpreter, then sys.argv.
    out["argv"] = child([sys.executable, sys.argv[0], "child", "argv"])
    # werkzeug >= 2.3: sys.orig_argv, the launcher's python -c line, again.
    if hasattr(sys, "orig_argv"):
        n = len(sys.orig_argv) - len(sys.argv) + 1
        out["orig_argv"] = child([sys.executable] + sys.orig_argv[1:n] + ["child", "orig_argv"])
    print(json.dumps(out))
    return 0
if __name__ == "__main__":
    sys.exit(main())
`,
}

type selfReport struct {
	Argv        []string
	Pex         string
	Impl        string
	Dev         bool
	Optimize    int
	Warnoptions []string
	Leaked      []string
	Error       int
	Stderr      string
}

func (r selfReport) check(t *testing.T, what, archive string, args ...string) {
	t.Helper()
	want := append([]string{archive}, args...)
	if r.Error != 0 || !slices.Equal(r.Argv, want) || r.Pex != archive || len(r.Leaked) > 0 {
		t.Errorf("%s: %+v; want sys.argv %q, PEX %s and no __RULES_PEX variables", what, r, want, archive)
	}
}

func TestAppReinvokesItself(t *testing.T) {
	w := newWorld(t, cpython)
	for _, tc := range []struct {
		name  string
		entry []string
	}{
		{"module:function", []string{"--entry-point", "app.cli:main"}},
		{"module", []string{"--entry-point", "app"}},
		{"main file", []string{"--main", "app/cli.py"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			archive := pack(t, selfApp, tc.entry...)
			var got struct {
				Self     selfReport
				Argv     selfReport
				OrigArgv selfReport `json:"orig_argv"`
			}
			decodeJSON(t, w.ok(archive, nil, "parent"), &got)
			got.Self.check(t, "the app", archive, "parent")
			got.Argv.check(t, "[sys.executable, sys.argv[0], ...]", archive, "child", "argv")
			got.OrigArgv.check(t, "[sys.executable, *sys.orig_argv[1:]]", archive, "child", "orig_argv")
		})
	}
}

func TestPythonRunsTheArchive(t *testing.T) {
	archive := pack(t, selfApp, "--entry-point", "app.cli:main")
	zstd := pack(t, selfApp, "--entry-point", "app.cli:main", "--compression", "zstd")
	// Only CPython on PATH: whichever python reads __main__.py, the
	// launcher chooses the application's interpreter.
	w := newWorld(t, cpython)
	requireInterpreter(t, pypy)
	for _, tc := range []struct {
		name    string
		argv    []string
		dev     bool
		opt     int
		warning string
	}{
		{"python3 app", []string{cpython, archive}, false, 0, ""},
		{"zstd archive", []string{cpython, zstd}, false, 0, ""},
		{"options", []string{cpython, "-X", "dev", "-W", "error::DeprecationWarning", "-O", archive}, true, 1, "error::DeprecationWarning"},
		{"pypy options", []string{pypy, "-W", "error::DeprecationWarning", archive}, false, 0, "error::DeprecationWarning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.runArgv(nil, append(tc.argv, "child", "x y")...)
			if r.code != 0 {
				t.Fatalf("%q exited %d:\n%s", tc.argv, r.code, r.stderr)
			}
			var got selfReport
			decodeJSON(t, r.stdout, &got)
			target := tc.argv[len(tc.argv)-1]
			got.check(t, "the app", target, "child", "x y")
			if got.Impl != "cpython" || got.Dev != tc.dev || got.Optimize != tc.opt ||
				tc.warning != "" && !slices.Contains(got.Warnoptions, tc.warning) {
				t.Errorf("%+v; want CPython, dev mode %v, optimize %d and warning option %q", got, tc.dev, tc.opt, tc.warning)
			}
		})
	}
}

// TestNoLauncherCanRun: where python can read the archive but its launcher
// cannot run, "python3 app" fails with one line that says why.
func TestNoLauncherCanRun(t *testing.T) {
	w := newWorld(t, cpython)
	archive := pack(t, selfApp, "--entry-point", "app.cli:main")
	notExecutable := filepath.Join(t.TempDir(), "app")
	copyArchive(t, archive, notExecutable, 0o644)

	noexec := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "noexec,size=64m", "tmpfs", noexec).CombinedOutput(); err != nil {
		t.Fatalf("mounting a noexec tmpfs (the test runs as root): %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", noexec).Run() })
	onNoexec := filepath.Join(noexec, "app")
	copyArchive(t, archive, onNoexec, 0o755)

	// A launcher for macOS on arm64: a Mach-O header is enough for Linux to
	// refuse it.
	fake := filepath.Join(t.TempDir(), "launcher-darwin-arm64")
	if err := os.WriteFile(fake, append([]byte{0xcf, 0xfa, 0xed, 0xfe, 0x0c, 0x00, 0x00, 0x01}, make([]byte, 4088)...), 0o755); err != nil {
		t.Fatal(err)
	}
	foreign := pack(t, selfApp, "--entry-point", "app.cli:main", "--launcher", fake)

	machine := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	for _, tc := range []struct {
		name, archive, want string
	}{
		{"not executable", notExecutable, "cannot run " + notExecutable + ": Permission denied (it is not executable: chmod +x " + notExecutable + ")"},
		{"noexec", onNoexec, "cannot run " + onNoexec + ": Permission denied (its file system does not allow running programs, as with noexec: copy it elsewhere)"},
		{"foreign launcher", foreign, "cannot run " + foreign + ": Exec format error (its launcher is a macOS program for arm64; this machine is Linux " + machine + ": use an archive built for it)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.runArgv(nil, cpython, tc.archive, "child")
			if want := "rules_pex: " + tc.want + "\n"; r.code != 1 || r.stderr != want || r.stdout != "" {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, want)
			}
		})
	}
}

func copyArchive(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(to, mode); err != nil {
		t.Fatal(err)
	}
}

// djangoSite is a minimal Django project: settings, one view that says
// which process answered.
var djangoSite = app{
	"site1/__init__.py": "",
	"site1/settings.py": `SECRET_KEY = "not a secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "site1.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
`,
	"site1/urls.py": `from django.urls import path
from site1 import views
urlpatterns = [path("", views.hello)]
`,
	"site1/views.py": `import os, sys
from django.http import HttpResponse
def hello(request):
    return HttpResponse("django %s %s %s" % (os.environ.get("RUN_MAIN"), os.getpid(), sys.argv[0]))
`,
	"site1/manage.py": `import os, sys
def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
`,
}

// TestDjangoRunserverAutoreload runs Django's development server with its
// autoreloader: the process started watches files and runs the server in a
// child it starts as [sys.executable, *sys.argv] with RUN_MAIN=true.
func TestDjangoRunserverAutoreload(t *testing.T) {
	archive := pack(t, djangoSite, "--entry-point", "site1.manage:main", "--requirement", "django",
		"--wheel", wheel(t, "django-"), "--wheel", wheel(t, "asgiref-"), "--wheel", wheel(t, "sqlparse-"), "--wheel", wheel(t, "pytz-"))
	for _, py := range []string{cpython, pypy} {
		t.Run(filepath.Base(py), func(t *testing.T) {
			w := newWorld(t, py)
			port := freePort(t)
			body, pid := w.serve(port, nil, archive, "runserver", fmt.Sprintf("127.0.0.1:%d", port))
			if want := fmt.Sprintf("django true %d %s", pid, archive); body == want || !strings.HasPrefix(body, "django true ") || !strings.HasSuffix(body, " "+archive) {
				t.Errorf("the server answered %q; want the reloader's child (RUN_MAIN true, not PID %d) with sys.argv[0] %s", body, pid, archive)
			}
		})
	}
}

// TestFlaskRunReload runs "flask run --reload" started as "python3 app":
// werkzeug's reloader (Debian's 2.2) starts its child from sys.argv.
func TestFlaskRunReload(t *testing.T) {
	src := app{"hello.py": `import os, sys
from flask import Flask
app = Flask(__name__)
@app.route("/")
def index():
    return "flask %s %s %s" % (os.environ.get("WERKZEUG_RUN_MAIN"), os.getpid(), sys.argv[0])
`}
	args := []string{"--script", "flask", "--env", "FLASK_APP=hello", "--requirement", "flask"}
	for _, p := range []string{"flask-", "werkzeug-", "jinja2-", "itsdangerous-", "click-", "markupsafe-"} {
		args = append(args, "--wheel", wheel(t, p))
	}
	archive := pack(t, src, args...)
	w := newWorld(t, cpython)
	port := freePort(t)
	body, pid := w.serve(port, nil, cpython, archive, "run", "--reload", "--host", "127.0.0.1", "--port", fmt.Sprint(port))
	if want := fmt.Sprintf("flask true %d %s", pid, archive); body == want || !strings.HasPrefix(body, "flask true ") || !strings.HasSuffix(body, " "+archive) {
		t.Errorf("the server answered %q; want the reloader's child (WERKZEUG_RUN_MAIN true, not PID %d) with sys.argv[0] %s", body, pid, archive)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// serve starts argv, a development server with a reloader, in a process
// group of its own; waits (at most 90 s) until http://127.0.0.1:port/
// answers; stops the group with SIGTERM, as a supervisor would, and checks
// that the server exited 0 and left no process behind. It returns the
// answer and the PID of the process started.
func (w *world) serve(port int, env []string, argv ...string) (string, int) {
	t := w.t
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = w.environ(env...)
	cmd.Dir = w.tmp
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	exited := false
	defer func() {
		if !exited {
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
	}()

	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	client := &http.Client{Timeout: 5 * time.Second}
	var body string
	for deadline := time.Now().Add(90 * time.Second); body == ""; {
		select {
		case err := <-done:
			exited = true
			t.Fatalf("%q exited (%v) before serving %s:\n%s", argv, err, url, out.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
			exited = true
			t.Fatalf("%q did not serve %s in 90 s:\n%s", argv, url, out.String())
		}
		resp, err := client.Get(url)
		if err != nil {
			continue
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK {
			body = string(b)
		}
	}

	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case err := <-done:
		exited = true
		if err != nil {
			t.Errorf("after SIGTERM %q exited with %v, want 0:\n%s", argv, err, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("%q did not stop within 20 s of SIGTERM:\n%s", argv, out.String())
	}
	// The reloader waits for its child: nothing of the group is left.
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(-pgid, 0) == nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			syscall.Kill(-pgid, syscall.SIGKILL)
			t.Errorf("processes of %q outlived it", argv)
			break
		}
	}
	if err := syscall.Kill(-pgid, 0); err != nil && !errors.Is(err, syscall.ESRCH) {
		t.Errorf("checking process group %d: %v", pgid, err)
	}
	return body, pgid
}
