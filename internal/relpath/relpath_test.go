package relpath

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"pkg/mod.py", true},
		{"pkg/.hidden", true},
		{"a..b/c", true},
		{"", false},
		{"/etc/passwd", false},
		{"../x", false},
		{"a/../../x", false},
		{"a/./b", false},
		{"a//b", false},
		{"a/", false},
		{`a\b`, false},
		{"C:/x", false},
		{"c:x", false},
		{"a\x00b", false},
		{"a\nb", false},
	} {
		err := Check(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsafe) {
			t.Errorf("Check(%q) error %v does not wrap ErrUnsafe", tc.name, err)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"a/b", "../a", "/a", "a\\b", "C:/a", "a/./b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Check(s) != nil {
			return
		}
		// A safe path never starts a component with ".." and never is absolute.
		if s[0] == '/' || s == ".." || len(s) >= 3 && (s[:3] == "../" || s[len(s)-3:] == "/..") {
			t.Fatalf("Check(%q) accepted an escaping path", s)
		}
	})
}
