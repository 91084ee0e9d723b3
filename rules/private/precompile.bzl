"""The PexPrecompile actions: a declared Python compiles the bytecode an archive ships.

One action per wheel and Python version, and one for an application's
sources. Each runs tools/precompile/precompile.py with the `pex_python` of
that version, writes a bundle of PEP 552 unchecked-hash `.pyc` files and gives
it to the packer with `--bytecode`. A wheel's bundle depends only on the wheel
and the interpreter: declared by the wheel's own `pex_wheel(precompile = ...)`
(as `pex_wheel_repository(precompile = ...)` generates it), it is one action
that every binary packing the wheel shares, in one build and through a
remote cache; a binary compiles itself only the wheels no target compiled
for it (wheels given as files, or from a repository without `precompile`).
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

def _pythons_by_version(what, pythons):
    """Maps each version to the (label, PexPythonInfo) of the one pex_python declaring it."""
    by_version = {}
    for target in pythons:
        info = target[PexPythonInfo]
        if info.version in by_version:
            fail("%s: pythons has %s and %s, both Python %s; keep one per version" % (what, by_version[info.version][0], target.label, info.version))
        by_version[info.version] = (target.label, info)
    return by_version

def _python_of(what, by_version, version):
    """The (label, PexPythonInfo) of version, or an analysis error saying how to declare one."""
    if version not in by_version:
        declared = ", ".join(["%s (%s)" % (label, v) for v, (label, _) in sorted(by_version.items())]) or "none"
        fail("%s: precompile has %r, but no declared Python %s is in pythons (%s). Declare one with pex_python(name = ..., interpreter = ..., version = %r) (on a machine with a fixed system Python, pex_local_python gives @NAME//:%s) and add it to pythons, or remove %r from precompile" % (what, version, version, declared, version, version, version))
    return by_version[version]

def _check_versions(what, versions):
    for version in versions:
        parts = version.split(".")
        if len(parts) != 2 or not parts[0].isdigit() or not parts[1].isdigit():
            fail("%s: precompile has %r, which is not a Python version MAJOR.MINOR such as \"3.11\"" % (what, version))

def _compile(ctx, python, version, out, wheel = None, sources = None):
    """Declares one PexPrecompile action writing out.

    Args:
      ctx: the rule context (attribute _precompile_script).
      python: the (label, PexPythonInfo) that compiles.
      version: its MAJOR.MINOR version.
      out: the bundle File to write.
      wheel: the wheel File to compile, or None.
      sources: (destination, File) pairs of .py files to compile, or None.
    """
    label, info = python
    args = ctx.actions.args()
    args.add_all(["-S", "-s", "-B", ctx.file._precompile_script])
    params = ctx.actions.args()
    params.set_param_file_format("multiline")
    params.use_param_file("@%s", use_always = True)
    params.add("--out", out)
    params.add_all(["--expect-version", version, "--declared-by", str(label)])
    if wheel:
        params.add("--wheel", wheel)
        inputs = [wheel]
        what = wheel.basename
    else:
        params.add_all(["%s=%s" % (d, f.path) for d, f in sources], before_each = "--source")
        inputs = [f for _, f in sources]
        what = "the sources of %s" % ctx.label

    # No env: precompile.py runs itself again with PYTHONHASHSEED=0 and
    # nothing else in its environment, so the bytes depend on the inputs and
    # the interpreter only.
    ctx.actions.run(
        executable = info.interpreter,
        arguments = [args, params],
        inputs = inputs + [ctx.file._precompile_script],
        outputs = [out],
        mnemonic = "PexPrecompile",
        progress_message = "Compiling bytecode of %s for Python %s" % (what, version),
    )

def _wheel_bundle(ctx, python, version, wheel):
    """Declares the PexPrecompile action of one wheel and version in ctx's package; returns its bundle."""
    bundle = ctx.actions.declare_file("%s.bytecode/%s/%s.bc" % (ctx.label.name, version, wheel.basename))
    _compile(ctx, python, version, bundle, wheel = wheel)
    return bundle

def wheel_bytecode(ctx, what, wheels):
    """Declares the PexPrecompile actions of a pex_wheel's precompile.

    Args:
      ctx: the context of a pex_wheel (attributes precompile, pythons and
        _precompile_script).
      what: "pex_wheel //pkg:name", for errors.
      wheels: its wheel Files.

    Returns:
      A list of (wheel File, version, bundle File), one per wheel and
      version it may install on.
    """
    if not ctx.attr.precompile:
        return []
    _check_versions(what, ctx.attr.precompile)
    by_version = _pythons_by_version(what, ctx.attr.pythons)
    out = []
    for version in ctx.attr.precompile:
        python = _python_of(what, by_version, version)
        for w in wheels:
            if _fits(w, version.replace(".", "")):
                out.append((w, version, _wheel_bundle(ctx, python, version, w)))
    return out

def precompile_bundles(ctx, what, wheels, sources, compiled):
    """Declares the PexPrecompile actions of a binary's precompile.

    Args:
      ctx: the context of a pex_binary or pex_test (attributes precompile,
        pythons and _precompile_script).
      what: "pex_binary //pkg:name", for errors.
      wheels: the wheel Files to pack.
      sources: (destination, File) pairs of the code tree.
      compiled: a depset of (wheel File, version, bundle File) that the
        wheels' own targets compiled (pex_wheel's precompile): used as
        they are, not compiled again.

    Returns:
      A list of bundle Files, for the packer's --bytecode.
    """
    if not ctx.attr.precompile:
        return []
    _check_versions(what, ctx.attr.precompile)
    by_version = _pythons_by_version(what, ctx.attr.pythons)
    shared = {(w.path, v): b for w, v, b in compiled.to_list()}
    bundles = []
    for version in ctx.attr.precompile:
        nodot = version.replace(".", "")
        todo = []
        for w in wheels:
            if not _fits(w, nodot):
                continue
            if (w.path, version) in shared:
                bundles.append(shared[(w.path, version)])
            else:
                todo.append(w)
        py_sources = [(d, f) for d, f in sources if d.endswith(".py")]
        if not todo and not py_sources:
            continue
        python = _python_of(what, by_version, version)
        for w in todo:
            bundles.append(_wheel_bundle(ctx, python, version, w))
        if py_sources:
            bundle = ctx.actions.declare_file("%s.bytecode/%s/code.bc" % (ctx.label.name, version))
            _compile(ctx, python, version, bundle, sources = py_sources)
            bundles.append(bundle)
    return bundles
