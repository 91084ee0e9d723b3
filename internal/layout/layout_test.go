package layout

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func sampleManifest() *Manifest {
	return &Manifest{
		Format:                 Format,
		EntryPoint:             "app.main:run",
		InterpreterConstraints: []string{"CPython>=3.9,<3.13"},
		InterpreterSelection:   "newest",
		InheritPath:            "false",
		Env:                    map[string]string{"B": "2", "A": "1"},
		Requirements:           []string{"requests>=2"},
		Distributions: map[string]Distribution{
			"requests-2.28.1-py3-none-any.whl": {
				WheelInfo: WheelInfo{Project: "requests", Version: "2.28.1", Tags: []string{"py3-none-any"},
					RequiresPython: ">=3.7", RequiresDist: []string{"idna<4,>=2.5"}},
				SHA256: strings.Repeat("a", 64), TreeHash: strings.Repeat("b", 64), Files: 3, Size: 10,
			},
		},
		CodeHash:    strings.Repeat("c", 64),
		CodeFiles:   1,
		Compression: "deflate",
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	m := sampleManifest()
	data, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(data, []byte("}\n")) || m.PexHash == "" {
		t.Fatalf("unexpected encoding: %s", data)
	}
	again, err := Encode(sampleManifest())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Fatal("Encode is not deterministic")
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if got.PexHash != m.PexHash || got.Distributions["requests-2.28.1-py3-none-any.whl"].Version != "2.28.1" {
		t.Fatalf("round trip lost data: %+v", got)
	}
}

func TestDecodeRejects(t *testing.T) {
	good, err := Encode(sampleManifest())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data string
		want string
	}{
		{"tampered", strings.Replace(string(good), "2.28.1\"", "2.28.2\"", 1), "pex_hash"},
		{"not json", "{", "invalid manifest"},
		{"unknown key", strings.Replace(string(good), "\"format\"", "\"bogus\": 1, \"format\"", 1), "unknown field"},
		{"wrong format", strings.Replace(string(good), "\"format\": 1", "\"format\": 99", 1), "format 99"},
		{"trailing", string(good) + "{}", "trailing"},
	} {
		_, err := Decode([]byte(tc.data))
		if err == nil || !errors.Is(err, ErrManifest) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Decode error = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Manifest)
	}{
		{"two entry points", func(m *Manifest) { m.Script = "x" }},
		{"inherit path", func(m *Manifest) { m.InheritPath = "yes" }},
		{"selection", func(m *Manifest) { m.InterpreterSelection = "random" }},
		{"compression", func(m *Manifest) { m.Compression = "lzma" }},
		{"code hash", func(m *Manifest) { m.CodeHash = "xyz" }},
		{"dist name", func(m *Manifest) {
			m.Distributions["../evil.whl"] = m.Distributions["requests-2.28.1-py3-none-any.whl"]
		}},
		{"dist hash", func(m *Manifest) {
			d := m.Distributions["requests-2.28.1-py3-none-any.whl"]
			d.SHA256 = "A"
			m.Distributions["requests-2.28.1-py3-none-any.whl"] = d
		}},
	} {
		m := sampleManifest()
		tc.edit(m)
		if err := m.Validate(); err == nil {
			t.Errorf("%s: Validate accepted an invalid manifest", tc.name)
		}
	}
	if err := sampleManifest().Validate(); err != nil {
		t.Fatalf("valid manifest rejected: %v", err)
	}
}

func TestTreeHash(t *testing.T) {
	a := []TreeEntry{{"b.py", 2, strings.Repeat("1", 64), false}, {"a.py", 1, strings.Repeat("2", 64), true}}
	b := []TreeEntry{a[1], a[0]}
	if TreeHash(a) != TreeHash(b) {
		t.Fatal("TreeHash depends on entry order")
	}
	if a[0].Path != "b.py" {
		t.Fatal("TreeHash reordered its argument")
	}
	c := []TreeEntry{a[0], {"a.py", 1, strings.Repeat("2", 64), false}}
	if TreeHash(a) == TreeHash(c) {
		t.Fatal("TreeHash ignores the executable bit")
	}
	if TreeHash(nil) != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatal("TreeHash of nothing is not the sha256 of nothing")
	}
}

func TestSplitDistEntry(t *testing.T) {
	for _, tc := range []struct {
		in                  string
		wheel, scheme, path string
		ok                  bool
	}{
		{"deps/a-1-py3-none-any.whl/site-packages/a/__init__.py", "a-1-py3-none-any.whl", "site-packages", "a/__init__.py", true},
		{"deps/a-1-py3-none-any.whl/scripts/tool", "a-1-py3-none-any.whl", "scripts", "tool", true},
		{"deps/a.whl/lib/x", "", "", "", false},
		{"deps/a.whl/site-packages/", "", "", "", false},
		{"code/a.py", "", "", "", false},
	} {
		w, s, p, ok := SplitDistEntry(tc.in)
		if w != tc.wheel || s != tc.scheme || p != tc.path || ok != tc.ok {
			t.Errorf("SplitDistEntry(%q) = %q %q %q %v", tc.in, w, s, p, ok)
		}
	}
	if DistPrefix("x.whl") != "deps/x.whl/" {
		t.Fatal("DistPrefix")
	}
}

func FuzzDecode(f *testing.F) {
	good, err := Encode(sampleManifest())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("{}"))
	f.Add([]byte(`{"format":1,"distributions":{"":{}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to something that decodes equally.
		again, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := Decode(again)
		if err != nil || m2.PexHash != m.PexHash {
			t.Fatalf("re-encoded manifest does not decode the same: %v", err)
		}
	})
}
