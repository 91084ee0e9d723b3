//go:build tools

// Package tools pins the versions of the Bazel tools that rules_pex's checks
// run with `go run` from this directory: buildifier (formats and lints every
// Starlark file) and Gazelle (writes the BUILD files of the Go packages).
// docgen, in this module too, writes docs/rules.md with buildtools' parser.
// It is its own module so that these pins stay out of the project's go.mod.
// Developer tooling only: Gazelle and Bazel skip this directory (the root
// BUILD.bazel and .bazelignore) and scripts/make-release leaves it out of the
// release.
package tools

import (
	_ "github.com/bazelbuild/bazel-gazelle/cmd/gazelle"
	_ "github.com/bazelbuild/buildtools/buildifier"
)
