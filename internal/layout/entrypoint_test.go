package layout

import (
	"errors"
	"strings"
	"testing"
)

func TestParseEntryPoint(t *testing.T) {
	for _, tc := range []struct {
		in, module, fn string
	}{
		{"app", "app", ""},
		{"app.main", "app.main", ""},
		{"app.main:run", "app.main", "run"},
		{"a_b.c:D.e9", "a_b.c", "D.e9"},
		{"_priv:_f", "_priv", "_f"},
		{"demo.café:main", "demo.café", "main"},
		{"пакет.модуль:запуск", "пакет.модуль", "запуск"},
		{"数据:主", "数据", "主"},
		{"ℕ.x", "ℕ.x", ""},           // a letter (Sm? no: Lu) that starts identifiers
		{"a\u0301b", "a\u0301b", ""}, // a combining mark continues one
		{"match.case:type", "match.case", "type"},
	} {
		ep, err := ParseEntryPoint(tc.in)
		if err != nil || ep.Module != tc.module || ep.Func != tc.fn {
			t.Errorf("ParseEntryPoint(%q) = %+v, %v; want %s / %s", tc.in, ep, err, tc.module, tc.fn)
			continue
		}
		if ep.String() != tc.in {
			t.Errorf("String() = %q, want %q", ep.String(), tc.in)
		}
	}
	for _, tc := range []struct{ in, why string }{
		{"", "module name is empty"},
		{":run", "module name is empty"},
		{"app:", "function name is empty"},
		{"app..main", "two dots in a row"},
		{".app", "two dots in a row"},
		{"app.", "two dots in a row"},
		{"1app", "cannot start"},
		{"app.9", "cannot start"},
		{"app-main", "'-'"},
		{"app main", "' '"},
		{"app:main:x", "':'"},
		{"app.main:run [extra]", "' '"},
		{"os:system('x')", "'('"},
		{"class.x", `"class" is a Python keyword`},
		{"app:None", "keyword"},
		{"\u0301a", "cannot start"},
		{"a\xffb", "not UTF-8"},
		{"a/b", "'/'"},
		{"½", "cannot start"},
	} {
		_, err := ParseEntryPoint(tc.in)
		if err == nil || !errors.Is(err, ErrEntryPoint) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ParseEntryPoint(%q) = %v, want an ErrEntryPoint saying %q", tc.in, err, tc.why)
		}
	}
}

// FuzzParseEntryPoint checks that whatever is accepted is safe to put in
// Python source (identifiers and dots only) and round-trips.
func FuzzParseEntryPoint(f *testing.F) {
	for _, s := range []string{"a.b:c.d", "demo.café:main", "mod", "os:system('x')", "a:b\nimport os", " m : f ", "class:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ep, err := ParseEntryPoint(s)
		if err != nil {
			return
		}
		if ep.String() != s {
			t.Fatalf("ParseEntryPoint(%q).String() = %q", s, ep.String())
		}
		if strings.ContainsAny(s, " \t\n\r'\"()[];,=#\\") {
			t.Fatalf("ParseEntryPoint(%q) accepted a character outside identifiers", s)
		}
	})
}

// TestDecodeChecksEntryPoints: the launcher reads the same rule from a
// manifest as the packer wrote it by.
func TestDecodeChecksEntryPoints(t *testing.T) {
	for _, tc := range []struct {
		entry, script string
		ok            bool
	}{
		{"demo.café:main", "demo.café:main", true},
		{"app main", "demo:main", false},
		{"app:main", "demo:main [extra]", false},
		{"app:main", "class:main", false},
	} {
		m := sampleManifest()
		m.EntryPoint = tc.entry
		d := m.Distributions["requests-2.28.1-py3-none-any.whl"]
		d.ConsoleScripts = map[string]string{"hello": tc.script}
		m.Distributions["requests-2.28.1-py3-none-any.whl"] = d
		data, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Decode(data)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrEntryPoint) && !errors.Is(err, ErrManifest) {
			t.Errorf("Decode with entry_point %q and console script %q: %v, want ok=%v", tc.entry, tc.script, err, tc.ok)
		}
	}
}
