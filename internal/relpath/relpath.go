// Package relpath owns the rule for paths that may appear inside archives and
// wheels: relative, slash-separated, clean, and unable to escape the directory
// they are extracted into.
package relpath

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsafe is wrapped by every error Check returns.
var ErrUnsafe = errors.New("unsafe path")

// Check reports whether name is a safe relative path: non-empty, slash
// separated, not absolute, without drive letters, backslashes, NUL or other
// control characters, and without empty, "." or ".." components.
func Check(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrUnsafe, name, why) }
	switch {
	case name == "":
		return bad("empty")
	case strings.HasPrefix(name, "/"):
		return bad("absolute")
	case strings.Contains(name, `\`):
		return bad("contains a backslash")
	case len(name) >= 2 && name[1] == ':' && (name[0]|0x20 >= 'a' && name[0]|0x20 <= 'z'):
		return bad("has a drive letter")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return bad("contains a control character")
		}
	}
	// Walk the components without allocating: archives have many names.
	for rest := name; ; {
		c, tail, more := strings.Cut(rest, "/")
		switch c {
		case "":
			return bad("has an empty component")
		case ".", "..":
			return bad("has a " + c + " component")
		}
		if !more {
			return nil
		}
		rest = tail
	}
}
