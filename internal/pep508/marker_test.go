package pep508

import (
	"errors"
	"testing"
)

func TestParseMarkerString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`python_version < "3.11"`, `python_version < "3.11"`},
		{`python_version<'3.11'`, `python_version < "3.11"`},
		{"\tos_name=='posix'and sys_platform=='linux' ", `os_name == "posix" and sys_platform == "linux"`},
		{`"linux" in sys_platform`, `"linux" in sys_platform`},
		{`'linux'in sys_platform`, `"linux" in sys_platform`},
		{`sys_platform not  in "win32 cygwin"`, `sys_platform not in "win32 cygwin"`},
		{`(python_version < "3.8")`, `python_version < "3.8"`},
		{`((os_name == "nt"))`, `os_name == "nt"`},
		{`( os_name == "nt" or os_name == "java" )and python_version>"3"`, `(os_name == "nt" or os_name == "java") and python_version > "3"`},
		{`os_name == "nt" and (python_version > "3" and python_version < "4")`, `os_name == "nt" and (python_version > "3" and python_version < "4")`},
		{`os_name == "nt" and ((python_version > "3" or python_version < "2"))`, `os_name == "nt" and (python_version > "3" or python_version < "2")`},
		{`(os_name=="a")or(os_name=="b")`, `os_name == "a" or os_name == "b"`},
		// Legacy spellings.
		{`os.name == "posix" and sys.platform == "linux"`, `os_name == "posix" and sys_platform == "linux"`},
		{`platform.machine == "x86_64" or platform.version == "1"`, `platform_machine == "x86_64" or platform_version == "1"`},
		{`python_implementation == "CPython"`, `platform_python_implementation == "CPython"`},
		{`platform.python_implementation == "PyPy"`, `platform_python_implementation == "PyPy"`},
		// Extras are normalized, wherever they are.
		{`extra == "Foo_Bar"`, `extra == "foo-bar"`},
		{`os_name == "nt" and "Doc.S" == extra`, `os_name == "nt" and "doc-s" == extra`},
		// Literals keep their text; one with '"' keeps single quotes.
		{`platform_version == 'a "quoted" word'`, `platform_version == 'a "quoted" word'`},
		{`os_name == "it's"`, `os_name == "it's"`},
		{`os_name == ""`, `os_name == ""`},
		// Every operator.
		{`python_version ~= "3.8" and python_version === "3.8" and python_version != "2" and python_version >= "3" and python_version <= "4" and python_version > "1"`,
			`python_version ~= "3.8" and python_version === "3.8" and python_version != "2" and python_version >= "3" and python_version <= "4" and python_version > "1"`},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.in)
		if err != nil {
			t.Errorf("ParseMarker(%q): %v", tt.in, err)
			continue
		}
		if got := m.String(); got != tt.want {
			t.Errorf("ParseMarker(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		again, err := ParseMarker(m.String())
		if err != nil || again.String() != m.String() {
			t.Errorf("String of %q does not round-trip: %v", tt.in, err)
		}
	}
}

func TestParseMarkerErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
	}{
		{``, 0},
		{`python_version`, 14},
		{`python_version = "3"`, 15},
		{`python_version < 3`, 17},
		{`python_versions < "3"`, 0},
		{`extras == "a"`, 0},
		{`unknown == "a"`, 0},
		{`os_name == "posix`, 11},
		{`os_name == "posix" garbage`, 19},
		{`os_name == "posix" and`, 22},
		{`os_name == "posix" && os_name == "nt"`, 19},
		{`(os_name == "posix"`, 19},
		{`os_name == "posix")`, 18},
		{`os_name not "a"`, 12},
		{`os_name notin "a"`, 8},
		{`os_namein "a"`, 0},
		{`"a" inos_name`, 4},
		{`os_name == "a" andos_name == "b"`, 15},
		{"os_name == \"a\"\n", 14},
		{`os_name == "a" or (`, 19},
		{`()`, 1},
		{`os_name == "a" (os_name == "b")`, 15},
		// No backslash in a string: PEP 508 has no escapes (packaging >= 26
		// refuses "C:\" and "\x", its test_parses_invalid_malformed_quoted_string).
		{`os_name == "C:\"`, 14},
		{`os_name == "\x"`, 12},
		{`os_name == "\n"`, 12},
		{`os_name == 'a\\b'`, 13},
		{`"\t" in platform_version`, 1},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.in)
		if err == nil {
			t.Errorf("ParseMarker(%q) = %q, want error", tt.in, m)
			continue
		}
		var se *SyntaxError
		if !errors.Is(err, ErrInvalidMarker) || !errors.As(err, &se) {
			t.Errorf("ParseMarker(%q) error %v is not an ErrInvalidMarker *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset {
			t.Errorf("ParseMarker(%q): error at offset %d, want %d: %v", tt.in, se.Offset, tt.offset, err)
		}
	}
}

var linux311 = Environment{
	"python_version": "3.11", "python_full_version": "3.11.2", "os_name": "posix",
	"sys_platform": "linux", "platform_release": "6.1.0-18-amd64", "platform_system": "Linux",
	"platform_version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
	"platform_machine": "x86_64", "platform_python_implementation": "CPython",
	"implementation_name": "cpython", "implementation_version": "3.11.2",
}

func with(env Environment, kv ...string) Environment {
	out := Environment{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestEvaluate(t *testing.T) {
	rc := with(linux311, "python_version", "3.13", "python_full_version", "3.13.0rc1", "implementation_version", "3.13.0rc1", "platform_release", "5.15.0")
	dev := with(linux311, "python_full_version", "3.11.2+", "implementation_version", "3.11.2+")
	tests := []struct {
		marker string
		env    Environment
		want   bool
	}{
		{`python_version < "3.12"`, linux311, true},
		// Versions compare as versions, not strings.
		{`python_version >= "3.9"`, linux311, true},
		{`python_version > "3.9"`, linux311, true},
		{`python_version < "3.9"`, with(linux311, "python_version", "3.10"), false},
		{`python_version == "3.11.0"`, linux311, true},
		{`python_version == "3.*"`, linux311, true},
		{`python_version != "3.1*"`, linux311, true}, // not a specifier: string inequality
		{`python_version ~= "3.9"`, linux311, true},
		{`python_full_version ~= "3.11.0"`, linux311, true},
		{`"3.12" > python_version`, linux311, true},
		{`"3.8" >= python_version`, linux311, false},
		{`python_version === "3.11"`, linux311, true},
		// Pre-releases match ordered comparisons (the marker's own rule).
		{`python_full_version >= "3.13"`, rc, false},
		{`python_full_version >= "3.13.0a1"`, rc, true},
		{`python_full_version < "3.13"`, rc, false},
		{`python_full_version > "3.12"`, rc, true},
		{`python_full_version == "3.13.*"`, rc, true},
		{`implementation_version >= "3.13.0b1"`, rc, true},
		// A development build's "3.11.2+" is read as "3.11.2+local", as
		// packaging >= 24.1 reads it (as a string, "3.11.2+" < "3.9").
		{`python_full_version >= "3.9"`, dev, true},
		{`python_full_version < "3.9"`, dev, false},
		{`python_full_version == "3.11.2"`, dev, true},
		{`python_full_version > "3.11.2"`, dev, false},
		{`python_full_version >= "3.11.2"`, dev, true},
		{`"3.9" < python_full_version`, dev, false}, // as packaging: "<3.11.2+local" is no specifier, so strings compare
		{`python_full_version == "3.11.2+local"`, dev, true},
		{`implementation_version < "3.9"`, dev, true}, // only python_full_version is converted
		// A release that is no version falls back to string comparison.
		{`platform_release >= "6"`, linux311, true},
		{`platform_release < "6.1.0-18-amd64"`, linux311, false},
		{`platform_release == "6.1.0-18-amd64"`, linux311, true},
		{`platform_release > "5.4"`, rc, true},
		{`platform_release > "5.4"`, with(linux311, "platform_release", "5.10"), true},
		// String variables compare as strings, even when they look like versions.
		{`platform_version >= "10.0.9"`, with(linux311, "platform_version", "10.0.19041"), false},
		{`platform_machine == "x86_64"`, linux311, true},
		{`platform_machine < "y"`, linux311, true},
		{`"x86" in platform_machine`, linux311, true},
		{`"arm" not in platform_machine`, linux311, true},
		{`sys_platform in "linux darwin"`, linux311, true},
		{`sys_platform == "Linux"`, linux311, false},
		// Precedence: and binds tighter than or.
		{`os_name == "nt" and os_name == "java" or os_name == "posix"`, linux311, true},
		{`os_name == "posix" or os_name == "nt" and os_name == "java"`, linux311, true},
		{`(os_name == "posix" or os_name == "nt") and os_name == "java"`, linux311, false},
		{`os_name == "nt" or os_name == "posix" and sys_platform == "win32"`, linux311, false},
		{`os_name == "nt" or (os_name == "posix" and sys_platform == "linux")`, linux311, true},
		// Extras: normalized, "" when absent.
		{`extra == "test"`, linux311, false},
		{`extra != "test"`, linux311, true},
		{`extra == ""`, linux311, true},
		{`extra == "Doc_S"`, with(linux311, "extra", "doc.s"), true},
		{`"DOC-S" == extra`, with(linux311, "extra", "doc__s"), true},
		{`extra == "doc"`, with(linux311, "extra", "doc-s"), false},
		{`"doc" in extra`, with(linux311, "extra", "Doc_S"), true},
		{`extra == "test" and python_version >= "3"`, with(linux311, "extra", "Test"), true},
		// Literals on both sides.
		{`"a" == "a"`, linux311, true},
		{`"a" < "b"`, linux311, true},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.marker)
		if err != nil {
			t.Errorf("ParseMarker(%q): %v", tt.marker, err)
			continue
		}
		got, err := m.Evaluate(tt.env)
		if err != nil || got != tt.want {
			t.Errorf("%q.Evaluate = %v, %v; want %v", tt.marker, got, err, tt.want)
		}
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct {
		marker string
		env    Environment
		want   error
	}{
		{`os_name == "posix"`, Environment{}, ErrUndefinedVariable},
		{`python_version < "3" or os_name == "posix"`, Environment{"python_version": "2.7"}, ErrUndefinedVariable},
		{`os_name ~= "posix"`, linux311, ErrUndefinedComparison},
		{`platform_release ~= "6.1"`, linux311, ErrUndefinedComparison},
		{`python_version ~= "3"`, linux311, ErrUndefinedComparison},
		{`extra ~= "a"`, linux311, ErrUndefinedComparison},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.marker)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := m.Evaluate(tt.env); !errors.Is(err, tt.want) {
			t.Errorf("%q.Evaluate = %v, %v; want %v", tt.marker, got, err, tt.want)
		}
	}
}

func TestEvaluateExtras(t *testing.T) {
	tests := []struct {
		marker string
		extras []string
		want   bool
	}{
		{`extra == "test"`, nil, false},
		{`extra == "test"`, []string{"doc", "Test"}, true},
		{`extra == "test"`, []string{"doc"}, false},
		{`extra != "test"`, []string{"test"}, true}, // holds with no extra
		{`python_version >= "3"`, nil, true},
		{`extra == "socks" and python_version < "3"`, []string{"socks"}, false},
		{`extra == "doc-s" or extra == "b"`, []string{"a", "DOC_S"}, true},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.marker)
		if err != nil {
			t.Fatal(err)
		}
		env := with(linux311, "extra", "ignored")
		got, err := m.EvaluateExtras(env, tt.extras)
		if err != nil || got != tt.want {
			t.Errorf("%q.EvaluateExtras(%q) = %v, %v; want %v", tt.marker, tt.extras, got, err, tt.want)
		}
		if env["extra"] != "ignored" {
			t.Errorf("EvaluateExtras modified the environment")
		}
	}
	if _, err := (&Marker{}).EvaluateExtras(nil, nil); err != nil {
		t.Errorf("empty marker: %v", err)
	}
}
