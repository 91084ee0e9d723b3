package wheel

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/tags"
)

// header is one "Key: value" field of an email-header style file, with
// continuation lines unfolded.
type header struct {
	key   string // as written
	value string // trimmed; continuation lines joined with one space
	line  int    // 1-based line number of the field's first line
}

// parseHeaders parses the header section of an email-header style file
// (METADATA, WHEEL): "Key: value" lines, continuation lines starting with a
// space or tab, ended by a blank line or the end of the file. What follows
// the blank line (the description body) is not looked at. It returns every
// malformed line as a problem description.
func parseHeaders(data []byte) ([]header, []string) {
	// Lines end in "\r\n", "\r" or "\n", as Python's email parser reads them.
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	var hs []header
	var bad []string
	for i, n := 0, 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		var line []byte
		if end < 0 {
			line, i = data[i:], len(data)
		} else {
			line, i = data[i:i+end], i+end+1
		}
		n++
		if len(line) == 0 {
			break
		}
		if !utf8.Valid(line) {
			bad = append(bad, fmt.Sprintf("line %d is not UTF-8", n))
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(hs) == 0 {
				bad = append(bad, fmt.Sprintf("line %d continues no field", n))
				continue
			}
			h := &hs[len(hs)-1]
			if cont := strings.TrimSpace(string(line)); cont != "" {
				if h.value != "" {
					h.value += " "
				}
				h.value += cont
			}
			continue
		}
		k, v, ok := strings.Cut(string(line), ":")
		if !ok || !validHeaderKey(k) {
			bad = append(bad, fmt.Sprintf("line %d is not a \"Key: value\" field: %s", n, quoteIfOdd(truncate(string(line), 60))))
			continue
		}
		hs = append(hs, header{key: k, value: strings.TrimSpace(v), line: n})
	}
	return hs, bad
}

// validHeaderKey reports whether k is an RFC 5322 field name: printable
// ASCII other than space and ':'.
func validHeaderKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] <= ' ' || k[i] > '~' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// fields gives access to parsed headers by case-insensitive key, and records
// problems with them.
type fields struct {
	hs  []header
	bad []string
}

// all returns the values of every field named key.
func (f *fields) all(key string) []string {
	var vs []string
	for _, h := range f.hs {
		if strings.EqualFold(h.key, key) {
			vs = append(vs, h.value)
		}
	}
	return vs
}

// one returns the value of the field named key, which must appear at most
// once; required says whether it must appear at all.
func (f *fields) one(key string, required bool) (string, bool) {
	vs := f.all(key)
	switch {
	case len(vs) == 0:
		if required {
			f.bad = append(f.bad, fmt.Sprintf("no %s field", key))
		}
		return "", false
	case len(vs) > 1:
		f.bad = append(f.bad, fmt.Sprintf("%d %s fields, want one", len(vs), key))
		return "", false
	}
	return vs[0], true
}

// Metadata is what the packer needs from .dist-info/METADATA (core metadata).
type Metadata struct {
	MetadataVersion string   // Metadata-Version, "major.minor"
	Name            string   // Name, as written
	Version         string   // Version, as written
	RequiresPython  string   // Requires-Python version specifiers; "" if absent
	RequiresDist    []string // Requires-Dist requirements (PEP 508), in file order
	ProvidesExtra   []string // Provides-Extra names, in file order
}

// maxMetadataMajor is the newest major core metadata version understood.
const maxMetadataMajor = 2

// parseMetadata parses METADATA. It returns every problem found.
func parseMetadata(data []byte) (Metadata, pep440.Version, []string) {
	hs, bad := parseHeaders(data)
	f := fields{hs: hs, bad: bad}
	var m Metadata
	var version pep440.Version
	if mv, ok := f.one("Metadata-Version", true); ok {
		m.MetadataVersion = mv
		major, _, ok := parseMajorMinor(mv)
		switch {
		case !ok:
			f.bad = append(f.bad, fmt.Sprintf("Metadata-Version %s is not major.minor", quoteIfOdd(mv)))
		case major < 1 || major > maxMetadataMajor:
			f.bad = append(f.bad, fmt.Sprintf("Metadata-Version %s is not supported (major version 1 or 2)", mv))
		}
	}
	if name, ok := f.one("Name", true); ok {
		m.Name = name
		if !validProjectName(name) {
			f.bad = append(f.bad, fmt.Sprintf("Name %s is not a valid project name", quoteIfOdd(name)))
		}
	}
	if v, ok := f.one("Version", true); ok {
		m.Version = v
		pv, err := pep440.Parse(v)
		if err != nil {
			f.bad = append(f.bad, fmt.Sprintf("Version %s is not a PEP 440 version: %v", quoteIfOdd(v), err))
		}
		version = pv
	}
	m.RequiresPython, _ = f.one("Requires-Python", false)
	m.RequiresDist = f.all("Requires-Dist")
	for _, r := range m.RequiresDist {
		if r == "" {
			f.bad = append(f.bad, "empty Requires-Dist field")
		}
	}
	m.ProvidesExtra = f.all("Provides-Extra")
	for _, e := range m.ProvidesExtra {
		if e == "" {
			f.bad = append(f.bad, "empty Provides-Extra field")
		}
	}
	return m, version, f.bad
}

// wheelInfo is the content of .dist-info/WHEEL.
type wheelInfo struct {
	version       string
	generator     string
	rootIsPurelib bool
	tags          []tags.Tag
	build         string
}

// supportedWheelMajor is the Wheel-Version major version this package reads.
// Later minor versions are read without complaint, as the spec asks.
const supportedWheelMajor = 1

func parseWheelInfo(data []byte) (wheelInfo, []string) {
	hs, bad := parseHeaders(data)
	f := fields{hs: hs, bad: bad}
	var w wheelInfo
	if v, ok := f.one("Wheel-Version", true); ok {
		w.version = v
		major, _, ok := parseMajorMinor(v)
		switch {
		case !ok:
			f.bad = append(f.bad, fmt.Sprintf("Wheel-Version %s is not major.minor", quoteIfOdd(v)))
		case major != supportedWheelMajor:
			f.bad = append(f.bad, fmt.Sprintf("Wheel-Version %s is not supported (major version %d)", v, supportedWheelMajor))
		}
	}
	w.generator, _ = f.one("Generator", false)
	if v, ok := f.one("Root-Is-Purelib", true); ok {
		switch strings.ToLower(v) {
		case "true":
			w.rootIsPurelib = true
		case "false":
		default:
			f.bad = append(f.bad, fmt.Sprintf("Root-Is-Purelib %s is neither true nor false", quoteIfOdd(v)))
		}
	}
	tagLines := f.all("Tag")
	if len(tagLines) == 0 {
		f.bad = append(f.bad, "no Tag field")
	}
	for _, t := range tagLines {
		ts, err := tags.ParseSet(t)
		if err != nil {
			f.bad = append(f.bad, err.Error())
			continue
		}
		w.tags = append(w.tags, ts...)
	}
	if b, ok := f.one("Build", false); ok {
		w.build = b
		if !validBuild(b) {
			f.bad = append(f.bad, fmt.Sprintf("Build %s must start with a digit and contain only letters, digits, '_' and '.'", quoteIfOdd(b)))
		}
	}
	return w, f.bad
}

// parseMajorMinor parses "major.minor" with decimal components.
func parseMajorMinor(s string) (major, minor int, ok bool) {
	a, b, ok := strings.Cut(s, ".")
	if !ok || !allDigits(a) || !allDigits(b) {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	return major, minor, err1 == nil && err2 == nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
