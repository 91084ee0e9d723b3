package lock

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is a TOML 1.0 parser for what PEP 751 lock files need: tables,
// arrays of tables, dotted and quoted keys, inline tables (also spread over
// lines, as TOML 1.1 allows), arrays, the four kinds of strings with their
// escapes, integers, floats, booleans and comments. Dates and times are
// checked and kept as the text written. Anything else is a *TOMLError with
// its line and column.

// A TOML value is one of: string, int64, float64, bool, DateTime, []any
// (an array), *Table, or *TableArray.

// DateTime is a TOML offset or local date-time, date or time, as written.
type DateTime string

// Table is a TOML table. Keys maps each key to its value; Lines gives the
// line where each key was defined, and Line where the table was.
type Table struct {
	Line  int
	Keys  map[string]any
	Lines map[string]int
	kind  tableKind
}

// TableArray is an array of tables, made by [[header]] lines.
type TableArray struct {
	Tables []*Table
}

type tableKind int

const (
	kindImplicit tableKind = iota // made as the parent of a [header]: may be defined once later
	kindHeader                    // defined by a [header]
	kindDotted                    // made by a dotted key
	kindInline                    // an inline table: closed
	kindElement                   // an element of an array of tables
)

func newTable(line int, kind tableKind) *Table {
	return &Table{Line: line, Keys: map[string]any{}, Lines: map[string]int{}, kind: kind}
}

// TOMLError is a syntax or semantic error in a TOML document.
type TOMLError struct {
	Line, Column int
	Msg          string
}

func (e *TOMLError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// maxTOMLDepth bounds the nesting of arrays and inline tables, so that a
// hostile file cannot exhaust the stack.
const maxTOMLDepth = 100

// ParseTOML parses a whole TOML document.
func ParseTOML(src []byte) (*Table, error) {
	if !utf8.Valid(src) {
		line := 1 + strings.Count(string(src[:firstInvalidUTF8(src)]), "\n")
		return nil, &TOMLError{Line: line, Column: 1, Msg: "the file is not valid UTF-8"}
	}
	p := &tomlParser{src: string(src), line: 1, lineStart: 0}
	root := newTable(1, kindHeader)
	if err := p.document(root); err != nil {
		return nil, err
	}
	return root, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

type tomlParser struct {
	src       string
	pos       int
	line      int // 1-based line of pos
	lineStart int // offset of the first byte of the line
	depth     int
}

func (p *tomlParser) errAt(pos int, format string, args ...any) error {
	line, start := p.line, p.lineStart
	if pos < start { // an earlier line: count again
		line, start = 1, 0
		for i := 0; i < pos; i++ {
			if p.src[i] == '\n' {
				line, start = line+1, i+1
			}
		}
	}
	return &TOMLError{Line: line, Column: utf8.RuneCountInString(p.src[start:pos]) + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *tomlParser) errf(format string, args ...any) error { return p.errAt(p.pos, format, args...) }

func (p *tomlParser) eof() bool { return p.pos >= len(p.src) }

func (p *tomlParser) peekByte() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

// newline consumes "\n" or "\r\n" at pos and reports whether it did.
func (p *tomlParser) newline() bool {
	switch {
	case strings.HasPrefix(p.src[p.pos:], "\n"):
		p.pos++
	case strings.HasPrefix(p.src[p.pos:], "\r\n"):
		p.pos += 2
	default:
		return false
	}
	p.line, p.lineStart = p.line+1, p.pos
	return true
}

// spaces skips spaces and tabs.
func (p *tomlParser) spaces() {
	for !p.eof() && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

// comment skips a comment if one starts at pos.
func (p *tomlParser) comment() error {
	if p.peekByte() != '#' {
		return nil
	}
	for !p.eof() && p.src[p.pos] != '\n' {
		if c := p.src[p.pos]; c == '\r' && strings.HasPrefix(p.src[p.pos:], "\r\n") {
			break
		} else if isControl(c) {
			return p.errf("control character %U in a comment", c)
		}
		p.pos++
	}
	return nil
}

// endOfLine expects optional spaces, an optional comment and a newline (or
// the end of the document).
func (p *tomlParser) endOfLine(what string) error {
	p.spaces()
	if err := p.comment(); err != nil {
		return err
	}
	if p.eof() || p.newline() {
		return nil
	}
	return p.errf("expected the end of the line after %s, found %s", what, p.describeHere())
}

// blank skips whitespace, newlines and comments (inside arrays).
func (p *tomlParser) blank() error {
	for {
		p.spaces()
		if err := p.comment(); err != nil {
			return err
		}
		if !p.newline() {
			return nil
		}
	}
}

func (p *tomlParser) describeHere() string {
	if p.eof() {
		return "the end of the file"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	if r == '\r' {
		return "a carriage return not followed by a newline"
	}
	return strconv.QuoteRune(r)
}

func isControl(c byte) bool { return c < 0x20 && c != '\t' || c == 0x7f }

func (p *tomlParser) document(root *Table) error {
	current := root
	for {
		if err := p.blank(); err != nil {
			return err
		}
		if p.eof() {
			return nil
		}
		if p.peekByte() == '[' {
			t, err := p.header(root)
			if err != nil {
				return err
			}
			current = t
			continue
		}
		if err := p.keyValue(current); err != nil {
			return err
		}
		if err := p.endOfLine("a value"); err != nil {
			return err
		}
	}
}

// header parses "[a.b]" or "[[a.b]]" and returns the table it opens.
func (p *tomlParser) header(root *Table) (*Table, error) {
	start, line := p.pos, p.line
	array := strings.HasPrefix(p.src[p.pos:], "[[")
	if array {
		p.pos += 2
	} else {
		p.pos++
	}
	p.spaces()
	keys, err := p.key()
	if err != nil {
		return nil, err
	}
	p.spaces()
	closing := "]"
	if array {
		closing = "]]"
	}
	if !strings.HasPrefix(p.src[p.pos:], closing) {
		return nil, p.errf("expected %q to close the table header, found %s", closing, p.describeHere())
	}
	p.pos += len(closing)
	name := strings.Join(quoteKeys(keys), ".")
	t := root
	for i, k := range keys[:len(keys)-1] {
		next, err := p.descend(t, k, start, line, strings.Join(quoteKeys(keys[:i+1]), "."))
		if err != nil {
			return nil, err
		}
		t = next
	}
	last := keys[len(keys)-1]
	existing, ok := t.Keys[last]
	switch {
	case array && !ok:
		nt := newTable(line, kindElement)
		t.Keys[last], t.Lines[last] = &TableArray{Tables: []*Table{nt}}, line
		t = nt
	case array:
		ta, isArray := existing.(*TableArray)
		if !isArray {
			return nil, p.errAt(start, "[[%s]] appends to an array of tables, but %s is already %s (line %d)", name, name, describeValue(existing), t.Lines[last])
		}
		nt := newTable(line, kindElement)
		ta.Tables = append(ta.Tables, nt)
		t = nt
	case !ok:
		nt := newTable(line, kindHeader)
		t.Keys[last], t.Lines[last] = nt, line
		t = nt
	default:
		et, isTable := existing.(*Table)
		if !isTable || et.kind != kindImplicit {
			return nil, p.errAt(start, "[%s] is defined twice: it is already %s (line %d)", name, describeValue(existing), t.Lines[last])
		}
		et.kind, et.Line = kindHeader, line
		t = et
	}
	return t, p.endOfLine("the table header")
}

// descend returns the table that key k of t names, for a header's parent
// keys, making an implicit one if there is none.
func (p *tomlParser) descend(t *Table, k string, pos, line int, path string) (*Table, error) {
	v, ok := t.Keys[k]
	if !ok {
		nt := newTable(line, kindImplicit)
		t.Keys[k], t.Lines[k] = nt, line
		return nt, nil
	}
	switch v := v.(type) {
	case *Table:
		if v.kind == kindInline {
			return nil, p.errAt(pos, "%s is an inline table (line %d); it cannot be extended by a table header", path, t.Lines[k])
		}
		return v, nil
	case *TableArray:
		return v.Tables[len(v.Tables)-1], nil
	}
	return nil, p.errAt(pos, "%s is already %s (line %d), not a table", path, describeValue(v), t.Lines[k])
}

// keyValue parses "key = value" into t.
func (p *tomlParser) keyValue(t *Table) error {
	start, line := p.pos, p.line
	keys, err := p.key()
	if err != nil {
		return err
	}
	p.spaces()
	if p.peekByte() != '=' {
		return p.errf("expected '=' after the key %s, found %s", strings.Join(quoteKeys(keys), "."), p.describeHere())
	}
	p.pos++
	p.spaces()
	v, err := p.value()
	if err != nil {
		return err
	}
	for i, k := range keys[:len(keys)-1] {
		existing, ok := t.Keys[k]
		if !ok {
			nt := newTable(line, kindDotted)
			t.Keys[k], t.Lines[k] = nt, line
			t = nt
			continue
		}
		et, isTable := existing.(*Table)
		if !isTable || et.kind != kindDotted {
			return p.errAt(start, "the dotted key %s extends %s, which is already %s (line %d)",
				strings.Join(quoteKeys(keys), "."), strings.Join(quoteKeys(keys[:i+1]), "."), describeValue(existing), t.Lines[k])
		}
		t = et
	}
	last := keys[len(keys)-1]
	if _, dup := t.Keys[last]; dup {
		return p.errAt(start, "the key %s is defined twice (first on line %d)", strings.Join(quoteKeys(keys), "."), t.Lines[last])
	}
	t.Keys[last], t.Lines[last] = v, line
	return nil
}

// key parses a possibly dotted key.
func (p *tomlParser) key() ([]string, error) {
	var keys []string
	for {
		k, err := p.simpleKey()
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
		p.spaces()
		if p.peekByte() != '.' {
			return keys, nil
		}
		p.pos++
		p.spaces()
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func (p *tomlParser) simpleKey() (string, error) {
	switch c := p.peekByte(); {
	case c == '"':
		if strings.HasPrefix(p.src[p.pos:], `"""`) {
			return "", p.errf("a multi-line string cannot be a key")
		}
		return p.basicString()
	case c == '\'':
		if strings.HasPrefix(p.src[p.pos:], `'''`) {
			return "", p.errf("a multi-line string cannot be a key")
		}
		return p.literalString()
	case isBare(c):
		start := p.pos
		for !p.eof() && isBare(p.src[p.pos]) {
			p.pos++
		}
		return p.src[start:p.pos], nil
	}
	return "", p.errf("expected a key, found %s", p.describeHere())
}

func (p *tomlParser) value() (any, error) {
	if p.eof() {
		return nil, p.errf("expected a value, found the end of the file")
	}
	switch c := p.src[p.pos]; {
	case strings.HasPrefix(p.src[p.pos:], `"""`):
		return p.multiBasicString()
	case strings.HasPrefix(p.src[p.pos:], `'''`):
		return p.multiLiteralString()
	case c == '"':
		return p.basicString()
	case c == '\'':
		return p.literalString()
	case c == '[':
		return p.array()
	case c == '{':
		return p.inlineTable()
	case strings.HasPrefix(p.src[p.pos:], "true") && !p.bareAt(p.pos+4):
		p.pos += 4
		return true, nil
	case strings.HasPrefix(p.src[p.pos:], "false") && !p.bareAt(p.pos+5):
		p.pos += 5
		return false, nil
	case c == '+' || c == '-' || c >= '0' && c <= '9' || c == 'i' || c == 'n':
		return p.numberOrDate()
	}
	return nil, p.errf("expected a value (a string, number, boolean, date, array or inline table), found %s", p.describeHere())
}

func (p *tomlParser) bareAt(i int) bool { return i < len(p.src) && isBare(p.src[i]) }

func (p *tomlParser) enter() error {
	p.depth++
	if p.depth > maxTOMLDepth {
		return p.errf("arrays and inline tables are nested more than %d deep", maxTOMLDepth)
	}
	return nil
}

func (p *tomlParser) array() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	open := p.pos
	p.pos++ // '['
	out := []any{}
	for {
		if err := p.blank(); err != nil {
			return nil, err
		}
		if p.peekByte() == ']' {
			p.pos++
			return out, nil
		}
		if p.eof() {
			return nil, p.errAt(open, "the array opened here is not closed with ']'")
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if err := p.blank(); err != nil {
			return nil, err
		}
		switch p.peekByte() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return out, nil
		default:
			return nil, p.errf("expected ',' or ']' in the array, found %s", p.describeHere())
		}
	}
}

func (p *tomlParser) inlineTable() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	open := p.pos
	t := newTable(p.line, kindInline)
	p.pos++ // '{'
	// The keys of an inline table are defined in it; dotted keys inside
	// make tables that belong to it.
	for {
		if err := p.blank(); err != nil {
			return nil, err
		}
		if p.peekByte() == '}' {
			p.pos++
			closeInline(t)
			return t, nil
		}
		if p.eof() {
			return nil, p.errAt(open, "the inline table opened here is not closed with '}'")
		}
		if err := p.keyValue(t); err != nil {
			return nil, err
		}
		if err := p.blank(); err != nil {
			return nil, err
		}
		switch p.peekByte() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			closeInline(t)
			return t, nil
		default:
			return nil, p.errf("expected ',' or '}' in the inline table, found %s", p.describeHere())
		}
	}
}

// closeInline marks t and the tables its dotted keys made as inline, so
// that nothing outside can add keys to them.
func closeInline(t *Table) {
	t.kind = kindInline
	for _, v := range t.Keys {
		if st, ok := v.(*Table); ok && st.kind == kindDotted {
			closeInline(st)
		}
	}
}

func (p *tomlParser) basicString() (string, error) {
	open := p.pos
	p.pos++ // '"'
	var b strings.Builder
	for {
		if p.eof() || p.src[p.pos] == '\n' || p.src[p.pos] == '\r' {
			return "", p.errAt(open, "the string opened here is not closed on its line")
		}
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case isControl(c):
			return "", p.errf("control character %U in a string; write it as an escape", c)
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

// escape reads the escape sequence at pos (a backslash) into b.
func (p *tomlParser) escape(b *strings.Builder) error {
	start := p.pos
	p.pos++
	if p.eof() {
		return p.errAt(start, "a backslash at the end of the file")
	}
	c := p.src[p.pos]
	p.pos++
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case 'e':
		b.WriteByte(0x1b)
	case '"':
		b.WriteByte('"')
	case '\\':
		b.WriteByte('\\')
	case 'u', 'U', 'x':
		n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
		if p.pos+n > len(p.src) {
			return p.errAt(start, "the escape \\%c needs %d hexadecimal digits", c, n)
		}
		hex := p.src[p.pos : p.pos+n]
		v, err := strconv.ParseUint(hex, 16, 32)
		if err != nil || strings.ContainsAny(hex, "+-_") {
			return p.errAt(start, "the escape \\%c needs %d hexadecimal digits, found %q", c, n, hex)
		}
		r := rune(v)
		if !utf8.ValidRune(r) {
			return p.errAt(start, "the escape \\%c%s is not a Unicode scalar value", c, hex)
		}
		b.WriteRune(r)
		p.pos += n
	default:
		return p.errAt(start, "unknown escape sequence \\%s in a string (a literal backslash is written \\\\ or inside '...')", string(rune(c)))
	}
	return nil
}

func (p *tomlParser) literalString() (string, error) {
	open := p.pos
	p.pos++ // '\''
	start := p.pos
	for {
		if p.eof() || p.src[p.pos] == '\n' || p.src[p.pos] == '\r' {
			return "", p.errAt(open, "the string opened here is not closed on its line")
		}
		c := p.src[p.pos]
		if c == '\'' {
			s := p.src[start:p.pos]
			p.pos++
			return s, nil
		}
		if isControl(c) {
			return "", p.errf("control character %U in a string", c)
		}
		p.pos++
	}
}

// closeMulti reports whether the delimiter q (three quotes) closes a
// multi-line string at pos, and how many quotes before it belong to the
// content (a string may end with one or two quotes).
func (p *tomlParser) closeMulti(q byte) (bool, int) {
	n := 0
	for p.pos+n < len(p.src) && p.src[p.pos+n] == q {
		n++
	}
	if n < 3 {
		return false, 0
	}
	return true, min(n-3, 2)
}

func (p *tomlParser) multiBasicString() (string, error) {
	open := p.pos
	p.pos += 3
	p.newline() // a newline right after the delimiter is trimmed
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errAt(open, `the multi-line string opened here is not closed with """`)
		}
		c := p.src[p.pos]
		switch {
		case c == '"':
			if ok, extra := p.closeMulti('"'); ok {
				b.WriteString(strings.Repeat(`"`, extra))
				p.pos += 3 + extra
				return b.String(), nil
			}
			b.WriteByte(c)
			p.pos++
		case c == '\\':
			// A backslash at the end of a line trims the newline and the
			// whitespace that follows it.
			q := p.pos + 1
			for q < len(p.src) && (p.src[q] == ' ' || p.src[q] == '\t') {
				q++
			}
			if q < len(p.src) && (p.src[q] == '\n' || strings.HasPrefix(p.src[q:], "\r\n")) {
				p.pos = q
				for {
					p.spaces()
					if !p.newline() {
						break
					}
				}
				continue
			}
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case p.newline():
			b.WriteByte('\n')
		case isControl(c):
			return "", p.errf("control character %U in a string; write it as an escape", c)
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

func (p *tomlParser) multiLiteralString() (string, error) {
	open := p.pos
	p.pos += 3
	p.newline()
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errAt(open, "the multi-line string opened here is not closed with '''")
		}
		c := p.src[p.pos]
		switch {
		case c == '\'':
			if ok, extra := p.closeMulti('\''); ok {
				b.WriteString(strings.Repeat("'", extra))
				p.pos += 3 + extra
				return b.String(), nil
			}
			b.WriteByte(c)
			p.pos++
		case p.newline():
			b.WriteByte('\n')
		case isControl(c):
			return "", p.errf("control character %U in a string", c)
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

var (
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?`)
	timeRE     = regexp.MustCompile(`^\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?`)
	decimalRE  = regexp.MustCompile(`^[+-]?(?:0|[1-9](?:_?\d)*)$`)
	floatRE    = regexp.MustCompile(`^[+-]?(?:0|[1-9](?:_?\d)*)(?:\.\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?$`)
	prefixedRE = regexp.MustCompile(`^0(?:x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*|o[0-7](?:_?[0-7])*|b[01](?:_?[01])*)$`)
)

// numberOrDate parses an integer, a float, a date-time, a date or a time.
func (p *tomlParser) numberOrDate() (any, error) {
	start := p.pos
	rest := p.src[p.pos:]
	if m := dateTimeRE.FindString(rest); m != "" {
		if err := checkDate(m); err != nil {
			return nil, p.errAt(start, "invalid date or time %q: %v", m, err)
		}
		p.pos += len(m)
		if p.bareAt(p.pos) || p.peekByte() == ':' || p.peekByte() == '.' {
			return nil, p.errf("unexpected %s after the date %q", p.describeHere(), m)
		}
		return DateTime(m), nil
	}
	if m := timeRE.FindString(rest); m != "" && len(m) >= 5 && m[2] == ':' {
		p.pos += len(m)
		if p.bareAt(p.pos) {
			return nil, p.errf("unexpected %s after the time %q", p.describeHere(), m)
		}
		return DateTime(m), nil
	}
	end := p.pos
	for end < len(p.src) && (isBare(p.src[end]) || strings.IndexByte("+.", p.src[end]) >= 0) {
		end++
	}
	tok := p.src[p.pos:end]
	p.pos = end
	switch {
	case decimalRE.MatchString(tok):
		v, err := strconv.ParseInt(strings.ReplaceAll(tok, "_", ""), 10, 64)
		if err != nil {
			return nil, p.errAt(start, "the integer %s does not fit in 64 bits", tok)
		}
		return v, nil
	case prefixedRE.MatchString(tok):
		base := map[byte]int{'x': 16, 'o': 8, 'b': 2}[tok[1]]
		v, err := strconv.ParseInt(strings.ReplaceAll(tok[2:], "_", ""), base, 64)
		if err != nil {
			return nil, p.errAt(start, "the integer %s does not fit in 64 bits", tok)
		}
		return v, nil
	case floatRE.MatchString(tok):
		v, err := strconv.ParseFloat(strings.ReplaceAll(tok, "_", ""), 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			return nil, p.errAt(start, "invalid float %s", tok)
		}
		return v, nil
	case tok == "inf" || tok == "+inf":
		return math.Inf(1), nil
	case tok == "-inf":
		return math.Inf(-1), nil
	case tok == "nan" || tok == "+nan" || tok == "-nan":
		return math.NaN(), nil
	}
	if tok == "" {
		return nil, p.errAt(start, "expected a value, found %s", p.describeHere())
	}
	return nil, p.errAt(start, "invalid value %q (strings must be quoted; numbers have no leading zeros)", tok)
}

// checkDate checks the ranges of the fields of a date-time matched by
// dateTimeRE.
func checkDate(s string) error {
	month, _ := strconv.Atoi(s[5:7])
	day, _ := strconv.Atoi(s[8:10])
	year, _ := strconv.Atoi(s[0:4])
	if month < 1 || month > 12 {
		return fmt.Errorf("month %02d", month)
	}
	days := [...]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && !(year%4 == 0 && (year%100 != 0 || year%400 == 0)) {
		days = 28
	}
	if day < 1 || day > days {
		return fmt.Errorf("day %02d of month %02d", day, month)
	}
	if len(s) > 11 {
		hour, _ := strconv.Atoi(s[11:13])
		minute, _ := strconv.Atoi(s[14:16])
		if hour > 23 || minute > 59 {
			return fmt.Errorf("time %s", s[11:16])
		}
		if len(s) >= 19 && s[16] == ':' {
			if sec, _ := strconv.Atoi(s[17:19]); sec > 60 {
				return fmt.Errorf("second %02d", sec)
			}
		}
	}
	return nil
}

// describeValue names the kind of a TOML value for an error message.
func describeValue(v any) string {
	switch v := v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case DateTime:
		return "a date"
	case []any:
		return "an array"
	case *TableArray:
		return "an array of tables"
	case *Table:
		switch v.kind {
		case kindInline:
			return "an inline table"
		case kindDotted:
			return "a table made by dotted keys"
		}
		return "a table"
	}
	return "a value"
}

// quoteKeys quotes the keys that are not bare, for messages.
func quoteKeys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k
		bare := k != ""
		for j := 0; j < len(k); j++ {
			bare = bare && isBare(k[j])
		}
		if !bare {
			out[i] = strconv.Quote(k)
		}
	}
	return out
}
