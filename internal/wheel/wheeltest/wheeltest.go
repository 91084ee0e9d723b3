// Package wheeltest writes small, valid wheel files for tests, with knobs to
// break them in the ways real wheels are broken. It is imported by tests only.
package wheeltest

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Spec describes a wheel to write.
type Spec struct {
	Name    string // project name as written in METADATA, e.g. "demo_pkg"
	Version string // e.g. "1.0"
	Tag     string // tag set, default "py3-none-any"
	// Files maps paths inside the wheel (relative to its root, including
	// .data/ paths) to contents. Names ending in "*" are written with mode
	// 0755 (the star is dropped).
	Files          map[string]string
	RequiresPython string
	RequiresDist   []string
	ProvidesExtra  []string
	// EntryPoints is the raw text of entry_points.txt, if not empty.
	EntryPoints string
	// Purelib sets Root-Is-Purelib (default true when Tag ends in -any).
	Purelib *bool
	// Edit may change the dist-info files (keys "WHEEL", "METADATA",
	// "RECORD", full paths for others) after they are generated and before
	// they are written; set a value to "" to omit that file.
	Edit func(files map[string]string)
	// FileName overrides the wheel file name.
	FileName string
}

// Write writes the wheel described by s into dir and returns its path.
func Write(t testing.TB, dir string, s Spec) string {
	t.Helper()
	path, err := WriteFile(dir, s)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// WriteFile is Write without a testing.TB, for benchmarks and tools.
func WriteFile(dir string, s Spec) (string, error) {
	if s.Tag == "" {
		s.Tag = "py3-none-any"
	}
	escaped := strings.NewReplacer("-", "_", ".", "_").Replace(s.Name)
	distInfo := escaped + "-" + s.Version + ".dist-info/"
	purelib := strings.HasSuffix(s.Tag, "-any")
	if s.Purelib != nil {
		purelib = *s.Purelib
	}
	files := map[string]string{}
	for k, v := range s.Files {
		files[k] = v
	}
	var wheelText strings.Builder
	fmt.Fprintf(&wheelText, "Wheel-Version: 1.0\nGenerator: wheeltest\nRoot-Is-Purelib: %v\n", purelib)
	for _, p := range strings.Split(strings.Split(s.Tag, "-")[0], ".") {
		for _, a := range strings.Split(strings.Split(s.Tag, "-")[1], ".") {
			for _, pl := range strings.Split(strings.Split(s.Tag, "-")[2], ".") {
				fmt.Fprintf(&wheelText, "Tag: %s-%s-%s\n", p, a, pl)
			}
		}
	}
	var meta strings.Builder
	fmt.Fprintf(&meta, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", s.Name, s.Version)
	if s.RequiresPython != "" {
		fmt.Fprintf(&meta, "Requires-Python: %s\n", s.RequiresPython)
	}
	for _, r := range s.RequiresDist {
		fmt.Fprintf(&meta, "Requires-Dist: %s\n", r)
	}
	for _, e := range s.ProvidesExtra {
		fmt.Fprintf(&meta, "Provides-Extra: %s\n", e)
	}
	meta.WriteString("\nA test distribution.\n")
	dist := map[string]string{"WHEEL": wheelText.String(), "METADATA": meta.String()}
	if s.EntryPoints != "" {
		dist[distInfo+"entry_points.txt"] = s.EntryPoints
	}
	for k, v := range dist {
		if !strings.Contains(k, "/") {
			k = distInfo + k
		}
		files[k] = v
	}
	var record strings.Builder
	names := sortedKeys(files)
	for _, n := range names {
		c := files[n]
		sum := sha256.Sum256([]byte(c))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", strings.TrimSuffix(n, "*"), base64.RawURLEncoding.EncodeToString(sum[:]), len(c))
	}
	fmt.Fprintf(&record, "%sRECORD,,\n", distInfo)
	edit := map[string]string{"WHEEL": files[distInfo+"WHEEL"], "METADATA": files[distInfo+"METADATA"], "RECORD": record.String()}
	for k, v := range files {
		if k != distInfo+"WHEEL" && k != distInfo+"METADATA" {
			edit[k] = v
		}
	}
	if s.Edit != nil {
		s.Edit(edit)
	}
	final := map[string]string{}
	for k, v := range edit {
		switch k {
		case "WHEEL", "METADATA", "RECORD":
			k = distInfo + k
		}
		if v != "" || !strings.HasPrefix(k, distInfo) {
			final[k] = v
		}
	}
	name := s.FileName
	if name == "" {
		name = fmt.Sprintf("%s-%s-%s.whl", escaped, s.Version, s.Tag)
	}
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	zw := zip.NewWriter(f)
	for _, n := range sortedKeys(final) {
		h := &zip.FileHeader{Name: strings.TrimSuffix(n, "*"), Method: zip.Deflate}
		h.SetMode(0o644)
		if strings.HasSuffix(n, "*") {
			h.SetMode(0o755)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return "", err
		}
		if _, err := w.Write([]byte(final[n])); err != nil {
			return "", err
		}
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return path, f.Close()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
