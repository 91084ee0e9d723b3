package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestImportBoundary keeps the launcher free of packer-side code: it must
// stay small and must not grow with what only building archives needs.
func TestImportBoundary(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"github.com/rules-pex/rules_pex/internal/wheel",
		"github.com/rules-pex/rules_pex/internal/pack",
		"github.com/rules-pex/rules_pex/tools/",
		"net/http", "net",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f) || strings.HasPrefix(dep, f+"/") {
				t.Errorf("the launcher depends on %s", dep)
			}
		}
	}
}
