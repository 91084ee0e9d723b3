package warm

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Names in the cache that a warm start reads (package cache and
// internal/layout name them too; a test keeps them equal).
const (
	// CacheVersion is the cache layout's directory under the root.
	CacheVersion = "v2"
	// PlansDir holds the plans.
	PlansDir = "plans"
	// LaunchersDir holds launchers copied out of files: a universal
	// file's, and the full launcher of a two-stage one, each named by its
	// SHA-256.
	LaunchersDir = "launchers"
	// UseLockName is an environment's use lock (layout.EnvUseLock).
	UseLockName = "rules_pex.lock"
	// CompiledName marks an environment whose bytecode is written
	// (layout.EnvCompiled).
	CompiledName = "rules_pex.compiled"
)

// PlanPath returns the path of the plan named key under the cache root base.
func PlanPath(base, key string) string {
	return filepath.Join(base, CacheVersion, PlansDir, key)
}

// FallbackBase returns the private temporary root used when the preferred
// one is not writable: rules_pex-<uid> in the system's temporary directory.
func FallbackBase() string {
	return filepath.Join(os.TempDir(), "rules_pex-"+strconv.Itoa(os.Getuid()))
}

// PrivateDir reports whether path is a real directory (not a symlink) owned
// by this user and closed to everyone else.
func PrivateDir(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// Writable reports whether the current user may create files in dir.
func Writable(dir string) bool {
	return syscall.Access(dir, 0x2 /* W_OK */) == nil
}
