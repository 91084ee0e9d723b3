"""The PexPrecompile actions: a declared Python compiles the bytecode an archive ships.

One action per wheel and Python version (its output depends only on the wheel
and the interpreter, so a remote cache shares it between builds and
machines) and one for the application's sources. Each runs
tools/precompile/precompile.py with the `pex_python` of that version, writes
a bundle of PEP 552 unchecked-hash `.pyc` files and gives it to the packer
with `--bytecode`.
"""

load(":providers.bzl", "PexPythonInfo")

def _fits(wheel, nodot):
    """Whether a wheel (by its file name's tags) may install on CPython nodot ("311")."""
    parts = wheel.basename[:-len(".whl")].split("-")
    if len(parts) < 5:
        return True
    pythons, abis = parts[-3].split("."), parts[-2].split(".")
    if "abi3" in abis:
        return True
    for py in pythons:
        if py in ("py3", "cp" + nodot, "py" + nodot) or not (py.startswith("cp") or py.startswith("py")):
            return True
    return False

def precompile_bundles(ctx, what, wheels, sources):
    """Declares the PexPrecompile actions of ctx.attr.precompile.

    Args:
      ctx: the context of a pex_binary or pex_test (attributes precompile,
        pythons and _precompile_script).
      what: "pex_binary //pkg:name", for errors.
      wheels: the wheel Files to pack.
      sources: (destination, File) pairs of the code tree.

    Returns:
      A list of bundle Files, for the packer's --bytecode.
    """
    if not ctx.attr.precompile:
        return []
    by_version = {}
    for target in ctx.attr.pythons:
        info = target[PexPythonInfo]
        if info.version in by_version:
            fail("%s: pythons has %s and %s, both Python %s; keep one per version" % (what, by_version[info.version][0], target.label, info.version))
        by_version[info.version] = (target.label, info)
    bundles = []
    for version in ctx.attr.precompile:
        if version not in by_version:
            declared = ", ".join(["%s (%s)" % (label, v) for v, (label, _) in sorted(by_version.items())]) or "none"
            fail("%s: precompile has %r, but no declared Python %s is in pythons (%s). Declare one with pex_python(name = ..., interpreter = ..., version = %r) (on a machine with a fixed system Python, pex_local_python gives @NAME//:%s) and add it to pythons, or remove %r from precompile" % (what, version, version, declared, version, version, version))
        info = by_version[version][1]
        nodot = version.replace(".", "")
        todo = [("--wheel", w, [w], "%s.bytecode/%s/%s.bc" % (ctx.label.name, version, w.basename)) for w in wheels if _fits(w, nodot)]
        py_sources = [(d, f) for d, f in sources if d.endswith(".py")]
        if py_sources:
            todo.append(("--source", None, [f for _, f in py_sources], "%s.bytecode/%s/code.bc" % (ctx.label.name, version)))
        for flag, wheel, inputs, path in todo:
            out = ctx.actions.declare_file(path)
            args = ctx.actions.args()
            args.add_all(["-S", "-s", "-B", ctx.file._precompile_script])
            params = ctx.actions.args()
            params.set_param_file_format("multiline")
            params.use_param_file("@%s", use_always = True)
            params.add("--out", out)
            params.add_all(["--expect-version", version, "--declared-by", str(by_version[version][0])])
            if wheel:
                params.add(flag, wheel)
            else:
                params.add_all(["%s=%s" % (d, f.path) for d, f in py_sources], before_each = flag)

            # No env: precompile.py runs itself again with PYTHONHASHSEED=0
            # and nothing else in its environment, so the bytes depend on
            # the inputs and the interpreter only.
            ctx.actions.run(
                executable = info.interpreter,
                arguments = [args, params],
                inputs = inputs + [ctx.file._precompile_script],
                outputs = [out],
                mnemonic = "PexPrecompile",
                progress_message = "Compiling bytecode of %s for Python %s" % (wheel.basename if wheel else "the sources of %s" % ctx.label, version),
            )
            bundles.append(out)
    return bundles
