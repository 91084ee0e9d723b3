package wheel

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rules-pex/rules_pex/internal/layout"
)

// EntryPoint is one entry of entry_points.txt: name = module:attr [extras].
type EntryPoint struct {
	Group  string   // e.g. "console_scripts"
	Name   string   // e.g. the command name for console_scripts
	Value  string   // the object reference as written, trimmed
	Module string   // the dotted module name; "" when Value does not parse (only outside script groups)
	Attr   string   // the dotted attribute path after ':'; "" when the reference is a module
	Extras []string // extras in brackets (deprecated by the spec, still read)
}

// EntryPoints maps group name to entry point name to entry point.
type EntryPoints map[string]map[string]EntryPoint

// Script groups: their entry points become commands, so their names become
// file names and their values must be valid object references.
const (
	ConsoleScriptsGroup = "console_scripts"
	GUIScriptsGroup     = "gui_scripts"
)

// parseEntryPoints parses entry_points.txt: an INI file whose sections are
// groups and whose "name = value" lines are entry points (names are case
// sensitive, '=' is the only delimiter, '#' and ';' start comment lines).
func parseEntryPoints(data []byte) (EntryPoints, []string) {
	eps := make(EntryPoints)
	var bad []string
	if !utf8.Valid(data) {
		return eps, []string{"not UTF-8"}
	}
	group := ""
	// Lines end in "\r\n", "\r" or "\n", as Python reads text files.
	text := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(data))
	for n, line := range strings.Split(text, "\n") {
		n++
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
			continue
		case trimmed[0] == '[':
			group = ""
			if len(trimmed) >= 2 && trimmed[len(trimmed)-1] == ']' {
				group = strings.TrimSpace(trimmed[1 : len(trimmed)-1])
			}
			if group == "" {
				bad = append(bad, fmt.Sprintf("line %d: malformed section header %s", n, quoteIfOdd(truncate(trimmed, 60))))
				continue
			}
			if _, dup := eps[group]; dup {
				bad = append(bad, fmt.Sprintf("line %d: section [%s] repeated", n, quoteIfOdd(group)))
			} else {
				eps[group] = make(map[string]EntryPoint)
			}
			continue
		case line[0] == ' ' || line[0] == '\t':
			bad = append(bad, fmt.Sprintf("line %d: continuation lines are not supported", n))
			continue
		}
		k, v, ok := strings.Cut(trimmed, "=")
		name, value := strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("line %d: not \"name = value\": %s", n, quoteIfOdd(truncate(trimmed, 60))))
			continue
		case group == "":
			bad = append(bad, fmt.Sprintf("line %d: entry point %s outside a [group] section", n, quoteIfOdd(name)))
			continue
		case name == "":
			bad = append(bad, fmt.Sprintf("line %d: entry point without a name", n))
			continue
		}
		if _, dup := eps[group][name]; dup {
			bad = append(bad, fmt.Sprintf("line %d: entry point %s repeated in [%s]", n, quoteIfOdd(name), quoteIfOdd(group)))
			continue
		}
		ep := EntryPoint{Group: group, Name: name, Value: value}
		mod, attr, extras, err := parseObjectRef(value)
		script := group == ConsoleScriptsGroup || group == GUIScriptsGroup
		if err == nil {
			ep.Module, ep.Attr, ep.Extras = mod, attr, extras
		} else if script {
			bad = append(bad, fmt.Sprintf("line %d: [%s] %s: %s is not module:attr [extras] (%v)", n, group, quoteIfOdd(name), quoteIfOdd(truncate(value, 60)), err))
			continue
		}
		if script && !validScriptName(name) {
			bad = append(bad, fmt.Sprintf("line %d: [%s] %s is not usable as a command file name", n, group, quoteIfOdd(name)))
			continue
		}
		eps[group][name] = ep
	}
	return eps, bad
}

// validScriptName reports whether a script entry point name can be a file
// name in a bin directory: one path component, not hidden tricks like "..".
func validScriptName(s string) bool {
	if s == "" || s == "." || s == ".." || strings.HasPrefix(s, "[") {
		return false
	}
	for _, r := range s {
		if r == '/' || r == '\\' || r == '=' || r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// parseObjectRef parses "module.sub:attr.sub [extra1, extra2]", allowing
// spaces around ':' and the brackets, and between extras and commas (the
// entry points spec). The reference itself follows layout.ParseEntryPoint,
// the rule every part of rules_pex shares.
func parseObjectRef(s string) (module, attr string, extras []string, err error) {
	ref := s
	if i := strings.IndexByte(s, '['); i >= 0 {
		rest := strings.TrimSpace(s[i:])
		if !strings.HasSuffix(rest, "]") {
			return "", "", nil, errors.New("text after the [extras]")
		}
		inner := strings.TrimSpace(rest[1 : len(rest)-1])
		if inner != "" {
			for _, e := range strings.Split(inner, ",") {
				e = strings.TrimSpace(e)
				if !validProjectName(e) {
					return "", "", nil, fmt.Errorf("extra %s is not a valid name", quoteIfOdd(e))
				}
				extras = append(extras, e)
			}
		}
		ref = s[:i]
	}
	m, a, hasAttr := strings.Cut(ref, ":")
	ref = strings.TrimSpace(m)
	if hasAttr {
		ref += ":" + strings.TrimSpace(a)
	}
	ep, err := layout.ParseEntryPoint(ref)
	if err != nil {
		return "", "", nil, err
	}
	return ep.Module, ep.Func, extras, nil
}

// String returns the entry point's object reference in canonical form:
// "module:attr [extra1,extra2]".
func (e EntryPoint) String() string {
	if e.Module == "" {
		return e.Value
	}
	s := e.Module
	if e.Attr != "" {
		s += ":" + e.Attr
	}
	if len(e.Extras) > 0 {
		s += " [" + strings.Join(e.Extras, ",") + "]"
	}
	return s
}

// Target returns the object reference without extras: "module:attr", or
// "module" when it names a module. It is Value when Value does not parse.
func (e EntryPoint) Target() string {
	if e.Module == "" {
		return e.Value
	}
	if e.Attr == "" {
		return e.Module
	}
	return e.Module + ":" + e.Attr
}

// targets maps the entry point names of one group to their targets.
func (eps EntryPoints) targets(group string) map[string]string {
	m := make(map[string]string, len(eps[group]))
	for name, ep := range eps[group] {
		m[name] = ep.Target()
	}
	return m
}
