package probe

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/internal/tags"
)

// debianPackaging is where Debian's python3-packaging installs the library
// the oracle tests compare against.
const debianPackaging = "/usr/lib/python3/dist-packages/packaging"

// packagingPath returns a directory holding only a link to Debian's
// packaging library, to put first on sys.path of any interpreter (so none
// sees the rest of dist-packages). It fails the test when the library is
// missing.
func packagingPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(debianPackaging, "tags.py")); err != nil {
		t.Fatalf("Python's packaging library is the oracle of this test and is missing (%v): CI must run `apt-get install -y python3-packaging`", err)
	}
	dir := t.TempDir()
	if err := os.Symlink(debianPackaging, filepath.Join(dir, "packaging")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// lookPython finds an interpreter or fails the test saying what CI must install.
func lookPython(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("interpreter %s is missing (%v): CI must %s", name, err, install)
	}
	return path
}

// runPython runs python with args and stdin in dir, failing the test on error.
func runPython(t *testing.T, python, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running %s %s: %v\nstderr:\n%s", python, strings.Join(args[:min(len(args), 2)], " "), err, stderr.String())
	}
	return out
}

// diffTags describes the first difference between two ordered tag lists, with
// context, or returns "" when they are equal.
func diffTags(got []tags.Tag, want []string) string {
	n := min(len(got), len(want))
	i := 0
	for i < n && got[i].String() == want[i] {
		i++
	}
	if i == n && len(got) == len(want) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "got %d tags, packaging %d; first difference at index %d:\n", len(got), len(want), i)
	for j := max(0, i-2); j < min(max(len(got), len(want)), i+4); j++ {
		g, w := "<none>", "<none>"
		if j < len(got) {
			g = got[j].String()
		}
		if j < len(want) {
			w = want[j]
		}
		mark := " "
		if g != w {
			mark = "!"
		}
		fmt.Fprintf(&b, "%s %4d: got %-45s packaging %s\n", mark, j, g, w)
	}
	return b.String()
}
