"""WORKSPACE macros: the repositories rules_pex needs and its toolchains.

A WORKSPACE that uses a release of rules_pex:

```starlark
load("@rules_pex//rules:repositories.bzl", "rules_pex_dependencies", "rules_pex_register_toolchains")

rules_pex_dependencies()

rules_pex_register_toolchains()
```

A WORKSPACE that builds the packer and the launcher from source with rules_go
(this repository and its examples do):

```starlark
load("@rules_pex//rules:repositories.bzl", "rules_pex_dependencies", "rules_pex_register_toolchains")

rules_pex_dependencies(toolchains_from_source = True)

load("@rules_pex//rules:go_setup.bzl", "rules_pex_go_setup")

rules_pex_go_setup()

rules_pex_register_toolchains(from_source = True)
```
"""

load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")
load("//rules/private:files_repo.bzl", "files_repository")
load("//rules/private:go_module_repo.bzl", "go_module_repository")
load("//rules/private:host_packer.bzl", "host_packer")
load("//rules/private:local_python_repo.bzl", _pex_local_python = "pex_local_python")
load("//rules/private:pex_wheel_repo.bzl", _pex_wheel_repository = "pex_wheel_repository")
load("//rules/private:prebuilt_repo.bzl", "pex_prebuilt_toolchains")
load("//rules/private:versions.bzl", "RELEASE")

pex_wheel_repository = _pex_wheel_repository
pex_local_python = _pex_local_python

def rules_pex_dependencies(toolchains_from_source = False, release = RELEASE):
    """Declares the repositories rules_pex needs, unless the WORKSPACE already has them.

    Always `@rules_pex_host_packer`, the packer for the machine Bazel runs
    on, which `pex_wheel_repository(lock = ...)` runs at fetch time: in a
    release, the prebuilt binary pinned by sha256 (fetched only when a lock
    repository is); in a source checkout or with `toolchains_from_source`,
    built from rules_pex's sources with the host's Go. Building the tools from source needs
    rules_go v0.34.0 (the newest release that runs on Bazel 4.2) and
    `github.com/klauspost/compress`, both from their Go module zips, fetched
    by the host's `go mod download` (from `GOPROXY` or the module cache) and
    checked against pinned go.sum hashes. rules_go gets
    `third_party/rules_go/go1.20.patch`, which makes it work with Go >= 1.20
    (see `third_party/rules_go/README.md`).

    Args:
      toolchains_from_source: also declare what building the packer and the
        launcher from source needs: rules_go (v0.34.0, the newest release that
        runs on Bazel 4.2, patched for Go >= 1.20) and the Go libraries the
        tools import. Both come from the Go module proxy through the host's
        `go` command. Follow with `rules_pex_go_setup()` from
        `@rules_pex//rules:go_setup.bzl`.
      release: where `@rules_pex_host_packer` downloads the prebuilt packer
        from: the same dict as `release` of `rules_pex_register_toolchains`
        (pass both the same mirror). The default is the release this copy
        of rules_pex belongs to; a dict without pins (a source checkout)
        builds the packer from source.
    """
    maybe(host_packer, name = "rules_pex_host_packer", release = release, from_source = toolchains_from_source)
    if not toolchains_from_source:
        return
    maybe(
        go_module_repository,
        name = "io_bazel_rules_go",
        module = "github.com/bazelbuild/rules_go",
        version = "v0.34.0",
        sum = "h1:cmObMtgIOaEU944SqXtJ9DnlS8IPGGa7pdRnsrpQzXM=",
        patches = [Label("//third_party/rules_go:go1.20.patch")],
    )
    maybe(
        go_module_repository,
        name = "com_github_klauspost_compress",
        module = "github.com/klauspost/compress",
        version = "v1.20.4",
        sum = "h1:dD0v/bvxtjCBqQu6sx1TNWkalEY5lNTIe+HY9w8TeNI=",
        build_files = {
            Label("//third_party/klauspost_compress:root.BUILD"): "BUILD.bazel",
            Label("//third_party/klauspost_compress:flate.BUILD"): "flate/BUILD.bazel",
            Label("//third_party/klauspost_compress:fse.BUILD"): "fse/BUILD.bazel",
            Label("//third_party/klauspost_compress:huff0.BUILD"): "huff0/BUILD.bazel",
            Label("//third_party/klauspost_compress:internal_cpuinfo.BUILD"): "internal/cpuinfo/BUILD.bazel",
            Label("//third_party/klauspost_compress:internal_le.BUILD"): "internal/le/BUILD.bazel",
            Label("//third_party/klauspost_compress:internal_regmask.BUILD"): "internal/regmask/BUILD.bazel",
            Label("//third_party/klauspost_compress:internal_snapref.BUILD"): "internal/snapref/BUILD.bazel",
            Label("//third_party/klauspost_compress:zstd.BUILD"): "zstd/BUILD.bazel",
            Label("//third_party/klauspost_compress:zstd_internal_xxhash.BUILD"): "zstd/internal/xxhash/BUILD.bazel",
        },
    )

def rules_pex_register_toolchains(from_source = False, name = "rules_pex_toolchains", release = RELEASE):
    """Registers the packer and launcher toolchains.

    By default: one packer toolchain per execution platform and one launcher
    toolchain per target platform (linux and darwin × amd64 and arm64), each
    a prebuilt binary of `release` pinned by sha256 (in a release, its
    `rules/private/versions.bzl`). Only the binaries that toolchain
    resolution picks are downloaded. With `from_source = True`:
    `@rules_pex//rules/toolchain:packer_from_source_toolchain` (the
    `go_binary` of `//tools/packer`, built for the execution platform) and
    `launcher_from_source_toolchain` (`//launcher`, built by rules_go for
    whatever target platform is asked for).

    Args:
      from_source: register toolchains that build `@rules_pex//tools/packer`
        and `@rules_pex//launcher` with rules_go (see
        `rules_pex_dependencies(toolchains_from_source = True)`) instead of
        the prebuilt release binaries.
      name: prefix of the repositories holding the prebuilt binaries.
      release: which prebuilt binaries, and from where: a dict with
        `base_url` (each binary is fetched from
        `<base_url>/<tool>-<os>-<arch>`, e.g. `.../packer-linux-amd64`) and
        `sha256` (`<tool>-<os>-<arch>` → sha256 pin), the form of
        `RELEASE` in `rules/private/versions.bzl` (its `version` key is not
        read). The default is `RELEASE`, the release this copy of rules_pex
        belongs to: the binaries at the `BASE_URL` that `make release` was
        given. Pass a dict to fetch them from elsewhere, e.g. a mirror or a
        `file://` directory on a machine without network, keeping the
        release's pins (its `SHA256SUMS`): `{"base_url":
        "file:///opt/rules_pex/v1.0.0", "sha256": {"packer-linux-amd64":
        "...", "launcher-linux-amd64": "..."}}`. Only the platforms
        toolchain resolution can pick need an entry; a key that is not
        `<tool>-<os>-<arch>` of a known tool and platform fails. Give
        `rules_pex_dependencies` the same dict, for the packer that lock
        repositories run on the host.
    """
    if from_source:
        native.register_toolchains(
            str(Label("//rules/toolchain:packer_from_source_toolchain")),
            str(Label("//rules/toolchain:launcher_from_source_toolchain")),
        )
        return
    pex_prebuilt_toolchains(name = name, base_url = release["base_url"], sha256 = release["sha256"])
    native.register_toolchains("@%s//:all" % name)

def rules_pex_offline_bazel_setup(share = "/usr/share/bazel"):
    """Local stand-ins for what Bazel 4.2 would download, for machines without network.

    Only for Debian's `bazel-bootstrap` (Bazel 4.2.3) on a machine that
    cannot reach GitHub: declares `@platforms`, `@bazel_skylib`,
    `@rules_java` and `@rules_proto` from Debian's `bazel-platforms`,
    `bazel-skylib`, `bazel-rules-java` and `bazel-rules-proto`, a `@rules_cc`
    that forwards to Bazel's native C++ rules, and `@remote_coverage_tools`
    whose tools do nothing (`bazel coverage` then makes no report). Call it
    first in the WORKSPACE; with network, leave it out.

    Args:
      share: where Debian installs Bazel's files.
    """
    maybe(native.local_repository, name = "platforms", path = share + "/tools/platforms")
    maybe(native.local_repository, name = "bazel_skylib", path = share + "/tools/skylib")
    maybe(native.local_repository, name = "rules_java", path = share + "/rules/java")
    maybe(native.local_repository, name = "rules_proto", path = share + "/rules/proto")
    maybe(
        files_repository,
        name = "rules_cc",
        files = {
            Label("//third_party/rules_cc:root.BUILD"): "BUILD.bazel",
            Label("//third_party/rules_cc:cc.BUILD"): "cc/BUILD.bazel",
            Label("//third_party/rules_cc:defs.bzl"): "cc/defs.bzl",
        },
    )
    maybe(
        files_repository,
        name = "remote_coverage_tools",
        files = {
            Label("//third_party/remote_coverage_tools:coverage.BUILD"): "BUILD.bazel",
            Label("//third_party/remote_coverage_tools:noop.sh"): "noop.sh",
        },
    )
