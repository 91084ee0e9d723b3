package launch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
)

// writeTree writes files (path -> content; a trailing "*" on the path
// makes it executable) read-only as extraction does, named by its tree
// hash and marked complete.
func writeTree(t *testing.T, parent string, files map[string]string) string {
	t.Helper()
	work := filepath.Join(parent, "work")
	var entries []layout.TreeEntry
	for name, data := range files {
		exec := strings.HasSuffix(name, "*")
		name = strings.TrimSuffix(name, "*")
		p := filepath.Join(work, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		mode := os.FileMode(0o444)
		if exec {
			mode = 0o555
		}
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(data))
		entries = append(entries, layout.TreeEntry{Path: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Executable: exec})
	}
	dir := filepath.Join(parent, layout.TreeHash(entries))
	if err := cache.Seal(work, false, false); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(work, dir); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cache.MarkerPath(dir), nil, 0o444)
	t.Cleanup(func() { cache.RemoveAll(dir) })
	return dir
}

func TestTreeDamage(t *testing.T) {
	pyc := "\xa7\x0d\r\n" + strings.Repeat("\x00", 28)
	for _, tc := range []struct {
		name    string
		files   map[string]string
		damage  func(dir string)
		want    string // substring of the damage; "" for none
		removed []string
	}{
		{name: "sound", files: map[string]string{"pkg/__init__.py": "x = 1\n", "bin/run*": "#!/bin/sh\n"}},
		{name: "written bytecode is not content, broken bytecode goes",
			files: map[string]string{"pkg/__init__.py": "x = 1\n"},
			damage: func(dir string) {
				os.WriteFile(filepath.Join(dir, "pkg", "__pycache__", "__init__.cpython-311.pyc"), []byte(pyc), 0o644)
				os.WriteFile(filepath.Join(dir, "pkg", "__pycache__", "m.cpython-311.pyc"), []byte("short"), 0o644)
				os.WriteFile(filepath.Join(dir, "pkg", "__pycache__", "n.cpython-311.pyc"), []byte(strings.Repeat("x", 20)), 0o644)
			},
			removed: []string{"pkg/__pycache__/m.cpython-311.pyc", "pkg/__pycache__/n.cpython-311.pyc"}},
		{name: "shipped bytecode is content, written bytecode next to it is not",
			files: map[string]string{"pkg/__init__.py": "x = 1\n", "pkg/__pycache__/shipped.cpython-311.pyc": "short"},
			damage: func(dir string) {
				os.WriteFile(filepath.Join(dir, "pkg", "__pycache__", "__init__.cpython-311.pyc"), []byte(pyc), 0o644)
			}},
		{name: "flipped byte", files: map[string]string{"pkg/__init__.py": "x = 1\n"},
			damage: func(dir string) { os.WriteFile(filepath.Join(dir, "pkg", "__init__.py"), []byte("x = 2\n"), 0o444) },
			want:   "does not match its tree hash"},
		{name: "executable bit", files: map[string]string{"bin/run*": "#!/bin/sh\n"},
			damage: func(dir string) { os.Chmod(filepath.Join(dir, "bin", "run"), 0o444) },
			want:   "does not match its tree hash"},
		{name: "extra file", files: map[string]string{"pkg/__init__.py": "x = 1\n"},
			damage: func(dir string) { os.WriteFile(filepath.Join(dir, "pkg", "new.py"), nil, 0o644) },
			want:   "does not match its tree hash"},
		{name: "no marker", files: map[string]string{"pkg/__init__.py": "x = 1\n"},
			damage: func(dir string) { os.Remove(cache.MarkerPath(dir)) },
			want:   "incomplete (no marker)"},
		{name: "no tree", files: map[string]string{"pkg/__init__.py": "x = 1\n"},
			damage: func(dir string) { cache.RemoveAll(dir) },
			want:   noTree},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, t.TempDir(), tc.files)
			if tc.damage != nil {
				tc.damage(dir)
			}
			var out bytes.Buffer
			got := treeDamage(dir, &verifyReport{out: &out})
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("treeDamage = %q, want %q", got, tc.want)
			}
			for _, r := range tc.removed {
				if _, err := os.Stat(filepath.Join(dir, r)); err == nil || !strings.Contains(out.String(), "broken bytecode "+r+": removed it") {
					t.Errorf("%s not removed and reported:\n%s", r, out.String())
				}
			}
			if len(tc.removed) == 0 && out.Len() > 0 {
				t.Errorf("reported %s", out.String())
			}
		})
	}
}

// A byte-compiler writing beside verify (temporary files renamed into
// place in __pycache__) is not damage: files that vanish between the
// directory listing and their read are skipped, not reported.
func TestTreeDamageBesideAByteCompiler(t *testing.T) {
	files := map[string]string{}
	for i := 0; i < 40; i++ {
		files[fmt.Sprintf("pkg/m%d.py", i)] = fmt.Sprintf("x = %d\n", i)
	}
	dir := writeTree(t, t.TempDir(), files)
	cacheDir := filepath.Join(dir, "pkg", "__pycache__")
	os.Chmod(filepath.Join(dir, "pkg"), 0o755)
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		t.Fatal(err)
	}
	pyc := []byte("\xa7\x0d\r\n" + strings.Repeat("\x00", 28))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			final := filepath.Join(cacheDir, fmt.Sprintf("m%d.cpython-311.pyc", n%40))
			tmp := fmt.Sprintf("%s.tmp-%d", final, n)
			os.WriteFile(tmp, pyc, 0o644)
			os.Rename(tmp, final)
		}
	}()
	var problems []string
	for i := 0; i < 300 && len(problems) == 0; i++ {
		var out bytes.Buffer
		if got := treeDamage(dir, &verifyReport{out: &out}); got != "" || out.Len() > 0 {
			problems = append(problems, got+out.String())
		}
	}
	close(stop)
	<-done
	if len(problems) > 0 {
		t.Errorf("treeDamage reported a byte-compiler's temporary files as damage: %s", problems[0])
	}
}
