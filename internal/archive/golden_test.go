package archive

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.txt")

// TestGolden pins the bytes of archives built from fixed inputs, in a
// readable dump of every header plus the SHA-256 of the whole file. It fails
// when the output format changes, including through a new version of the
// compressors: remote caches key on these bytes, so such a change must be
// deliberate (go test -run TestGolden -update). Run it with -tags noasm too:
// the pure-Go compressors must give the same bytes as the assembly ones.
func TestGolden(t *testing.T) {
	var dump strings.Builder
	for _, c := range []Compression{Store, Deflate, Zstd} {
		entries := []testEntry{
			{name: "PEX-INFO", data: []byte(`{"entry_point": "app.main"}`)},
			{name: "__main__.py", exec: true, data: text(300)},
			{name: "app/__init__.py"},
			{name: "app/big.txt", data: text(smallEntry + 12345)},
			{name: "app/blob.bin", data: random(1000, 1)},
			{name: "app/café.py", data: text(5000)},
		}
		b := build(t, []byte("#!launcher\n"), c, entries)
		l := parseLayout(t, b, len("#!launcher\n"))
		fmt.Fprintf(&dump, "%s: %d bytes, sha256 %x, central directory at %d\n", c, len(b), sha256.Sum256(b), l.dirOffset)
		for _, h := range l.centrals {
			fmt.Fprintf(&dump, "  %-16s method %2d flags %#04x crc %08x size %7d -> %7d mode %o at %d\n",
				h.name, h.method, h.flags, h.crc, h.usize, h.csize, h.externalAttrs>>16, h.localOffset)
		}
	}
	path := filepath.Join("testdata", "golden.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(dump.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if dump.String() != string(want) {
		t.Errorf("archives differ from %s (if the change is deliberate, rerun with -update):\ngot:\n%s\nwant:\n%s", path, dump.String(), want)
	}
}
