"""Bzlmod module extension of rules_pex (Bazel 6 and later; not runnable on Bazel 4.2).

In MODULE.bazel:

```starlark
bazel_dep(name = "rules_pex", version = "...")

pex = use_extension("@rules_pex//rules:extensions.bzl", "pex")
pex.wheels(
    name = "pypi",
    directory = "third_party/wheels",  # relative to the root module, or absolute
)
use_repo(pex, "pypi")

pex.wheels(
    name = "locked",
    lock = "//:requirements.txt",  # or a pylock.toml
    index_url = "https://pypi.org/simple",
)
use_repo(pex, "locked")

# A machine's CPython for pex_binary(precompile = ["3.11"], pythons = ["@python311//:3.11"]).
pex.local_python(
    name = "python311",
    interpreter = "/usr/bin/python3.11",
    version = "3.11",
)
use_repo(pex, "python311")
```

rules_pex's own MODULE.bazel registers the prebuilt toolchains of its
release (`pex.toolchains()`, `@rules_pex_toolchains//:all`).
"""

load("//rules/private:host_packer.bzl", "host_packer")
load("//rules/private:local_python_repo.bzl", "pex_local_python")
load("//rules/private:pex_wheel_repo.bzl", "pex_wheel_repository")
load("//rules/private:prebuilt_repo.bzl", "pex_prebuilt_toolchains")
load("//rules/private:versions.bzl", "RELEASE")

_toolchains = tag_class(
    doc = "Declares the prebuilt packer and launcher toolchains of this release of rules_pex.",
    attrs = {
        "name": attr.string(default = "rules_pex_toolchains", doc = "Name of the repository of `toolchain()` targets."),
    },
)

_wheels = tag_class(
    doc = "Declares a `pex_wheel_repository`: one `pex_wheel` per project of a lock file, a directory of wheels or a URL list.",
    attrs = {
        "directory": attr.string(doc = "A directory of `.whl` files: absolute, or relative to the root module's directory."),
        "find_links": attr.string_list(doc = "With `lock` (a requirements file): find-links pages or directories."),
        "index_url": attr.string(doc = "With `lock` (a requirements file): the simple index to fetch wheels from."),
        "lock": attr.label(doc = "A lock file: `pylock.toml` (PEP 751) or a pip requirements file with `--hash` options."),
        "name": attr.string(mandatory = True, doc = "Name of the repository, e.g. `pypi`."),
        "wheels": attr.string_dict(doc = "Wheel URL → sha256."),
    },
)

_local_python = tag_class(
    doc = "Declares a `pex_local_python`: a CPython installed on the machine, by its path, for `pex_binary`'s `precompile`.",
    attrs = {
        "interpreter": attr.string(mandatory = True, doc = "The interpreter's absolute path (`/usr/bin/python3.11`)."),
        "name": attr.string(mandatory = True, doc = "Name of the repository, e.g. `python311`."),
        "version": attr.string(mandatory = True, doc = "Its version, `MAJOR.MINOR`."),
    },
)

def _pex_impl(mctx):
    root = str(mctx.path(Label("@@//:MODULE.bazel")).dirname)
    toolchains = {}
    for mod in mctx.modules:
        for tag in mod.tags.toolchains:
            toolchains[tag.name] = True
        for tag in mod.tags.local_python:
            pex_local_python(name = tag.name, interpreter = tag.interpreter, version = tag.version)
        for tag in mod.tags.wheels:
            directory = tag.directory
            if directory and not directory.startswith("/"):
                directory = root + "/" + directory
            pex_wheel_repository(
                name = tag.name,
                directory = directory,
                wheels = tag.wheels,
                lock = tag.lock,
                index_url = tag.index_url,
                find_links = tag.find_links,
            )

    # Lock repositories run it at fetch time; fetched only then.
    host_packer(name = "rules_pex_host_packer", release = RELEASE, from_source = False)
    for name in toolchains:
        pex_prebuilt_toolchains(
            name = name,
            base_url = RELEASE["base_url"],
            sha256 = RELEASE["sha256"],
            allow_empty = True,
        )

pex = module_extension(
    implementation = _pex_impl,
    doc = "Wheel repositories, declared local Pythons and the prebuilt toolchains of rules_pex.",
    tag_classes = {
        "local_python": _local_python,
        "toolchains": _toolchains,
        "wheels": _wheels,
    },
)
