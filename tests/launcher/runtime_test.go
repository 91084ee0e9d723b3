package launcher_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnsetPathSearchesTheDefaultPath runs an archive under `env -i`: with
// no PATH the launcher searches /usr/bin:/bin, as execvp and Python do.
func TestUnsetPathSearchesTheDefaultPath(t *testing.T) {
	requireInterpreter(t, cpython)
	archive := pack(t, whoAmI, "--main", "who.py")
	root := filepath.Join(t.TempDir(), "root")
	for i := 0; i < 2; i++ { // cold, then warm
		cmd := exec.Command("env", "-i", "PEX_ROOT="+root, "TMPDIR="+t.TempDir(), archive)
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		if err := cmd.Run(); err != nil || !strings.HasPrefix(so.String(), "CPython 3.11.2") {
			t.Fatalf("env -i %s (run %d): %v, printed %q\nstderr:\n%s", archive, i+1, err, so.String(), se.String())
		}
	}
}
