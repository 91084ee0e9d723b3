package layout

import (
	"fmt"
	"strings"
)

// InheritPath is the manifest's inherit_path: which packages of the chosen
// interpreter the application sees, besides the archive's (PEX's meanings).
// The packer's --inherit-path, the rule's inherit_path attribute and the
// launcher's PEX_INHERIT_PATH take its values.
type InheritPath string

const (
	// InheritFalse isolates the application from the interpreter's packages.
	InheritFalse InheritPath = "false"
	// InheritPrefer puts the interpreter's packages before the archive's.
	InheritPrefer InheritPath = "prefer"
	// InheritFallback puts the interpreter's packages after the archive's.
	InheritFallback InheritPath = "fallback"
)

// InheritPaths lists every InheritPath; DefaultInheritPath is the packer's
// and the rule's default. rules/private/pex_binary.bzl repeats both
// (tests/contract checks that they agree).
var InheritPaths = []InheritPath{InheritFalse, InheritPrefer, InheritFallback}

// DefaultInheritPath is the inherit_path of an archive that does not ask.
const DefaultInheritPath = InheritFalse

// inheritAliases are the older spellings PEX accepts in PEX_INHERIT_PATH
// (ParseInheritPathEnv); the manifest and the packer take only InheritPaths.
var inheritAliases = map[string]InheritPath{"true": InheritPrefer, "1": InheritPrefer, "0": InheritFalse}

// ParseInheritPath parses one of InheritPaths, exactly as spelled there.
// The error starts with the quoted value; callers prefix the field.
func ParseInheritPath(s string) (InheritPath, error) {
	for _, v := range InheritPaths {
		if s == string(v) {
			return v, nil
		}
	}
	return "", fmt.Errorf("%q: want %s", s, oneOf(InheritPaths))
}

// ParseInheritPathEnv parses a PEX_INHERIT_PATH value: trimmed and in any
// case, one of InheritPaths or PEX's older spellings (true or 1 for prefer,
// 0 for false). An empty value (after trimming) is not set: it returns "".
// The error starts with the quoted, trimmed and lowered value.
func ParseInheritPathEnv(s string) (InheritPath, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	if v, ok := inheritAliases[s]; ok {
		return v, nil
	}
	return ParseInheritPath(s)
}

// String returns the manifest's spelling: ParseInheritPath's input.
func (v InheritPath) String() string { return string(v) }

// InterpreterSelection is the manifest's interpreter_selection: which of
// the acceptable interpreters found at run time wins.
type InterpreterSelection string

const (
	// SelectNewest picks the newest acceptable interpreter.
	SelectNewest InterpreterSelection = "newest"
	// SelectOldest picks the oldest acceptable interpreter.
	SelectOldest InterpreterSelection = "oldest"
)

// InterpreterSelections lists every InterpreterSelection;
// DefaultInterpreterSelection is the packer's and the rule's default.
// rules/private/pex_binary.bzl repeats both (tests/contract checks that
// they agree).
var InterpreterSelections = []InterpreterSelection{SelectNewest, SelectOldest}

// DefaultInterpreterSelection is the interpreter_selection of an archive
// that does not ask.
const DefaultInterpreterSelection = SelectNewest

// ParseInterpreterSelection parses one of InterpreterSelections, exactly as
// spelled there. The error starts with the quoted value; callers prefix
// the field.
func ParseInterpreterSelection(s string) (InterpreterSelection, error) {
	for _, v := range InterpreterSelections {
		if s == string(v) {
			return v, nil
		}
	}
	return "", fmt.Errorf("%q: want %s", s, oneOf(InterpreterSelections))
}

// String returns the manifest's spelling: ParseInterpreterSelection's input.
func (v InterpreterSelection) String() string { return string(v) }

// oneOf lists values as "a, b or c".
func oneOf[T ~string](values []T) string {
	var b strings.Builder
	for i, v := range values {
		switch {
		case i == 0:
		case i == len(values)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(string(v))
	}
	return b.String()
}
