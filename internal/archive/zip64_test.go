package archive

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// zip64End rewrites the central directory of b, an archive without comment,
// in zip64 form: every local header offset moves to a zip64 extra field, and
// zip64 end records precede an end record whose fields are all 0xff.
func zip64End(tb testing.TB, b []byte) []byte {
	tb.Helper()
	le := binary.LittleEndian
	end := len(b) - endLen
	if le.Uint32(b[end:]) != endSig {
		tb.Fatal("no end record")
	}
	records := uint64(le.Uint16(b[end+10:]))
	dirOff := int(le.Uint32(b[end+16:]))
	out := bytes.Clone(b[:dirOff])
	for p := dirOff; p < end; {
		nameLen, extraLen, commentLen := int(le.Uint16(b[p+28:])), int(le.Uint16(b[p+30:])), int(le.Uint16(b[p+32:]))
		h := bytes.Clone(b[p : p+centralHeaderLen+nameLen+extraLen])
		offset := le.Uint32(h[42:])
		le.PutUint32(h[42:], 0xffffffff)
		le.PutUint16(h[30:], uint16(extraLen+12))
		h = le.AppendUint16(h, zip64ExtraID)
		h = le.AppendUint16(h, 8)
		h = le.AppendUint64(h, uint64(offset))
		h = append(h, b[p+centralHeaderLen+nameLen+extraLen:p+centralHeaderLen+nameLen+extraLen+commentLen]...)
		out = append(out, h...)
		p += centralHeaderLen + nameLen + extraLen + commentLen
	}
	dirSize := len(out) - dirOff
	end64 := len(out)
	out = le.AppendUint32(out, end64Sig)
	out = le.AppendUint64(out, end64Len-12)
	out = le.AppendUint16(out, zipVersion45)
	out = le.AppendUint16(out, zipVersion45)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint64(out, records)
	out = le.AppendUint64(out, records)
	out = le.AppendUint64(out, uint64(dirSize))
	out = le.AppendUint64(out, uint64(dirOff))
	out = le.AppendUint32(out, end64LocatorSig)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint64(out, uint64(end64))
	out = le.AppendUint32(out, 1)
	out = le.AppendUint32(out, endSig)
	out = append(out, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0)
	return out
}

// TestZip64 reads an archive whose end record and local header offsets are
// in zip64 form, as archive/zip writes them past 4 GiB or 65535 entries.
func TestZip64(t *testing.T) {
	entries := sampleEntries()
	prefix := []byte("launcher")
	b := zip64End(t, build(t, prefix, Deflate, entries))
	r := openBytes(t, b)
	if len(r.Files()) != len(entries) {
		t.Fatalf("%d files, want %d", len(r.Files()), len(entries))
	}
	for _, e := range entries {
		if !bytes.Equal(readAll(t, r, e.name), e.data) {
			t.Errorf("%s differs", e.name)
		}
	}
	checkWithPython(t, writeTemp(t, "zip64.pex", b), entries, 12)

	// A zip64 extra field without the offset is refused.
	bad := bytes.Clone(b)
	i := bytes.Index(bad, []byte{1, 0, 8, 0}) // the first zip64 extra field
	binary.LittleEndian.PutUint16(bad[i+2:], 4)
	if _, err := NewReader(bytes.NewReader(bad), int64(len(bad))); err == nil {
		t.Error("NewReader accepted a zip64 extra field without the offset")
	}
}
