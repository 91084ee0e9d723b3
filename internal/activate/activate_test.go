package activate

import (
	"errors"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/pep508"
	"github.com/rules-pex/rules_pex/internal/tags"
)

func cpython311() Interpreter {
	in := tags.Interpreter{Name: "cp", Major: 3, Minor: 11, OS: "linux", Platform: "linux-x86_64",
		Machine: "x86_64", ELF: tags.ELFHeader{Class: 2, Data: 1, Machine: 62}, Glibc: tags.Version{Major: 2, Minor: 36}}
	return Interpreter{
		Ranking: tags.NewRanking(tags.Supported(in)),
		Version: pep440.MustParse("3.11.2"),
		Markers: pep508.Environment{
			"implementation_name": "cpython", "implementation_version": "3.11.2", "os_name": "posix",
			"platform_machine": "x86_64", "platform_release": "6.1", "platform_system": "Linux",
			"platform_version": "#1", "python_full_version": "3.11.2", "platform_python_implementation": "CPython",
			"python_version": "3.11", "sys_platform": "linux",
		},
	}
}

func pypy39() Interpreter {
	in := tags.Interpreter{Name: "pp", Major: 3, Minor: 9, VersionNodot: "39", ExtSuffix: ".pypy39-pp73-x86_64-linux-gnu.so",
		OS: "linux", Platform: "linux-x86_64", Machine: "x86_64", ELF: tags.ELFHeader{Class: 2, Data: 1, Machine: 62},
		Glibc: tags.Version{Major: 2, Minor: 36}}
	return Interpreter{
		Ranking: tags.NewRanking(tags.Supported(in)),
		Version: pep440.MustParse("3.9.16"),
		Markers: pep508.Environment{
			"implementation_name": "pypy", "implementation_version": "7.3.11", "os_name": "posix",
			"platform_machine": "x86_64", "platform_release": "6.1", "platform_system": "Linux",
			"platform_version": "#1", "python_full_version": "3.9.16", "platform_python_implementation": "PyPy",
			"python_version": "3.9", "sys_platform": "linux",
		},
	}
}

func dist(project, version, tag string, requiresPython string, requiresDist ...string) layout.Distribution {
	return layout.Distribution{WheelInfo: layout.WheelInfo{Project: project, Version: version, Tags: []string{tag},
		RequiresPython: requiresPython, RequiresDist: requiresDist},
		SHA256: strings.Repeat("a", 64), TreeHash: strings.Repeat("b", 64)}
}

func manifest(reqs []string, dists map[string]layout.Distribution) *layout.Manifest {
	return &layout.Manifest{Requirements: reqs, Distributions: dists}
}

// A web application: requests with a marker-only dependency, flask with an
// extra, numpy native for CPython 3.11 with a pure fallback for others.
var webApp = manifest([]string{"flask[async]>=2", "requests", "numpy"}, map[string]layout.Distribution{
	"flask-2.2.2-py3-none-any.whl": dist("flask", "2.2.2", "py3-none-any", ">=3.7",
		"Werkzeug>=2.2.2", "importlib-metadata>=3.6.0; python_version < \"3.10\"", "asgiref>=3.2; extra == \"async\"",
		"python-dotenv; extra == \"dotenv\""),
	"werkzeug-2.2.2-py3-none-any.whl":            dist("werkzeug", "2.2.2", "py3-none-any", ">=3.7"),
	"asgiref-3.6.0-py3-none-any.whl":             dist("asgiref", "3.6.0", "py3-none-any", ">=3.7"),
	"importlib_metadata-4.12.0-py3-none-any.whl": dist("importlib-metadata", "4.12.0", "py3-none-any", ""),
	"requests-2.28.1-py3-none-any.whl":           dist("requests", "2.28.1", "py3-none-any", ">=3.7, <4", "idna<4,>=2.5", "PySocks!=1.5.7,>=1.5.6; extra == \"socks\""),
	"idna-3.3-py3-none-any.whl":                  dist("idna", "3.3", "py3-none-any", ">=3.5"),
	"numpy-1.24.2-cp311-cp311-linux_x86_64.whl":  dist("numpy", "1.24.2", "cp311-cp311-linux_x86_64", ">=3.8"),
	"numpy-1.24.2-py3-none-any.whl":              dist("numpy", "1.24.2", "py3-none-any", ">=3.8"),
})

func files(ws []Wheel) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.File)
	}
	return strings.Join(out, " ")
}

func TestResolve(t *testing.T) {
	s, err := New(webApp)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   Interpreter
		want string
	}{
		{"cpython picks the native numpy and skips the py<3.10 backport", cpython311(),
			"asgiref-3.6.0-py3-none-any.whl flask-2.2.2-py3-none-any.whl idna-3.3-py3-none-any.whl " +
				"numpy-1.24.2-cp311-cp311-linux_x86_64.whl requests-2.28.1-py3-none-any.whl werkzeug-2.2.2-py3-none-any.whl"},
		{"pypy 3.9 gets the pure numpy and the backport", pypy39(),
			"asgiref-3.6.0-py3-none-any.whl flask-2.2.2-py3-none-any.whl idna-3.3-py3-none-any.whl importlib_metadata-4.12.0-py3-none-any.whl " +
				"numpy-1.24.2-py3-none-any.whl requests-2.28.1-py3-none-any.whl werkzeug-2.2.2-py3-none-any.whl"},
	} {
		ws, err := s.Resolve(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := files(ws); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestResolveProblems(t *testing.T) {
	for _, tc := range []struct {
		name    string
		m       *layout.Manifest
		in      Interpreter
		project string
		want    []string
	}{
		{"native only, wrong interpreter",
			manifest([]string{"numpy"}, map[string]layout.Distribution{
				"numpy-1.24.2-cp311-cp311-linux_x86_64.whl": dist("numpy", "1.24.2", "cp311-cp311-linux_x86_64", ""),
			}), pypy39(), "numpy", []string{"no compatible wheel of numpy", "cp311-cp311-linux_x86_64", "required by the application"}},
		{"requires python",
			manifest([]string{"app"}, map[string]layout.Distribution{
				"app-1.0-py3-none-any.whl": dist("app", "1.0", "py3-none-any", ">=3.10"),
			}), pypy39(), "app", []string{"requires Python >=3.10"}},
		{"dependency missing from the archive",
			manifest([]string{"app"}, map[string]layout.Distribution{
				"app-1.0-py3-none-any.whl": dist("app", "1.0", "py3-none-any", "", "helper>=1"),
			}), cpython311(), "helper", []string{"the archive has no wheel of helper", "required by app 1.0"}},
		{"version conflict",
			manifest([]string{"app", "helper<1"}, map[string]layout.Distribution{
				"app-1.0-py3-none-any.whl":    dist("app", "1.0", "py3-none-any", "", "helper>=1"),
				"helper-1.5-py3-none-any.whl": dist("helper", "1.5", "py3-none-any", ""),
			}), cpython311(), "helper", []string{"helper 1.5", "does not satisfy", "helper<1"}},
	} {
		s, err := New(tc.m)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Resolve(tc.in)
		var p *Problem
		if !errors.As(err, &p) {
			t.Fatalf("%s: error %v, want a *Problem", tc.name, err)
		}
		if p.Project != tc.project {
			t.Errorf("%s: problem project %q, want %q", tc.name, p.Project, tc.project)
		}
		for _, w := range tc.want {
			if !strings.Contains(p.Error(), w) {
				t.Errorf("%s: %q does not mention %q", tc.name, p.Error(), w)
			}
		}
	}
}

func TestResolveExtrasAddedLater(t *testing.T) {
	// b[x] is asked for after b was chosen without extras: its extra's
	// requirements join.
	m := manifest([]string{"a", "c"}, map[string]layout.Distribution{
		"a-1-py3-none-any.whl": dist("a", "1", "py3-none-any", "", "b"),
		"b-1-py3-none-any.whl": dist("b", "1", "py3-none-any", "", "d; extra == 'x'", "e; extra == 'y'"),
		"c-1-py3-none-any.whl": dist("c", "1", "py3-none-any", "", "B[X]"),
		"d-1-py3-none-any.whl": dist("d", "1", "py3-none-any", ""),
		"e-1-py3-none-any.whl": dist("e", "1", "py3-none-any", ""),
	})
	s, err := New(m)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := s.Resolve(cpython311())
	if err != nil {
		t.Fatal(err)
	}
	if got := files(ws); got != "a-1-py3-none-any.whl b-1-py3-none-any.whl c-1-py3-none-any.whl d-1-py3-none-any.whl" {
		t.Errorf("got %s", got)
	}
}

func TestNoRequirementsMeansEverything(t *testing.T) {
	m := manifest(nil, map[string]layout.Distribution{
		"a-1-py3-none-any.whl": dist("a", "1", "py3-none-any", ""),
		"b-1-py3-none-any.whl": dist("b", "1", "py3-none-any", ""),
	})
	s, err := New(m)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := s.Resolve(cpython311())
	if err != nil || len(ws) != 2 {
		t.Fatalf("got %v %v", ws, err)
	}
}

func TestNewRejectsInvalid(t *testing.T) {
	for _, m := range []*layout.Manifest{
		manifest([]string{"not a requirement!"}, nil),
		manifest(nil, map[string]layout.Distribution{"a-1-py3-none-any.whl": dist("a", "1", "py3-none-any", ">=>3")}),
		manifest(nil, map[string]layout.Distribution{"a-1-py3-none-any.whl": dist("a", "1", "py3-none-any", "", "b; python_version <")}),
		manifest(nil, map[string]layout.Distribution{"a-1-x.whl": dist("a", "1", "bad tag", "")}),
	} {
		if _, err := New(m); err == nil {
			t.Errorf("New accepted %+v", m)
		}
	}
}
