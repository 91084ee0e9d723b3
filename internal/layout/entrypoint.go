package layout

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EntryPoint is a reference to Python code to run: a module (MODULE, run
// like python -m) or a callable in a module (MODULE:FUNC, called like a
// console script). It is the one definition of what an entry point is: the
// manifest's entry_point and console_scripts, the packer's --entry-point,
// the object references of a wheel's entry_points.txt and the console
// scripts the launcher writes all follow it.
type EntryPoint struct {
	// Module is the dotted module name: "app.main".
	Module string
	// Func is the dotted attribute path of the callable inside Module:
	// "run", "Cli.main"; "" when the entry point is the module itself.
	Func string
}

// ErrEntryPoint is wrapped by every error ParseEntryPoint returns.
var ErrEntryPoint = errors.New("not an entry point")

// ParseEntryPoint parses "MODULE" or "MODULE:FUNC", where MODULE and FUNC
// are Python identifiers joined by dots (see IsIdentifier). It allows no
// spaces and no " [extras]" suffix: readers of entry_points.txt strip those
// first (the spec allows them there). The error says which part is wrong
// and why.
func ParseEntryPoint(s string) (EntryPoint, error) {
	mod, fn, hasFn := strings.Cut(s, ":")
	if err := checkDotted(mod); err != nil {
		return EntryPoint{}, fmt.Errorf("%w: module %v", ErrEntryPoint, err)
	}
	if hasFn {
		if err := checkDotted(fn); err != nil {
			return EntryPoint{}, fmt.Errorf("%w: function %v", ErrEntryPoint, err)
		}
	}
	return EntryPoint{Module: mod, Func: fn}, nil
}

// String returns "MODULE" or "MODULE:FUNC": ParseEntryPoint's input.
func (e EntryPoint) String() string {
	if e.Func == "" {
		return e.Module
	}
	return e.Module + ":" + e.Func
}

// checkDotted checks identifiers joined by dots; its error starts with the
// quoted name.
func checkDotted(s string) error {
	if s == "" {
		return errors.New("name is empty")
	}
	for _, id := range strings.Split(s, ".") {
		if err := checkIdentifier(id); err != nil {
			if id == s {
				return fmt.Errorf("%q %v", s, err)
			}
			return fmt.Errorf("%q: %q %v", s, id, err)
		}
	}
	return nil
}

// IsIdentifier reports whether s is a Python identifier that can name a
// module or an attribute in Python source: PEP 3131's rule (a character of
// XID_Start or "_", then characters of XID_Continue), and not a keyword.
//
// Go's unicode package has no XID properties; they are approximated by the
// general categories they are derived from: start is a letter (L*), a
// letter number (Nl) or one of the Other_ID_Start characters; continue adds
// nonspacing and spacing marks (Mn, Mc), decimal digits (Nd), connector
// punctuation (Pc) and the Other_ID_Continue characters. The approximation
// differs from Python only for the few characters that NFKC normalization
// removes from XID_Start/XID_Continue (such as U+037A), and Python
// NFKC-normalizes identifiers it parses: a name is best written in NFKC
// form, which is what it will be imported as.
//
// Keywords ("class", "import", "None", ...) are refused: Python's grammar
// cannot import or call them ("from class import main" is a syntax error),
// so every run of such an entry point would fail. Soft keywords ("match",
// "case", "type", "_") are identifiers.
func IsIdentifier(s string) bool { return checkIdentifier(s) == nil }

func checkIdentifier(s string) error {
	if s == "" {
		return errors.New("is empty (two dots in a row, or a dot at an end)")
	}
	if !utf8.ValidString(s) {
		return errors.New("is not UTF-8")
	}
	for i, r := range s {
		if i == 0 && !idStart(r) {
			return fmt.Errorf("starts with %q, which cannot start a Python identifier", r)
		}
		if !idContinue(r) {
			return fmt.Errorf("contains %q, which is not allowed in a Python identifier", r)
		}
	}
	if keywords[s] {
		return errors.New("is a Python keyword")
	}
	return nil
}

func idStart(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r)
}

func idContinue(r rune) bool {
	return idStart(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue)
}

// keywords are Python 3's hard keywords (keyword.kwlist).
var keywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true, "def": true,
	"del": true, "elif": true, "else": true, "except": true, "finally": true, "for": true,
	"from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true,
	"return": true, "try": true, "while": true, "with": true, "yield": true,
}
