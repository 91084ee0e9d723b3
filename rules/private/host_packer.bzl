"""rules_pex_host_packer: the packer for the host, for repository rules that run it at fetch time.

Repository rules (`pex_wheel_repository(lock = ...)`) run `packer lock` on the
machine Bazel runs on, before any toolchain exists. The packer comes either
from this copy of rules_pex's sources, built by the host's Go (`go build
-trimpath`, with the module cache or `GOPROXY` for its one library, as
`go_module_repository` fetches it), or, in a release, as the prebuilt binary
pinned by sha256 in `versions.bzl`.
"""

load(":go_module_repo.bzl", "go_binary_path")
load(":packer_srcs.bzl", "PACKER_SRCS")
load(":prebuilt_repo.bzl", "PLATFORMS")

def _host_platform(rctx):
    """The `<os>-<arch>` of the machine Bazel runs on, as release binaries are named."""
    os = rctx.os.name.lower()
    if os.startswith("mac os"):
        os = "darwin"
    elif os.startswith("linux"):
        os = "linux"
    res = rctx.execute(["uname", "-m"])
    arch = {"aarch64": "arm64", "amd64": "amd64", "arm64": "arm64", "x86_64": "amd64"}.get(res.stdout.strip(), res.stdout.strip())
    return "%s-%s" % (os, arch)

def _build(rctx):
    go = go_binary_path(rctx, "rules_pex_host_packer")

    # Reading each source through its label makes Bazel build the packer
    # again when one of them changes.
    for src in rctx.attr.srcs:
        rctx.path(src)
    root = rctx.path(Label("//:go.mod")).dirname
    rctx.report_progress("Building the packer with the host's Go")
    res = rctx.execute(
        [go, "build", "-trimpath", "-o", str(rctx.path("packer")), "./tools/packer"],
        environment = {
            "CGO_ENABLED": "0",
            "GO111MODULE": "on",
            "GOFLAGS": "-mod=readonly -buildvcs=false",
            "GOTOOLCHAIN": "local",
            "GOWORK": "off",
        },
        working_directory = str(root),
        timeout = 600,
    )
    if res.return_code:
        fail("rules_pex_host_packer: `go build ./tools/packer` in %s failed (the packer reads lock files at fetch time):\n%s%s" % (root, res.stdout, res.stderr))

def _download(rctx):
    platform = _host_platform(rctx)
    key = "packer-" + platform
    if key not in rctx.attr.sha256:
        fail("rules_pex_host_packer: this release of rules_pex has no prebuilt packer for the host (%s; it has %s); build it from source with rules_pex_dependencies(toolchains_from_source = True)" % (platform, ", ".join(sorted(rctx.attr.sha256)) or "none"))
    rctx.download(
        url = "%s/%s" % (rctx.attr.base_url.rstrip("/"), key),
        output = "packer",
        sha256 = rctx.attr.sha256[key],
        executable = True,
    )

def _host_packer_impl(rctx):
    if rctx.attr.from_source:
        _build(rctx)
    else:
        _download(rctx)
    rctx.file("BUILD.bazel", "exports_files([\"packer\"])\n")
    rctx.file("WORKSPACE", "workspace(name = %r)\n" % rctx.name)

host_packer_repository = repository_rule(
    implementation = _host_packer_impl,
    doc = "The packer binary for the host (`@rules_pex_host_packer//:packer`), built from source or downloaded.",
    attrs = {
        "base_url": attr.string(doc = "Where the release binaries are: `<base_url>/packer-<os>-<arch>`."),
        "from_source": attr.bool(doc = "Build the packer from this copy of rules_pex with the host's Go, instead of downloading it."),
        "sha256": attr.string_dict(doc = "`packer-<os>-<arch>` → sha256 of the release binary."),
        "srcs": attr.label_list(
            allow_files = True,
            doc = "The packer's Go sources (`packer_srcs.bzl`); a change to one builds it again.",
        ),
    },
    environ = ["GOROOT", "GOPATH", "GOPROXY", "GOMODCACHE"],
)

def host_packer(name, release, from_source):
    """Declares the host packer repository.

    Args:
      name: the repository's name (`rules_pex_host_packer`).
      release: the `RELEASE` dict of `versions.bzl`.
      from_source: build from source; also when the release has no pins (a source checkout).
    """
    if not release["sha256"]:
        from_source = True
    host_packer_repository(
        name = name,
        base_url = release["base_url"],
        from_source = from_source,
        sha256 = {k: v for k, v in release["sha256"].items() if k.startswith("packer-") and k[len("packer-"):] in PLATFORMS},
        srcs = [Label(s) for s in PACKER_SRCS] if from_source else [],
    )
