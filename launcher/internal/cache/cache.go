// Package cache owns the launcher's on-disk cache: where its root is, the
// versioned layout under it, the locks that make it safe for many processes
// at once, the atomic creation of entries (work directory + rename, under a
// lock, double-checked), the recording of use, and pruning.
//
// Layout under the root (see docs/launcher.md):
//
//	v2/wheels/<tree hash>/         a wheel's installed tree (site-packages/, scripts/, ...)
//	v2/code/<code hash>/           an application's code tree
//	v2/venvs/<key>/                one environment per (application, interpreter)
//	v2/interpreters/<key>.json     cached probe results
//	v2/plans/<key>.json            warm-start plans
//	<entry>.lock                   the lock of each entry, next to it
//	<entry>.complete               the completion marker of a tree or environment
//	v2/prune.lock                  shared by creators, exclusive for pruning
//
// Trees and environments are immutable once renamed into place, and
// complete only while their marker exists (see MarkerPath): a directory
// existing proves nothing. Trees are read-only (see Seal).
package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

// Version names the layout. A launcher only reads and writes entries under
// its own version directory, so layouts can change without conflicts. v2
// proves an entry complete by its marker and keeps trees read-only; v1
// entries (complete by existing) are never read, so launchers of either
// kind keep running side by side.
const Version = warm.CacheVersion

// Kinds of entries, named after their directory under the version directory.
const (
	Wheels       = "wheels"
	Code         = "code"
	Venvs        = "venvs"
	Interpreters = "interpreters"
	Plans        = warm.PlansDir
	// Launchers holds launchers copied out of archives: a universal
	// file's host launcher and a two-stage launcher's full launcher, each a
	// file named by its digest.
	Launchers = warm.LaunchersDir
)

// Kinds lists every entry directory.
var Kinds = []string{Wheels, Code, Venvs, Interpreters, Plans, Launchers}

// Root is a cache root ready for use.
type Root struct {
	// Base is the root directory (PEX_ROOT or its default).
	Base string
	// Dir is the versioned directory under Base that holds every entry.
	Dir string
	// Fallback is true when the preferred root was not writable and Base
	// is a private temporary directory instead.
	Fallback bool
}

// At returns the Root whose base directory is base, without touching the disk.
func At(base string) *Root {
	return &Root{Base: base, Dir: filepath.Join(base, Version)}
}

// Path returns the path of the entry named key of a kind.
func (r *Root) Path(kind, key string) string {
	return filepath.Join(r.Dir, kind, key)
}

// Preferred returns the cache root the environment asks for (see
// warm.PreferredRoot): PEX_ROOT, else $XDG_CACHE_HOME/rules_pex, else
// ~/.cache/rules_pex; "" when none can be named (no HOME).
func Preferred(getenv func(string) string) string { return warm.PreferredRoot(getenv) }

// FallbackBase returns the private temporary root used when the preferred
// one is not writable: rules_pex-<uid> in the system's temporary directory.
func FallbackBase() string { return warm.FallbackBase() }

// Open returns a writable cache root: the preferred one if it can be created
// and written, else the private fallback. warning is a one-line explanation
// when the fallback is used, for the caller to print.
func Open(getenv func(string) string) (root *Root, warning string, err error) {
	pref := Preferred(getenv)
	if pref != "" {
		werr := ensureWritable(pref)
		if werr == nil {
			return At(pref), "", nil
		}
		warning = fmt.Sprintf("cache root %s is not writable (%v); using %s instead (set PEX_ROOT to choose)",
			pref, werr, FallbackBase())
	} else {
		warning = fmt.Sprintf("no cache root: PEX_ROOT and HOME are unset; using %s (set PEX_ROOT to choose)", FallbackBase())
	}
	fb, ferr := openFallback()
	if ferr != nil {
		return nil, "", fmt.Errorf("%s, and the fallback failed: %w", strings.TrimSuffix(warning, " (set PEX_ROOT to choose)"), ferr)
	}
	if fb.Base != FallbackBase() {
		warning = strings.Replace(warning, FallbackBase(), fb.Base, 1)
	}
	return fb, warning, nil
}

// ensureWritable creates the version directory under base and checks that
// an entry can be created in it.
func ensureWritable(base string) error {
	dir := filepath.Join(base, Version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".probe-write-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// openFallback returns the private fallback root, creating it with mode
// 0700. A directory of that name that is not a real directory owned by this
// user with no access for others is never used: a fresh private temporary
// directory is made instead.
func openFallback() (*Root, error) {
	base := FallbackBase()
	err := os.Mkdir(base, 0o700)
	if err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	if warm.PrivateDir(base) && ensureWritable(base) == nil {
		r := At(base)
		r.Fallback = true
		return r, nil
	}
	tmp, err := os.MkdirTemp("", "rules_pex-")
	if err != nil {
		return nil, err
	}
	if err := ensureWritable(tmp); err != nil {
		return nil, err
	}
	r := At(tmp)
	r.Fallback = true
	return r, nil
}
