package packer_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNamedPipeInputs gives a named pipe wherever the packer reads a file.
// Opening a FIFO for reading waits for a writer, so a packer that opens
// before checking blocks forever; each case must instead fail at once,
// naming the file and what it is. The timeout turns a regression into a
// failure rather than a hung test.
func TestNamedPipeInputs(t *testing.T) {
	dir := t.TempDir()
	base := fixture(t, dir)
	if r := packer(t, dir, nil, "", "check-wheel", "-o", "demo.json", "demo-1.0-py3-none-any.whl"); r.code != 0 {
		t.Fatalf("check-wheel: %s", r.stderr)
	}
	fifo := func(name string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
		return name
	}
	src := fifo("fifo.py")
	whl := fifo("fifo-1.0-py3-none-any.whl")
	checkedWhl := fifo("pipes/demo-1.0-py3-none-any.whl")
	summary := fifo("summary.json")
	launcher := fifo("launcher-fifo")
	params := fifo("params")
	archive := fifo("app.pex")

	build := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	for _, tc := range []struct {
		name string
		args []string
		file string // the file the error must name
		code int
	}{
		{"source", build("--source", "m.py="+src), src, 1},
		{"wheel", build("--wheel", whl), whl, 1},
		{"checked wheel", build("--checked-wheel", checkedWhl+"=demo.json"), checkedWhl, 1},
		{"checked wheel summary", build("--checked-wheel", "demo-1.0-py3-none-any.whl="+summary), summary, 1},
		{"launcher", []string{"build", "-o", "out", "--launcher", launcher, "--source", "a.py=src/app/main.py", "--main", "a.py"}, launcher, 1},
		{"params file", []string{"@" + params}, params, 2},
		{"verify", []string{"verify", archive}, archive, 1},
		{"inspect", []string{"inspect", archive}, archive, 1},
		{"check-wheel", []string{"check-wheel", "-o", "x.json", whl}, whl, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, packerBin, tc.args...)
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("packer %s blocked on the named pipe %s", strings.Join(tc.args, " "), tc.file)
			}
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			want := tc.file + " is a named pipe, not a regular file"
			if code != tc.code || !strings.Contains(stderr.String(), want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr.String(), tc.code, want)
			}
			if leftovers, _ := filepath.Glob(filepath.Join(dir, "*out*")); len(leftovers) > 0 {
				t.Errorf("a failed build left files behind: %v", leftovers)
			}
		})
	}
}
