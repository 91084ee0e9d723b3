package wheel

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/oracletest"
)

type oracleRequest struct {
	Filenames   []string `json:"filenames"`
	Metadata    []string `json:"metadata"`
	EntryPoints []string `json:"entry_points"`
}

type oracleResponse struct {
	Filenames []struct {
		OK      bool     `json:"ok"`
		Error   string   `json:"error"`
		Name    string   `json:"name"`
		Version string   `json:"version"`
		Build   string   `json:"build"`
		Tags    []string `json:"tags"`
	} `json:"filenames"`
	Metadata []struct {
		Name            string   `json:"name"`
		Version         string   `json:"version"`
		MetadataVersion string   `json:"metadata_version"`
		RequiresPython  string   `json:"requires_python"`
		RequiresDist    []string `json:"requires_dist"`
		ProvidesExtra   []string `json:"provides_extra"`
	} `json:"metadata"`
	EntryPoints []struct {
		OK     bool                         `json:"ok"`
		Error  string                       `json:"error"`
		Groups map[string]map[string]string `json:"groups"`
	} `json:"entry_points"`
}

// runOracle asks testdata/oracle.py, which answers with Python's reference
// implementations: Debian's python3-packaging for wheel file names, the
// standard library's email parser for METADATA and configparser for
// entry_points.txt.
func runOracle(t *testing.T, req oracleRequest) oracleResponse {
	t.Helper()
	var resp oracleResponse
	oracletest.Run(t, "testdata/oracle.py", req, &resp)
	if len(resp.Filenames) != len(req.Filenames) || len(resp.Metadata) != len(req.Metadata) || len(resp.EntryPoints) != len(req.EntryPoints) {
		t.Fatalf("the oracle answered %d/%d/%d items for %d/%d/%d", len(resp.Filenames), len(resp.Metadata), len(resp.EntryPoints), len(req.Filenames), len(req.Metadata), len(req.EntryPoints))
	}
	return resp
}

// TestParseFilenameAgainstPackaging compares ParseFilename with packaging's
// parse_wheel_filename over every combination of a few components.
func TestParseFilenameAgainstPackaging(t *testing.T) {
	names := []string{"six", "Foo_Bar", "zope.interface", "a", "A1", "x.y_z", "a__b", "s!x"}
	versions := []string{"1.0", "1.0_post1", "v2.0RC1", "1!2.0.dev3", "1.0+Local_X", "one", "1.0_1", "2.0.0.0"}
	builds := []string{"", "1", "12abc", "x1", "1.x"}
	tagSets := []string{"py3-none-any", "py2.py3-none-any", "PY3-None-Any", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", "py3-none"}
	var files []string
	for _, n := range names {
		for _, v := range versions {
			for _, b := range builds {
				for _, tg := range tagSets {
					s := n + "-" + v
					if b != "" {
						s += "-" + b
					}
					files = append(files, s+"-"+tg+".whl")
				}
			}
		}
	}
	// Names ParseFilename refuses on purpose where packaging is lenient: the
	// project must be a valid core metadata name, tag components must be
	// non-empty and alphanumeric, build tags alphanumeric with '_' and '.'.
	stricter := []string{
		"a_-1.0-py3-none-any.whl",
		"_a-1.0-py3-none-any.whl",
		"-1.0-py3-none-any.whl",
		"\u00fc-1.0-py3-none-any.whl",
		"six-1.0-py3..py2-none-any.whl",
		"six-1.0-py3-none-a+y.whl",
		"six-1.0-1+x-py3-none-any.whl",
	}
	resp := runOracle(t, oracleRequest{Filenames: append(files, stricter...)})
	accepted := 0
	for i, f := range files {
		want := resp.Filenames[i]
		n, err := ParseFilename(f)
		if (err == nil) != want.OK {
			t.Errorf("ParseFilename(%q) error %v; packaging ok=%v %s", f, err, want.OK, want.Error)
			continue
		}
		if err != nil {
			continue
		}
		accepted++
		var tags []string
		for _, tg := range n.Tags {
			tags = append(tags, tg.String())
		}
		sort.Strings(tags)
		tags = slicesCompact(tags)
		got := []string{n.NormalizedProject(), n.ParsedVersion().String(), n.Build, strings.Join(tags, " ")}
		exp := []string{want.Name, want.Version, want.Build, strings.Join(want.Tags, " ")}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("ParseFilename(%q) = %q, packaging %q", f, got, exp)
		}
	}
	t.Logf("%d of %d names accepted by both", accepted, len(files))
	if accepted < len(files)/4 {
		t.Errorf("only %d of %d names accepted: the comparison is too thin", accepted, len(files))
	}
	for i, f := range stricter {
		if !resp.Filenames[len(files)+i].OK {
			t.Errorf("packaging refuses %q too: not a case of ParseFilename being stricter", f)
		}
		if _, err := ParseFilename(f); err == nil {
			t.Errorf("ParseFilename(%q) accepted it", f)
		}
	}
}

func slicesCompact(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// TestParseMetadataAgainstEmail compares the METADATA fields with what
// Python's email parser reads from the same valid files.
func TestParseMetadataAgainstEmail(t *testing.T) {
	docs := []string{
		"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\nbody\n",
		"Metadata-Version: 2.1\r\nName: Demo.Pkg\r\nVersion: 1.0.post1\r\nRequires-Python: >=3.8, <4\r\n\r\nName: body\r\n",
		"Metadata-Version: 1.2\rName: cr\rVersion: 1\rRequires-Dist: a\r\n\tb\r\rbody",
		"metadata-version: 2.3\nname: lower\nversion: 2\nrequires-dist: x\n",
		"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: one\n  two\nRequires-Dist: requests (>=2.0)\nRequires-Dist: pytest\n        ; extra == 'test'\nRequires-Dist: tomli ;\tpython_version < \"3.11\"\nProvides-Extra: test\nProvides-Extra:   docs   \nDescription: first\n        |second\n        |\n",
		"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: a\n\nRequires-Dist: in the body\n",
		"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nKeywords: a:b,c\nProject-URL: Home, https://example.com/x:y\n",
		"Metadata-Version: 2.1\nName: d\u00e9mo-not-ascii-is-refused-by-name-rule\nVersion: 1.0\n",
	}
	resp := runOracle(t, oracleRequest{Metadata: docs})
	for i, doc := range docs {
		m, _, bad := parseMetadata([]byte(doc))
		if len(bad) > 0 {
			if i == len(docs)-1 {
				continue // the non-ASCII name: refused by the Name rule, nothing to compare
			}
			t.Errorf("doc %d: problems %q", i, bad)
			continue
		}
		want := resp.Metadata[i]
		got := []any{m.Name, m.Version, m.MetadataVersion, m.RequiresPython, nonNil(m.RequiresDist), nonNil(m.ProvidesExtra)}
		exp := []any{want.Name, want.Version, want.MetadataVersion, want.RequiresPython, nonNil(want.RequiresDist), nonNil(want.ProvidesExtra)}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("doc %d:\n got %q\nwant %q", i, got, exp)
		}
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TestParseEntryPointsAgainstConfigparser compares entry_points.txt
// parsing with configparser as the entry points specification configures
// it ('=' delimiter, case-sensitive names), on files without script-group
// rules in play.
func TestParseEntryPointsAgainstConfigparser(t *testing.T) {
	docs := []string{
		"[console_scripts]\ndemo = pkg.mod:main\nDemo = pkg.mod:Main [x]\n",
		"# comment\n; comment\n\n[a.b]\nk=v\n  # indented comment\nk2 =  spaced value  \n",
		"[plugins]\na:b = c\nx = y=z\ny = v # not a comment\nz =\n",
		"[plugins]\r\nk = v\r\n[other]\r\nk = w\r\n",
		"[g]\nk = 1\n[g]\nj = 2\n",    // duplicate section
		"[g]\nk = 1\nk = 2\n",         // duplicate name
		"k = v\n",                     // no section
		"[g]\nnovalue\n",              // no delimiter
		"[g]\n[h]\n",                  // empty groups
		"[ spaced ]\nk = v\n",         // configparser keeps the spaces in the name
		"[g]\nK = upper\nk = lower\n", // names are case sensitive
	}
	resp := runOracle(t, oracleRequest{EntryPoints: docs})
	for i, doc := range docs {
		want := resp.EntryPoints[i]
		eps, bad := parseEntryPoints([]byte(doc))
		if i == 9 {
			// configparser names the group " spaced "; the entry points
			// specification's group names have no spaces, so they are trimmed.
			if !want.OK || want.Groups[" spaced "] == nil || eps["spaced"] == nil || len(bad) > 0 {
				t.Errorf("doc %d: configparser %+v, parseEntryPoints %v %q", i, want, eps, bad)
			}
			continue
		}
		if (len(bad) == 0) != want.OK {
			t.Errorf("doc %d %q: problems %q; configparser ok=%v %s", i, doc, bad, want.OK, want.Error)
			continue
		}
		if !want.OK {
			continue
		}
		got := map[string]map[string]string{}
		for g, m := range eps {
			got[g] = map[string]string{}
			for name, ep := range m {
				got[g][name] = ep.Value
			}
		}
		if !reflect.DeepEqual(got, want.Groups) {
			t.Errorf("doc %d:\n got %q\nwant %q", i, got, want.Groups)
		}
	}
}
