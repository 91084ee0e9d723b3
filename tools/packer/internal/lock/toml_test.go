package lock

import (
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/oracletest"
)

// tagged renders a parsed TOML value in the form testdata/toml_oracle.py
// prints for tomllib's.
func tagged(v any) any {
	switch v := v.(type) {
	case *Table:
		m := map[string]any{}
		for k, x := range v.Keys {
			m[k] = tagged(x)
		}
		return m
	case *TableArray:
		out := []any{}
		for _, t := range v.Tables {
			out = append(out, tagged(t))
		}
		return out
	case []any:
		out := []any{}
		for _, x := range v {
			out = append(out, tagged(x))
		}
		return out
	case string:
		return map[string]any{"type": "string", "value": v}
	case int64:
		return map[string]any{"type": "integer", "value": strconv.FormatInt(v, 10)}
	case bool:
		return map[string]any{"type": "bool", "value": strconv.FormatBool(v)}
	case float64:
		switch {
		case math.IsNaN(v):
			return map[string]any{"type": "float", "value": "nan"}
		case math.IsInf(v, 1):
			return map[string]any{"type": "float", "value": "inf"}
		case math.IsInf(v, -1):
			return map[string]any{"type": "float", "value": "-inf"}
		}
		return map[string]any{"type": "float", "number": v}
	case DateTime:
		return map[string]any{"type": "datetime"}
	}
	return map[string]any{"type": "unknown"}
}

// tomlCorpus is TOML 1.0 that both this parser and tomllib must read
// alike: accept with the same value, or refuse.
var tomlCorpus = []string{
	// Keys.
	"a = 1\nb-c_D = 2\n3 = 'x'\n\"q k\" = 1\n'lit' = 2\n",
	"a.b.c = 1\na.b.d = 2\n",
	"a . b = 1\n",
	"\"a.b\" = 1\n",
	"'' = 1\n",
	"a = 1\na = 2\n",
	"a.b = 1\na = 2\n",
	"a = 1\na.b = 2\n",
	"= 1\n",
	"a =\n",
	"a\n",
	"a = 1 b = 2\n",
	"a.b = 1\n[a]\n",
	"a.b = 1\n[a.b]\n",
	"a.b = 1\n[a.c]\n",
	// Strings.
	`a = "tab\there \"q\" \\ \u00e9 \U0001F600 \b\f\n\r"` + "\n",
	`a = "bad \q"` + "\n",
	`a = "\uD800"` + "\n",
	`a = "\u12"` + "\n",
	"a = \"unclosed\n",
	"a = 'lit \\n \"'\n",
	"a = 'unclosed\n",
	"a = \"\"\"\nline one\nline two\"\"\"\n",
	"a = \"\"\"one \\\n     two \\\n\n  three\"\"\"\n",
	"a = \"\"\"quotes \"\" and \"\"\"\"\"\n",
	"a = \"\"\"\"\"\"\"\n",
	"a = '''\nraw \\n 'x' ''\n'''\n",
	"a = '''''quoted'''''\n",
	"a = '''no end\n",
	"a = \"ctl \x01\"\n",
	"a = \"\"\"crlf\r\nline\"\"\"\n",
	// Numbers and booleans.
	"a = 0\nb = +1\nc = -1_000\nd = 0xDEAD_beef\ne = 0o755\nf = 0b1010\n",
	"a = 01\n",
	"a = 1__0\n",
	"a = _1\n",
	"a = 0x\n",
	"a = 9223372036854775807\n",
	"a = -9223372036854775808\n",
	"a = 3.14\nb = -0.0\nc = 5e+22\nd = 1e06\ne = -2E-2\nf = 6.626e-34\ng = 224_617.445_991\n",
	"a = inf\nb = +inf\nc = -inf\nd = nan\ne = -nan\n",
	"a = 1.\n",
	"a = .5\n",
	"a = 1e\n",
	"a = true\nb = false\n",
	"a = True\n",
	"a = truex\n",
	// Dates and times.
	"a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00-07:00\nc = 1979-05-27T00:32:00.999999+07:00\nd = 1979-05-27 07:32:00Z\ne = 1979-05-27T07:32:00\nf = 1979-05-27\ng = 07:32:00\nh = 00:32:00.999999\n",
	"a = 1979-13-27\n",
	"a = 1979-02-30\n",
	"a = 2000-02-29\n",
	"a = 1900-02-29\n",
	"a = 1979-05-27T25:00:00\n",
	"a = 1979-05-27 # just a date\n",
	// Arrays.
	"a = []\nb = [1, 2, 3]\nc = [\"x\", 'y', \"\"\"z\"\"\"]\nd = [[1, 2], ['a']]\ne = [1, 'mixed', 2.5, true]\n",
	"a = [\n  1,\n  2, # comment\n  # another\n]\n",
	"a = [1 2]\n",
	"a = [1,,2]\n",
	"a = [,]\n",
	"a = [1,\n",
	"a = [{x = 1}, {y = 'z'}]\n",
	// Inline tables.
	"a = {}\nb = {x = 1, y.z = 'w', \"q\" = [1]}\n",
	"a = {x = 1, x = 2}\n",
	"a = {x = 1}\na.y = 2\n",
	"a = {x = 1}\n[a]\n",
	"a = {x = 1}\n[a.b]\n",
	"a = {b = {c = 1}}\n",
	// Tables and arrays of tables.
	"[a]\nx = 1\n[b]\ny = 2\n[a.c]\nz = 3\n",
	"[a.b.c]\nx = 1\n[a]\ny = 2\n",
	"[a]\n[a]\n",
	"[a.b]\n[a]\n[a]\n",
	"[ a . \"b c\" ]\nx = 1\n",
	"[a]\nb = 1\n[a.b]\n",
	"[[p]]\nn = 1\n[[p]]\nn = 2\n[[p.w]]\nf = 'x'\n[[p.w]]\nf = 'y'\n[p.s]\nu = 1\n",
	"[[p]]\n[p]\n",
	"[p]\n[[p]]\n",
	"p = [1]\n[[p]]\n",
	"p = []\n[[p]]\n",
	"[a\n",
	"[[a]\n",
	"[]\n",
	"[a] x = 1\n",
	"[a]\n[a.b]\n[a.b.c]\n",
	// Comments and whitespace.
	"# only a comment\n\n\t\n",
	"a = 1 # trailing\n# full line\r\nb = 2\r\n",
	"a = 1\r\n",
	"a = 1\rb = 2\n",
	"",
	"\ufeffa = 1\n",
}

// TestTOMLOracle compares the parser with Python's tomllib on tomlCorpus.
func TestTOMLOracle(t *testing.T) {
	type answer struct {
		OK    bool   `json:"ok"`
		Value any    `json:"value"`
		Error string `json:"error"`
	}
	var want []answer
	oracletest.Run(t, "testdata/toml_oracle.py", tomlCorpus, &want)
	if len(want) != len(tomlCorpus) {
		t.Fatalf("the oracle answered %d documents, want %d", len(want), len(tomlCorpus))
	}
	for i, doc := range tomlCorpus {
		got, err := ParseTOML([]byte(doc))
		switch {
		case want[i].OK && err != nil:
			t.Errorf("ParseTOML(%q) = %v; tomllib reads it", doc, err)
		case !want[i].OK && err == nil:
			t.Errorf("ParseTOML(%q) succeeded; tomllib refuses it: %s", doc, want[i].Error)
		case err == nil && !reflect.DeepEqual(tagged(got), want[i].Value):
			t.Errorf("ParseTOML(%q) =\n  %v\ntomllib:\n  %v", doc, tagged(got), want[i].Value)
		}
	}
}

// TestTOMLExtensions: what TOML 1.1 adds, and lock files written by newer
// tools may use, is read although tomllib (TOML 1.0) refuses it.
func TestTOMLExtensions(t *testing.T) {
	for doc, want := range map[string]string{
		"a = {\n  x = 1,\n  y = 2,\n}\n": "x",
		`a = {x = "\e\x41"}` + "\n":      "x",
		"a = {x = 1,}\n":                 "x",
	} {
		got, err := ParseTOML([]byte(doc))
		if err != nil {
			t.Errorf("ParseTOML(%q): %v", doc, err)
			continue
		}
		if _, ok := got.Keys["a"].(*Table).Keys[want]; !ok {
			t.Errorf("ParseTOML(%q) = %v, want a table with %s", doc, tagged(got), want)
		}
	}
}

// TestTOMLErrors checks the position and text of errors.
func TestTOMLErrors(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"a = 1\na = 2\n", "line 2, column 1: the key a is defined twice (first on line 1)"},
		{"a = 1\nb = \"x\n", "line 2, column 5: the string opened here is not closed on its line"},
		{"x = 1\n[a]\n[a]\n", "line 3, column 1: [a] is defined twice: it is already a table (line 2)"},
		{"[[p]]\n[p]\n", "line 2, column 1: [p] is defined twice: it is already an array of tables (line 1)"},
		{"p = 1\n[[p]]\n", "line 2, column 1: [[p]] appends to an array of tables, but p is already an integer (line 1)"},
		{"a = {x = 1}\n[a.b]\n", "line 2, column 1: a is an inline table (line 1); it cannot be extended by a table header"},
		{"a = 01\n", "line 1, column 5: invalid value \"01\" (strings must be quoted; numbers have no leading zeros)"},
		{"a = [1 2]\n", "line 1, column 8: expected ',' or ']' in the array, found '2'"},
		{"a = \"\\q\"\n", "line 1, column 6: unknown escape sequence \\q in a string (a literal backslash is written \\\\ or inside '...')"},
		{"a = 1979-02-30\n", "line 1, column 5: invalid date or time \"1979-02-30\": day 30 of month 02"},
		{"é = 1\n", "line 1, column 1: expected a key, found 'é'"},
		{"a = \"é\" x\n", "line 1, column 9: expected the end of the line after a value, found 'x'"},
		{"a = [\n1,\n", "line 1, column 5: the array opened here is not closed with ']'"},
		{"a = \"\xff\"\n", "line 1, column 1: the file is not valid UTF-8"},
		{"a = 9223372036854775808\n", "line 1, column 5: the integer 9223372036854775808 does not fit in 64 bits"},
		{"a = " + strings.Repeat("[", 200) + "\n", "line 1, column 105: arrays and inline tables are nested more than 100 deep"},
		{"a.b.c = 1\n[a.b]\n", "line 2, column 1: [a.b] is defined twice: it is already a table made by dotted keys (line 1)"},
		{"a = \"\"\"x\n", "line 1, column 5: the multi-line string opened here is not closed with \"\"\""},
	} {
		_, err := ParseTOML([]byte(c.doc))
		if err == nil || err.Error() != c.want {
			t.Errorf("ParseTOML(%q) = %v\nwant %s", c.doc, err, c.want)
		}
	}
}

// TestTOMLPositions checks the lines recorded for tables and keys, which
// messages about lock files cite.
func TestTOMLPositions(t *testing.T) {
	doc := "a = 1\n\n[[p]]\nn = 'x'\n\n[[p]]\nn = 'y'\nw = [\n  {f = 1},\n]\n"
	root, err := ParseTOML([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	ps := root.Keys["p"].(*TableArray).Tables
	if root.Lines["a"] != 1 || ps[0].Line != 3 || ps[1].Line != 6 || ps[1].Lines["n"] != 7 {
		t.Errorf("lines: a %d, p[0] %d, p[1] %d, p[1].n %d; want 1, 3, 6, 7", root.Lines["a"], ps[0].Line, ps[1].Line, ps[1].Lines["n"])
	}
	if w := ps[1].Keys["w"].([]any)[0].(*Table); w.Line != 9 {
		t.Errorf("the inline table's line is %d, want 9", w.Line)
	}
}

func FuzzParseTOML(f *testing.F) {
	for _, doc := range tomlCorpus {
		f.Add(doc)
	}
	for _, name := range []string{"testdata/pylock.toml", "testdata/pylock.wheelhouse.toml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Fuzz(func(t *testing.T, doc string) {
		a, errA := ParseTOML([]byte(doc))
		b, errB := ParseTOML([]byte(doc))
		if (errA == nil) != (errB == nil) {
			t.Fatalf("ParseTOML(%q) is not deterministic", doc)
		}
		if errA != nil {
			var te *TOMLError
			if te, _ = errA.(*TOMLError); te == nil || te.Line < 1 || te.Column < 1 {
				t.Fatalf("ParseTOML(%q): error %v has no position", doc, errA)
			}
			return
		}
		if !reflect.DeepEqual(tagged(a), tagged(b)) {
			t.Fatalf("ParseTOML(%q) is not deterministic", doc)
		}
		// Reading it as a lock never panics either.
		l := &Lock{Lock: "pylock.toml"}
		var ps Problems
		parsePylock(l, []byte(doc), &ps)
	})
}
