"""The two toolchain types of rules_pex and the rules that declare toolchains of them.

- The packer (`@rules_pex//rules/toolchain:packer_toolchain_type`) runs on the
  execution platform: it writes the archive.
- The launcher (`@rules_pex//rules/toolchain:launcher_toolchain_type`) runs on
  the target platform: its bytes start every archive made for that platform.
"""

PACKER_TOOLCHAIN_TYPE = str(Label("//rules/toolchain:packer_toolchain_type"))
LAUNCHER_TOOLCHAIN_TYPE = str(Label("//rules/toolchain:launcher_toolchain_type"))

def _pex_packer_toolchain_impl(ctx):
    return [platform_common.ToolchainInfo(
        packer = ctx.attr.packer[DefaultInfo].files_to_run,
    )]

pex_packer_toolchain = rule(
    implementation = _pex_packer_toolchain_impl,
    doc = """Declares a packer for `toolchain(toolchain_type = "@rules_pex//rules/toolchain:packer_toolchain_type")`.

The `ToolchainInfo` it returns has one field, `packer`: the packer's
`FilesToRunProvider`, built for the execution platform.

```starlark
pex_packer_toolchain(
    name = "packer_linux_amd64",
    packer = "@my_packer_linux_amd64//file",
)

toolchain(
    name = "packer_linux_amd64_toolchain",
    exec_compatible_with = ["@platforms//os:linux", "@platforms//cpu:x86_64"],
    toolchain = ":packer_linux_amd64",
    toolchain_type = "@rules_pex//rules/toolchain:packer_toolchain_type",
)
```
""",
    attrs = {
        "packer": attr.label(
            mandatory = True,
            allow_files = True,
            executable = True,
            cfg = "exec",
            doc = "The packer binary (a `go_binary` of `//tools/packer` or a prebuilt file), built for the execution platform.",
        ),
    },
)

def _pex_launcher_toolchain_impl(ctx):
    return [platform_common.ToolchainInfo(
        launcher = ctx.file.launcher,
    )]

pex_launcher_toolchain = rule(
    implementation = _pex_launcher_toolchain_impl,
    doc = """Declares a launcher for `toolchain(toolchain_type = "@rules_pex//rules/toolchain:launcher_toolchain_type")`.

The `ToolchainInfo` it returns has one field, `launcher`: the launcher
binary's `File`, built for the target platform. Constrain the `toolchain()`
with `target_compatible_with` when the binary is for one platform only.

```starlark
pex_launcher_toolchain(
    name = "launcher_darwin_arm64",
    launcher = "@my_launcher_darwin_arm64//file",
)

toolchain(
    name = "launcher_darwin_arm64_toolchain",
    target_compatible_with = ["@platforms//os:osx", "@platforms//cpu:aarch64"],
    toolchain = ":launcher_darwin_arm64",
    toolchain_type = "@rules_pex//rules/toolchain:launcher_toolchain_type",
)
```
""",
    attrs = {
        "launcher": attr.label(
            mandatory = True,
            allow_single_file = True,
            cfg = "target",
            doc = "The launcher binary (a `go_binary` of `//launcher` or a prebuilt file), built for the target platform.",
        ),
    },
)

def _target_launcher_impl(ctx):
    return [DefaultInfo(files = depset([ctx.toolchains[LAUNCHER_TOOLCHAIN_TYPE].launcher]))]

target_launcher = rule(
    implementation = _target_launcher_impl,
    doc = "The launcher binary of the launcher toolchain resolved for the target platform (pex_binary's `platforms` builds it under a transition).",
    toolchains = [LAUNCHER_TOOLCHAIN_TYPE],
    incompatible_use_toolchain_transition = True,
)
