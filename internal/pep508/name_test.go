package pep508

import "testing"

func TestNormalizeName(t *testing.T) {
	// re.sub(r"[-_.]+", "-", name).lower(), PEP 503.
	tests := []struct{ in, want string }{
		{"", ""},
		{"requests", "requests"},
		{"Django", "django"},
		{"zope.interface", "zope-interface"},
		{"Foo.Bar__baz", "foo-bar-baz"},
		{"a-_-.b", "a-b"},
		{"ruamel.yaml.clib", "ruamel-yaml-clib"},
		{"PyYAML", "pyyaml"},
		{"-foo-", "-foo-"},
		{"__init__", "-init-"},
		{"..A..", "-a-"},
		{"_", "-"},
		{"---", "-"},
		{"x1_2.3", "x1-2-3"},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"a": true, "A1": true, "zope.interface": true, "a-_-.b": true, "9lives": true,
		"": false, "-a": false, "a-": false, "a_": false, ".a": false, "a b": false,
		"a+b": false, "é": false, "a/b": false,
	} {
		if got := ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
		}
	}
}
