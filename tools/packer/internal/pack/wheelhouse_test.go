package pack

import (
	"path/filepath"
	"testing"

	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

// wheelhouse returns the real wheels of the wheelhouse (wheels repacked from
// Debian's python3-* packages); see wheeltest.Wheelhouse.
func wheelhouse(tb testing.TB) []string {
	tb.Helper()
	_, whls := wheeltest.Wheelhouse(tb, filepath.Join("..", "..", "..", ".."))
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
