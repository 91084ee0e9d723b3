"""pex_deps_aspect: the wheels that `deps` bring to a pex_binary, at any depth of py_library.

A `py_library` declares its own third-party deps (`@pypi//pyyaml`). Its
`PyInfo` holds the installed tree of those wheels, which `pex_binary` must not
pack as code: it packs the wheels themselves. The aspect walks `deps`
(`py_library`, `pex_wheel`, any rule with a `deps` attribute) and gathers, for
each `pex_wheel` it meets, which target's `deps` brought it, so that the
binary can name both when two versions of a project meet, and it notes every
executable Python target found in `deps` (a `py_binary`), which cannot be
packed as a library.
"""

load(":providers.bzl", "PexWheelInfo")
load(":wheel_name.bzl", "project_of_wheel")

PexDepsInfo = provider(
    doc = "What `pex_deps_aspect` found below a target's `deps` (the target itself excluded).",
    fields = {
        "binaries": "depset of (label str, where str): executable Python targets (`py_binary`, `py_test`) found in `deps`; where is e.g. `deps of //lib:a`.",
        "bytecode": "depset of (wheel File, version str, bundle File): the bytecode bundles the wheels' own targets compiled (`pex_wheel(precompile = ...)`).",
        "checked": "depset of (wheel File, summary File): every wheel found, with its PexWheelCheck summary.",
        "imports": "depset of str: the import roots of the wheels' installed trees.",
        "trees": "depset of File: the installed trees of the wheels, to leave out of the packed code.",
        "wheels": "depset of (project, key, label, where, requirement) tuples, one per pex_wheel met: key identifies its wheel files; requirement is the PEP 508 root requirement it gives, or \"\" when a pex_wheel requires it (not a root).",
    },
)

def wheel_key(info):
    """Identifies the wheel files of a PexWheelInfo: two pex_wheels with the same key are one."""
    return ",".join(sorted([w.path for w in info.wheels]))

def visit_deps(owner, attr, deps, roots, transitive_of = None):
    """Sorts what a list of deps brings, for the aspect and for pex_binary itself.

    Args:
      owner: the label of the target whose attribute holds deps.
      attr: the attribute's name, for messages (`deps`).
      deps: the targets of the attribute.
      roots: whether a pex_wheel there is a root requirement (not when the
        owner is itself a pex_wheel: its deps are requirements of it).
      transitive_of: a function Target -> PexDepsInfo or None, for what the
        aspect found below each dep.

    Returns:
      A PexDepsInfo.
    """
    where = "%s of %s" % (attr, owner)
    wheels, checked, trees, imports, binaries = [], [], [], [], []
    t_wheels, t_checked, t_trees, t_imports, t_binaries, t_bytecode = [], [], [], [], [], []
    for dep in deps:
        if type(dep) != "Target":
            continue
        if PexWheelInfo in dep:
            info = dep[PexWheelInfo]
            wheels.append((info.project, wheel_key(info), str(dep.label), where, info.requirement if roots else ""))
            t_checked.append(info.transitive_checked)
            t_bytecode.append(info.transitive_bytecode)
            t_trees.append(info.tree)
            t_imports.append(info.imports)
        elif PyInfo in dep and dep[DefaultInfo].files_to_run.executable:
            binaries.append((str(dep.label), where))
        below = transitive_of(dep) if transitive_of else None
        if below:
            t_wheels.append(below.wheels)
            t_checked.append(below.checked)
            t_trees.append(below.trees)
            t_imports.append(below.imports)
            t_binaries.append(below.binaries)
            t_bytecode.append(below.bytecode)
    return PexDepsInfo(
        binaries = depset(binaries, transitive = t_binaries),
        bytecode = depset(transitive = t_bytecode),
        checked = depset(checked, transitive = t_checked),
        imports = depset(imports, transitive = t_imports),
        trees = depset(trees, transitive = t_trees),
        wheels = depset(wheels, transitive = t_wheels),
    )

def deps_info_of(target):
    """Returns what pex_deps_aspect found below target, or None."""
    return target[PexDepsInfo] if PexDepsInfo in target else None

def direct_wheel_entries(owner, attr, files, label = None):
    """Wheel tuples (as in `PexDepsInfo.wheels`) for `.whl` files an attribute names, one per project.

    Args:
      owner: the label of the target with the attribute.
      attr: the attribute's name.
      files: the `.whl` Files.
      label: the label of the target that gave the files; default: each file's own.

    Returns:
      A list of tuples; each is a root requirement of its project.
    """
    by_project = {}
    for f in files:
        by_project.setdefault(project_of_wheel(f.basename), []).append(f)
    where = "%s of %s" % (attr, owner)
    return [
        (p, ",".join(sorted([f.path for f in fs])), str(label or fs[0].owner), where, p)
        for p, fs in by_project.items()
    ]

def _describe(key, places):
    """`six-1.16.0 (@pypi//six, in deps of //lib:a)`, for a conflict message."""
    name_version = "-".join(key.split(",")[0].split("/")[-1].split("-")[:2])
    return "%s (%s)" % (name_version, "; ".join(["%s, in %s" % p for p in sorted(places)]))

def resolve_wheels(who, entries, override_entries, overrides):
    """Checks that one set of wheels per project reaches a binary, after its overrides.

    Args:
      who: the rule and label that errors start with (`pex_binary //app:app`).
      entries: wheel tuples of what deps and wheels bring.
      override_entries: wheel tuples of what overrides bring (with their requirements).
      overrides: the targets of the binary's `overrides` attribute.

    Returns:
      (dropped, requirements): a dict whose keys are the paths of the wheels
      not to pack (those of the versions overrides beat), and the sorted root
      requirement strings.
    """
    pins = {}
    for o in overrides:
        info = o[PexWheelInfo]
        key = wheel_key(info)
        if pins.get(info.project, (key,))[0] != key:
            fail(who + ": " + "overrides has %s and %s, two versions of project %s; keep one" % (pins[info.project][1], o.label, info.project))
        pins[info.project] = (key, o.label)
    by_project = {}
    for project, key, label, where, _ in entries:
        by_project.setdefault(project, {}).setdefault(key, []).append((label, where))
    for project in sorted(pins):
        if project not in by_project:
            fail(who + ": " + "overrides has %s, but nothing in deps or wheels brings project %s; remove it from overrides" % (pins[project][1], project))
    for project, key, label, where, _ in override_entries:
        by_project.setdefault(project, {}).setdefault(key, []).append((label, where))
    dropped = {}
    for project in sorted(by_project):
        keys = by_project[project]
        if project in pins:
            keep = pins[project][0].split(",")
            for key in keys:
                for path in key.split(","):
                    if path not in keep:
                        dropped[path] = True
        elif len(keys) > 1:
            fail(who + ": " + "%d versions of project %s reach it: %s. Make every target depend on the same one, or pin the one to pack with overrides = [\"%s\"]" % (
                len(keys),
                project,
                " and ".join([_describe(k, keys[k]) for k in sorted(keys)]),
                sorted(keys.values())[0][0][0],
            ))
    requirements = {}
    for project, key, _, _, requirement in entries:
        if requirement:
            kept = project not in pins or key == pins[project][0]
            requirements[requirement if kept else project] = True
    return dropped, sorted(requirements)

def _pex_deps_aspect_impl(target, ctx):
    return [visit_deps(
        owner = target.label,
        attr = "deps",
        deps = getattr(ctx.rule.attr, "deps", None) or [],
        roots = PexWheelInfo not in target,
        transitive_of = deps_info_of,
    )]

pex_deps_aspect = aspect(
    implementation = _pex_deps_aspect_impl,
    attr_aspects = ["deps"],
    doc = """Collects the wheels below `pex_binary.deps` and `pex_test.deps`.

Applied by `pex_binary` and `pex_test` to their `deps`; it follows `deps` at
any depth (`py_library` → `py_library` → `@pypi//name`). Every `pex_wheel`
reached through a non-wheel target is a root requirement of the archive (its
`requirement`), the wheels of its closure are packed raw, and its installed
tree (`pex_wheel.tree`, which `PyInfo` carries for native rules) is left out
of the packed code. Two different sets of wheels of one project are an
analysis error naming where each came from, unless `overrides` names the one
to pack. A `py_binary` or `py_test` in `deps` is an analysis error.""",
)
