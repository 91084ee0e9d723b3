package pack

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/internal/relpath"
)

// source is one --source input.
type source struct {
	dest, path string
	executable bool
	size       int64
	sha256     string
}

func readSources(specs []string, t *terms, ps *Problems) []*source {
	byDest := map[string]string{}
	var out []*source
	for _, spec := range specs {
		dest, path, ok := strings.Cut(spec, "=")
		if !ok || dest == "" || path == "" {
			ps.addf("--source %q: want DEST=PATH", spec)
			continue
		}
		if err := relpath.Check(dest); err != nil {
			ps.addf("--source %s: destination %v", spec, err)
			continue
		}
		if why, reserved := layout.ReservedEnvPath(layout.SchemeSitePackages, dest); reserved {
			fix := "choose another destination"
			if t.bazel() {
				fix = "rename the file, or change the imports of the py_library that holds it"
			}
			ps.addf("%s: destination %s is a name the launcher owns (the code goes to site-packages, and %s); %s", t.source(dest, path), dest, why, fix)
			continue
		}
		if prev, dup := byDest[dest]; dup {
			ps.addf("--source %s: destination %s is also claimed by %s", spec, dest, prev)
			continue
		}
		byDest[dest] = path
		s, err := hashSource(dest, path)
		if err != nil {
			ps.addf("--source %s: %v", spec, err)
			continue
		}
		out = append(out, s)
	}
	// A file may not also be a directory of another file ("a" and "a/b").
	for dest := range byDest {
		for d := dest; ; {
			i := strings.LastIndexByte(d, '/')
			if i < 0 {
				break
			}
			d = d[:i]
			if other, clash := byDest[d]; clash {
				ps.addf("--source %s=%s: destination %s is a file of --source %s=%s, not a directory", dest, byDest[dest], d, d, other)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].dest < out[j].dest })
	return out
}

func hashSource(dest, path string) (*source, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s", errText(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return &source{dest: dest, path: path, executable: st.Mode()&0o111 != 0, size: n, sha256: hex.EncodeToString(h.Sum(nil))}, nil
}
