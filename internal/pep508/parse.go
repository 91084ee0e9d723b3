package pep508

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SyntaxError describes where and why a requirement or marker does not
// parse. Errors from ParseRequirement and ParseMarker wrap one.
type SyntaxError struct {
	Input  string // the whole text being parsed
	Offset int    // byte offset in Input where the problem is
	Msg    string // what is wrong
	Err    error  // the underlying error, such as an invalid specifier, or nil
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at offset %d", e.Msg, e.Offset)
}

// Unwrap returns the underlying error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// parser is a cursor over a requirement or marker. Its token rules follow
// the specification's grammar and the reference implementation's tokenizer:
// whitespace is only ' ' and '\t'; keywords and variable names end at a
// word boundary.
type parser struct {
	src string
	pos int
}

func (p *parser) fail(offset int, format string, args ...any) error {
	return &SyntaxError{Input: p.src, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

// wrap reports err, found at offset.
func (p *parser) wrap(offset int, err error) error {
	return &SyntaxError{Input: p.src, Offset: offset, Msg: err.Error(), Err: err}
}

func (p *parser) rest() string { return p.src[p.pos:] }

func (p *parser) atEnd() bool { return p.pos >= len(p.src) }

// ws skips spaces and tabs and reports whether there were any.
func (p *parser) ws() bool {
	start := p.pos
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
	return p.pos > start
}

func (p *parser) peek(c byte) bool { return p.pos < len(p.src) && p.src[p.pos] == c }

// word reports whether the text at the cursor is w followed by a word
// boundary, and consumes it if so.
func (p *parser) word(w string) bool {
	if !strings.HasPrefix(p.rest(), w) || !boundary(p.src, p.pos+len(w)) {
		return false
	}
	p.pos += len(w)
	return true
}

// boundary reports whether s[i] is not a word character (or i is the
// end), which is a word boundary after a word character. Word characters
// are Unicode letters, numbers and '_', as in Python's \w.
func boundary(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !isWordRune(r)
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) }

// identifier reads a name or extra: a letter or digit, then letters,
// digits and runs of '-', '_', '.' that are followed by a letter or digit.
// It returns "" if there is none at the cursor.
func (p *parser) identifier() string {
	s, i := p.src, p.pos
	if i >= len(s) || !isAlnum(s[i]) {
		return ""
	}
	end := i + 1
	for j := end; j < len(s); j++ {
		if isAlnum(s[j]) {
			end = j + 1
		} else if !isNameSep(s[j]) {
			break
		}
	}
	p.pos = end
	return s[i:end]
}
