"""pex_wheel: the wheels of one Python project, with the projects it requires."""

load(":check_wheel.bzl", "check_wheels")
load(":precompile.bzl", "wheel_bytecode")
load(":providers.bzl", "PexPythonInfo", "PexWheelInfo")
load(":toolchains.bzl", "PACKER_TOOLCHAIN_TYPE")
load(":wheel_name.bzl", "normalize_project", "project_of_wheel")

def _import_root(ctx, imp):
    """Returns an `imports` entry as a runfiles path, as py_library does."""
    if imp.startswith("/") or ".." in imp.split("/"):
        fail("pex_wheel %s: imports has %r, which is not a path inside the package; give a relative path such as \"site-packages\"" % (ctx.label, imp))
    parts = [ctx.label.workspace_name or ctx.workspace_name, ctx.label.package, imp]
    return "/".join([p for p in parts if p and p != "."])

def _requirement(ctx, project):
    """The PEP 508 root requirement of this target: project[extras]; marker."""
    extras = [normalize_project(e) for e in ctx.attr.extras]
    for e in extras:
        if not e or [c for c in e.elems() if not (c.isalnum() or c == "-")]:
            fail("pex_wheel %s: extras has %r, which is not an extra's name (letters, digits, -, _ and .)" % (ctx.label, e))
    requirement = project + ("[%s]" % ",".join(sorted(extras)) if extras else "")
    marker = ctx.attr.marker.strip()
    if marker.startswith(";"):
        fail("pex_wheel %s: marker = %r starts with ';'; give the marker alone, e.g. 'sys_platform == \"linux\"'" % (ctx.label, ctx.attr.marker))
    return requirement + ("; " + marker if marker else "")

def _pex_wheel_impl(ctx):
    project = normalize_project(ctx.attr.project or ctx.label.name)
    for f in ctx.files.wheels:
        if project_of_wheel(f.basename) != project:
            fail("pex_wheel %s: wheels contains %s, a wheel of project %r, not %r; give each project its own pex_wheel, or set project" % (ctx.label, f.basename, project_of_wheel(f.basename), project))
    for dep in ctx.attr.deps:
        if PexWheelInfo not in dep:
            fail("pex_wheel %s: deps contains %s, which is not a pex_wheel; deps lists the projects this one requires" % (ctx.label, dep.label))
    transitive = depset(
        ctx.files.wheels,
        transitive = [dep[PexWheelInfo].transitive_wheels for dep in ctx.attr.deps],
    )
    checked = check_wheels(ctx, ctx.files.wheels)
    bytecode = wheel_bytecode(ctx, "pex_wheel %s" % ctx.label, ctx.files.wheels)
    tree = depset(
        ctx.files.tree,
        transitive = [dep[PexWheelInfo].tree for dep in ctx.attr.deps],
    )
    imports = depset(
        [_import_root(ctx, i) for i in ctx.attr.imports],
        transitive = [dep[PexWheelInfo].imports for dep in ctx.attr.deps],
    )
    runfiles = ctx.runfiles(transitive_files = depset(ctx.files.tree))
    for dep in ctx.attr.deps:
        runfiles = runfiles.merge(dep[DefaultInfo].default_runfiles)
    return [
        PexWheelInfo(
            imports = imports,
            project = project,
            requirement = _requirement(ctx, project),
            tree = tree,
            transitive_checked = depset(
                checked,
                transitive = [dep[PexWheelInfo].transitive_checked for dep in ctx.attr.deps],
            ),
            transitive_bytecode = depset(
                bytecode,
                transitive = [dep[PexWheelInfo].transitive_bytecode for dep in ctx.attr.deps],
            ),
            transitive_wheels = transitive,
            wheels = ctx.files.wheels,
        ),
        # The installed tree, so that native py_* rules import the project.
        PyInfo(
            imports = imports,
            transitive_sources = tree,
            uses_shared_libraries = any([f.extension == "so" for f in ctx.files.tree]),
        ),
        DefaultInfo(files = transitive, runfiles = runfiles),
    ]

pex_wheel = rule(
    implementation = _pex_wheel_impl,
    doc = """The wheels of one Python project and the projects it requires (its Requires-Dist).

`pex_wheel_repository` makes one per project; write one by hand for wheels
kept in the workspace. In `pex_binary.deps`, the project becomes a root
requirement and every wheel of its closure is packed. It is also a
`py_library` for native rules: with `tree` and `imports` set (as
`pex_wheel_repository` sets them), it returns `PyInfo`, so
`py_library(deps = ["@pypi//pyyaml"])`, `py_binary` and `py_test` import the
installed wheel, and a `pex_binary` reaching it through any depth of
`py_library.deps` packs the wheel itself. Each wheel is validated
once, by its own `PexWheelCheck` action (the packer's `check-wheel`), which
every `pex_binary` using it shares. Returns `PexWheelInfo`, `PyInfo`, the
wheels of the closure as its files and the installed trees as its runfiles.

```starlark
load("@rules_pex//rules:defs.bzl", "pex_wheel")

pex_wheel(
    name = "flask",
    wheels = ["wheels/flask-2.2.2-py3-none-any.whl"],
    deps = [":click", ":itsdangerous", ":jinja2", ":werkzeug"],
)
```
""",
    attrs = {
        "deps": attr.label_list(
            doc = "`pex_wheel` targets of the projects this one requires.",
        ),
        "extras": attr.string_list(
            doc = "Extras of the project that are wanted (`[\"socks\"]`): the root requirement `pex_binary` gives the packer becomes `requests[socks]`. `deps` must then hold the extras' requirements too (`pex_wheel_repository` wires them from a lock).",
        ),
        "imports": attr.string_list(
            doc = "Import roots of `tree`, relative to the package (`[\"site-packages\"]` in a `pex_wheel_repository`), added to `sys.path` by native `py_binary` and `py_test` as `py_library.imports` are.",
        ),
        "marker": attr.string(
            doc = "A PEP 508 environment marker (`sys_platform == \"linux\"`) the root requirement carries, as a lock says it: the launcher installs the project only where the marker holds. The packer checks the syntax; default: none.",
        ),
        "precompile": attr.string_list(
            doc = "Python versions (`[\"3.11\"]`) to compile the wheels' bytecode for, once, in one `PexPrecompile` action per wheel and version (by the `pex_python` of that version in `pythons`), for every `pex_binary(precompile = ...)` of that version that packs them: in one build and through a remote cache, all binaries share the action. A binary compiles itself the wheels no target compiled for its versions. The actions run only when a binary ships that bytecode. `pex_wheel_repository(precompile = ...)` sets it on every project. Default: none.",
        ),
        "project": attr.string(
            doc = "The project's name; default: the target's name. Compared after PEP 503 normalization with the name in each wheel's file name.",
        ),
        "pythons": attr.label_list(
            providers = [PexPythonInfo],
            doc = "`pex_python` targets: the declared interpreters that `precompile` uses, one per version.",
        ),
        "tree": attr.label_list(
            allow_files = True,
            doc = "The installed files of one of the wheels (its `.dist-info` included), below an `imports` root: what `PyInfo` gives native `py_library`, `py_binary` and `py_test` deps. `pex_wheel_repository` extracts them when it fetches (a pure wheel, else one for the host). Optional: without it, the target still works in `pex_binary.deps`, but native rules see no files. `pex_binary` never packs them: it packs `wheels`.",
        ),
        "wheels": attr.label_list(
            allow_files = [".whl"],
            doc = "The project's wheel files, one per set of tags (e.g. one per platform).",
        ),
        "_precompile_script": attr.label(default = "//tools/precompile:precompile.py", allow_single_file = True),
    },
    toolchains = [PACKER_TOOLCHAIN_TYPE],
    incompatible_use_toolchain_transition = True,
)
