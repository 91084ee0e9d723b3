package wheel

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kinds of problems. Every Problem wraps exactly one of them, so callers can
// test a whole *Error with errors.Is(err, wheel.ErrHash).
var (
	ErrArchive        = errors.New("unreadable archive")           // not a zip, corrupt or encrypted data, unsupported compression
	ErrFilename       = errors.New("invalid wheel file name")      // the file name does not follow the wheel naming rule
	ErrEntryName      = errors.New("unsafe entry name")            // an entry name fails relpath.Check or is not UTF-8
	ErrDuplicateEntry = errors.New("duplicate entry")              // two zip entries with the same name
	ErrSymlink        = errors.New("not a regular file")           // a symlink, device, pipe or socket entry
	ErrDistInfo       = errors.New("bad .dist-info directory")     // none, several, or not named after the wheel
	ErrWheelFile      = errors.New("bad WHEEL file")               // missing or malformed .dist-info/WHEEL
	ErrMetadata       = errors.New("bad METADATA file")            // missing or malformed .dist-info/METADATA
	ErrRecord         = errors.New("bad RECORD file")              // missing or malformed .dist-info/RECORD
	ErrEntryPoints    = errors.New("bad entry_points.txt")         // malformed .dist-info/entry_points.txt
	ErrNotInRecord    = errors.New("entry not in RECORD")          // a zip entry RECORD does not list
	ErrMissingEntry   = errors.New("RECORD names a missing entry") // a RECORD row without a zip entry
	ErrHash           = errors.New("hash mismatch")                // content hash differs from RECORD
	ErrSize           = errors.New("size mismatch")                // content size differs from RECORD
	ErrNameMismatch   = errors.New("name or version mismatch")     // file name and METADATA disagree
	ErrTagMismatch    = errors.New("tag mismatch")                 // file name and WHEEL disagree on tags or build
	ErrDataDir        = errors.New("bad .data directory")          // unknown scheme or misplaced file in .data
	ErrConflict       = errors.New("install path conflict")        // two entries install to the same path
)

// maxProblems bounds how many problems an Error keeps; the rest are counted.
const maxProblems = 100

// Problem is one thing wrong with a wheel.
type Problem struct {
	Wheel  string // the wheel as named by the caller of Open or OpenReader
	Entry  string // the zip entry or RECORD path concerned; "" for the wheel as a whole
	Kind   error  // one of the Err* values of this package
	Detail string // what exactly is wrong; may be ""
}

// Error returns a one-line description naming the wheel, the entry, the kind
// of problem and the detail.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(quoteIfOdd(p.Wheel))
	b.WriteString(": ")
	if p.Entry != "" {
		b.WriteString(quoteIfOdd(p.Entry))
		b.WriteString(": ")
	}
	b.WriteString(p.Kind.Error())
	if p.Detail != "" {
		b.WriteString(": ")
		b.WriteString(p.Detail)
	}
	return b.String()
}

// Unwrap returns the problem's kind.
func (p *Problem) Unwrap() error { return p.Kind }

// Error is returned by Open and OpenReader when a wheel is invalid. It lists
// every problem found, up to a limit; Omitted counts the problems left out.
type Error struct {
	Wheel    string     // the wheel as named by the caller of Open or OpenReader
	Problems []*Problem // in the order found: entries, then .dist-info files, then contents
	Omitted  int        // problems found beyond the first 100, not listed
}

// Error returns one line per problem.
func (e *Error) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		lines = append(lines, p.Error())
	}
	if e.Omitted > 0 {
		lines = append(lines, fmt.Sprintf("%s: and %d more problems", quoteIfOdd(e.Wheel), e.Omitted))
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, so errors.Is and errors.As see each of them.
func (e *Error) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// problems accumulates the problems of one wheel.
type problems struct {
	wheel string
	list  []*Problem
	extra int
}

func (ps *problems) add(kind error, entry, format string, args ...any) {
	if len(ps.list) >= maxProblems {
		ps.extra++
		return
	}
	detail := format
	if len(args) > 0 {
		detail = fmt.Sprintf(format, args...)
	}
	ps.list = append(ps.list, &Problem{Wheel: ps.wheel, Entry: entry, Kind: kind, Detail: detail})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{Wheel: ps.wheel, Problems: ps.list, Omitted: ps.extra}
}

// quoteIfOdd returns s as is when it is plain printable text, and quoted
// otherwise, so that names from hostile archives cannot forge output lines.
func quoteIfOdd(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == '"' {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}
