package pack

import (
	"os"
	"path/filepath"
	"testing"
)

// wheelhouse returns the real wheels of the wheelhouse (wheels repacked from
// Debian's python3-* packages), as internal/wheel's TestWheelhouse finds
// them: RULES_PEX_WHEELHOUSE names the directory, which must then hold
// wheels; unset, the repository's wheelhouse/ is used if it has been built
// (not in Bazel's sandbox, where the test is skipped).
func wheelhouse(tb testing.TB) []string {
	tb.Helper()
	dir, set := os.LookupEnv("RULES_PEX_WHEELHOUSE")
	if !set {
		dir = filepath.Join("..", "..", "..", "..", "wheelhouse")
	}
	whls, _ := filepath.Glob(filepath.Join(dir, "*.whl"))
	if len(whls) == 0 {
		if set {
			tb.Fatalf("RULES_PEX_WHEELHOUSE=%s holds no *.whl files; build it with `make wheelhouse`", dir)
		}
		tb.Skip("no wheelhouse: set RULES_PEX_WHEELHOUSE (the Makefile does) or run `make wheelhouse`")
	}
	return whls
}

// BenchmarkOpenWheels measures validating every wheel of the wheelhouse,
// the part of a --wheel build that reads the wheels.
func BenchmarkOpenWheels(b *testing.B) {
	whls := wheelhouse(b)
	for b.Loop() {
		var ps Problems
		for _, d := range openWheels(whls, nil, &ps) {
			d.close()
		}
		if len(ps) > 0 {
			b.Fatal(ps)
		}
	}
}
