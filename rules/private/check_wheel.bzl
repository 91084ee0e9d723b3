"""The PexWheelCheck action: the packer validates one wheel once and writes its summary.

`pex_binary` then packs the wheel with `--checked-wheel WHEEL=SUMMARY`, which
checks the wheel's size and zip directory against the summary and copies its
entries without validating them again. Each check is its own cached action,
so changing an application's source re-runs only the PexPack action.
"""

load(":toolchains.bzl", "PACKER_TOOLCHAIN_TYPE")

def check_wheels(ctx, wheels):
    """Declares one PexWheelCheck action per wheel.

    Args:
      ctx: the context of a rule that has the packer toolchain.
      wheels: list of .whl Files.

    Returns:
      A list of (wheel, summary) tuples, in the order of wheels.
    """
    packer = ctx.toolchains[PACKER_TOOLCHAIN_TYPE].packer
    checked = []
    for i, wheel in enumerate(wheels):
        summary = ctx.actions.declare_file("%s.wheels/%d/%s.json" % (ctx.label.name, i, wheel.basename))
        args = ctx.actions.args()
        args.add("check-wheel")
        args.add("-o", summary)
        args.add(wheel)

        # No env and no use_default_shell_env: the packer reads only its
        # arguments and declared inputs, so the action is the same in the
        # sandbox, on a remote executor and on every machine.
        ctx.actions.run(
            executable = packer,
            arguments = [args],
            inputs = [wheel],
            outputs = [summary],
            mnemonic = "PexWheelCheck",
            progress_message = "Checking wheel %s" % wheel.basename,
        )
        checked.append((wheel, summary))
    return checked
