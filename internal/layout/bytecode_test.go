package layout

import "testing"

func TestPycPaths(t *testing.T) {
	for _, c := range []struct{ src, tag, pyc string }{
		{"site-packages/six.py", "cpython-311", "site-packages/__pycache__/six.cpython-311.pyc"},
		{"app/main.py", "pypy39", "app/__pycache__/main.pypy39.pyc"},
		{"mod.py", "cpython-312", "__pycache__/mod.cpython-312.pyc"},
	} {
		got, ok := PycPath(c.src, c.tag)
		if !ok || got != c.pyc {
			t.Errorf("PycPath(%q, %q) = %q, %v; want %q", c.src, c.tag, got, ok, c.pyc)
		}
		back, ok := PycSource(c.pyc, c.tag)
		if !ok || back != c.src {
			t.Errorf("PycSource(%q, %q) = %q, %v; want %q", c.pyc, c.tag, back, ok, c.src)
		}
	}
	for _, bad := range []string{"app/main.cpython-311.pyc", "app/__pycache__/main.cpython-312.pyc", "app/__pycache__/.cpython-311.pyc", "app/__pycache__/main.cpython-311.opt-1.pyc"} {
		if src, ok := PycSource(bad, "cpython-311"); ok {
			t.Errorf("PycSource(%q) = %q, want none", bad, src)
		}
	}
}

func TestCacheTagsAndMagic(t *testing.T) {
	for tag, want := range map[string]bool{"cpython-311": true, "pypy39": true, "": false, "../x": false, "a/b": false, "CPython-311": false, "3x": false} {
		if ValidCacheTag(tag) != want {
			t.Errorf("ValidCacheTag(%q) = %v", tag, !want)
		}
	}
	if got := MagicHex(CPythonMagic["cpython-311"]); got != "a70d0d0a" {
		t.Errorf("3.11's magic is %s, want a70d0d0a (importlib.util.MAGIC_NUMBER)", got)
	}
	for s, ok := range map[string]bool{"a70d0d0a": true, "A70D0D0A": false, "a70d0d0b": false, "a70d": false, "zz0d0d0a": false} {
		if _, err := ParseMagic(s); (err == nil) != ok {
			t.Errorf("ParseMagic(%q): %v", s, err)
		}
	}
	tag, rest, ok := SplitBytecodeEntry("bytecode/cpython-311/deps/six-1.16.0-py3-none-any.whl/site-packages/__pycache__/six.cpython-311.pyc")
	if !ok || tag != "cpython-311" || rest != "deps/six-1.16.0-py3-none-any.whl/site-packages/__pycache__/six.cpython-311.pyc" {
		t.Errorf("SplitBytecodeEntry: %q %q %v", tag, rest, ok)
	}
}

// Decode refuses bytecode entries that are not well formed.
func TestManifestBytecodeValidation(t *testing.T) {
	h := "0000000000000000000000000000000000000000000000000000000000000000"
	base := func() *Manifest {
		return &Manifest{Format: Format, InterpreterSelection: "newest", InheritPath: "false", Compression: "deflate", CodeHash: h,
			CodeBytecode: map[string]Bytecode{"cpython-311": {Magic: "a70d0d0a", TreeHash: h, Files: 1}}}
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("a valid manifest: %v", err)
	}
	for name, edit := range map[string]func(m *Manifest){
		"bad tag":   func(m *Manifest) { m.CodeBytecode["../x"] = Bytecode{Magic: "a70d0d0a", TreeHash: h} },
		"bad magic": func(m *Manifest) { m.CodeBytecode["cpython-311"] = Bytecode{Magic: "a70d0d00", TreeHash: h} },
		"bad hash":  func(m *Manifest) { m.CodeBytecode["cpython-311"] = Bytecode{Magic: "a70d0d0a", TreeHash: "x"} },
	} {
		m := base()
		edit(m)
		if err := m.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
