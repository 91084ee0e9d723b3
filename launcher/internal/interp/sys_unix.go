//go:build unix

package interp

import (
	"syscall"
)

// executable reports whether the current user may execute path.
func executable(path string) bool {
	return syscall.Access(path, 0x1 /* X_OK */) == nil
}
