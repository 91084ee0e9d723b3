package wheel

import (
	"crypto/sha256"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
)

func TestParseHeaders(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []header
		bad  []string // substrings, one per problem
	}{
		{"simple", "A: 1\nB:2\n", []header{{"A", "1", 1}, {"B", "2", 2}}, nil},
		{"no final newline", "A: 1", []header{{"A", "1", 1}}, nil},
		{"continuations", "A: 1\n  2\n\t3\nB: x\n", []header{{"A", "1 2 3", 1}, {"B", "x", 4}}, nil},
		{"empty value continued", "A:\n  x\n", []header{{"A", "x", 1}}, nil},
		{"body ignored", "A: 1\n\nB: 2\nnot a header\n", []header{{"A", "1", 1}}, nil},
		{"CRLF", "A: 1\r\n  2\r\n\r\nbody\r\n", []header{{"A", "1 2", 1}}, nil},
		{"colon in value", "Home-Page: https://x/y\n", []header{{"Home-Page", "https://x/y", 1}}, nil},
		{"empty", "", nil, nil},
		{"no colon", "A 1\nB: 2\n", []header{{"B", "2", 2}}, []string{"line 1"}},
		{"space in key", "A B: 1\n", nil, []string{"line 1"}},
		{"leading continuation", " x\nA: 1\n", []header{{"A", "1", 2}}, []string{"continues no field"}},
		{"not UTF-8", "A: \xff\nB: 2\n", []header{{"B", "2", 2}}, []string{"UTF-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, bad := parseHeaders([]byte(tc.in))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("headers = %#v, want %#v", got, tc.want)
			}
			if len(bad) != len(tc.bad) {
				t.Fatalf("problems = %q, want %d", bad, len(tc.bad))
			}
			for i := range bad {
				if !strings.Contains(bad[i], tc.bad[i]) {
					t.Errorf("problem %q, want %q in it", bad[i], tc.bad[i])
				}
			}
		})
	}
}

func b64(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestParseRecord(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	rows, bad, ok := parseRecord([]byte(
		"a/b.py,sha256="+b64("x")+",1\r\n"+
			"\"a/with,comma.py\",sha256="+b64("x")+",1\n"+
			"d-1.dist-info/RECORD,,\n"+
			"d-1.dist-info/RECORD.jws,,\n"+
			"a/,,\n"+
			"nosize.py,sha256="+b64("x")+",\n"), "d-1.dist-info")
	if !ok || len(bad) != 0 {
		t.Fatalf("ok %v, problems %v", ok, bad)
	}
	want := map[string]recordRow{
		"a/b.py":                   {path: "a/b.py", algo: "sha256", digest: sum[:], size: 1},
		"a/with,comma.py":          {path: "a/with,comma.py", algo: "sha256", digest: sum[:], size: 1},
		"d-1.dist-info/RECORD":     {path: "d-1.dist-info/RECORD", size: -1},
		"d-1.dist-info/RECORD.jws": {path: "d-1.dist-info/RECORD.jws", size: -1},
		"nosize.py":                {path: "nosize.py", algo: "sha256", digest: sum[:], size: -1},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows =\n%v\nwant\n%v", rows, want)
	}

	for _, tc := range []struct {
		name, in, why string
		ok            bool // rows still usable
	}{
		{"short row", "a.py,x\n", "2 fields", true},
		{"sha1", "a.py,sha1=" + b64("x")[:27] + ",1\n", "sha1", true},
		{"no algorithm", "a.py," + b64("x") + ",1\n", "sha256=", true},
		{"short digest", "a.py,sha256=AAAA,1\n", "32 bytes", true},
		{"size not a number", "a.py,sha256=" + b64("x") + ",1k\n", "decimal", true},
		{"size with sign", "a.py,sha256=" + b64("x") + ",+1\n", "decimal", true},
		{"no hash", "a.py,,1\n", "no hash", true},
		{"RECORD of another dist-info", "e-1.dist-info/RECORD,,\n", "no hash", true},
		{"absolute", "/a.py,,\n", "absolute", true},
		{"unterminated quote", "\"a.py,,\n", "1 fields", true}, // as Python's csv reads it
		{"not UTF-8", "\xff,,\n", "UTF-8", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, bad, ok := parseRecord([]byte(tc.in), "d-1.dist-info")
			if ok != tc.ok || len(bad) != 1 || !strings.Contains(bad[0].detail, tc.why) {
				t.Errorf("ok %v problems %+v; want ok %v and one problem about %q", ok, bad, tc.ok, tc.why)
			}
		})
	}
}

func TestParseEntryPointsErrors(t *testing.T) {
	for _, tc := range []struct{ in, why string }{
		{"[console_scripts]\nx = 1mod:f\n", "module:attr"},
		{"[console_scripts]\nx = mod:f [a b]\n", "module:attr"},
		{"[console_scripts]\nx = mod:f [a\n", "module:attr"},
		{"[console_scripts]\nx = mod:\n", "module:attr"},
		{"[console_scripts]\nx = :f\n", "module:attr"},
		{"[console_scripts]\nx = mod..sub:f\n", "module:attr"},
		{"[console_scripts]\n= mod:f\n", "without a name"},
		{"[console_scripts]\nx = m:f\n  y\n", "continuation"},
		{"[gui_scripts]\na/b = mod:f\n", "command file name"},
		{"[gui_scripts]\n.. = mod:f\n", "command file name"},
		{"[]\n", "section header"},
		{"[ ]\n", "section header"},
		{"\xff", "UTF-8"},
	} {
		_, bad := parseEntryPoints([]byte(tc.in))
		if len(bad) != 1 || !strings.Contains(bad[0], tc.why) {
			t.Errorf("parseEntryPoints(%q) problems %q, want one about %q", tc.in, bad, tc.why)
		}
	}
}

func TestParseObjectRef(t *testing.T) {
	for _, tc := range []struct {
		in           string
		module, attr string
		extras       []string
		ok           bool
	}{
		{"a", "a", "", nil, true},
		{"a.b:c.d", "a.b", "c.d", nil, true},
		{" a . b : c ", "", "", nil, false}, // spaces inside dotted names are not allowed
		{"a : c [x]", "a", "c", []string{"x"}, true},
		{"a:c[x,y]", "a", "c", []string{"x", "y"}, true},
		{"a:c []", "a", "c", nil, true},
		{"ünï:cödé", "ünï", "cödé", nil, true},
		{"a:c [x,]", "", "", nil, false},
		{"a:c [x] y", "", "", nil, false},
		{"a:b:c", "", "", nil, false},
		{"", "", "", nil, false},
		{"a-b:c", "", "", nil, false},
		{"demo.café:main", "demo.café", "main", nil, true},
		{"class:main", "", "", nil, false},
	} {
		m, a, e, err := parseObjectRef(tc.in)
		if ok := err == nil; ok != tc.ok || m != tc.module || a != tc.attr || !reflect.DeepEqual(e, tc.extras) {
			t.Errorf("parseObjectRef(%q) = %q %q %q %v, want %q %q %q %v", tc.in, m, a, e, err, tc.module, tc.attr, tc.extras, tc.ok)
		}
	}
}

func FuzzParseHeaders(f *testing.F) {
	for _, s := range []string{"A: 1\n  2\nB: 3\n\nbody", "Wheel-Version: 1.0\r\nTag: py3-none-any\r\n", " x\n:\n", "A:\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		hs, _ := parseHeaders(data)
		for _, h := range hs {
			if !validHeaderKey(h.key) || strings.ContainsAny(h.value, "\r\n") || h.value != strings.TrimSpace(h.value) || h.line < 1 {
				t.Fatalf("bad header %#v", h)
			}
		}
		// The parsers on top never panic and report problems as text.
		parseMetadata(data)
		parseWheelInfo(data)
	})
}

func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		"a.py,sha256=" + b64("x") + ",1\nd-1.dist-info/RECORD,,\n",
		"\"a,b\",sha512=AAAA,3\r\n",
		"a/,,\n\"x",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _, _ := parseRecord(data, "d-1.dist-info")
		for p, r := range rows {
			if p != r.path || strings.HasSuffix(p, "/") || r.size < -1 {
				t.Fatalf("bad row %q: %+v", p, r)
			}
			if r.digest != nil && len(r.digest) != hashAlgos[r.algo]().Size() {
				t.Fatalf("row %q: %s digest of %d bytes", p, r.algo, len(r.digest))
			}
		}
	})
}

func FuzzParseEntryPoints(f *testing.F) {
	for _, s := range []string{
		"[console_scripts]\na = m.n:f.g [x, y]\n[other]\nb = anything\n",
		"# c\n; c\n[g]\n=\n[x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		eps, _ := parseEntryPoints(data)
		for g, m := range eps {
			for name, ep := range m {
				if ep.Group != g || ep.Name != name || name == "" {
					t.Fatalf("entry point %q in [%s] = %+v", name, g, ep)
				}
				script := g == ConsoleScriptsGroup || g == GUIScriptsGroup
				if script && (ep.Module == "" || !validScriptName(name)) {
					t.Fatalf("script entry point %+v accepted", ep)
				}
				if ep.Module != "" {
					// The canonical form parses back to the same reference.
					m2, a2, e2, err := parseObjectRef(ep.String())
					if err != nil || m2 != ep.Module || a2 != ep.Attr || !reflect.DeepEqual(e2, ep.Extras) {
						t.Fatalf("%+v: String() %q parses to %q %q %q %v", ep, ep.String(), m2, a2, e2, err)
					}
				}
			}
		}
	})
}
