package probe

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/internal/tags"
)

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
