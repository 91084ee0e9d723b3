package layout

import (
	"strconv"
	"testing"
)

func TestParseInheritPath(t *testing.T) {
	for _, v := range InheritPaths {
		got, err := ParseInheritPath(v.String())
		if err != nil || got != v {
			t.Errorf("ParseInheritPath(%q) = %q, %v", v, got, err)
		}
	}
	// The manifest and the packer take the exact spellings only.
	for _, s := range []string{"", "yes", "true", "1", "0", "False", " prefer"} {
		_, err := ParseInheritPath(s)
		if want := strconv.Quote(s) + ": want false, prefer or fallback"; err == nil || err.Error() != want {
			t.Errorf("ParseInheritPath(%q) error = %v, want %q", s, err, want)
		}
	}
	if DefaultInheritPath != InheritFalse {
		t.Errorf("DefaultInheritPath = %q, want false", DefaultInheritPath)
	}
}

// TestParseInheritPathEnv pins the spellings PEX_INHERIT_PATH accepts:
// any case, surrounding spaces, and PEX's true/1/0.
func TestParseInheritPathEnv(t *testing.T) {
	for in, want := range map[string]InheritPath{
		"": "", "  ": "",
		"false": InheritFalse, "0": InheritFalse, " FALSE ": InheritFalse,
		"prefer": InheritPrefer, "true": InheritPrefer, "1": InheritPrefer, "True": InheritPrefer,
		"fallback": InheritFallback, "\tFallback\n": InheritFallback,
	} {
		got, err := ParseInheritPathEnv(in)
		if err != nil || got != want {
			t.Errorf("ParseInheritPathEnv(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"yes":       `"yes": want false, prefer or fallback`,
		" Maybe ":   `"maybe": want false, prefer or fallback`,
		"2":         `"2": want false, prefer or fallback`,
		"on":        `"on": want false, prefer or fallback`,
		"fallback1": `"fallback1": want false, prefer or fallback`,
	} {
		if _, err := ParseInheritPathEnv(in); err == nil || err.Error() != want {
			t.Errorf("ParseInheritPathEnv(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestParseInterpreterSelection(t *testing.T) {
	for _, v := range InterpreterSelections {
		got, err := ParseInterpreterSelection(v.String())
		if err != nil || got != v {
			t.Errorf("ParseInterpreterSelection(%q) = %q, %v", v, got, err)
		}
	}
	for _, s := range []string{"", "random", "Newest", "newest "} {
		_, err := ParseInterpreterSelection(s)
		if want := strconv.Quote(s) + ": want newest or oldest"; err == nil || err.Error() != want {
			t.Errorf("ParseInterpreterSelection(%q) error = %v, want %q", s, err, want)
		}
	}
	if DefaultInterpreterSelection != SelectNewest {
		t.Errorf("DefaultInterpreterSelection = %q, want newest", DefaultInterpreterSelection)
	}
}

// TestValidateValueErrors pins the manifest's messages for the two values.
func TestValidateValueErrors(t *testing.T) {
	m := sampleManifest()
	m.InheritPath = "yes"
	if err := m.Validate(); err == nil || err.Error() != `inherit_path "yes": want false, prefer or fallback` {
		t.Errorf("Validate = %v", err)
	}
	m = sampleManifest()
	m.InterpreterSelection = "random"
	if err := m.Validate(); err == nil || err.Error() != `interpreter_selection "random": want newest or oldest` {
		t.Errorf("Validate = %v", err)
	}
}
