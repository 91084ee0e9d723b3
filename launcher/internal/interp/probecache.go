package interp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rules-pex/rules_pex/internal/atomicfile"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/probe"
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
	// NotRun reports that Err was found without running the candidate
	// (a pyenv shim that cannot run, see Search.Skip).
	NotRun bool
}

// ProbeCache stores probe results in a directory, one file per
// interpreter path, valid while the file's identity is unchanged.
//
// Failures are cached too, so that a broken or hanging interpreter costs
// its failure (at worst Timeout) once per file identity, not at every cold
// start: a timeout, an exit status, output that is not a probe result.
// Failures that may not happen again (see transient) are not cached, and a
// cached failure is tried again after FailureTTL, or when a longer
// Timeout is in force than the one that ran out.
type ProbeCache struct {
	// Dir is the cache directory; "" disables caching.
	Dir string
	// Timeout bounds each probe; 0 means probe.DefaultTimeout.
	Timeout time.Duration
	// Now is the clock (time.Now if nil), for tests.
	Now func() time.Time
}

// FailureTTL is how long a cached probe failure is believed.
const FailureTTL = 24 * time.Hour

// cachedProbe is the content of a probe cache file.
type cachedProbe struct {
	Path   string      `json:"path"`
	ID     FileID      `json:"id"`
	Schema int         `json:"schema"`
	Info   *probe.Info `json:"info,omitempty"`
	Error  string      `json:"error,omitempty"`
	// FailedAt is when the failure was seen (Unix seconds).
	FailedAt int64 `json:"failed_at,omitempty"`
	// TimeoutMS is the timeout that ran out, for a timeout.
	TimeoutMS int64 `json:"timeout_ms,omitempty"`
}

func (c *ProbeCache) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return probe.DefaultTimeout
}

func (c *ProbeCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
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
	if cp.Info == nil {
		// A failure holds for FailureTTL, and a timeout only for a
		// timeout no longer than the one that ran out.
		age := c.now().Sub(time.Unix(cp.FailedAt, 0))
		if cp.Error == "" || age < 0 || age >= FailureTTL || (cp.TimeoutMS > 0 && c.timeout() > time.Duration(cp.TimeoutMS)*time.Millisecond) {
			return nil, false
		}
	}
	return &cp, true
}

// Probe returns what the interpreter at path reports, from the cache when
// the file's identity is still id. Only one process probes a given path at
// a time; the others wait and read its result.
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
	pctx, cancel := context.WithTimeout(ctx, c.timeout())
	info, err := probe.Run(pctx, path)
	cancel()
	cand.Info, cand.Err = info, err
	if c.Dir != "" && ctx.Err() == nil && !transient(err) {
		cp := cachedProbe{Path: path, ID: id, Schema: probe.SchemaVersion, Info: info}
		if err != nil {
			cp.Error = err.Error()
			cp.FailedAt = c.now().Unix()
			if errors.Is(err, context.DeadlineExceeded) {
				cp.TimeoutMS = c.timeout().Milliseconds()
			}
		}
		if data, merr := json.Marshal(cp); merr == nil {
			regfile.ClearDir(c.file(path)) // else this probe would run at every cold start
			atomicfile.WriteFile(c.file(path), data, 0o644)
		}
	}
	return cand
}

// transient reports whether a probe failure may well not happen again, so
// must not be cached: the interpreter was killed by a signal (not by our
// timeout, which is a definite failure), the system could not start it for
// want of resources, it said it ran out of memory, or the probe was
// cancelled. An exit status, a timeout or output that is not a probe result
// are definite.
func transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) {
		return true
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return true
		}
	}
	for _, e := range []error{syscall.EAGAIN, syscall.ENOMEM, syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ETXTBSY, syscall.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	var pe *probe.Error
	if errors.As(err, &pe) {
		for _, s := range []string{"MemoryError", "Cannot allocate memory", "Resource temporarily unavailable", "Too many open files"} {
			if strings.Contains(pe.Stderr, s) {
				return true
			}
		}
	}
	return false
}

// Probing runs up to probeSlots candidates at a time, but a probe gives up
// its slot after slotLease: a hanging candidate then delays the others by
// a fraction of a second, not by its timeout.
const (
	probeSlots = 4
	slotLease  = 300 * time.Millisecond
)

// ProbeAll probes the candidates of a search concurrently. A candidate
// the search found unusable without running it (Search.Skip) is not run.
func (c *ProbeCache) ProbeAll(ctx context.Context, s *Search) []Candidate {
	out := make([]Candidate, len(s.Candidates))
	var wg sync.WaitGroup
	sem := make(chan struct{}, probeSlots)
	for i, p := range s.Candidates {
		if i < len(s.Skip) && s.Skip[i] != nil {
			out[i] = Candidate{Path: p, ID: s.IDs[i], Err: s.Skip[i], NotRun: true}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			done := make(chan struct{})
			go func() {
				t := time.NewTimer(slotLease)
				select {
				case <-done:
				case <-t.C:
				}
				t.Stop()
				<-sem
			}()
			out[i] = c.Probe(ctx, p, s.IDs[i])
			close(done)
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
