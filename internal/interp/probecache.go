package interp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/rules-pex/rules_pex/internal/cache"
	"github.com/rules-pex/rules_pex/internal/probe"
	"github.com/rules-pex/rules_pex/internal/regfile"
)

// Candidate is a discovered interpreter and what probing it found.
type Candidate struct {
	// Path is where it was found.
	Path string
	// ID is the identity of the file at Path when probed.
	ID FileID
	// Info is the probe's result; nil if probing failed.
	Info *probe.Info
	// Err is why probing failed.
	Err error
	// Cached reports that Info (or Err) came from the probe cache.
	Cached bool
}

// ProbeCache stores probe results in a directory, one file per
// interpreter path, valid while the file's identity is unchanged.
type ProbeCache struct {
	// Dir is the cache directory; "" disables caching.
	Dir string
}

// cachedProbe is the content of a probe cache file.
type cachedProbe struct {
	Path   string      `json:"path"`
	ID     FileID      `json:"id"`
	Schema int         `json:"schema"`
	Info   *probe.Info `json:"info,omitempty"`
	Error  string      `json:"error,omitempty"`
}

func (c *ProbeCache) file(path string) string {
	sum := sha256.Sum256([]byte(path))
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:16])+".json")
}

// lookup returns the cached result for path with identity id.
func (c *ProbeCache) lookup(path string, id FileID) (*cachedProbe, bool) {
	if c.Dir == "" {
		return nil, false
	}
	data, err := regfile.ReadFile(c.file(path), 1<<20)
	if err != nil {
		return nil, false
	}
	var cp cachedProbe
	if json.Unmarshal(data, &cp) != nil || cp.Path != path || cp.ID != id || cp.Schema != probe.SchemaVersion {
		return nil, false
	}
	if cp.Info == nil && cp.Error == "" {
		return nil, false
	}
	return &cp, true
}

// Probe returns what the interpreter at path reports, from the cache when
// the file's identity is still id. Only one process probes a given path at
// a time; the others wait and read its result. Failures are cached too
// (a broken interpreter stays broken until its file changes), except
// timeouts, which may be passing load.
func (c *ProbeCache) Probe(ctx context.Context, path string, id FileID) Candidate {
	cand := Candidate{Path: path, ID: id}
	fill := func(cp *cachedProbe) Candidate {
		cand.Cached = true
		if cp.Info != nil {
			cand.Info = cp.Info
		} else {
			cand.Err = errors.New(cp.Error)
		}
		return cand
	}
	if cp, ok := c.lookup(path, id); ok {
		return fill(cp)
	}
	var lock *cache.Lock
	if c.Dir != "" {
		if err := os.MkdirAll(c.Dir, 0o755); err == nil {
			lock, _ = cache.Acquire(c.file(path)+".lock", true)
		}
		if cp, ok := c.lookup(path, id); ok {
			lock.Release()
			return fill(cp)
		}
	}
	defer lock.Release()
	info, err := probe.Run(ctx, path)
	cand.Info, cand.Err = info, err
	if c.Dir != "" && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
		cp := cachedProbe{Path: path, ID: id, Schema: probe.SchemaVersion, Info: info}
		if err != nil {
			cp.Error = err.Error()
		}
		if data, merr := json.Marshal(cp); merr == nil {
			cache.WriteFileAtomic(c.file(path), data, 0o644)
		}
	}
	return cand
}

// ProbeAll probes the candidates of a search concurrently.
func (c *ProbeCache) ProbeAll(ctx context.Context, s *Search) []Candidate {
	out := make([]Candidate, len(s.Candidates))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, p := range s.Candidates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = c.Probe(ctx, p, s.IDs[i])
		}()
	}
	wg.Wait()
	return out
}

// BaseExecutable returns the interpreter an environment should be based
// on: the candidate itself, or for the python of a virtual environment,
// the interpreter that environment was made from.
func BaseExecutable(info *probe.Info) string {
	if !info.InVenv() {
		return info.Executable
	}
	names := []string{filepath.Base(info.Executable)}
	impl := "python"
	if info.ImplementationName == "pypy" {
		impl = "pypy"
	}
	v := info.VersionInfo
	names = append(names,
		impl+strconv.Itoa(v.Major)+"."+strconv.Itoa(v.Minor), impl+strconv.Itoa(v.Major), impl, "python"+strconv.Itoa(v.Major), "python")
	dirs := []string{filepath.Join(info.BasePrefix, "bin")}
	if home := venvHome(info.Prefix); home != "" {
		dirs = append([]string{home}, dirs...)
	}
	for _, d := range dirs {
		for _, n := range names {
			p := filepath.Join(d, n)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && executable(p) {
				return p
			}
		}
	}
	return info.Realpath
}

// venvHome returns the "home" of the pyvenv.cfg of the environment at prefix.
func venvHome(prefix string) string {
	data, err := regfile.ReadFile(filepath.Join(prefix, "pyvenv.cfg"), 1<<20)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(k) == "home" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// VenvIncludesSystem reports whether the environment at prefix sees its
// base interpreter's site-packages.
func VenvIncludesSystem(prefix string) bool {
	data, err := regfile.ReadFile(filepath.Join(prefix, "pyvenv.cfg"), 1<<20)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(k) == "include-system-site-packages" {
			return strings.EqualFold(strings.TrimSpace(v), "true")
		}
	}
	return false
}
