"""pex_wheel: the wheels of one Python project, with the projects it requires."""

load(":check_wheel.bzl", "check_wheels")
load(":providers.bzl", "PexWheelInfo")
load(":toolchains.bzl", "PACKER_TOOLCHAIN_TYPE")
load(":wheel_name.bzl", "normalize_project", "project_of_wheel")

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
    return [
        PexWheelInfo(
            project = project,
            requirement = _requirement(ctx, project),
            transitive_checked = depset(
                checked,
                transitive = [dep[PexWheelInfo].transitive_checked for dep in ctx.attr.deps],
            ),
            transitive_wheels = transitive,
            wheels = ctx.files.wheels,
        ),
        DefaultInfo(files = transitive),
    ]

pex_wheel = rule(
    implementation = _pex_wheel_impl,
    doc = """The wheels of one Python project and the projects it requires (its Requires-Dist).

`pex_wheel_repository` makes one per project; write one by hand for wheels
kept in the workspace. In `pex_binary.deps`, the project becomes a root
requirement and every wheel of its closure is packed. Each wheel is validated
once, by its own `PexWheelCheck` action (the packer's `check-wheel`), which
every `pex_binary` using it shares. Returns `PexWheelInfo`, and the wheels of
the closure as its files.

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
        "marker": attr.string(
            doc = "A PEP 508 environment marker (`sys_platform == \"linux\"`) the root requirement carries, as a lock says it: the launcher installs the project only where the marker holds. The packer checks the syntax; default: none.",
        ),
        "project": attr.string(
            doc = "The project's name; default: the target's name. Compared after PEP 503 normalization with the name in each wheel's file name.",
        ),
        "wheels": attr.label_list(
            allow_files = [".whl"],
            doc = "The project's wheel files, one per set of tags (e.g. one per platform).",
        ),
    },
    toolchains = [PACKER_TOOLCHAIN_TYPE],
    incompatible_use_toolchain_transition = True,
)
