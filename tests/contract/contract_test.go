// Package contract checks that the Starlark rules repeat the archive
// contract as internal/layout defines it. Starlark cannot import Go, so
// rules/private/*.bzl spell out the values of inherit_path and
// interpreter_selection, the characters the analysis-time entry point
// check refuses and the env keys an archive may not set; these tests read
// the .bzl files and compare them with the Go definitions
// (layout.InheritPaths, layout.InterpreterSelections, layout.IsIdentifier,
// layout.ReservedEnvVar), so a value added on one side only fails here.
//
// The .bzl files are read with a small tokenizer (strings, names,
// punctuation, comments): enough for the attribute dictionaries and
// constants these tests look at, and free of the dependencies the root
// module does not have (buildtools lives in tools/dev).
package contract

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/layout"
)

// TestAttributeValuesMatchLayout checks every `"inherit_path":
// attr.string(...)` and `"interpreter_selection": attr.string(...)` in
// rules/: its values are Go's list, in Go's order, and its default is Go's
// default.
func TestAttributeValuesMatchLayout(t *testing.T) {
	want := map[string]struct {
		values []string
		def    string
	}{
		"inherit_path":          {strs(layout.InheritPaths), layout.DefaultInheritPath.String()},
		"interpreter_selection": {strs(layout.InterpreterSelections), layout.DefaultInterpreterSelection.String()},
	}
	seen := map[string]int{}
	for _, file := range bzlFiles(t) {
		toks := tokenize(t, file)
		for i := 0; i+5 < len(toks); i++ {
			w, ok := want[toks[i].str]
			if !ok || !toks[i].isString || !toks[i+1].is(":") || !toks[i+2].is("attr") || !toks[i+3].is(".") || !toks[i+5].is("(") {
				continue
			}
			name := toks[i].str
			where := fmt.Sprintf("%s:%d: attribute %q", rel(t, file), toks[i].line, name)
			seen[name]++
			if !toks[i+4].is("string") {
				t.Errorf("%s is attr.%s, want attr.string (the manifest holds one value)", where, toks[i+4].str)
				continue
			}
			args := callArgs(t, where, toks[i+6:])
			values, ok := args["values"]
			if !ok {
				t.Errorf("%s has no values = [...]: analysis would accept any string; want %q", where, w.values)
			} else if got := stringList(t, where+" values", values); !reflect.DeepEqual(got, w.values) {
				t.Errorf("%s: values = %q, want layout's %q (internal/layout/values.go)", where, got, w.values)
			}
			def, ok := args["default"]
			if !ok || len(def) != 1 || !def[0].isString {
				t.Errorf("%s: default is not a string literal; want %q", where, w.def)
			} else if def[0].str != w.def {
				t.Errorf("%s: default = %q, want layout's %q", where, def[0].str, w.def)
			}
		}
	}
	for name := range want {
		if seen[name] == 0 {
			t.Errorf("no attribute %q found in rules/**/*.bzl: has it moved or been renamed? Update this test", name)
		}
	}
}

// TestEntryPointCheckMatchesLayout checks rules/private/validate.bzl's
// check_entry_point against layout.ParseEntryPoint. The Starlark check is
// deliberately looser (Starlark has no Unicode tables): it refuses the
// ASCII characters of _NOT_IDENTIFIER anywhere and the characters of
// _DIGITS at the start of a name, and lets everything else through for the
// packer to judge. So analysis must never refuse what the packer accepts
// (each refused character is refused by layout.IsIdentifier in that place),
// and should catch every printable ASCII mistake (each printable ASCII
// character layout refuses inside a name is in _NOT_IDENTIFIER, and each
// one layout refuses at the start is in one of the two).
func TestEntryPointCheckMatchesLayout(t *testing.T) {
	file := filepath.Join(root(t), "rules", "private", "validate.bzl")
	consts := constants(t, file)
	notID, ok := consts["_NOT_IDENTIFIER"]
	if !ok {
		t.Fatalf("%s: no string constant _NOT_IDENTIFIER (the entry point check's refused characters): update this test", rel(t, file))
	}
	digits, ok := consts["_DIGITS"]
	if !ok {
		t.Fatalf("%s: no string constant _DIGITS: update this test", rel(t, file))
	}
	for _, c := range notID {
		if layout.IsIdentifier("x" + string(c)) { // no keyword starts with "x"
			t.Errorf("_NOT_IDENTIFIER has %q, which layout accepts inside an identifier: analysis would refuse what the packer accepts", c)
		}
	}
	for _, c := range digits {
		if layout.IsIdentifier(string(c)) {
			t.Errorf("_DIGITS has %q, which layout accepts at the start of an identifier", c)
		}
	}
	for c := rune(0x20); c < 0x7f; c++ {
		inNotID, inDigits := strings.ContainsRune(notID, c), strings.ContainsRune(digits, c)
		if !layout.IsIdentifier("x"+string(c)) && !inNotID {
			t.Errorf("layout refuses %q inside an identifier, but _NOT_IDENTIFIER lacks it", c)
		}
		if !layout.IsIdentifier(string(c)) && layout.IsIdentifier("x"+string(c)) && !inDigits {
			t.Errorf("layout refuses %q at the start of an identifier only, but _DIGITS lacks it", c)
		}
	}
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// root returns the repository's root: go test runs a test in its
// package's directory, tests/contract.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod at the repository root %s (run with go test): %v", dir, err)
	}
	return dir
}

func rel(t *testing.T, file string) string {
	if r, err := filepath.Rel(root(t), file); err == nil {
		return r
	}
	return file
}

// bzlFiles returns every .bzl file under rules/.
func bzlFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(root(t), "rules"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".bzl") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no .bzl files under rules/")
	}
	return files
}

type token struct {
	str      string // a string's value, or the name or punctuation
	isString bool
	line     int
	col      int // bytes before it on its line
}

func (k token) is(s string) bool { return !k.isString && k.str == s }

// tokenize splits a Starlark file into strings, names and one-character
// punctuation, dropping comments and white space.
func tokenize(t *testing.T, file string) []token {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	src, line, lineStart := string(data), 1, 0
	var toks []token
	for i := 0; i < len(src); {
		c, col := src[i], i-lineStart
		switch {
		case c == '\n':
			line++
			i++
			lineStart = i
		case c == ' ' || c == '\t' || c == '\r' || c == '\\':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			s, n, err := unquote(src[i:])
			if err != nil {
				t.Fatalf("%s:%d: %v", rel(t, file), line, err)
			}
			toks = append(toks, token{str: s, isString: true, line: line, col: col})
			if k := strings.LastIndexByte(src[i:i+n], '\n'); k >= 0 {
				line += strings.Count(src[i:i+n], "\n")
				lineStart = i + k + 1
			}
			i += n
		case isNameChar(c):
			j := i
			for j < len(src) && isNameChar(src[j]) {
				j++
			}
			toks = append(toks, token{str: src[i:j], line: line, col: col})
			i = j
		default:
			toks = append(toks, token{str: string(c), line: line, col: col})
			i++
		}
	}
	return toks
}

func isNameChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// unquote reads the string literal at the start of s (single, double or
// triple quoted, with the escapes these files use) and returns its value
// and length.
func unquote(s string) (string, int, error) {
	q := s[:1]
	if strings.HasPrefix(s, q+q+q) {
		q = q + q + q
	}
	var b strings.Builder
	for i := len(q); i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], q):
			return b.String(), i + len(q), nil
		case s[i] == '\n' && len(q) == 1:
			return "", 0, fmt.Errorf("line break in a string")
		case s[i] == '\\' && i+1 < len(s):
			e, ok := map[byte]string{'\\': "\\", '"': "\"", '\'': "'", 'n': "\n", 't': "\t", 'r': "\r", '\n': ""}[s[i+1]]
			if !ok {
				return "", 0, fmt.Errorf("escape \\%c: teach this test's tokenizer", s[i+1])
			}
			b.WriteString(e)
			i += 2
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

// callArgs returns the keyword arguments of the call whose tokens start
// after its "(", each as the tokens of its value.
func callArgs(t *testing.T, where string, toks []token) map[string][]token {
	t.Helper()
	args := map[string][]token{}
	depth := 0
	var name string
	var value []token
	for i, k := range toks {
		switch {
		case depth == 0 && (k.is(")") || k.is(",")):
			if name != "" {
				args[name] = value
			}
			if k.is(")") {
				return args
			}
			name, value = "", nil
			continue
		case k.is("(") || k.is("[") || k.is("{"):
			depth++
		case k.is(")") || k.is("]") || k.is("}"):
			depth--
		}
		if depth == 0 && name == "" && value == nil && i+1 < len(toks) && !k.isString && toks[i+1].is("=") {
			name = k.str
			continue
		}
		if name != "" && !(value == nil && k.is("=")) {
			value = append(value, k)
		}
	}
	t.Fatalf("%s: the call does not end", where)
	return nil
}

// stringList reads the tokens of a list literal of strings.
func stringList(t *testing.T, where string, toks []token) []string {
	t.Helper()
	if len(toks) < 2 || !toks[0].is("[") || !toks[len(toks)-1].is("]") {
		t.Fatalf("%s is not a list literal", where)
	}
	var out []string
	for i, k := range toks[1 : len(toks)-1] {
		switch {
		case i%2 == 0 && k.isString:
			out = append(out, k.str)
		case i%2 == 1 && k.is(","):
		default:
			t.Fatalf("%s is not a list of string literals (at %q)", where, k.str)
		}
	}
	return out
}

// constants returns the top-level `NAME = "string"` assignments of a file
// (a string built with + is joined from its parts, names included).
func constants(t *testing.T, file string) map[string]string {
	t.Helper()
	consts := map[string]string{}
	toks := tokenize(t, file)
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].isString || toks[i].col != 0 || !toks[i+1].is("=") {
			continue
		}
		var b strings.Builder
		ok, j := true, i+2
		for ; j < len(toks) && toks[j].line == toks[i].line; j++ {
			k := toks[j]
			switch {
			case (j-i)%2 == 0 && k.isString:
				b.WriteString(k.str)
			case (j-i)%2 == 0:
				v, known := consts[k.str]
				ok = ok && known
				b.WriteString(v)
			case !k.is("+"):
				ok = false
			}
		}
		if ok && j > i+2 {
			consts[toks[i].str] = b.String()
		}
	}
	return consts
}

// TestReservedEnvVarsMatchLayout checks that rules/private/validate.bzl
// refuses the env keys layout.ReservedEnvVar refuses, with its words: the
// names and prefixes, the fix for each setting an attribute sets, and each
// reason and fix as a string literal.
func TestReservedEnvVarsMatchLayout(t *testing.T) {
	file := filepath.Join(root(t), "rules", "private", "validate.bzl")
	consts := constants(t, file)
	for name, want := range map[string]string{
		"_LAUNCHER_ENV_VAR":    layout.LauncherEnvVar,
		"_LAUNCHER_ENV_PREFIX": layout.LauncherEnvPrefix,
		"_INTERNAL_ENV_PREFIX": layout.InternalEnvPrefix,
	} {
		if got, ok := consts[name]; !ok || got != want {
			t.Errorf("%s: %s = %q, want %q (internal/layout)", rel(t, file), name, got, want)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	keys := []string{layout.LauncherEnvVar, layout.InternalEnvPrefix + "X", layout.LauncherEnvPrefix + "ROOT"}
	for k, fix := range layout.EnvVarFixes() {
		keys = append(keys, k)
		if entry := fmt.Sprintf("%q: %q,", k, fix); !strings.Contains(text, entry) {
			t.Errorf("%s: _ENV_VAR_FIXES lacks %s (internal/layout's fix for %s)", rel(t, file), entry, k)
		}
	}
	for _, k := range keys {
		reason, fix, _ := layout.ReservedEnvVar(k)
		for _, s := range []string{reason, fix} {
			if !strings.Contains(text, fmt.Sprintf("%q", s)) {
				t.Errorf("%s: no string literal %q (internal/layout's words for env key %s)", rel(t, file), s, k)
			}
		}
	}
}
