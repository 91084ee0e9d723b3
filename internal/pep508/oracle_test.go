package pep508

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/oracletest"
	"github.com/rules-pex/rules_pex/internal/pep440"
)

// oracleEnvs are complete environments of real interpreters.
var oracleEnvs = []Environment{
	{ // Debian bookworm, CPython 3.11
		"python_version": "3.11", "python_full_version": "3.11.2", "os_name": "posix",
		"sys_platform": "linux", "platform_release": "6.1.0-18-amd64", "platform_system": "Linux",
		"platform_version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
		"platform_machine": "x86_64", "platform_python_implementation": "CPython",
		"implementation_name": "cpython", "implementation_version": "3.11.2", "extra": "",
	},
	{ // macOS on Apple silicon, CPython 3.9, installing an extra
		"python_version": "3.9", "python_full_version": "3.9.6", "os_name": "posix",
		"sys_platform": "darwin", "platform_release": "23.1.0", "platform_system": "Darwin",
		"platform_version": "Darwin Kernel Version 23.1.0: Mon Oct  9 21:27:24 PDT 2023; root:xnu-10002.41.9~6/RELEASE_ARM64_T6000",
		"platform_machine": "arm64", "platform_python_implementation": "CPython",
		"implementation_name": "cpython", "implementation_version": "3.9.6", "extra": "test",
	},
	{ // Windows, CPython 3.8
		"python_version": "3.8", "python_full_version": "3.8.10", "os_name": "nt",
		"sys_platform": "win32", "platform_release": "10", "platform_system": "Windows",
		"platform_version": "10.0.19041", "platform_machine": "AMD64",
		"platform_python_implementation": "CPython", "implementation_name": "cpython",
		"implementation_version": "3.8.10", "extra": "Security",
	},
	{ // A CPython release candidate on Linux arm64
		"python_version": "3.13", "python_full_version": "3.13.0rc1", "os_name": "posix",
		"sys_platform": "linux", "platform_release": "5.15.0", "platform_system": "Linux",
		"platform_version": "#1 SMP", "platform_machine": "aarch64",
		"platform_python_implementation": "CPython", "implementation_name": "cpython",
		"implementation_version": "3.13.0rc1", "extra": "doc_s",
	},
	{ // PyPy
		"python_version": "3.9", "python_full_version": "3.9.18", "os_name": "posix",
		"sys_platform": "linux", "platform_release": "6.1.0", "platform_system": "Linux",
		"platform_version": "#1 SMP PREEMPT_DYNAMIC", "platform_machine": "x86_64",
		"platform_python_implementation": "PyPy", "implementation_name": "pypy",
		"implementation_version": "7.3.13", "extra": "",
	},
}

type markerGen struct{ r *rand.Rand }

func (g markerGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }
func (g markerGen) chance(p float64) bool    { return g.r.Float64() < p }
func (g markerGen) ws() string {
	if g.chance(0.3) {
		return g.pick("", "", " ", "  ", "\t")
	}
	return " "
}

// literals are the values compared with each variable: real values of
// the environments above, and near misses.
var literals = map[string][]string{
	"python_version":                 {"2.7", "3", "3.8", "3.9", "3.10", "3.11", "3.13", "3.*", "3.1*", "3.11.0", "v3.9", " 3.9 ", "3.9.*", "4"},
	"python_full_version":            {"3.9.6", "3.11.2", "3.11", "3.13.0", "3.13.0rc1", "3.13.0a1", "3.8.*", "3.11.2+local", "3.9.18.post1", "3"},
	"implementation_version":         {"3.9.6", "7.3", "7.3.13", "3.13.0rc1", "3.11.*", "8"},
	"platform_release":               {"6.1.0-18-amd64", "5.15.0", "23.1.0", "10", "6", "6.1", "5.*"},
	"os_name":                        {"posix", "nt", "java", "pos", ""},
	"sys_platform":                   {"linux", "darwin", "win32", "cygwin", "lin", "linux2", "win"},
	"platform_system":                {"Linux", "Darwin", "Windows", "linux", "Java"},
	"platform_version":               {"#1 SMP", "Darwin Kernel", "SMP", "PREEMPT_DYNAMIC"},
	"platform_machine":               {"x86_64", "aarch64", "arm64", "AMD64", "x86", "i686", "ppc64le"},
	"platform_python_implementation": {"CPython", "PyPy", "Jython", "cpython"},
	"implementation_name":            {"cpython", "pypy", "ironpython", "py"},
	"extra":                          {"test", "Test", "doc-s", "doc_s", "DOC.S", "security", "", "tests"},
}

var spellings = map[string][]string{
	"os_name":                        {"os.name"},
	"sys_platform":                   {"sys.platform"},
	"platform_version":               {"platform.version"},
	"platform_machine":               {"platform.machine"},
	"platform_python_implementation": {"platform.python_implementation", "python_implementation"},
}

func (g markerGen) comparison() string {
	v := variables[g.r.Intn(len(variables))]
	name := v
	if alt := spellings[v]; alt != nil && g.chance(0.2) {
		name = alt[g.r.Intn(len(alt))]
	}
	var op string
	switch {
	case v == "extra":
		op = g.pick("==", "==", "!=", "in", "not in")
	case versionVariables[v]:
		op = g.pick("==", "!=", "<", "<=", ">", ">=", "~=", "in", "not in", "<", ">=")
	default:
		op = g.pick("==", "!=", "==", "!=", "in", "not in", "<", ">=")
	}
	lit := literals[v][g.r.Intn(len(literals[v]))]
	q := g.pick(`"`, `'`)
	quoted := q + lit + q
	if op == "in" || op == "not in" {
		op = " " + op + " "
	} else {
		op = g.ws() + op + g.ws()
	}
	if g.chance(0.2) {
		return quoted + op + name
	}
	return name + op + quoted
}

// marker makes a marker of up to depth levels of parentheses.
func (g markerGen) marker(depth int) string {
	s, _ := g.terms(depth)
	return s
}

// terms makes a marker and says how many terms its top level has.
func (g markerGen) terms(depth int) (string, int) {
	n := 1 + g.r.Intn(3)
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(" " + g.pick("and", "or") + " ")
		}
		switch {
		case depth > 0 && g.chance(0.3):
			// A parenthesized group always has two or more terms:
			// packaging 23.0 prints "((a or b)) and c" as
			// "a or b and c", changing its meaning.
			inner, k := g.terms(depth - 1)
			for k < 2 {
				inner, k = g.terms(depth - 1)
			}
			b.WriteString("(" + g.ws() + inner + g.ws() + ")")
		case g.chance(0.05):
			b.WriteString("(" + g.comparison() + ")")
		default:
			b.WriteString(g.comparison())
		}
	}
	return b.String(), n
}

// mangle inserts, deletes or duplicates a character.
func (g markerGen) mangle(s string) string {
	if s == "" {
		return g.pick("(", "'", "==")
	}
	i := g.r.Intn(len(s))
	switch g.r.Intn(3) {
	case 0:
		return s[:i] + g.pick("(", ")", "'", `"`, "=", "<", " ", "x", "and", "not", "[", ",", ";", "@") + s[i:]
	case 1:
		return s[:i] + s[i+1:]
	}
	return s[:i] + s[i:i+1] + s[i:]
}

func (g markerGen) name() string {
	parts := []string{"requests", "Foo", "zope", "interface", "a", "x1", "PyYAML", "9lives"}
	n := 1 + g.r.Intn(3)
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			// No "_": packaging 23.0 accepts names ending in "_" (its
			// word-boundary rule), which the grammar excludes.
			b.WriteString(g.pick("-", ".", "--", ".-"))
		}
		b.WriteString(g.pick(parts...))
	}
	return b.String()
}

func (g markerGen) requirement() string {
	var b strings.Builder
	b.WriteString(g.pick("", "", " ", "\t") + g.name() + g.pick("", "", " "))
	if g.chance(0.3) {
		b.WriteString("[" + g.pick("", " "))
		for i, n := 0, g.r.Intn(3); i < n; i++ {
			if i > 0 {
				b.WriteString(g.pick(",", ", ", " ,"))
			}
			b.WriteString(g.pick("security", "tests", "Socks", "doc.s", "a-b", "security"))
		}
		b.WriteString(g.pick("", " ") + "]")
	}
	url := g.chance(0.15)
	if url {
		b.WriteString(g.pick("@", " @ ", "@ ", " @") + g.pick(
			"https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
			"git+https://github.com/x/y.git@v1.0#egg=y", "file:///tmp/x.whl", "file://localhost/x",
			"http://example.com/a;b", "foo", "http://", "file:/x", "https:///x", "HTTP://Example.com/x"))
	} else if g.chance(0.7) {
		clauses := []string{}
		for i, n := 0, 1+g.r.Intn(3); i < n; i++ {
			op := g.pick("==", ">=", "<", "!=", "~=", "<=", ">", "===")
			ver := g.pick("1.0", "2.8.1", "2.8.*", "1.0a1", "1", "1.0+local", "v1.0", "1.0.post1", "2!1.0", "1.0-dev")
			clauses = append(clauses, op+g.pick("", "", " ")+ver)
		}
		spec := strings.Join(clauses, g.pick(",", ", ", " ,"))
		if g.chance(0.2) {
			spec = "(" + spec + ")"
		}
		b.WriteString(g.pick("", " ") + spec)
	}
	if g.chance(0.5) {
		sep := g.pick(";", " ;", "; ", " ; ")
		if url {
			sep = " " + sep
		}
		b.WriteString(sep + g.marker(1))
	}
	b.WriteString(g.pick("", "", " "))
	s := b.String()
	if g.chance(0.15) {
		s = g.mangle(s)
	}
	return s
}

// sameMarker reports whether ours is theirs, the canonical form packaging
// prints, up to quotes: packaging prints a literal containing '"' between
// double quotes, which does not parse back; String uses single quotes.
func sameMarker(ours, theirs string) bool {
	return ours == theirs || strings.ReplaceAll(ours, "'", `"`) == theirs
}

// deviation names the documented way in which Evaluate differs from
// packaging 23.0 for m in env, or returns "".
func deviation(m *Marker, env Environment) string {
	var walk func(n node) string
	walk = func(n node) string {
		switch n := n.(type) {
		case *group:
			for _, item := range n.items {
				if d := walk(item); d != "" {
					return d
				}
			}
		case *compare:
			if n.op == "===" {
				return "=== (packaging never compares strings with it)"
			}
			if n.op == "in" || n.op == "not in" {
				return ""
			}
			lhs, _ := n.lhs.resolve(env)
			rhs, _ := n.rhs.resolve(env)
			_, specErr := pep440.ParseSpecifier(n.op + rhs)
			_, lhsErr := pep440.Parse(lhs)
			version := versionVariables[n.lhs.variable] || versionVariables[n.rhs.variable]
			if specErr == nil && lhsErr != nil && n.lhs.variable != "extra" && n.rhs.variable != "extra" {
				return "a version specifier applied to a non-version (packaging raises InvalidVersion)"
			}
			if specErr == nil && lhsErr == nil && !version {
				return "versions compared under a string variable (packaging compares them as versions)"
			}
		}
		return ""
	}
	return walk(m.root)
}

type oracleRequirement struct {
	Name      string   `json:"name"`
	Extras    []string `json:"extras"`
	Specifier string   `json:"specifier"`
	URL       string   `json:"url"`
	Marker    string   `json:"marker"`
}

func TestOracle(t *testing.T) {
	g := markerGen{rand.New(rand.NewSource(508))}

	names := []string{"", "-", "_a_", "..A..", "Foo.Bar__baz", "ZOPE.interface", "a-_-.b", "x1_2.3"}
	for len(names) < 500 {
		names = append(names, g.mangle(g.pick("Foo", "bar_baz", "A.B-C", "zope.interface", "_x_", "-y-", "PyYAML")))
	}

	var markers []string
	for len(markers) < 1500 {
		m := g.marker(2)
		if g.chance(0.15) {
			m = g.mangle(m)
		}
		markers = append(markers, m)
	}

	var reqs []string
	for len(reqs) < 1000 {
		reqs = append(reqs, g.requirement())
	}
	corpus := requiresDistCorpus(t)
	reqs = append(reqs, corpus...)

	var resp struct {
		Packaging string `json:"packaging"`
		Names     []string
		Markers   []*struct {
			Str  string `json:"str"`
			Eval []any  `json:"eval"`
		}
		Requirements []*oracleRequirement
	}
	oracletest.Run(t, "testdata/oracle.py", map[string]any{"names": names, "markers": markers, "envs": oracleEnvs, "requirements": reqs}, &resp)
	if len(resp.Names) != len(names) || len(resp.Markers) != len(markers) || len(resp.Requirements) != len(reqs) {
		t.Fatalf("oracle answered %d/%d/%d items", len(resp.Names), len(resp.Markers), len(resp.Requirements))
	}

	failures := 0
	fail := func(format string, args ...any) {
		failures++
		if failures <= 40 {
			t.Errorf(format, args...)
		}
	}

	for i, n := range names {
		if got := NormalizeName(n); got != resp.Names[i] {
			fail("NormalizeName(%q) = %q, packaging says %q", n, got, resp.Names[i])
		}
	}

	validMarkers, evals, deviations := 0, 0, 0
	for i, s := range markers {
		m, err := ParseMarker(s)
		want := resp.Markers[i]
		switch {
		case want == nil && err == nil:
			fail("ParseMarker(%q) = %q, packaging rejects it", s, m)
			continue
		case want != nil && err != nil:
			fail("ParseMarker(%q): %v; packaging gives %q", s, err, want.Str)
			continue
		case want == nil:
			continue
		}
		validMarkers++
		if !sameMarker(m.String(), want.Str) {
			fail("ParseMarker(%q).String() = %q, packaging says %q", s, m, want.Str)
		}
		for k, env := range oracleEnvs {
			got, err := m.Evaluate(env)
			if d := deviation(m, env); d != "" {
				deviations++
				continue
			}
			evals++
			switch w := want.Eval[k].(type) {
			case bool:
				if err != nil || got != w {
					fail("%q in env %d = %v, %v; packaging says %v", s, k, got, err, w)
				}
			case string:
				if w != "UndefinedComparison" || !errors.Is(err, ErrUndefinedComparison) {
					fail("%q in env %d = %v, %v; packaging raises %s", s, k, got, err, w)
				}
			}
		}
	}

	validReqs := 0
	for i, s := range reqs {
		r, err := ParseRequirement(s)
		want := resp.Requirements[i]
		switch {
		case want == nil && err == nil:
			fail("ParseRequirement(%q) = %q, packaging rejects it", s, r)
			continue
		case want != nil && err != nil:
			fail("ParseRequirement(%q): %v; packaging accepts it", s, err)
			continue
		case want == nil:
			continue
		}
		validReqs++
		got := oracleRequirement{Name: r.Name, Specifier: r.Specifier.String(), URL: r.URL, Marker: r.Marker.String()}
		if sameMarker(got.Marker, want.Marker) {
			got.Marker = want.Marker
		}
		got.Extras = append([]string{}, r.Extras...)
		sort.Strings(got.Extras)
		if gs, ws := fmt.Sprintf("%q", got), fmt.Sprintf("%q", *want); gs != ws {
			fail("ParseRequirement(%q):\n got %s\nwant %s", s, gs, ws)
		}
		again, err := ParseRequirement(r.String())
		if err != nil || again.String() != r.String() {
			fail("String of %q does not round-trip: %q, %v", s, r, err)
		}
	}

	t.Logf("packaging %s: %d names; %d markers (%d valid), %d evaluations compared, %d skipped as documented deviations; %d requirements (%d valid, %d from installed metadata)",
		resp.Packaging, len(names), len(markers), validMarkers, evals, deviations, len(reqs), validReqs, len(corpus))
	if validMarkers < 1000 || evals < 4000 || deviations > evals/3 || validReqs < 1000 {
		t.Errorf("too few comparisons to be meaningful")
	}
	if failures > 40 {
		t.Errorf("... %d failures in all", failures)
	}
}

// requiresDistCorpus returns the Requires-Dist values of
// testdata/requires-dist.txt and of the distributions installed in
// /usr/lib/python3/dist-packages.
func requiresDistCorpus(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	data, err := os.ReadFile("testdata/requires-dist.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if line != "" && !strings.HasPrefix(line, "#") {
			add(line)
		}
	}
	files, _ := filepath.Glob("/usr/lib/python3/dist-packages/*.dist-info/METADATA")
	more, _ := filepath.Glob("/usr/lib/python3/dist-packages/*.egg-info/PKG-INFO")
	for _, f := range append(files, more...) {
		for _, v := range headerValues(t, f, "Requires-Dist") {
			add(v)
		}
	}
	return out
}

// headerValues returns the values of the named header of an email-style
// metadata file, up to the body.
func headerValues(t *testing.T, path, name string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			out = append(out, strings.TrimSpace(v))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return out
}

// TestInstalledMetadata parses every requirement and section marker of the
// distributions installed in /usr/lib/python3/dist-packages: Requires-Dist
// of dist-info METADATA and egg-info PKG-INFO, and the egg-info
// requires.txt files ("[extra]", "[extra:marker]" and "[:marker]" sections
// of requirements).
func TestInstalledMetadata(t *testing.T) {
	var lines, sections int
	for _, v := range requiresDistCorpus(t) {
		lines++
		if _, err := ParseRequirement(v); err != nil {
			t.Errorf("%v", err)
		}
	}
	files, _ := filepath.Glob("/usr/lib/python3/dist-packages/*.egg-info/requires.txt")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			switch {
			case line == "" || strings.HasPrefix(line, "#"):
			case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
				sections++
				section := line[1 : len(line)-1]
				extra, marker, hasMarker := strings.Cut(section, ":")
				if extra != "" && !ValidName(extra) {
					t.Errorf("%s: invalid extra in section %s", f, line)
				}
				if hasMarker {
					if _, err := ParseMarker(marker); err != nil {
						t.Errorf("%s: %v", f, err)
					}
				}
			default:
				lines++
				if _, err := ParseRequirement(line); err != nil {
					t.Errorf("%s: %v", f, err)
				}
			}
		}
	}
	t.Logf("%d requirements and %d sections of installed metadata parsed", lines, sections)
	if lines < 100 {
		t.Errorf("only %d requirements found", lines)
	}
}
