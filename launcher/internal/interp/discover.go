// Package interp owns finding the Python interpreters a launcher may use
// (PEX_PYTHON, PEX_PYTHON_PATH, PATH), probing them with a cache keyed by
// each file's identity, and choosing one: the newest (or oldest) that
// satisfies the interpreter constraints and for which the archive carries a
// compatible wheel of every distribution it needs. When none fits, the
// error lists every candidate and why it was rejected.
package interp

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

// Sources of candidates, named after the variable that lists them.
const (
	FromPexPython     = "PEX_PYTHON"
	FromPexPythonPath = "PEX_PYTHON_PATH"
	FromPath          = "PATH"
)

// DefaultPath is searched when PATH is unset or empty (`env -i ./app`): the
// directories of execvp(3) and Python's os.defpath ("/bin:/usr/bin"),
// /usr/bin first so that a merged /usr names /usr/bin/python3.
const DefaultPath = "/usr/bin:/bin"

// searchPath returns the value of PATH, or DefaultPath.
func searchPath(getenv func(string) string) string {
	if p := getenv("PATH"); p != "" {
		return p
	}
	return DefaultPath
}

// FileID, Watch and their functions live in package warm, which the first
// stage shares; these names keep the interpreter code readable.
type (
	FileID = warm.FileID
	Watch  = warm.Watch
)

// Stat returns the FileID of path (see warm.Stat).
func Stat(path string) FileID { return warm.Stat(path) }

// IdentityOf returns the FileID of a file's info.
func IdentityOf(fi os.FileInfo) FileID { return warm.IdentityOf(fi) }

// Changed reports whether any watched path has a different identity now.
func Changed(ws []Watch) bool { return warm.Changed(ws) }

// Search is the result of discovery.
type Search struct {
	// Source is the variable the candidates come from.
	Source string
	// Spec is that variable's value.
	Spec string
	// Candidates are executable paths in discovery order, each file once.
	Candidates []string
	// IDs are the identities of Candidates.
	IDs []FileID
	// Watches are the directories searched and the files found.
	Watches []Watch
	// Skip says, for each candidate, why it cannot run, when that was
	// found without running it (a pyenv shim whose command no selected
	// version has, see shimProblem); nil entries (or a nil Skip) for the
	// others.
	Skip []error
}

// isCandidateName reports whether a file name is one searched for in
// directories: python, python3, python3.N, pypy, pypy3, pypy3.N.
func isCandidateName(name string) bool {
	rest, ok := strings.CutPrefix(name, "python")
	if !ok {
		if rest, ok = strings.CutPrefix(name, "pypy"); !ok {
			return false
		}
	}
	if rest == "" || rest == "3" {
		return true
	}
	minor, ok := strings.CutPrefix(rest, "3.")
	if !ok || minor == "" {
		return false
	}
	for i := 0; i < len(minor); i++ {
		if minor[i] < '0' || minor[i] > '9' {
			return false
		}
	}
	return true
}

// Discover lists candidate interpreters: PEX_PYTHON (a path, or a name
// looked up in PATH) if set, else the files and directories of
// PEX_PYTHON_PATH if set, else PATH (DefaultPath if PATH is unset).
func Discover(getenv func(string) string) *Search {
	s := &Search{}
	defer s.findShims(getenv)
	seen := map[FileID]bool{}
	add := func(path string) {
		id := Stat(path)
		s.Watches = append(s.Watches, Watch{Path: path, ID: id})
		if id == (FileID{}) || id.Dir || seen[id] || !executable(path) {
			return
		}
		seen[id] = true
		s.Candidates = append(s.Candidates, path)
		s.IDs = append(s.IDs, id)
	}
	scan := func(dir string) {
		id := Stat(dir)
		s.Watches = append(s.Watches, Watch{Path: dir, ID: id})
		if !id.Dir {
			return
		}
		for _, name := range listCandidates(dir) {
			add(filepath.Join(dir, name))
		}
	}
	if py := getenv("PEX_PYTHON"); py != "" {
		s.Source, s.Spec = FromPexPython, py
		if strings.ContainsRune(py, '/') {
			add(absolute(py))
			return s
		}
		for _, dir := range filepath.SplitList(searchPath(getenv)) {
			if dir == "" {
				continue
			}
			dir = absolute(dir)
			s.Watches = append(s.Watches, Watch{Path: dir, ID: Stat(dir)})
			p := filepath.Join(dir, py)
			if id := Stat(p); id != (FileID{}) && !id.Dir && executable(p) {
				add(p)
				return s
			}
		}
		return s
	}
	if pp := getenv("PEX_PYTHON_PATH"); pp != "" {
		s.Source, s.Spec = FromPexPythonPath, pp
		for _, e := range filepath.SplitList(pp) {
			if e == "" {
				continue
			}
			e = absolute(e)
			if Stat(e).Dir {
				scan(e)
			} else {
				add(e)
			}
		}
		return s
	}
	s.Source, s.Spec = FromPath, searchPath(getenv)
	for _, dir := range filepath.SplitList(s.Spec) {
		if dir != "" {
			scan(absolute(dir))
		}
	}
	return s
}

// listCandidates returns the names in dir that look like interpreters:
// python3.N (newest minor first), python3, python, then the same for pypy.
func listCandidates(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if isCandidateName(e.Name()) && (e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0) {
			names = append(names, e.Name())
		}
	}
	sort.Slice(names, func(i, j int) bool { return nameKey(names[i]) < nameKey(names[j]) })
	return names
}

// nameKey orders candidate names: python before pypy; within each,
// versioned names by descending minor, then "3", then none.
func nameKey(name string) string {
	impl := "0"
	if strings.HasPrefix(name, "pypy") {
		impl = "1"
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(name, "python"), "pypy")
	switch {
	case strings.HasPrefix(rest, "3."):
		var minor int
		fmt.Sscanf(rest[2:], "%d", &minor)
		return fmt.Sprintf("%s0%06d", impl, 999999-minor)
	case rest == "3":
		return impl + "1"
	}
	return impl + "2"
}

func absolute(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
