package pep508

import "testing"

func FuzzParseRequirement(f *testing.F) {
	for _, s := range []string{
		`requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < "2.7"`,
		"pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
		`name [fred,bar] @ http://foo.com ; python_version=='2.7'`,
		"attrs( >= 20.1.0 , <22 )", "attrs===1.0,,>=2", "foo[]", "foo @ file:///x?",
		`foo>=1;extra == 'Doc_S'`, "foo[bar baz]", "", "a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			return
		}
		str := r.String()
		again, err := ParseRequirement(str)
		if err != nil {
			t.Fatalf("ParseRequirement(%q).String() = %q does not parse: %v", s, str, err)
		}
		if again.String() != str {
			t.Fatalf("String is not idempotent: %q -> %q -> %q", s, str, again.String())
		}
		if again.Name != r.Name || again.URL != r.URL || again.Specifier.String() != r.Specifier.String() {
			t.Fatalf("%q and its canonical form %q differ", s, str)
		}
	})
}

func FuzzParseMarker(f *testing.F) {
	for _, s := range []string{
		`python_version < "3.11"`, `os_name=='posix'and sys_platform=='linux'`,
		`(os_name == "nt" or os_name == "java") and python_version > "3"`,
		`os_name == "nt" and ((python_version > "3" or python_version < "2"))`,
		`extra == "Foo_Bar"`, `platform_version == 'a "quoted" word'`, `"linux" in sys_platform`,
		`sys_platform not  in "win32"`, `os.name == "posix"`, `python_full_version ~= "3.11.0"`,
		`platform_release >= "6"`, `(`, `"`,
	} {
		f.Add(s, "3.11.2", "6.1.0-18-amd64", "Doc_S")
	}
	f.Fuzz(func(t *testing.T, s, pyVersion, release, extra string) {
		m, err := ParseMarker(s)
		if err != nil {
			return
		}
		str := m.String()
		again, err := ParseMarker(str)
		if err != nil {
			t.Fatalf("ParseMarker(%q).String() = %q does not parse: %v", s, str, err)
		}
		if again.String() != str {
			t.Fatalf("String is not idempotent: %q -> %q -> %q", s, str, again.String())
		}
		env := Environment{
			"python_version": pyVersion, "python_full_version": pyVersion, "implementation_version": pyVersion,
			"platform_release": release, "os_name": "posix", "sys_platform": "linux", "platform_system": "Linux",
			"platform_version": release, "platform_machine": "x86_64",
			"platform_python_implementation": "CPython", "implementation_name": "cpython", "extra": extra,
		}
		// The canonical form means the same as the input.
		got, err1 := m.Evaluate(env)
		want, err2 := again.Evaluate(env)
		if got != want || (err1 == nil) != (err2 == nil) {
			t.Fatalf("%q and its canonical form %q evaluate to %v, %v and %v, %v", s, str, got, err1, want, err2)
		}
	})
}
