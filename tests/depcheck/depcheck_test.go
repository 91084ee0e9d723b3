// Package depcheck keeps the architecture's import boundaries: the launcher
// never imports the packer side (wheel validation, packing), and the packer
// never imports the launcher's runtime packages. Shared packages (the
// archive contract, specs, the zip container) may be imported by both.
package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/rules-pex/rules_pex/"

func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", module+pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	var own []string
	for _, line := range strings.Fields(string(out)) {
		if strings.HasPrefix(line, module) {
			own = append(own, strings.TrimPrefix(line, module))
		}
	}
	return own
}

func TestLauncherDoesNotImportPackerSide(t *testing.T) {
	for _, d := range deps(t, "launcher") {
		for _, banned := range []string{"internal/wheel", "internal/wheeltest", "internal/pack", "tools"} {
			if d == banned || strings.HasPrefix(d, banned+"/") {
				t.Errorf("the launcher imports %s (packer side)", d)
			}
		}
	}
}

// TestLauncherHasNoNetworking keeps the launcher small: it never needs the
// network packages (and their start-up cost).
func TestLauncherHasNoNetworking(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", module+"launcher").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "net" || strings.HasPrefix(p, "net/") {
			t.Errorf("the launcher depends on %s", p)
		}
	}
}

func TestPackerDoesNotImportLauncherSide(t *testing.T) {
	for _, d := range deps(t, "tools/packer") {
		for _, banned := range []string{"launcher", "internal/launch", "internal/extract", "internal/venv", "internal/activate", "internal/interp", "internal/cache", "internal/probe", "internal/payload"} {
			if d == banned || strings.HasPrefix(d, banned+"/") {
				t.Errorf("the packer imports %s (launcher side)", d)
			}
		}
	}
}

func TestLauncherUsesOnlyTheStandardLibraryAndItsOwnPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", module+"launcher").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, module) && !strings.HasPrefix(p, "github.com/klauspost/compress") {
			t.Errorf("the launcher depends on %s; it may use only the standard library, klauspost/compress (zstd, flate) and this module", p)
		}
	}
}
