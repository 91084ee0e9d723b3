"""pex_target_environment: a description of where a file will run, for `target_environments`."""

load(":toolchains.bzl", "PACKER_TOOLCHAIN_TYPE")

def _pex_target_environment_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".json")
    args = ctx.actions.args()
    args.add("target-environment")
    args.add("--python", ctx.attr.python)
    args.add("--platform", ctx.attr.platform)
    args.add("--name", ctx.label.name)
    args.add("-o", out)
    ctx.actions.run(
        executable = ctx.toolchains[PACKER_TOOLCHAIN_TYPE].packer,
        arguments = [args],
        outputs = [out],
        mnemonic = "PexTargetEnvironment",
        progress_message = "Describing target environment %s" % ctx.label.name,
    )
    return [DefaultInfo(files = depset([out]))]

pex_target_environment = rule(
    implementation = _pex_target_environment_impl,
    doc = """Writes `<name>.json`, the target environment of CPython `python` on the oldest system of platform tag `platform`, for `pex_binary`'s `target_environments`.

Its tags are those the launcher computes for such an interpreter on such a
system, and its `python_full_version` is the series' first release (`3.11.0`),
so a check that passes for it passes for the series. `@rules_pex//target_environments`
has one for each of CPython 3.9 to 3.13 on `manylinux2014` and `manylinux_2_28`
(`x86_64`, `aarch64`) and macOS 11 (`x86_64`, `arm64`), named
`cp311-manylinux_2_28_x86_64` and so on. For an exact description of a real
host, write the file from its interpreter (see "Target environments").
""",
    attrs = {
        "platform": attr.string(
            mandatory = True,
            doc = "The platform tag of the oldest system to run on: `manylinux_2_28_x86_64`, `manylinux2014_aarch64`, `musllinux_1_2_x86_64`, `macosx_11_0_arm64`, ...",
        ),
        "python": attr.string(
            mandatory = True,
            doc = "The CPython release series: `3.11`.",
        ),
    },
    toolchains = [PACKER_TOOLCHAIN_TYPE],
    incompatible_use_toolchain_transition = True,
)
