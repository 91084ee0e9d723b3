//go:build tools

// Package tools pins the versions of the Bazel tools that rules_pex's checks
// run with `go run` from this directory: buildifier (formats and lints every
// Starlark file) and Gazelle (writes the BUILD files of the Go packages). It
// is its own module so that these pins stay out of the project's go.mod.
package tools

import (
	_ "github.com/bazelbuild/bazel-gazelle/cmd/gazelle"
	_ "github.com/bazelbuild/buildtools/buildifier"
)
