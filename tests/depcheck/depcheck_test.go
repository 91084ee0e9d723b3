// Package depcheck keeps the import boundaries the compiler cannot see. The
// tree itself separates the sides: launcher-only packages live in
// launcher/internal/ and packer-only ones in tools/packer/internal/, so Go's
// internal rule rejects a launcher import of a packer package and the
// reverse (TestCompilerRejectsCrossSideImports shows the build error);
// internal/ holds what both sides share (the archive contract, the zip, the
// standards). This package checks the rest: that every package has a place
// (a new package must be put on a side, never silently admitted), that the
// launcher uses only the standard library and klauspost/compress, and that it
// links no networking code.
package depcheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/rules-pex/rules_pex/"

// goList runs go list in the module and returns its output.
func goList(t *testing.T, args ...string) string {
	t.Helper()
	return goListFor(t, "", args...)
}

// goListFor is goList for the target system goos ("" for the host's).
func goListFor(t *testing.T, goos string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = moduleRoot(t)
	if goos != "" {
		cmd.Env = append(os.Environ(), "GOOS="+goos)
	}
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// own returns the module's packages among pkgs, relative to the module.
func own(pkgs []string) map[string]bool {
	m := map[string]bool{}
	for _, p := range pkgs {
		if strings.HasPrefix(p, module) {
			m[strings.TrimPrefix(p, module)] = true
		}
	}
	return m
}

// deps returns the module's packages that pkg links, on linux and darwin.
func deps(t *testing.T, pkg string) map[string]bool {
	t.Helper()
	all := map[string]bool{}
	for _, goos := range []string{"linux", "darwin"} {
		for p := range own(strings.Fields(goListFor(t, goos, "-deps", "./"+pkg))) {
			all[p] = true
		}
	}
	return all
}

func under(p, root string) bool { return p == root || strings.HasPrefix(p, root+"/") }

// keptShared lists the packages that one tool alone links but that stay in
// internal/ because tests outside that tool's tree import them (Go's internal
// rule would stop those tests). The compiler cannot keep the other tool out of
// them, so TestEveryPackageHasAPlace does. Keep it short: each entry is a
// boundary that lives in a list again.
var keptShared = map[string]string{
	"internal/wheel": "tools/packer", // stays shared: launcher/e2e imports it
}

// TestEveryPackageHasAPlace fails closed: each package of the module is on
// the launcher's side, on the packer's side, shared, or a test, and a shared
// package is one both sides use. A package that only one side uses belongs
// under that side's internal/, where the compiler guards it.
func TestEveryPackageHasAPlace(t *testing.T) {
	launcher, packer := deps(t, "launcher"), deps(t, "tools/packer")
	for p := range deps(t, "launcher/first") { // the launcher's first stage
		launcher[p] = true
	}
	type pkg struct {
		ImportPath                         string
		Imports, TestImports, XTestImports []string
	}
	importers := map[string][]string{}
	var all []string
	dec := json.NewDecoder(strings.NewReader(goList(t, "-e", "-json=ImportPath,Imports,TestImports,XTestImports", "./...")))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		all = append(all, name)
		for imp := range own(append(append(p.Imports, p.TestImports...), p.XTestImports...)) {
			if imp != name {
				importers[imp] = append(importers[imp], name)
			}
		}
	}
	for _, p := range all {
		switch {
		case under(p, "launcher"), under(p, "tools/packer"), under(p, "tests"):
		case under(p, "internal"):
			inL, inP := launcher[p], packer[p]
			if side, ok := keptShared[p]; ok {
				mine, other := inL, inP
				if side == "tools/packer" {
					mine, other = inP, inL
				}
				outside := false
				for _, u := range importers[p] {
					outside = outside || !under(u, side) && !under(u, "internal")
				}
				switch {
				case other:
					t.Errorf("%s is linked by both tools, but only %s may link it (keptShared)", p, side)
				case !mine:
					t.Errorf("%s is listed in keptShared for %s, which does not link it: place it", p, side)
				case !outside:
					t.Errorf("only %s and shared packages use %s now: move it to %s/%s and drop it from keptShared", side, p, side, p)
				}
				continue
			}
			switch {
			case inL && !inP:
				t.Errorf("%s is used by the launcher only: move it to launcher/%s", p, p)
			case inP && !inL:
				t.Errorf("%s is used by the packer only: move it to tools/packer/%s", p, p)
			case !inL && !inP:
				// A test helper: shared only if both sides' tests (or tests/) use it.
				users := importers[p]
				sort.Strings(users)
				onlyL, onlyP := len(users) > 0, len(users) > 0
				for _, u := range users {
					onlyL = onlyL && under(u, "launcher")
					onlyP = onlyP && under(u, "tools/packer")
				}
				switch {
				case len(users) == 0:
					t.Errorf("%s is imported by nothing: delete it, or place it", p)
				case onlyL:
					t.Errorf("%s is used by launcher-side tests only (%s): move it beside what it helps, under launcher/", p, strings.Join(users, ", "))
				case onlyP:
					t.Errorf("%s is used by packer-side tests only (%s): move it beside what it helps, under tools/packer/", p, strings.Join(users, ", "))
				}
			}
		default:
			t.Errorf("%s has no place: put it in launcher/internal/ (launcher only), tools/packer/internal/ (packer only), internal/ (both) or tests/, and say so in docs/architecture.md", p)
		}
	}
	// Non-internal packages are not guarded by the compiler: each side links
	// only its own tree and the shared internal/.
	for side, ds := range map[string]map[string]bool{"launcher": launcher, "tools/packer": packer} {
		for d := range ds {
			if !under(d, side) && !under(d, "internal") {
				t.Errorf("%s links %s, which is neither its own nor shared (internal/)", side, d)
			}
		}
	}
}

// TestCompilerRejectsCrossSideImports adds (with go build -overlay, the tree
// untouched) one file to each main package that imports a package of the
// other side, and expects Go's internal rule to stop the build. The same file
// importing a shared package must build: that shows the overlay works.
func TestCompilerRejectsCrossSideImports(t *testing.T) {
	root := moduleRoot(t)
	first := func(pattern string) string {
		t.Helper()
		pkgs := strings.Fields(goList(t, pattern))
		if len(pkgs) == 0 {
			t.Fatalf("no package matches %s", pattern)
		}
		return pkgs[0]
	}
	packerSide, launcherSide := first("./tools/packer/internal/..."), first("./launcher/internal/...")
	shared := module + "internal/layout"
	for _, c := range []struct {
		main, imp string
		allowed   bool
	}{
		{"launcher", packerSide, false},
		{"tools/packer", launcherSide, false},
		{"launcher", shared, true},
		{"tools/packer", shared, true},
	} {
		dir := t.TempDir()
		src := filepath.Join(dir, "boundary.go")
		if err := os.WriteFile(src, []byte("package main\n\nimport _ \""+c.imp+"\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(root, c.main, "zz_boundary_test_overlay.go"): src}})
		ov := filepath.Join(dir, "overlay.json")
		if err := os.WriteFile(ov, overlay, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("go", "build", "-overlay", ov, "-o", os.DevNull, "./"+c.main)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		want := "use of internal package " + c.imp + " not allowed"
		switch {
		case c.allowed && err != nil:
			t.Errorf("%s importing %s (shared) does not build: %v\n%s", c.main, c.imp, err, out)
		case !c.allowed && err == nil:
			t.Errorf("%s importing %s built; Go's internal rule should reject it", c.main, c.imp)
		case !c.allowed && !strings.Contains(string(out), want):
			t.Errorf("%s importing %s failed without %q:\n%s", c.main, c.imp, want, out)
		}
	}
}

// TestLauncherHasNoNetworking keeps the launcher small: it never needs the
// network packages (and their start-up cost).
func TestLauncherHasNoNetworking(t *testing.T) {
	for _, goos := range []string{"linux", "darwin"} {
		for _, p := range strings.Fields(goListFor(t, goos, "-deps", "./launcher")) {
			if p == "net" || strings.HasPrefix(p, "net/") {
				t.Errorf("the launcher depends on %s (GOOS=%s)", p, goos)
			}
		}
	}
}

// TestLauncherUsesOnlyTheStandardLibraryAndItsOwnPackages is the launcher's
// import budget.
func TestLauncherUsesOnlyTheStandardLibraryAndItsOwnPackages(t *testing.T) {
	out := goList(t, "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./launcher")
	for _, p := range strings.Fields(out) {
		if !strings.HasPrefix(p, module) && !strings.HasPrefix(p, "github.com/klauspost/compress") {
			t.Errorf("the launcher depends on %s; it may use only the standard library, klauspost/compress (zstd, flate) and this module", p)
		}
	}
}

// TestFirstStageLinksLittle is the first stage's budget: it runs on every
// start of every archive, and what it links costs start-up time (package
// initialisation, pages faulted in) and file size. None of this module's
// packages it links may import fmt or reflect (encoding/hex and
// encoding/binary pull them in; compress/flate, which it needs, imports fmt
// for one error type, which the linker drops), JSON, zip, compression
// other than flate, process spawning, logging or networking; and it links
// no module but the standard library and this one.
func TestFirstStageLinksLittle(t *testing.T) {
	banned := []string{"fmt", "reflect", "encoding/json", "encoding/hex", "encoding/binary", "os/exec", "archive/zip",
		"compress/gzip", "compress/zlib", "log", "net"}
	for _, goos := range []string{"linux", "darwin"} {
		out := goListFor(t, goos, "-deps", "-f", "{{.ImportPath}}:{{join .Imports \" \"}}", "./launcher/first")
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			p, imports, _ := strings.Cut(line, ":")
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") && !strings.HasPrefix(p, module) {
				t.Errorf("the first stage depends on %s (GOOS=%s)", p, goos)
			}
			if !strings.HasPrefix(p, module) {
				continue
			}
			for _, imp := range strings.Fields(imports) {
				if slices.Contains(banned, imp) || strings.HasPrefix(imp, "net/") {
					t.Errorf("%s, linked into the first stage, imports %s (GOOS=%s)", p, imp, goos)
				}
			}
		}
	}
}
