package launcherfile

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// testExecutable is an ELF (linux) or Mach-O (darwin) executable: the test
// binary itself.
func testExecutable(t *testing.T) []byte {
	t.Helper()
	p, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJoinLocateExtract(t *testing.T) {
	first := testExecutable(t)
	full := first
	var joined bytes.Buffer
	if err := Join(&joined, first, full); err != nil {
		t.Fatal(err)
	}
	// An archive: the launcher, then a payload.
	file := append(joined.Bytes(), []byte("PK\x03\x04 a zip follows")...)
	h, off, err := Locate(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if off != int64(len(first))+HeaderLen || h.Size != int64(len(full)) || h.Stored >= h.Size {
		t.Fatalf("header %+v at %d", h, off)
	}
	var out bytes.Buffer
	if err := Extract(&out, bytes.NewReader(file), h, off); err != nil || !bytes.Equal(out.Bytes(), full) {
		t.Fatalf("Extract: %v (%d bytes, want %d)", err, out.Len(), len(full))
	}
	// Joining is deterministic.
	var again bytes.Buffer
	Join(&again, first, full)
	if !bytes.Equal(again.Bytes(), joined.Bytes()) {
		t.Error("two joins of the same programs differ")
	}
	// A damaged or cut-short full launcher is refused.
	damaged := bytes.Clone(file)
	damaged[off+h.Stored/2] ^= 0xff
	if err := Extract(&out, bytes.NewReader(damaged), h, off); !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrInflate) {
		t.Errorf("damaged: %v", err)
	}
	cut := file[:off+h.Stored/2]
	if err := Extract(&out, bytes.NewReader(cut), h, off); !errors.Is(err, ErrInflate) {
		t.Errorf("cut short: %v", err)
	}
	// A one-stage launcher has no header.
	if _, _, err := Locate(bytes.NewReader(append(bytes.Clone(first), "PK\x03\x04"...))); !errors.Is(err, ErrNoHeader) {
		t.Errorf("one-stage launcher: %v", err)
	}
}

func TestJoinRefusesWhatIsNoExecutable(t *testing.T) {
	first := testExecutable(t)
	var w bytes.Buffer
	for name, c := range map[string][2][]byte{
		"first not an executable":   {[]byte("#!/bin/sh\necho hi\n"), first},
		"first with bytes after it": {append(bytes.Clone(first), 0), first},
		"full not an executable":    {first, []byte("not a program")},
		"first cut in its headers":  {first[:40], first},
	} {
		if err := Join(&w, c[0], c[1]); err == nil {
			t.Errorf("%s: joined", name)
		}
	}
}

func TestImageEndOfGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("\x7fELF"), []byte("\x7fELF\x02\x01" + string(make([]byte, 60))), []byte("\xcf\xfa\xed\xfe" + string(make([]byte, 40)))} {
		if end, err := ImageEnd(bytes.NewReader(b)); err == nil && end > int64(len(b)) {
			t.Errorf("ImageEnd(%q) = %d past the end", b, end)
		}
	}
}
