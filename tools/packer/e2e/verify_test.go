package packer_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyReadsWithTheArchiveReader: verify checks every entry's CRC-32
// with the reader the launcher extracts with. archive/zip, which verify used
// before, skips the check when the header says 0, so an archive whose CRC
// fields were zeroed passed verify and then failed in the launcher.
func TestVerifyReadsWithTheArchiveReader(t *testing.T) {
	dir := t.TempDir()
	data := buildFixture(t, dir)
	const name = "code/app/main.py"
	local, central := bytes.Index(data, []byte(name)), bytes.LastIndex(data, []byte(name))
	if local < 0 || central == local {
		t.Fatalf("%s: no local header and central record", name)
	}
	// The CRC-32 is 16 bytes before the name in the local header (offset 14
	// of 30) and 30 bytes before it in the central record (16 of 46).
	binary.LittleEndian.PutUint32(data[local-16:], 0)
	binary.LittleEndian.PutUint32(data[central-30:], 0)
	os.WriteFile(filepath.Join(dir, "zero-crc"), data, 0o755)
	r := packer(t, dir, nil, "", "verify", "zero-crc")
	if want := "entry " + name; r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "checksum") {
		t.Errorf("verify: exit %d, stderr %q; want exit 1 naming %q and the checksum", r.code, r.stderr, want)
	}
}

// buildFixture packs the fixture into dir/out and returns its bytes.
func buildFixture(t *testing.T, dir string) []byte {
	t.Helper()
	if r := packer(t, dir, nil, "", fixture(t, dir)...); r.code != 0 {
		t.Fatalf("build failed: %s", r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
