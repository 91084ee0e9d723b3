"""WORKSPACE macro for building rules_pex's tools from source with rules_go.

Load it after `rules_pex_dependencies(toolchains_from_source = True)`, which
declares `@io_bazel_rules_go`.
"""

load("@io_bazel_rules_go//go:deps.bzl", "go_host_sdk", "go_local_sdk", "go_rules_dependencies")

def rules_pex_go_setup(go_sdk_path = None):
    """Declares rules_go's dependencies and a Go SDK, and registers Go toolchains.

    Calls `go_rules_dependencies()` and declares the Go SDK `@go_sdk`. Load
    it after `rules_pex_dependencies(toolchains_from_source = True)`, which
    declares `@io_bazel_rules_go`.

    Args:
      go_sdk_path: GOROOT of the Go SDK to build with, e.g. `/usr/local/go`.
        By default, the host's Go (`$GOROOT`, else `go env GOROOT` of the `go`
        on PATH). An SDK without a precompiled standard library (Go >= 1.20)
        is copied and prepared once per output base (about a minute; about
        20 s with a warm Go build cache); the result is byte-identical across
        output bases, so Go actions hit shared caches.
    """
    go_rules_dependencies()
    if go_sdk_path:
        go_local_sdk(name = "go_sdk", path = go_sdk_path)
    else:
        go_host_sdk(name = "go_sdk")
