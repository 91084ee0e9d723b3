package layout

import (
	"encoding/json"
	"os/exec"
	"testing"
	"unicode"

	"github.com/rules-pex/rules_pex/internal/oracletest"
)

// identifierOracle prints, as JSON, the ranges of code points that Python
// accepts as the first character of an identifier and as a later one.
const identifierOracle = `
import json, sys
def ranges(ok):
    out, start = [], None
    for r in range(sys.maxunicode + 2):
        yes = r <= sys.maxunicode and not 0xD800 <= r < 0xE000 and ok(chr(r))
        if yes and start is None:
            start = r
        elif not yes and start is not None:
            out.append([start, r - 1])
            start = None
    return out
import unicodedata
print(json.dumps({"unicode": unicodedata.unidata_version,
                  "start": ranges(str.isidentifier),
                  "continue": ranges(lambda c: ("a" + c).isidentifier()),
                  "assigned": ranges(lambda c: unicodedata.category(c) != "Cn")}))
`

// TestIdentifiersAgainstPython checks the approximation of XID_Start and
// XID_Continue documented at IsIdentifier against the interpreter's own
// str.isidentifier: no character Python accepts is refused, and the
// characters accepted beyond Python's are few (NFKC exclusions; Go's Unicode
// tables may also be newer than the interpreter's: characters the
// interpreter's version leaves unassigned do not count).
func TestIdentifiersAgainstPython(t *testing.T) {
	out, err := exec.Command(oracletest.Python(t), "-I", "-c", identifierOracle).Output()
	if err != nil {
		t.Fatalf("running the identifier oracle: %v", err)
	}
	var got struct {
		Unicode  string    `json:"unicode"`
		Start    [][2]rune `json:"start"`
		Continue [][2]rune `json:"continue"`
		Assigned [][2]rune `json:"assigned"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	assigned := map[rune]bool{}
	for _, rg := range got.Assigned {
		for r := rg[0]; r <= rg[1]; r++ {
			assigned[r] = true
		}
	}
	for _, tc := range []struct {
		name   string
		ranges [][2]rune
		ours   func(rune) bool
	}{
		{"start", got.Start, idStart},
		{"continue", got.Continue, idContinue},
	} {
		python := map[rune]bool{}
		for _, rg := range tc.ranges {
			for r := rg[0]; r <= rg[1]; r++ {
				python[r] = true
				if !tc.ours(r) {
					t.Errorf("%s: Python %s accepts %U (%q), IsIdentifier refuses it", tc.name, got.Unicode, r, r)
				}
			}
		}
		extra := 0
		for r := rune(0); r <= unicode.MaxRune; r++ {
			if tc.ours(r) && !python[r] && assigned[r] {
				extra++
			}
		}
		t.Logf("%s: %d assigned characters accepted beyond Python %s", tc.name, extra, got.Unicode)
		if extra > 40 {
			t.Errorf("%s: IsIdentifier accepts %d characters Python %s refuses; the documented approximation allows a few dozen", tc.name, extra, got.Unicode)
		}
	}
}
