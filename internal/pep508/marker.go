package pep508

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rules-pex/rules_pex/internal/pep440"
)

// Errors that marker evaluation wraps.
var (
	// ErrInvalidMarker is wrapped by every error ParseMarker returns.
	ErrInvalidMarker = errors.New("invalid marker")
	// ErrUndefinedVariable means the environment has no value for a
	// variable the marker uses ("extra" is never undefined: it defaults
	// to "").
	ErrUndefinedVariable = errors.New("undefined marker variable")
	// ErrUndefinedComparison means an operator has no meaning for its
	// operands, such as "~=" between strings that are not versions.
	ErrUndefinedComparison = errors.New("undefined comparison")
)

// Environment maps marker variable names to their values on a target
// interpreter: python_version, python_full_version, os_name, sys_platform,
// platform_release, platform_system, platform_version, platform_machine,
// platform_python_implementation, implementation_name,
// implementation_version, and extra (the extra being installed, or "").
type Environment map[string]string

// VariableNames returns the marker variable names in the specification's
// spelling: the keys an Environment should have.
func VariableNames() []string { return append([]string(nil), variables...) }

var variables = []string{
	"python_version", "python_full_version", "os_name", "sys_platform",
	"platform_release", "platform_system", "platform_version",
	"platform_machine", "platform_python_implementation",
	"implementation_name", "implementation_version", "extra",
}

// variableSpellings maps every accepted spelling, longest first where one is
// a prefix of another, to the canonical name. The dotted and
// python_implementation spellings come from PEP 345 and are still accepted.
var variableSpellings = []struct{ spelling, name string }{
	{"python_full_version", "python_full_version"},
	{"python_version", "python_version"},
	{"python_implementation", "platform_python_implementation"},
	{"os_name", "os_name"},
	{"os.name", "os_name"},
	{"sys_platform", "sys_platform"},
	{"sys.platform", "sys_platform"},
	{"platform_release", "platform_release"},
	{"platform_system", "platform_system"},
	{"platform_version", "platform_version"},
	{"platform.version", "platform_version"},
	{"platform_machine", "platform_machine"},
	{"platform.machine", "platform_machine"},
	{"platform_python_implementation", "platform_python_implementation"},
	{"platform.python_implementation", "platform_python_implementation"},
	{"implementation_name", "implementation_name"},
	{"implementation_version", "implementation_version"},
	{"extra", "extra"},
}

// FullVersion returns a python_full_version as a PEP 440 version: a
// development build of CPython (any untagged commit) reports "3.9.1+",
// which is not one, and becomes "3.9.1+local", as packaging (>= 24.1)
// makes it before evaluating markers.
func FullVersion(v string) string {
	if strings.HasSuffix(v, "+") {
		return v + "local"
	}
	return v
}

// versionVariables are the variables whose values are versions (or, for
// platform_release, often are): comparisons with them use PEP 440 rules when
// both sides parse.
var versionVariables = map[string]bool{
	"python_version":         true,
	"python_full_version":    true,
	"implementation_version": true,
	"platform_release":       true,
}

// Marker is a parsed environment marker, such as
// `python_version < "3.11" and sys_platform == "linux"`.
type Marker struct {
	root *group
}

// node is a comparison or a parenthesized group.
type node interface {
	eval(env Environment) (bool, error)
	format(top bool) string
}

// group is a sequence of nodes joined by "and" and "or", as written; "and"
// binds tighter than "or". Keeping the sequence as written, parentheses
// included, lets String reproduce the marker's structure.
type group struct {
	items []node
	ops   []string // len(items)-1 of "and" / "or"
}

// compare is one comparison; each side is a variable or a literal.
type compare struct {
	lhs, rhs operand
	op       string // "<", "<=", "!=", "==", ">=", ">", "~=", "===", "in", "not in"
}

type operand struct {
	variable string // canonical variable name, or "" for a literal
	value    string // the literal's text, without quotes
}

// ParseMarker parses an environment marker per the specification's grammar:
// comparisons of variables and quoted strings ('…' or "…", without escapes)
// with <, <=, !=, ==, >=, >, ~=, ===, in and "not in", combined with "and",
// "or" and parentheses. Literals compared with "extra" are normalized (PEP
// 685). Errors wrap ErrInvalidMarker and a *SyntaxError.
func ParseMarker(s string) (*Marker, error) {
	p := &parser{src: s}
	m, err := p.marker()
	if err == nil {
		p.ws()
		if !p.atEnd() {
			err = p.fail(p.pos, "expected 'and', 'or' or the end of the marker, found %q", p.rest())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrInvalidMarker, s, err)
	}
	return m, nil
}

// marker = atom (("and" | "or") atom)*
func (p *parser) marker() (*Marker, error) {
	g, err := p.group()
	if err != nil {
		return nil, err
	}
	return &Marker{root: g}, nil
}

func (p *parser) group() (*group, error) {
	g := &group{}
	for {
		n, err := p.atom()
		if err != nil {
			return nil, err
		}
		g.items = append(g.items, n)
		switch {
		case p.word("and"):
			g.ops = append(g.ops, "and")
		case p.word("or"):
			g.ops = append(g.ops, "or")
		default:
			return g, nil
		}
	}
}

// atom = ws? ("(" ws? marker ws? ")" | comparison) ws?
func (p *parser) atom() (node, error) {
	p.ws()
	var n node
	if p.peek('(') {
		open := p.pos
		p.pos++
		p.ws()
		g, err := p.group()
		if err != nil {
			return nil, err
		}
		p.ws()
		if !p.peek(')') {
			return nil, p.fail(p.pos, "expected ')' to close the '(' at offset %d", open)
		}
		p.pos++
		n = g
	} else {
		c, err := p.comparison()
		if err != nil {
			return nil, err
		}
		n = c
	}
	p.ws()
	return n, nil
}

// comparison = operand ws? op ws? operand
func (p *parser) comparison() (*compare, error) {
	lhs, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.ws()
	c := &compare{lhs: lhs}
	switch {
	case p.word("in"):
		c.op = "in"
	case p.word("not"):
		if !p.ws() || !p.word("in") {
			return nil, p.fail(p.pos, "expected 'in' after 'not'")
		}
		c.op = "not in"
	default:
		for _, op := range []string{"===", "==", "~=", "!=", "<=", ">=", "<", ">"} {
			if strings.HasPrefix(p.rest(), op) {
				c.op = op
				p.pos += len(op)
				break
			}
		}
		if c.op == "" {
			return nil, p.fail(p.pos, "expected a marker operator (<, <=, !=, ==, >=, >, ~=, ===, in, not in)")
		}
	}
	p.ws()
	if c.rhs, err = p.operand(); err != nil {
		return nil, err
	}
	// PEP 685: extras compare in normalized form.
	if c.lhs.variable == "extra" && c.rhs.variable == "" {
		c.rhs.value = NormalizeName(c.rhs.value)
	}
	if c.rhs.variable == "extra" && c.lhs.variable == "" {
		c.lhs.value = NormalizeName(c.lhs.value)
	}
	return c, nil
}

// operand = variable | quoted string
func (p *parser) operand() (operand, error) {
	if p.peek('"') || p.peek('\'') {
		q := p.src[p.pos]
		end := strings.IndexByte(p.src[p.pos+1:], q)
		if end < 0 {
			return operand{}, p.fail(p.pos, "missing closing %c of the string", q)
		}
		v := p.src[p.pos+1 : p.pos+1+end]
		// PEP 508's strings hold no backslash: there are no escapes, so
		// "C:\" or "\n" mean nothing (packaging refuses them as Python
		// literals it cannot read, or reads them as escapes).
		if i := strings.IndexByte(v, '\\'); i >= 0 {
			return operand{}, p.fail(p.pos+1+i, "a backslash in a marker string (PEP 508 strings have no escapes)")
		}
		p.pos += end + 2
		return operand{value: v}, nil
	}
	for _, v := range variableSpellings {
		if p.word(v.spelling) {
			return operand{variable: v.name}, nil
		}
	}
	if w := p.wordAt(); w != "" {
		return operand{}, p.fail(p.pos, "unknown marker variable %q", w)
	}
	return operand{}, p.fail(p.pos, "expected a marker variable or a quoted string")
}

// wordAt returns the run of word characters and dots at the cursor, for
// error messages.
func (p *parser) wordAt() string {
	i := p.pos
	for i < len(p.src) && (isAlnum(p.src[i]) || p.src[i] == '_' || p.src[i] == '.') {
		i++
	}
	return p.src[p.pos:i]
}

// String returns the canonical form of m: canonical variable names,
// double-quoted literals (single-quoted if they contain '"'), one space
// around operators, and the parentheses as written except around the
// whole marker and around single comparisons. It is the form the
// reference implementation prints.
func (m *Marker) String() string {
	if m == nil || m.root == nil {
		return ""
	}
	return m.root.format(true)
}

func (g *group) format(top bool) string {
	if len(g.items) == 1 {
		return g.items[0].format(top)
	}
	var b strings.Builder
	if !top {
		b.WriteByte('(')
	}
	for i, n := range g.items {
		if i > 0 {
			b.WriteString(" " + g.ops[i-1] + " ")
		}
		b.WriteString(n.format(false))
	}
	if !top {
		b.WriteByte(')')
	}
	return b.String()
}

func (c *compare) format(bool) string {
	return c.lhs.format() + " " + c.op + " " + c.rhs.format()
}

func (o operand) format() string {
	switch {
	case o.variable != "":
		return o.variable
	case strings.Contains(o.value, `"`):
		return "'" + o.value + "'"
	}
	return `"` + o.value + `"`
}

// Evaluate reports whether m holds in env. A variable missing from env is an
// error wrapping ErrUndefinedVariable, except "extra", which defaults to ""
// (so `extra == "test"` is false when no extra is being installed).
//
// Comparisons involving a version variable (python_version,
// python_full_version, implementation_version, platform_release) use the
// PEP 440 rules, pre-releases included, when "<op><rhs>" is a valid
// specifier and the left side a valid version; all other comparisons
// compare strings (by code point), and "in" / "not in" test for substrings.
// "~=" between non-versions is an error wrapping ErrUndefinedComparison;
// "===" between non-versions is string equality. Both sides of a comparison
// with "extra" are normalized (PEP 685), python_full_version by FullVersion. Every comparison is evaluated, so
// an error does not depend on the order of the terms. A nil *Marker holds
// in every environment.
func (m *Marker) Evaluate(env Environment) (bool, error) {
	if m == nil || m.root == nil {
		return true, nil
	}
	return m.root.eval(env)
}

// EvaluateExtras reports whether m holds in env with extra set to "" or to
// any of extras: whether a Requires-Dist line with this marker applies when
// the distribution is installed with those extras.
func (m *Marker) EvaluateExtras(env Environment, extras []string) (bool, error) {
	e := make(Environment, len(env)+1)
	for k, v := range env {
		e[k] = v
	}
	for _, x := range append([]string{""}, extras...) {
		e["extra"] = x
		ok, err := m.Evaluate(e)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func (g *group) eval(env Environment) (bool, error) {
	// any(all(and-chain) for and-chain split at "or")
	result, chain := false, true
	for i, n := range g.items {
		v, err := n.eval(env)
		if err != nil {
			return false, err
		}
		chain = chain && v
		if i == len(g.items)-1 || g.ops[i] == "or" {
			result = result || chain
			chain = true
		}
	}
	return result, nil
}

func (c *compare) eval(env Environment) (bool, error) {
	lhs, err := c.lhs.resolve(env)
	if err != nil {
		return false, err
	}
	rhs, err := c.rhs.resolve(env)
	if err != nil {
		return false, err
	}
	if c.lhs.variable == "extra" || c.rhs.variable == "extra" {
		lhs, rhs = NormalizeName(lhs), NormalizeName(rhs)
	}
	switch c.op {
	case "in":
		return strings.Contains(rhs, lhs), nil
	case "not in":
		return !strings.Contains(rhs, lhs), nil
	}
	if versionVariables[c.lhs.variable] || versionVariables[c.rhs.variable] {
		if spec, err := pep440.ParseSpecifier(c.op + rhs); err == nil {
			if v, err := pep440.Parse(lhs); err == nil {
				return spec.Matches(v), nil
			}
		}
	}
	switch c.op {
	case "==", "===":
		return lhs == rhs, nil
	case "!=":
		return lhs != rhs, nil
	case "<":
		return lhs < rhs, nil
	case "<=":
		return lhs <= rhs, nil
	case ">":
		return lhs > rhs, nil
	case ">=":
		return lhs >= rhs, nil
	}
	return false, fmt.Errorf("%w: %q %s %q", ErrUndefinedComparison, lhs, c.op, rhs)
}

func (o operand) resolve(env Environment) (string, error) {
	if o.variable == "" {
		return o.value, nil
	}
	v, ok := env[o.variable]
	if !ok {
		if o.variable == "extra" {
			return "", nil
		}
		return "", fmt.Errorf("%w %s", ErrUndefinedVariable, o.variable)
	}
	if o.variable == "python_full_version" {
		v = FullVersion(v)
	}
	return v, nil
}
