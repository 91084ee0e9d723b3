package pack

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/tags"
	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

// fakeExecutable writes the first bytes of a launcher for goos/goarch: an
// ELF or Mach-O header, as the real launchers have.
func fakeExecutable(t *testing.T, dir, goos, goarch string) string {
	t.Helper()
	h := make([]byte, 64)
	switch goos {
	case "linux":
		copy(h, "\x7fELF\x02\x01\x01")
		binary.LittleEndian.PutUint16(h[18:], map[string]uint16{"amd64": 62, "arm64": 183}[goarch])
	case "darwin":
		binary.LittleEndian.PutUint32(h, 0xfeedfacf)
		binary.LittleEndian.PutUint32(h[4:], map[string]uint32{"amd64": 0x01000007, "arm64": 0x0100000c}[goarch])
	}
	p := filepath.Join(dir, "launcher-"+goos+"-"+goarch)
	if err := os.WriteFile(p, h, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExecutablePlatform(t *testing.T) {
	dir := t.TempDir()
	for _, p := range [][2]string{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}} {
		goos, goarch := executablePlatform(fakeExecutable(t, dir, p[0], p[1]))
		if goos != p[0] || goarch != p[1] {
			t.Errorf("executablePlatform of a %s/%s header = %s/%s", p[0], p[1], goos, goarch)
		}
	}
	if goos, _ := executablePlatform(file(t, dir, "script", "#!/bin/sh\n")); goos != "" {
		t.Errorf("a script is for %s", goos)
	}
	self, _ := os.Executable()
	if goos, _ := executablePlatform(self); goos != "linux" && goos != "darwin" {
		t.Errorf("the test binary itself is not recognised: %q", goos)
	}
}

// targetEnv writes a target environment for CPython 3.11 on the given
// platform tags, with the tags tags.Supported computes for it.
func targetEnv(t *testing.T, dir, name string, in tags.Interpreter, markers map[string]string) string {
	t.Helper()
	var ts []string
	for _, tg := range tags.Supported(in) {
		ts = append(ts, tg.String())
	}
	env := map[string]string{
		"python_version": "3.11", "python_full_version": "3.11.7", "platform_python_implementation": "CPython",
		"implementation_name": "cpython", "implementation_version": "3.11.7", "os_name": "posix",
	}
	for k, v := range markers {
		env[k] = v
	}
	data, _ := json.Marshal(map[string]any{"marker_environment": env, "compatible_tags": ts})
	return file(t, dir, name+".json", string(data))
}

var (
	linux311 = tags.Interpreter{Name: "cp", Major: 3, Minor: 11, OS: "linux", Platform: "linux-x86_64", Glibc: tags.Version{Major: 2, Minor: 28}}
	linuxEnv = map[string]string{"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"}
)

// Wheels are checked against the launcher's platform by default, and
// against every target environment when there are some: a project without
// a wheel the target can use fails the build, naming the project, its
// wheels' tags and the target; one needed only under a marker that is false
// there does not.
func TestFit(t *testing.T) {
	dir, wdir := t.TempDir(), t.TempDir()
	src := file(t, dir, "main.py", "print(1)\n")
	wheel := func(name, tag string, requires ...string) string {
		return wheeltest.Write(t, wdir, wheeltest.Spec{Name: name, Version: "1.0", Tag: tag, RequiresDist: requires,
			Files: map[string]string{name + "/__init__.py": ""}})
	}
	macOnly := wheel("msgpack", "cp311-cp311-macosx_11_0_arm64")
	linux := wheel("msgpack", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64")
	aarch64 := wheel("msgpack", "cp311-cp311-manylinux_2_17_aarch64")
	py312 := wheel("fast", "cp312-cp312-manylinux_2_17_x86_64")
	pure := wheel("app", "py3-none-any", `appnope; sys_platform == "darwin"`)
	appnope := wheel("appnope", "py3-none-macosx_10_9_x86_64")
	env311 := targetEnv(t, dir, "cp311-linux", linux311, linuxEnv)
	badEnv := file(t, dir, "bad.json", `{"marker_environment": {"python_version": "3.11"}, "compatible_tags": ["cp311-cp311-linux_x86_64"]}`)
	for _, c := range []struct {
		name     string
		launcher [2]string
		wheels   []string
		envs     []string
		ics      []string
		reqs     []string
		label    bool
		want     string
	}{
		{name: "mac-only wheel, linux launcher", launcher: [2]string{"linux", "amd64"}, wheels: []string{macOnly},
			want: "the launcher is for linux/amd64, but no wheel of msgpack is: msgpack-1.0-cp311-cp311-macosx_11_0_arm64.whl has tags cp311-cp311-macosx_11_0_arm64; add a wheel of msgpack for linux/amd64 (a manylinux, musllinux or linux_x86_64 wheel) with --wheel"},
		{name: "both wheels, linux launcher", launcher: [2]string{"linux", "amd64"}, wheels: []string{macOnly, linux}},
		{name: "mac-only wheel, mac launcher", launcher: [2]string{"darwin", "arm64"}, wheels: []string{macOnly}},
		{name: "x86_64 wheel, arm64 launcher", launcher: [2]string{"linux", "arm64"}, wheels: []string{linux},
			want: "the launcher is for linux/arm64, but no wheel of msgpack is"},
		{name: "aarch64 wheel, arm64 launcher", launcher: [2]string{"linux", "arm64"}, wheels: []string{aarch64}},
		{name: "x86_64 wheel, mac launcher", launcher: [2]string{"darwin", "amd64"}, wheels: []string{linux},
			want: "a macosx_*_x86_64 or universal2 wheel"},
		{name: "from Bazel the label is named", launcher: [2]string{"linux", "amd64"}, wheels: []string{macOnly}, label: true,
			want: "add a wheel of msgpack for linux/amd64 (a manylinux, musllinux or linux_x86_64 wheel) to its repository or deps (it comes from @pypi//msgpack)"},
		{name: "a mac-only dependency under a darwin marker", launcher: [2]string{"linux", "amd64"}, wheels: []string{pure, appnope}, reqs: []string{"app"}},
		{name: "the same on a mac", launcher: [2]string{"darwin", "amd64"}, wheels: []string{pure, appnope}, reqs: []string{"app"}},
		{name: "as a root it is needed everywhere", launcher: [2]string{"linux", "amd64"}, wheels: []string{pure, appnope},
			want: "no wheel of appnope is"},
		{name: "a root under a marker", launcher: [2]string{"linux", "amd64"}, wheels: []string{macOnly}, reqs: []string{`msgpack; sys_platform == "darwin"`}},
		{name: "python version is not the default check's business", launcher: [2]string{"linux", "amd64"}, wheels: []string{py312}},
		{name: "a target environment without the python version", launcher: [2]string{"linux", "amd64"}, wheels: []string{py312}, envs: []string{env311},
			want: "target environment cp311-linux (" + env311 + ") cannot run the archive: no compatible wheel of fast: fast-1.0-cp312-cp312-manylinux_2_17_x86_64.whl has tags cp312-cp312-manylinux_2_17_x86_64, none of which the interpreter supports"},
		{name: "a target environment that fits", launcher: [2]string{"darwin", "arm64"}, wheels: []string{macOnly, linux}, envs: []string{env311}},
		{name: "a target environment replaces the default check", launcher: [2]string{"darwin", "arm64"}, wheels: []string{linux}, envs: []string{env311}},
		{name: "constraints leave no interpreter to check", launcher: [2]string{"linux", "amd64"}, wheels: []string{macOnly}, ics: []string{"CPython==2.7"}},
		{name: "a broken target environment", launcher: [2]string{"linux", "amd64"}, wheels: []string{linux}, envs: []string{badEnv},
			want: "--target-environment " + badEnv + ": field marker_environment.python_full_version is missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := &Options{Output: filepath.Join(t.TempDir(), "out.pex"), Launcher: fakeExecutable(t, t.TempDir(), c.launcher[0], c.launcher[1]),
				Sources: []string{"app/main.py=" + src}, Wheels: c.wheels, Main: "app/main.py", TargetEnvironments: c.envs,
				InterpreterConstraints: c.ics, Requirements: c.reqs, Compression: "deflate", InheritPath: "false", InterpreterSelection: "newest"}
			if c.label {
				o.Label, o.Rule = "//app:app", "pex_binary"
				for _, w := range c.wheels {
					o.Origins = append(o.Origins, w+"=@pypi//msgpack")
				}
			}
			err := Build(o)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("Build: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("Build = %v\nwant an error containing %q", err, c.want)
			}
			if _, serr := os.Stat(o.Output); (serr == nil) != (err == nil) {
				t.Errorf("output written: %v, build error: %v", serr == nil, err)
			}
		})
	}
}

func TestReadTargetEnvironment(t *testing.T) {
	dir := t.TempDir()
	good := targetEnv(t, dir, "good", linux311, linuxEnv)
	e, err := readTargetEnvironment(good)
	if err != nil {
		t.Fatal(err)
	}
	if e.name != "good" || e.markers["sys_platform"] != "linux" || e.markers["platform_release"] != "" || e.tags[0].String() != "cp311-cp311-manylinux_2_28_x86_64" || e.version.String() != "3.11.7" {
		t.Errorf("read %+v", e)
	}
	markers := `"python_version": "3.11", "python_full_version": "3.11.7", "platform_python_implementation": "CPython", "implementation_name": "cpython", "os_name": "posix", "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"`
	for _, c := range []struct{ name, text, want string }{
		{"named", `{"name": "prod", "marker_environment": {` + markers + `}, "compatible_tags": ["py3-none-any"]}`, ""},
		{"compressed tags", `{"marker_environment": {` + markers + `}, "compatible_tags": ["py2.py3-none-any"]}`, ""},
		{"not json", `marker_environment: {}`, "not a target environment (JSON with marker_environment and compatible_tags)"},
		{"trailing", `{"marker_environment": {` + markers + `}, "compatible_tags": ["py3-none-any"]} {}`, "text after the JSON object"},
		{"no markers", `{"compatible_tags": ["py3-none-any"]}`, `field "marker_environment" is missing`},
		{"unknown marker", `{"marker_environment": {` + markers + `, "python_ver": "3"}, "compatible_tags": ["py3-none-any"]}`, "field marker_environment.python_ver: not a PEP 508 marker variable"},
		{"null marker", `{"marker_environment": {` + markers + `, "platform_release": null}, "compatible_tags": ["py3-none-any"]}`, "field marker_environment.platform_release: null"},
		{"missing marker", `{"marker_environment": {"python_version": "3.11"}, "compatible_tags": ["py3-none-any"]}`, "field marker_environment.python_full_version is missing"},
		{"bad version", `{"marker_environment": {` + strings.Replace(markers, `"3.11.7"`, `"three"`, 1) + `}, "compatible_tags": ["py3-none-any"]}`, `python_full_version "three": not a Python version`},
		{"no tags", `{"marker_environment": {` + markers + `}}`, `field "compatible_tags" is missing or empty`},
		{"bad tag", `{"marker_environment": {` + markers + `}, "compatible_tags": ["py3-none-any", "cp311"]}`, "field compatible_tags[1]: invalid tag"},
		{"empty name", `{"name": "", "marker_environment": {` + markers + `}, "compatible_tags": ["py3-none-any"]}`, `field "name" is empty`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readTargetEnvironment(file(t, dir, c.name+".json", c.text))
			if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
				t.Errorf("readTargetEnvironment = %v, want %q", err, c.want)
			}
		})
	}
}

// Generated target environments read back, carry the launcher's tags for
// the oldest system of the platform, and bad arguments are refused.
func TestGeneratedTargetEnvironment(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ python, platform, first, last, machine string }{
		{"3.11", "manylinux_2_28_x86_64", "cp311-cp311-manylinux_2_28_x86_64", "py30-none-any", "x86_64"},
		{"3.9", "manylinux2014_aarch64", "cp39-cp39-manylinux_2_17_aarch64", "py30-none-any", "aarch64"},
		{"3.12", "musllinux_1_2_x86_64", "cp312-cp312-musllinux_1_2_x86_64", "py30-none-any", "x86_64"},
		{"3.13", "macosx_11_0_arm64", "cp313-cp313-macosx_11_0_arm64", "py30-none-any", "arm64"},
	} {
		var sb strings.Builder
		if err := TargetEnvironment(&sb, c.python, c.platform, "n"); err != nil {
			t.Fatalf("%s %s: %v", c.python, c.platform, err)
		}
		e, err := readTargetEnvironment(file(t, dir, c.platform+".json", sb.String()))
		if err != nil {
			t.Fatalf("%s %s: the generated file does not read back: %v", c.python, c.platform, err)
		}
		if e.name != "n" || e.tags[0].String() != c.first || e.tags[len(e.tags)-1].String() != c.last ||
			e.markers["platform_machine"] != c.machine || e.markers["python_full_version"] != c.python+".0" {
			t.Errorf("%s %s: name %q, tags %s..%s, machine %q, version %q", c.python, c.platform, e.name, e.tags[0], e.tags[len(e.tags)-1], e.markers["platform_machine"], e.markers["python_full_version"])
		}
	}
	for _, c := range [][2]string{{"3.x", "manylinux_2_28_x86_64"}, {"2.7", "manylinux_2_28_x86_64"}, {"3.11", "win_amd64"},
		{"3.11", "manylinux_2_28_ppc64le"}, {"3.11", "macosx_11_0_aarch64"}, {"3.11", "manylinux_x86_64"}} {
		if err := TargetEnvironment(io.Discard, c[0], c[1], ""); err == nil {
			t.Errorf("TargetEnvironment(%q, %q) gave no error", c[0], c[1])
		}
	}
}
