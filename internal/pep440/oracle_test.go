package pep440

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/oracletest"
)

// versionGen makes version strings in every spelling the specification
// allows, from a small value space so that equal and neighbouring versions
// are frequent, and optionally mangles them.
type versionGen struct{ r *rand.Rand }

func (g versionGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }
func (g versionGen) chance(p float64) bool    { return g.r.Float64() < p }
func (g versionGen) sep() string              { return g.pick("", "", ".", "-", "_") }
func (g versionGen) num() string              { return g.pick("0", "1", "1", "2", "2", "3", "10", "01", "000") }

// spell randomizes the letter case of s.
func (g versionGen) spell(s string) string {
	if !g.chance(0.2) {
		return s
	}
	b := []byte(s)
	for i := range b {
		if g.chance(0.5) {
			b[i] = bytes.ToUpper(b[i : i+1])[0]
		}
	}
	return string(b)
}

type genOpts struct {
	noEpoch, noLocal, noSuffix bool
	minRelease                 int
}

func (g versionGen) version(o genOpts) string {
	var b strings.Builder
	if g.chance(0.05) {
		b.WriteString(g.pick(" ", "\t", "\n ", "  "))
	}
	if g.chance(0.1) {
		b.WriteString(g.pick("v", "V"))
	}
	if !o.noEpoch && g.chance(0.1) {
		b.WriteString(g.pick("0", "1", "2", "00") + "!")
	}
	n := 1 + g.r.Intn(3)
	if n < o.minRelease {
		n = o.minRelease
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(g.num())
	}
	if !o.noSuffix {
		if g.chance(0.3) {
			b.WriteString(g.sep() + g.spell(g.pick("a", "b", "c", "rc", "alpha", "beta", "pre", "preview")))
			if g.chance(0.8) {
				b.WriteString(g.sep() + g.num())
			}
		}
		if g.chance(0.25) {
			if g.chance(0.3) {
				b.WriteString("-" + g.num())
			} else {
				b.WriteString(g.sep() + g.spell(g.pick("post", "rev", "r")))
				if g.chance(0.8) {
					b.WriteString(g.sep() + g.num())
				}
			}
		}
		if g.chance(0.2) {
			b.WriteString(g.sep() + g.spell("dev"))
			if g.chance(0.8) {
				b.WriteString(g.sep() + g.num())
			}
		}
	}
	if !o.noLocal && g.chance(0.15) {
		b.WriteByte('+')
		for i, n := 0, 1+g.r.Intn(3); i < n; i++ {
			if i > 0 {
				b.WriteString(g.pick(".", "-", "_"))
			}
			b.WriteString(g.spell(g.pick("ubuntu", "1", "a", "b", "00", "x2", "2")))
		}
	}
	if g.chance(0.05) {
		b.WriteString(g.pick(" ", "\t", "\r\n"))
	}
	return b.String()
}

// mangle inserts, deletes or duplicates a character, which sometimes
// leaves a valid version and usually does not.
func (g versionGen) mangle(s string) string {
	if s == "" {
		return g.pick("+", "!", ".")
	}
	i := g.r.Intn(len(s))
	switch g.r.Intn(4) {
	case 0:
		return s[:i] + g.pick("-", "_", ".", "+", "!", "*", "v", " ", "#", "a", "1", "post", "dev", ",", "é") + s[i:]
	case 1:
		return s[:i] + s[i+1:]
	case 2:
		return s[:i] + s[i:i+1] + s[i:]
	}
	return s + g.pick(".", "-", "+", "a1", ".*", "x", "!1")
}

// clause makes one specifier clause, valid or not.
func (g versionGen) clause() string {
	op := g.pick("~=", "==", "!=", "<=", ">=", "<", ">", "===", "==", ">=", "<")
	if g.chance(0.02) {
		op = g.pick("=", "=>", "~", "<>", "")
	}
	ws := func() string {
		if g.chance(0.2) {
			return g.pick(" ", "  ", "\t")
		}
		return ""
	}
	var v string
	switch {
	case op == "===":
		v = strings.TrimSpace(g.version(genOpts{}))
		if g.chance(0.3) {
			v = g.pick("foobar", "1.0", "1.0.0", "", "1.0+LOCAL")
		}
	case (op == "==" || op == "!=") && g.chance(0.3):
		// packaging 23.0 cannot prefix-match under a non-zero epoch
		// (TestSpecifierSetContains covers it), so none here.
		v = strings.TrimSpace(g.version(genOpts{noEpoch: true, noLocal: true, noSuffix: !g.chance(0.05)})) + ".*"
	case op == "~=":
		v = g.version(genOpts{noLocal: !g.chance(0.05), minRelease: 1 + g.r.Intn(2)})
	default:
		v = g.version(genOpts{noLocal: op != "==" && op != "!=" && !g.chance(0.05)})
	}
	c := ws() + op + ws() + strings.TrimSpace(v) + ws()
	if g.chance(0.03) {
		c = g.mangle(c)
	}
	return c
}

func (g versionGen) specSet() string {
	n := g.r.Intn(4)
	if g.chance(0.05) {
		n = 0
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.clause()
	}
	if g.chance(0.03) {
		parts = append(parts, g.pick("", " "))
	}
	return strings.Join(parts, ",")
}

type oracleVersion struct {
	Str     string   `json:"str"`
	Pre     bool     `json:"pre"`
	Dev     bool     `json:"dev"`
	Post    bool     `json:"post"`
	Public  string   `json:"public"`
	Base    string   `json:"base"`
	Release []string `json:"release"`
	Epoch   string   `json:"epoch"`
	Local   string   `json:"local"`
}

func TestOracle(t *testing.T) {
	g := versionGen{rand.New(rand.NewSource(440))}

	// Versions: spellings of valid versions, and mangled ones.
	var versions []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			versions = append(versions, s)
		}
	}
	for len(versions) < 2000 {
		s := g.version(genOpts{})
		if g.chance(0.3) {
			s = g.mangle(s)
		}
		add(s)
	}

	// Specifier sets, valid and not.
	var specs []string
	for len(specs) < 1000 {
		specs = append(specs, g.specSet())
	}
	// Clauses equal but for trailing zeros (packaging counts them once).
	specs = append(specs, ">1.0.0,>1.0", "==1.0,==1.0.0,==1", "!=2.0.0,<3,!=2", "~=1.0,~=1.0.0", "==1.0.0+local,==1.0+local", "==1.0.*,==1.0.0.*")

	// Pairs for ordering among the valid versions, and candidates for
	// containment: every valid spec set against 30 valid versions.
	var valid []int
	for i, s := range versions {
		if _, err := Parse(s); err == nil {
			valid = append(valid, i)
		}
	}
	if len(valid) < 1000 {
		t.Fatalf("generator made only %d valid versions", len(valid))
	}
	var pairs [][2]int
	for k := 0; k < 10000; k++ {
		pairs = append(pairs, [2]int{valid[g.r.Intn(len(valid))], valid[g.r.Intn(len(valid))]})
	}
	type containsReq struct {
		spec    int
		version string
	}
	var contains []containsReq
	for i, s := range specs {
		set, err := ParseSpecifierSet(s)
		if err != nil {
			continue
		}
		for k := 0; k < 15; {
			v := versions[valid[g.r.Intn(len(valid))]]
			if MustParse(v).Epoch() != 0 && hasPrefixClause(set) {
				// packaging 23.0 prefix-matches the release of a
				// version with a non-zero epoch as if the epoch
				// were part of its first component: it finds
				// 2!0.5 in ==0.*. TestSpecifierSetContains
				// covers epochs with ".*" and "~=".
				continue
			}
			contains = append(contains, containsReq{i, v})
			k++
		}
	}

	req := map[string]any{"versions": versions, "pairs": pairs, "specs": specs}
	creq := make([][2]any, len(contains))
	for i, c := range contains {
		creq[i] = [2]any{c.spec, c.version}
	}
	req["contains"] = creq
	var resp struct {
		Packaging string           `json:"packaging"`
		Versions  []*oracleVersion `json:"versions"`
		Pairs     []int            `json:"pairs"`
		Specs     []*string        `json:"specs"`
		Contains  []*[2]bool       `json:"contains"`
	}
	oracletest.Run(t, "testdata/oracle.py", req, &resp)
	t.Logf("packaging %s: %d versions, %d pairs, %d specifier sets, %d containment checks",
		resp.Packaging, len(versions), len(pairs), len(specs), len(contains))
	if len(resp.Versions) != len(versions) || len(resp.Pairs) != len(pairs) || len(resp.Specs) != len(specs) || len(resp.Contains) != len(contains) {
		t.Fatalf("oracle answered %d/%d/%d/%d items", len(resp.Versions), len(resp.Pairs), len(resp.Specs), len(resp.Contains))
	}

	failures := 0
	fail := func(format string, args ...any) {
		failures++
		if failures <= 40 {
			t.Errorf(format, args...)
		}
	}
	validCount := 0
	for i, s := range versions {
		v, err := Parse(s)
		want := resp.Versions[i]
		switch {
		case want == nil && err == nil:
			fail("Parse(%q) = %s, packaging rejects it", s, v)
			continue
		case want != nil && err != nil:
			fail("Parse(%q): %v; packaging gives %s", s, err, want.Str)
			continue
		case want == nil:
			continue
		}
		validCount++
		got := oracleVersion{
			Str: v.String(), Pre: v.IsPrerelease(), Dev: v.IsDevrelease(), Post: v.IsPostrelease(),
			Public: v.Public().String(), Base: v.BaseVersion().String(), Epoch: fmt.Sprint(v.Epoch()), Local: v.Local(),
		}
		for _, r := range v.Release() {
			got.Release = append(got.Release, fmt.Sprint(r))
		}
		if gs, ws := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", *want); gs != ws {
			fail("Parse(%q):\n got %s\nwant %s", s, gs, ws)
		}
	}
	for k, p := range pairs {
		a, b := MustParse(versions[p[0]]), MustParse(versions[p[1]])
		if got := a.Compare(b); got != resp.Pairs[k] {
			fail("Compare(%q, %q) = %d, packaging says %d", versions[p[0]], versions[p[1]], got, resp.Pairs[k])
		}
	}
	validSpecs := 0
	for i, s := range specs {
		set, err := ParseSpecifierSet(s)
		want := resp.Specs[i]
		switch {
		case want == nil && err == nil:
			fail("ParseSpecifierSet(%q) = %q, packaging rejects it", s, set)
		case want != nil && err != nil:
			fail("ParseSpecifierSet(%q): %v; packaging gives %q", s, err, *want)
		case want != nil && set.String() != *want:
			validSpecs++
			fail("ParseSpecifierSet(%q).String() = %q, want %q", s, set, *want)
		case want != nil:
			validSpecs++
		}
	}
	undecided := 0
	sets := map[int]SpecifierSet{}
	for k, c := range contains {
		set, ok := sets[c.spec]
		if !ok {
			set = MustParseSpecifierSet(specs[c.spec])
			sets[c.spec] = set
		}
		v := MustParse(c.version)
		want := resp.Contains[k]
		if want == nil {
			// Only "===" clauses whose operand is no version make
			// packaging fail; our answer there is checked by table tests.
			if !hasNonVersionArbitrary(set) {
				fail("packaging failed on %q contains %q", specs[c.spec], c.version)
			}
			undecided++
			continue
		}
		if got := set.Contains(v); got != want[0] {
			fail("%q.Contains(%q) = %v, packaging says %v", specs[c.spec], c.version, got, want[0])
		}
		if got := set.ContainsPrerelease(v, true); got != want[1] {
			fail("%q.ContainsPrerelease(%q, true) = %v, packaging says %v", specs[c.spec], c.version, got, want[1])
		}
	}
	t.Logf("%d valid versions, %d valid specifier sets, %d containment checks packaging could not answer", validCount, validSpecs, undecided)
	if validSpecs < 500 || validCount < 1000 {
		t.Errorf("too few valid inputs to be a meaningful comparison: %d specifier sets, %d versions", validSpecs, validCount)
	}
	if failures > 40 {
		t.Errorf("... %d failures in all", failures)
	}
}

// hasPrefixClause reports whether set has a clause that matches a prefix
// of the release segment: "==V.*", "!=V.*" or "~=V".
func hasPrefixClause(set SpecifierSet) bool {
	for _, s := range set.Specifiers() {
		if s.Operator() == Compatible || strings.HasSuffix(s.Version(), ".*") {
			return true
		}
	}
	return false
}

func hasNonVersionArbitrary(set SpecifierSet) bool {
	for _, s := range set.Specifiers() {
		if s.Operator() == ArbitraryEqual {
			if _, err := Parse(s.Version()); err != nil {
				return true
			}
		}
	}
	return false
}
