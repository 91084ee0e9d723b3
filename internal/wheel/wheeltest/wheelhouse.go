package wheeltest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// Wheelhouse returns the absolute path of the wheelhouse of real wheels
// (repacked from Debian's python3-* packages) and its *.whl files.
// RULES_PEX_WHEELHOUSE names it, and must then hold wheels; unset, the
// wheelhouse/ directory of the repository (root, relative to the test's
// directory) is used if it has been built, and the test is skipped if not
// (in Bazel's sandbox, for one).
func Wheelhouse(tb testing.TB, root string) (string, []string) {
	tb.Helper()
	dir, set := os.LookupEnv("RULES_PEX_WHEELHOUSE")
	if !set {
		dir = filepath.Join(root, "wheelhouse")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		tb.Fatal(err)
	}
	whls, _ := filepath.Glob(filepath.Join(abs, "*.whl"))
	if len(whls) == 0 {
		if set {
			tb.Fatalf("RULES_PEX_WHEELHOUSE=%s holds no *.whl files; build it with `make wheelhouse`", dir)
		}
		tb.Skip("no wheelhouse: set RULES_PEX_WHEELHOUSE (the Makefile does) or run `make wheelhouse`")
	}
	return abs, whls
}

// SHA256 returns the sha256 of the file at path, in lowercase hex.
func SHA256(tb testing.TB, path string) string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
