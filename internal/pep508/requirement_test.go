package pep508

import (
	"errors"
	"reflect"
	"testing"

	"github.com/rules-pex/rules_pex/internal/pep440"
)

func TestParseRequirement(t *testing.T) {
	tests := []struct {
		in                       string
		name                     string
		extras                   []string
		spec, url, marker, canon string
	}{
		{in: "requests", name: "requests", canon: "requests"},
		{in: "  requests  ", name: "requests", canon: "requests"},
		{in: `requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < "2.7"`,
			name: "requests", extras: []string{"security", "tests"}, spec: "==2.8.*,>=2.8.1", marker: `python_version < "2.7"`,
			canon: `requests[security,tests]==2.8.*,>=2.8.1; python_version < "2.7"`},
		{in: "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
			name: "pip", url: "https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
			canon: "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686"},
		{in: `name@http://foo.com ; os_name=="a"`, name: "name", url: "http://foo.com", marker: `os_name == "a"`,
			canon: `name @ http://foo.com ; os_name == "a"`},
		{in: `name [fred,bar] @ http://foo.com ; python_version=='2.7'`, name: "name", extras: []string{"fred", "bar"},
			url: "http://foo.com", marker: `python_version == "2.7"`, canon: `name[bar,fred] @ http://foo.com ; python_version == "2.7"`},
		{in: "name@ file:///tmp/x.whl", name: "name", url: "file:///tmp/x.whl", canon: "name @ file:///tmp/x.whl"},
		{in: "name @ http://x;y", name: "name", url: "http://x;y", canon: "name @ http://x;y"},
		// Without whitespace before it, the marker is part of the URL.
		{in: "name @ http://x;os_name=='a'", name: "name", url: "http://x;os_name=='a'", canon: "name @ http://x;os_name=='a'"},
		{in: "name @ git+https://github.com/x/y.git@v1.0#egg=y \t", name: "name", url: "git+https://github.com/x/y.git@v1.0#egg=y", canon: "name @ git+https://github.com/x/y.git@v1.0#egg=y"},
		{in: "attrs (>=20.1.0)", name: "attrs", spec: ">=20.1.0", canon: "attrs>=20.1.0"},
		{in: "attrs( >= 20.1.0 , <22 )", name: "attrs", spec: "<22,>=20.1.0", canon: "attrs<22,>=20.1.0"},
		{in: "attrs ()", name: "attrs", canon: "attrs"},
		{in: "attrs>=1,", name: "attrs", spec: ">=1", canon: "attrs>=1"},
		{in: "attrs===1.0,,>=2", name: "attrs", spec: "===1.0,>=2", canon: "attrs===1.0,>=2"},
		{in: "zope.interface>=V5.0-ALPHA", name: "zope.interface", spec: ">=5.0a0", canon: "zope.interface>=5.0a0"},
		{in: "A.B-C_D[E_F.G,e_f.g,E_F.G]==1.0+Local", name: "A.B-C_D", extras: []string{"E_F.G", "e_f.g"}, spec: "==1.0+local",
			canon: "A.B-C_D[E_F.G,e_f.g]==1.0+local"},
		{in: "foo[]", name: "foo", canon: "foo"},
		{in: "foo [ a , b ]", name: "foo", extras: []string{"a", "b"}, canon: "foo[a,b]"},
		{in: `foo;os_name=="a"`, name: "foo", marker: `os_name == "a"`, canon: `foo; os_name == "a"`},
		{in: `foo>=1;extra == 'Doc_S'`, name: "foo", spec: ">=1", marker: `extra == "doc-s"`, canon: `foo>=1; extra == "doc-s"`},
		{in: "9lives", name: "9lives", canon: "9lives"},
		{in: "a", name: "a", canon: "a"},
	}
	for _, tt := range tests {
		r, err := ParseRequirement(tt.in)
		if err != nil {
			t.Errorf("ParseRequirement(%q): %v", tt.in, err)
			continue
		}
		if r.Name != tt.name || !reflect.DeepEqual(r.Extras, tt.extras) || r.Specifier.String() != tt.spec || r.URL != tt.url || r.Marker.String() != tt.marker {
			t.Errorf("ParseRequirement(%q) = %q %q %q %q %q", tt.in, r.Name, r.Extras, r.Specifier, r.URL, r.Marker)
		}
		if (r.Marker == nil) != (tt.marker == "") {
			t.Errorf("ParseRequirement(%q).Marker = %v", tt.in, r.Marker)
		}
		if got := r.String(); got != tt.canon {
			t.Errorf("ParseRequirement(%q).String() = %q, want %q", tt.in, got, tt.canon)
		}
		again, err := ParseRequirement(r.String())
		if err != nil || again.String() != r.String() {
			t.Errorf("String of %q does not round-trip: %v", tt.in, err)
		}
	}
}

func TestParseRequirementErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
	}{
		{"", 0},
		{"   ", 3},
		{"-foo", 0},
		{"foo-", 3},
		{"foo_", 3},
		{"fooé", 3},
		{"foo bar", 4},
		{"foo[bar", 7},
		{"foo[bar baz]", 8},
		{"foo[bar,]", 8},
		{"foo[,bar]", 4},
		{"foo[bar-]", 7},
		{"foo >= ", 4},
		{"foo >= 1.0 <2", 11},
		{"foo == 1.0.* extra", 13},
		{"foo ~= 1", 4},
		{"foo >= 1.0+local", 10},
		{"foo (>=1.0", 10},
		{"foo >=1.0)", 9},
		{"foo >=1.0 ; ", 12},
		{"foo >=1.0 ; os_name == 'a' garbage", 27},
		{`name; os_name == "C:\"`, 20}, // packaging >= 26: "Invalid quoted string"
		{`name; os_name == "\x"`, 18},
		{"foo @", 5},
		{"foo @ ", 6},
		{"foo @ bar", 6},
		{"foo @ http://", 6},
		{"foo @ https:///x", 6},
		{"foo @ file:/x", 6},
		{"foo @ File:///x", 6},
		{"foo @ file:////x", 6},
		{"foo @ file:///x?", 6},
		{"foo @ http://[::1/x", 6},
		{"foo @ http://x ;", 16},
		{"foo @ http://x y", 15},
		{"foo >=1.0 @ http://x", 10},
		{"foo\n", 3},
		{"foo>=1,bar", 7},
	}
	for _, tt := range tests {
		r, err := ParseRequirement(tt.in)
		if err == nil {
			t.Errorf("ParseRequirement(%q) = %q, want error", tt.in, r)
			continue
		}
		var se *SyntaxError
		if !errors.Is(err, ErrInvalidRequirement) || !errors.As(err, &se) {
			t.Errorf("ParseRequirement(%q) error %v is not an ErrInvalidRequirement *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset {
			t.Errorf("ParseRequirement(%q): error at offset %d, want %d: %v", tt.in, se.Offset, tt.offset, err)
		}
	}
	// The specifier's own error is kept.
	if _, err := ParseRequirement("foo===1.0,bad"); !errors.Is(err, pep440.ErrInvalidSpecifier) {
		t.Errorf("ParseRequirement(foo===1.0,bad) = %v, want an invalid specifier", err)
	}
}
