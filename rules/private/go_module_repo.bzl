"""go_module_repository: a repository made from a Go module zip.

The Go command fetches the zip (from GOPROXY, or from the module cache when it
is already there), checks it against the checksum database as it always does,
and this rule checks it again against a pinned go.sum hash before unpacking.
Bazel rulesets that are Go modules (rules_go, buildtools) and Go libraries
come this way, so a machine that can reach a Go module proxy, or has the
modules in its cache, needs no other network access.
"""

def go_binary_path(rctx, what = None):
    """Finds the host's `go` command: `$GOROOT/bin/go`, else `go` on PATH, else the usual places.

    Args:
      rctx: the repository context.
      what: who needs it, for the error message (default: this rule and its name).

    Returns:
      The path of the `go` command.
    """
    goroot = rctx.os.environ.get("GOROOT", "")
    if goroot:
        go = rctx.path(goroot + "/bin/go")
        if go.exists:
            return go
    go = rctx.which("go")
    if go:
        return go
    for candidate in ["/usr/local/go/bin/go", "/usr/lib/go/bin/go"]:
        if rctx.path(candidate).exists:
            return rctx.path(candidate)
    fail("%s: no Go command found (looked at $GOROOT/bin/go, PATH, /usr/local/go/bin/go); install Go or set GOROOT" % (what or "go_module_repository(name = %r)" % rctx.name))

def _go_module_repository_impl(rctx):
    go = go_binary_path(rctx)
    module = "%s@%s" % (rctx.attr.module, rctx.attr.version)
    env = {
        "GO111MODULE": "on",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
    }
    rctx.report_progress("go mod download " + module)
    res = rctx.execute([go, "mod", "download", "-json", module], environment = env, timeout = 600)
    if res.return_code:
        fail("go_module_repository(name = %r): `go mod download %s` failed: %s%s" % (rctx.name, module, res.stdout, res.stderr))
    info = json.decode(res.stdout)
    if info.get("Error"):
        fail("go_module_repository(name = %r): `go mod download %s`: %s" % (rctx.name, module, info["Error"]))
    if info["Sum"] != rctx.attr.sum:
        fail("go_module_repository(name = %r): %s has go.sum hash %s, but sum = %r is pinned; if the new version is intended, pin the new hash" % (rctx.name, module, info["Sum"], rctx.attr.sum))
    rctx.extract(info["Zip"], stripPrefix = module)
    for patch in rctx.attr.patches:
        rctx.patch(patch, strip = 1)
    for label, dest in rctx.attr.build_files.items():
        rctx.symlink(label, dest)
    if not rctx.path("WORKSPACE").exists and not rctx.path("WORKSPACE.bazel").exists:
        rctx.file("WORKSPACE", "workspace(name = %r)\n" % rctx.name)

go_module_repository = repository_rule(
    implementation = _go_module_repository_impl,
    doc = "A repository holding the files of one version of a Go module.",
    attrs = {
        "build_files": attr.label_keyed_string_dict(
            allow_files = True,
            doc = "BUILD files to place in the repository: file label → path in the repository (`flate/BUILD.bazel`).",
        ),
        "module": attr.string(
            mandatory = True,
            doc = "The module path, e.g. `github.com/bazelbuild/rules_go`.",
        ),
        "patches": attr.label_list(
            allow_files = True,
            doc = "Patch files applied in order with `-p1` after unpacking.",
        ),
        "sum": attr.string(
            mandatory = True,
            doc = "The module's go.sum hash (`h1:...`), checked before unpacking.",
        ),
        "version": attr.string(
            mandatory = True,
            doc = "The module version, e.g. `v0.34.0`.",
        ),
    },
    environ = ["GOROOT"],
)
