package pack

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestNearest(t *testing.T) {
	for _, c := range []struct {
		name       string
		candidates []string
		want       []string
	}{
		{"mian", []string{"main", "cli", "man"}, []string{"main", "man"}},
		{"tol", []string{"tool", "tools", "x"}, []string{"tool"}},
		{"Requests", []string{"requests"}, []string{"requests"}},
		{"abc", []string{"xyz", "abc"}, []string{}},
		{"greter", []string{"greeter", "greet"}, []string{"greeter", "greet"}},
	} {
		if got := nearest(c.name, c.candidates); !slices.Equal(got, c.want) {
			t.Errorf("nearest(%q, %q) = %q, want %q", c.name, c.candidates, got, c.want)
		}
	}
	if got := byNearest("tool", []string{"zzz", "tool2", "tool2", "aaaa"}); !slices.Equal(got, []string{"tool2", "aaaa", "zzz"}) {
		t.Errorf("byNearest = %q", got)
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "abc", 3}, {"main", "mian", 1}, {"kitten", "sitting", 3}, {"ab", "ab", 0}} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

// TestStdlibModules compares stdlibModules with the sys.stdlib_module_names
// of the CPython 3.11 on this machine (the list's basis), plus the modules
// 3.9 and 3.10 had.
func TestStdlibModules(t *testing.T) {
	out, err := exec.Command("python3.11", "-I", "-c", "import sys; print('\\n'.join(sorted(sys.stdlib_module_names)))").Output()
	if err != nil {
		t.Fatalf("python3.11 (the basis of stdlibModules) did not run: %v", err)
	}
	want := append(strings.Fields(string(out)), stdlibRemoved...)
	got := slices.Clone(stdlibNames)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("stdlibNames differ from python3.11's sys.stdlib_module_names plus %q:\ngot  %q\nwant %q", stdlibRemoved, got, want)
	}
}
