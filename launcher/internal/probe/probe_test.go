package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rules-pex/rules_pex/internal/tags"
)

// validOutput is a minimal well-formed probe result.
func validOutput() map[string]any {
	markers := map[string]any{}
	for _, k := range MarkerKeys {
		markers[k] = "x"
	}
	return map[string]any{
		"schema":              SchemaVersion,
		"implementation_name": "cpython",
		"version_info":        map[string]any{"major": 3, "minor": 11, "micro": 0, "releaselevel": "final", "serial": 0},
		"marker_environment":  markers,
	}
}

func encode(t *testing.T, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParse(t *testing.T) {
	if _, err := Parse(append(encode(t, validOutput()), "\n\n"...)); err != nil {
		t.Fatalf("valid output: %v", err)
	}
	for _, tc := range []struct {
		name string
		out  func() []byte
	}{
		{"empty", func() []byte { return nil }},
		{"not JSON", func() []byte { return []byte("Python 2.7.18\n") }},
		{"a JSON list", func() []byte { return []byte("[1, 2]") }},
		{"two objects", func() []byte { return append(encode(t, validOutput()), encode(t, validOutput())...) }},
		{"trailing garbage", func() []byte { return append(encode(t, validOutput()), "hello"...) }},
		{"other schema", func() []byte {
			m := validOutput()
			m["schema"] = SchemaVersion + 1
			return encode(t, m)
		}},
		{"no implementation", func() []byte {
			m := validOutput()
			delete(m, "implementation_name")
			return encode(t, m)
		}},
		{"no version", func() []byte {
			m := validOutput()
			delete(m, "version_info")
			return encode(t, m)
		}},
		{"a marker missing", func() []byte {
			m := validOutput()
			delete(m["marker_environment"].(map[string]any), "python_version")
			return encode(t, m)
		}},
		{"wrong type", func() []byte {
			m := validOutput()
			m["is_32bit"] = "no"
			return encode(t, m)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Parse(tc.out())
			if err == nil || !errors.Is(err, ErrMalformedOutput) || info != nil {
				t.Errorf("Parse = %v, %v; want nil and an ErrMalformedOutput", info, err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	valid, _ := json.Marshal(validOutput())
	f.Add(valid)
	f.Add([]byte(`{"schema":1}`))
	f.Add([]byte(`{"schema":1,"implementation_name":"pypy","version_info":{"major":3,"minor":9},"elf":{"class":300}}`))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, out []byte) {
		info, err := Parse(out)
		if err != nil {
			if info != nil || !errors.Is(err, ErrMalformedOutput) {
				t.Fatalf("Parse error %v with info %v", err, info)
			}
			return
		}
		for _, k := range MarkerKeys {
			if _, ok := info.MarkerEnv()[k]; !ok {
				t.Fatalf("accepted output lacks marker %s", k)
			}
		}
		// Whatever was accepted converts to tags without panicking.
		in := info.Tags()
		in.Minor %= 20
		tags.Supported(in)
	})
}

func TestParseGlibcVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want tags.Version
		ok   bool
	}{
		{"2.36", tags.Version{Major: 2, Minor: 36}, true},
		{"2.17", tags.Version{Major: 2, Minor: 17}, true},
		{"2.20-2014.11", tags.Version{Major: 2, Minor: 20}, true},
		{"2.5.1", tags.Version{Major: 2, Minor: 5}, true},
		{"3.0", tags.Version{Major: 3}, true},
		{"2", tags.Version{}, false},
		{"2.", tags.Version{}, false},
		{".2", tags.Version{}, false},
		{"glibc 2.36", tags.Version{}, false},
		{" 2.36", tags.Version{}, false},
		{"99999999999999999999.1", tags.Version{}, false},
		{"", tags.Version{}, false},
	} {
		got, ok := ParseGlibcVersion(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseGlibcVersion(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseMuslVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want tags.Version
		ok   bool
	}{
		{"musl libc (x86_64)\nVersion 1.2.2\nDynamic Program Loader\nUsage: ...\n", tags.Version{Major: 1, Minor: 2}, true},
		{"\n\n  musl libc (aarch64)\r\n\n\tVersion 1.1.24  \n", tags.Version{Major: 1, Minor: 1}, true},
		{"musl libc\nVersion 1.2\n", tags.Version{Major: 1, Minor: 2}, true},
		{"musl libc\nversion 1.2.3\n", tags.Version{}, false},
		{"glibc\nVersion 1.2.3\n", tags.Version{}, false},
		{"musl libc (x86_64)\n", tags.Version{}, false},
		{"musl libc\nDynamic Program Loader\nVersion 1.2.3\n", tags.Version{}, false},
		{"", tags.Version{}, false},
	} {
		got, ok := ParseMuslVersion(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseMuslVersion(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseMacOSVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want tags.Version
		ok   bool
	}{
		{"14.2.1", tags.Version{Major: 14, Minor: 2}, true},
		{"10.15.7", tags.Version{Major: 10, Minor: 15}, true},
		{"11.0", tags.Version{Major: 11}, true},
		{"26", tags.Version{Major: 26}, true},
		{"", tags.Version{}, false},
		{"x.1", tags.Version{}, false},
		{"10.x", tags.Version{}, false},
		{"-1.0", tags.Version{}, false},
	} {
		got, ok := ParseMacOSVersion(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseMacOSVersion(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// checkVersion is the invariant of the version parsers: no panic, and an
// accepted version is non-negative and reads back the same when printed.
func checkVersion(t *testing.T, parse func(string) (tags.Version, bool), v tags.Version, ok bool, reprint string) {
	if !ok {
		if v != (tags.Version{}) {
			t.Fatalf("rejected input returned %v", v)
		}
		return
	}
	if v.Major < 0 || v.Minor < 0 {
		t.Fatalf("negative version %v", v)
	}
	if again, ok := parse(reprint); !ok || again != v {
		t.Fatalf("%v printed as %q reads back as %v, %v", v, reprint, again, ok)
	}
}

func FuzzParseGlibcVersion(f *testing.F) {
	for _, s := range []string{"2.36", "2.20-2014.11", "2", "", "3.0.1", "18446744073709551616.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseGlibcVersion(s)
		checkVersion(t, ParseGlibcVersion, v, ok, fmt.Sprintf("%d.%d", v.Major, v.Minor))
	})
}

func FuzzParseMuslVersion(f *testing.F) {
	for _, s := range []string{"musl libc (x86_64)\nVersion 1.2.2\n", "musl\n\nVersion 1.1\n", "musl\nVersion x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseMuslVersion(s)
		checkVersion(t, ParseMuslVersion, v, ok, fmt.Sprintf("musl libc\nVersion %d.%d\n", v.Major, v.Minor))
	})
}

func FuzzParseMacOSVersion(f *testing.F) {
	for _, s := range []string{"14.2.1", "10.16", "11", "", "1.2.3.4", " 12 . 3 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseMacOSVersion(s)
		checkVersion(t, ParseMacOSVersion, v, ok, fmt.Sprintf("%d.%d", v.Major, v.Minor))
	})
}

// fakePython writes an executable shell script standing in for a python.
func fakePython(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "python3.99")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		python  string
		timeout time.Duration
		is      error  // errors.Is must hold
		says    string // the message must contain this
	}{
		{"missing", filepath.Join(t.TempDir(), "python9"), 0, os.ErrNotExist, "no such file"},
		{"not on PATH", "no-such-python-rules-pex", 0, exec.ErrNotFound, "not found"},
		{"garbage", fakePython(t, `echo "Hello, world"`), 0, ErrMalformedOutput, `"Hello, world\n"`},
		{"no output", fakePython(t, `exit 0`), 0, ErrMalformedOutput, "EOF"},
		{"crash", fakePython(t, `echo 'Traceback (most recent call last):' >&2; echo 'SystemError: boom' >&2; exit 1`),
			0, nil, "exit status 1: stderr: Traceback (most recent call last):\nSystemError: boom"},
		{"python 2", fakePython(t, `echo 'Unknown option: -I' >&2; exit 2`), 0, nil, "Unknown option: -I"},
		{"hangs", fakePython(t, `exec sleep 30`), 300 * time.Millisecond, context.DeadlineExceeded, "no answer in time"},
		{"endless output", fakePython(t, `exec yes`), 0, ErrMalformedOutput, "more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			start := time.Now()
			info, err := Run(ctx, tc.python)
			if err == nil {
				t.Fatalf("Run(%s) = %+v, want an error", tc.python, info)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("Run took %v", elapsed)
			}
			var perr *Error
			if !errors.As(err, &perr) || perr.Python != tc.python {
				t.Errorf("error %v is not an *Error naming %s", err, tc.python)
			}
			if !strings.Contains(err.Error(), tc.python) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not name %s and say %q", err, tc.python, tc.says)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
		})
	}
}

// TestRunWithABackgroundChild: an interpreter (here a wrapper script) that
// answers and exits while a process it started keeps its output open is
// judged by its answer, a second after it exits, not rejected.
func TestRunWithABackgroundChild(t *testing.T) {
	python := lookPython(t, "/usr/bin/python3.11", "install Debian's python3.11")
	wrapper := fakePython(t, "(sleep 5) &\nexec "+python+` "$@"`)
	start := time.Now()
	info, err := Run(context.Background(), wrapper)
	if err != nil || info.Version == "" {
		t.Fatalf("Run(%s) = %+v, %v; want python3.11's answer", wrapper, info, err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Run took %v", elapsed)
	}
}

func TestTailBuffer(t *testing.T) {
	b := tailBuffer{max: 5}
	for _, s := range []string{"ab", "cd", "efg", "", "hijklmnop", "q"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if b.String() != "mnopq" {
		t.Errorf("tail %q, want %q", b.String(), "mnopq")
	}
}
