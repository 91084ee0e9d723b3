"""pex_binary and pex_test: pack Python sources and wheels into one executable file."""

load(":check_wheel.bzl", "check_wheels")
load(":precompile.bzl", "precompile_bundles")
load(":providers.bzl", "PexPythonInfo", "PexWheelInfo")
load(":toolchains.bzl", "LAUNCHER_TOOLCHAIN_TYPE", "PACKER_TOOLCHAIN_TYPE")
load(":validate.bzl", "check_entry_point", "check_env", "check_interpreter_constraint")
load(":wheel_aspect.bzl", "deps_info_of", "direct_wheel_entries", "pex_deps_aspect", "resolve_wheels", "visit_deps")

_PACK_ATTRS = {
    "compression": attr.string(
        default = "deflate",
        values = ["deflate", "zstd", "store"],
        doc = "How the packer compresses the files it adds (sources, data, the manifest): `deflate` (default, readable by every zip tool), `zstd` (smaller and faster to extract; Python's `zipfile` cannot read it) or `store`. Wheel entries are always copied with their own compression.",
    ),
    "data": attr.label_list(
        allow_files = True,
        doc = "Files packed next to the code, at the same paths as in `py_binary`'s runfiles (so `os.path.dirname(__file__)` finds them). The `data` of `py_library` deps is packed too.",
    ),
    "deps": attr.label_list(
        aspects = [pex_deps_aspect],
        doc = "`py_library` targets (their transitive sources and data, with their `imports` honoured as `py_binary` does) and wheel targets (`pex_wheel`, `@pypi//<project>`, or targets whose files are `.whl` files). A wheel target's project is a root requirement; the wheels of its whole closure are packed. Wheel targets in the `deps` of `py_library` deps, at any depth, count as if given here (`pex_deps_aspect`): their wheels are packed, not their installed trees. Two different sets of wheels of one project are an error (see `overrides`); so is a `py_binary` or `py_test` (depend on its `py_library`). Anything else is an analysis error.",
    ),
    "entry_point": attr.string(
        doc = "What to run: `MODULE` (run as `python -m MODULE`) or `MODULE:FUNCTION` (its return value is the exit status). Exactly one of `main`, `entry_point` and `script`.",
    ),
    "env": attr.string_dict(
        doc = "Environment variables the launcher sets for the application (`{\"KEY\": \"value\"}`), recorded in the file, so they apply wherever it runs; the caller's environment wins. Keys the launcher reads or keeps for itself (`PEX`, `PEX_*`, `__RULES_PEX_*`) are an analysis error naming the attribute to use instead.",
    ),
    # values and default are internal/layout/values.go's (tests/contract checks them).
    "inherit_path": attr.string(
        default = "false",
        values = ["false", "prefer", "fallback"],
        doc = "Whether the chosen interpreter's own site-packages are visible: `false` (default: isolated), `prefer` (before the archive's wheels) or `fallback` (after them). `PEX_INHERIT_PATH` overrides it at run time.",
    ),
    "inject_args": attr.string_list(
        doc = "Arguments frozen into the file and given to the entry point before the user's (`sys.argv[1:]` starts with them), as PEX's `--inject-args`; recorded in the manifest as `inject_args`. Not given when `PEX_MODULE`, `PEX_SCRIPT` or `PEX_INTERPRETER` runs something else. Unlike `args`, which is Bazel's list for `bazel run` and `bazel test` only, they apply wherever the file runs.",
    ),
    "interpreter_constraints": attr.string_list(
        doc = "Which interpreters may run the file, in PEX's syntax: an optional implementation (`CPython`, `PyPy`, `Jython`, `IronPython`) and an optional PEP 440 specifier set, e.g. `[\"CPython>=3.9,<3.13\", \"PyPy\"]`. Several constraints are OR'ed; none accepts every interpreter for which the file has compatible wheels.",
    ),
    # values and default are internal/layout/values.go's (tests/contract checks them).
    "interpreter_selection": attr.string(
        default = "newest",
        values = ["newest", "oldest"],
        doc = "Which of the acceptable interpreters found at run time wins: the `newest` (default) or the `oldest`.",
    ),
    "main": attr.label(
        allow_single_file = [".py"],
        doc = "A Python file run as `__main__`; packed even when not in `srcs`. Exactly one of `main`, `entry_point` and `script`.",
    ),
    "overrides": attr.label_list(
        aspects = [pex_deps_aspect],
        providers = [PexWheelInfo],
        doc = "Wheel targets (`@pypi//six`) that win when `deps` bring several versions or sets of wheels of their project (e.g. `@pypi//six` and `@legacy//six`): only the wheels of the one named here are packed, with its own requirements. Without it, that is an analysis error naming where each version came from. Naming a project that no dep brings is an error too.",
    ),
    "precompile": attr.string_list(
        doc = "Python versions (`MAJOR.MINOR`: `[\"3.11\"]`) to ship bytecode for: the `.pyc` files of every wheel and of the application's sources, compiled at build time in `PexPrecompile` actions: one per wheel and version, one for the sources. A wheel whose own `pex_wheel` compiles that version (`pex_wheel.precompile`, which `pex_wheel_repository(precompile = ...)` sets) brings its bundle, one action that every binary shares; the others, and the sources, are compiled by the `pex_python` of that version in `pythons` (an analysis error names a version that none is). The files are PEP 552 unchecked-hash `.pyc`s, byte-identical on every machine; at run time an interpreter of that version (its cache tag and magic number) gets the trees with them and starts without compiling anything; others get the trees without. Default: none, and no Python runs at build time.",
    ),
    "pythons": attr.label_list(
        providers = [PexPythonInfo],
        doc = "`pex_python` targets: the declared interpreters that `precompile` may use, one per version. Only those `precompile` names run, and only for what no wheel target compiled.",
    ),
    "script": attr.string(
        doc = "A console script (`[console_scripts]` entry point) or `.data/scripts` file of one of the wheels, e.g. `\"flask\"`. Exactly one of `main`, `entry_point` and `script`.",
    ),
    "srcs": attr.label_list(
        allow_files = [".py"],
        doc = "Python files of the application, packed at their paths relative to the workspace root (an external repository's files under the repository's name), as `py_binary` lays out runfiles.",
    ),
    "target_environments": attr.label_list(
        allow_files = [".json"],
        doc = "JSON descriptions of the environments the file will run in (pex's complete-platform format: `marker_environment` and the ordered `compatible_tags` of the target's interpreter; see \"Target environments\" below). The packer resolves the wheels for each exactly as the launcher does at run time and fails the build, naming the project, its wheels' tags and the environment, when one could not run the file. Without any, every project the launcher could need must have a wheel for the launcher's OS and architecture.",
    ),
    "wheels": attr.label_list(
        allow_files = [".whl"],
        doc = "Wheel files; each one's project is a root requirement. Several wheels of one project with different tags may be given (e.g. one per platform): the launcher picks the one that fits the interpreter.",
    ),
}

def _rule_kind(ctx):
    return "pex_test" if ctx.attr._is_test else "pex_binary"

def _fail(ctx, message):
    fail("%s %s: %s" % (_rule_kind(ctx), ctx.label, message))

def _runfiles_path(ctx, f):
    """Returns f's path below the runfiles root: `<repository>/<path>`."""
    if f.short_path.startswith("../"):
        return f.short_path[len("../"):]
    return ctx.workspace_name + "/" + f.short_path

def _dest(ctx, f, import_roots):
    """Returns where f goes in the archive's code tree, as py_binary would import it."""
    path = _runfiles_path(ctx, f)
    for root in import_roots:
        if path.startswith(root + "/"):
            return path[len(root) + 1:]
    main_prefix = ctx.workspace_name + "/"
    if path.startswith(main_prefix):
        return path[len(main_prefix):]
    return path

def _longest_first(root):
    return (-len(root), root)

def _collect_inputs(ctx):
    """Sorts deps into Python files (with import roots), checked wheels and their bytecode bundles."""
    file_sets = [depset(ctx.files.srcs + ctx.files.main)]
    for target in ctx.attr.data:
        file_sets.append(target[DefaultInfo].files)
        file_sets.append(target[DefaultInfo].default_runfiles.files)
    import_sets = []
    found = visit_deps(ctx.label, "deps", ctx.attr.deps, roots = True, transitive_of = deps_info_of)
    pinned = visit_deps(ctx.label, "overrides", ctx.attr.overrides, roots = False, transitive_of = deps_info_of)
    binaries = found.binaries.to_list()
    if binaries:
        _fail(ctx, "%s (in %s) is an executable py_binary or py_test: its files are Bazel's launcher stub, not a library, and cannot be packed. Depend on a py_library holding its code instead (move the code out of the py_binary into one if needed), and name its main file in main or entry_point" % binaries[0])
    direct_wheels = list(ctx.files.wheels)
    entries = direct_wheel_entries(ctx.label, "wheels", ctx.files.wheels)
    for dep in ctx.attr.deps:
        if PexWheelInfo in dep:
            continue
        elif PyInfo in dep:
            file_sets.append(dep[PyInfo].transitive_sources)
            file_sets.append(dep[DefaultInfo].default_runfiles.files)
            import_sets.append(dep[PyInfo].imports)
        else:
            files = dep[DefaultInfo].files.to_list()
            if not files or [f for f in files if not f.basename.endswith(".whl")]:
                _fail(ctx, "deps contains %s, which is neither a py_library (it has no PyInfo) nor a wheel (a pex_wheel or @pypi//<project> target, or .whl files). Wrap Python files in a py_library, put data files in data and .whl files in wheels." % dep.label)
            direct_wheels.extend(files)
            entries += direct_wheel_entries(ctx.label, "deps", files, dep.label)
    dropped, requirements = resolve_wheels(
        "%s %s" % (_rule_kind(ctx), ctx.label),
        found.wheels.to_list() + entries,
        pinned.wheels.to_list(),
        ctx.attr.overrides,
    )

    # The installed trees of wheels are for native py_* rules; the wheels
    # themselves are packed.
    trees = {f.path: True for f in depset(transitive = [found.trees, pinned.trees]).to_list()}
    tree_roots = {r: True for r in found.imports.to_list()}

    # Longest roots first, so that nested import roots win.
    import_roots = sorted([r for r in depset(transitive = import_sets).to_list() if r not in tree_roots], key = _longest_first)

    # Wheels given as files are checked here; those of pex_wheel targets
    # were checked by them. One summary per wheel, by path.
    checked = {}
    for wheel, summary in depset(transitive = [found.checked, pinned.checked]).to_list():
        checked.setdefault(wheel.path, (wheel, summary))
    unchecked = [w for w in depset(direct_wheels).to_list() if w.path not in checked]
    for wheel, summary in check_wheels(ctx, unchecked):
        checked[wheel.path] = (wheel, summary)
    files = [f for f in depset(transitive = file_sets).to_list() if not f.basename.endswith(".whl") and f.path not in trees]
    compiled = depset(transitive = [found.bytecode, pinned.bytecode])
    return files, import_roots, [checked[p] for p in sorted(checked) if p not in dropped], requirements, compiled

def _check_attrs(ctx):
    entry_attrs = [a for a in ("main", "entry_point", "script") if getattr(ctx.attr, a)]
    if len(entry_attrs) != 1:
        given = ", ".join(["%s = %r" % (a, str(ctx.attr.main.label) if a == "main" else getattr(ctx.attr, a)) for a in entry_attrs])
        _fail(ctx, "exactly one of main, entry_point and script must be set, got %s. Keep the one that says what the file runs: main for a .py file, entry_point for \"module\" or \"module:function\", script for a console script of a wheel." % (given or "none"))
    if ctx.attr.entry_point:
        err = check_entry_point(ctx.attr.entry_point)
        if err:
            _fail(ctx, err)
    for constraint in ctx.attr.interpreter_constraints:
        err = check_interpreter_constraint(constraint)
        if err:
            _fail(ctx, "interpreter_constraints: %s. Write e.g. \"CPython>=3.9,<3.13\", \"PyPy\" or \">=3.8\"." % err)
    for key, value in ctx.attr.env.items():
        err = check_env(key, value)
        if err:
            _fail(ctx, err)
    for arg in ctx.attr.inject_args:
        if "\n" in arg or "\r" in arg:
            _fail(ctx, "inject_args: %r contains a line break, which the packer's parameter file cannot carry; remove it" % arg)

def _origin(ctx, wheel, summary):
    """Returns the label that brought a wheel: the pex_wheel that checked it, else the wheel file's own."""
    if summary.owner != ctx.label:
        return summary.owner
    return wheel.owner

def pack(ctx, output, more = []):
    """Declares the PexPack action writing the archive for ctx's attributes to output.

    Args:
      ctx: the rule context of a pex_binary or pex_test.
      output: the File to write, with the target platform's launcher.
      more: (File, launcher Files) pairs: the same archive with other launchers
        (several make a universal file).
    """
    _check_attrs(ctx)
    files, import_roots, checked_wheels, requirements, compiled = _collect_inputs(ctx)

    by_dest = {}
    for f in files:
        dest = _dest(ctx, f, import_roots)
        other = by_dest.get(dest)
        if other and other.path != f.path:
            _fail(ctx, "%s and %s would both be packed at %s; rename one, or change the imports of the py_library that holds one of them" % (other.short_path, f.short_path, dest))
        by_dest[dest] = f

    bundles = precompile_bundles(
        ctx,
        "%s %s" % (_rule_kind(ctx), ctx.label),
        [w for w, _ in checked_wheels],
        [(dest, by_dest[dest]) for dest in sorted(by_dest)],
        compiled,
    )
    packer = ctx.toolchains[PACKER_TOOLCHAIN_TYPE].packer
    for out, launchers in [(output, [ctx.toolchains[LAUNCHER_TOOLCHAIN_TYPE].launcher])] + more:
        _pack_action(ctx, packer, out, launchers, by_dest, import_roots, checked_wheels, requirements, bundles)

def _pack_action(ctx, packer, output, launchers, by_dest, import_roots, checked_wheels, requirements, bundles):
    command = ctx.actions.args()
    command.add("build")
    args = ctx.actions.args()
    args.set_param_file_format("multiline")
    args.use_param_file("@%s", use_always = True)
    args.add("--output", output)
    if len(launchers) == 1:
        args.add("--launcher", launchers[0])
    else:
        args.add_all(launchers, before_each = "--universal-launcher")
    args.add_all(["%s=%s" % (dest, by_dest[dest].path) for dest in sorted(by_dest)], before_each = "--source")
    args.add_all(["%s=%s" % (wheel.path, summary.path) for wheel, summary in checked_wheels], before_each = "--checked-wheel")
    args.add_all(bundles, before_each = "--bytecode")
    args.add_all(requirements, before_each = "--requirement")
    if ctx.attr.main:
        args.add("--main", _dest(ctx, ctx.file.main, import_roots))
    if ctx.attr.entry_point:
        args.add("--entry-point", ctx.attr.entry_point)
    if ctx.attr.script:
        args.add("--script", ctx.attr.script)
    args.add_all(ctx.attr.interpreter_constraints, before_each = "--interpreter-constraint")
    args.add("--interpreter-selection", ctx.attr.interpreter_selection)
    args.add("--inherit-path", ctx.attr.inherit_path)
    args.add_all(["%s=%s" % (k, ctx.attr.env[k]) for k in sorted(ctx.attr.env)], before_each = "--env")
    args.add_all(ctx.attr.inject_args, before_each = "--inject-arg")
    args.add("--compression", ctx.attr.compression)
    args.add_all(ctx.files.target_environments, before_each = "--target-environment")

    # Problems then name this target and the labels that brought each wheel.
    args.add("--label", str(ctx.label))
    args.add("--rule", _rule_kind(ctx))
    args.add_all(["%s=%s" % (wheel.path, _origin(ctx, wheel, summary)) for wheel, summary in checked_wheels], before_each = "--origin")
    args.add_all(["%s=%s" % (t.path, t.owner) for t in ctx.files.target_environments], before_each = "--origin")

    # No env and no use_default_shell_env: the packer (a static binary)
    # reads only its arguments and these inputs, never PATH, HOME or a
    # temporary directory, so the action is the same in the sandbox, on a
    # remote executor and on every machine (tests/bazel/run examples checks
    # the execution log and aquery).
    ctx.actions.run(
        executable = packer,
        arguments = [command, args],
        inputs = launchers + by_dest.values() + [f for pair in checked_wheels for f in pair] + ctx.files.target_environments + bundles,
        outputs = [output],
        mnemonic = "PexPack",
        # Bazel 4.2 does not expand %{label} in progress messages (5.0 does).
        progress_message = "Packing PEX %s%s" % (ctx.label, "" if output.basename == ctx.label.name else " (%s)" % output.basename),
    )

def _platforms_transition_impl(settings, attr):
    if not attr.platforms:
        # Bazel wants every output set: without platforms, the launcher is
        # configured as the target itself (the same configuration).
        return {"//command_line_option:platforms": settings["//command_line_option:platforms"]}
    return {str(p): {"//command_line_option:platforms": [str(p)]} for p in attr.platforms}

# One configuration per entry of `platforms`, for the launcher only: the
# rest of the target (and the packer, resolved for the execution platform)
# stays as it is.
_platforms_transition = transition(
    implementation = _platforms_transition_impl,
    inputs = ["//command_line_option:platforms"],
    outputs = ["//command_line_option:platforms"],
)

def _platform_files(ctx):
    """Declares name-PLATFORM for each of `platforms`, paired with its launcher."""
    pairs = []
    by_name = {}
    for platform in ctx.attr.platforms:
        other = by_name.get(platform.label.name)
        if other:
            _fail(ctx, "platforms has %s and %s, which would both be packed as %s-%s; give the platforms different names" % (other, platform.label, ctx.label.name, platform.label.name))
        by_name[platform.label.name] = platform.label
        launchers = ctx.split_attr._platform_launcher[str(platform.label)][DefaultInfo].files.to_list()
        out = ctx.actions.declare_file("%s-%s" % (ctx.label.name, platform.label.name))
        pairs.append((out, launchers))
    if ctx.attr.universal:
        if len(pairs) < 2:
            _fail(ctx, "universal = True needs two or more platforms (one launcher each), got %d; list them in platforms" % len(pairs))
        out = ctx.actions.declare_file(ctx.label.name + "-universal")
        pairs.append((out, [f for _, ls in pairs for f in ls]))
    return pairs

def _pex_binary_impl(ctx):
    output = ctx.actions.declare_file(ctx.label.name)
    if ctx.attr.universal and not ctx.attr.platforms:
        _fail(ctx, "universal = True needs platforms: the platforms whose launchers the universal file holds")
    more = _platform_files(ctx) if ctx.attr.platforms else []
    pack(ctx, output, more)
    platform_files = [f for f, _ in more]
    return [
        DefaultInfo(
            executable = output,
            files = depset([output] + platform_files),
            runfiles = ctx.runfiles(files = [output]),
        ),
        OutputGroupInfo(platforms = depset(platform_files)),
    ]

_TOOLCHAINS = [PACKER_TOOLCHAIN_TYPE, LAUNCHER_TOOLCHAIN_TYPE]

pex_binary = rule(
    implementation = _pex_binary_impl,
    doc = """Packs Python sources and wheels into one executable file, `name`.

The file is a native launcher followed by a zip. On the target machine it
extracts itself once into a cache, picks an installed Python that satisfies
`interpreter_constraints` and fits its wheels, and runs the entry point.
`args` is Bazel's run-time argument list: `bazel run` gives it, then the
arguments on its command line, and it is not recorded in the file;
`inject_args` is recorded and comes first wherever the file runs. A
mistake that analysis cannot see (an `entry_point` module, `script` or
requirement that no packed file provides) fails the `PexPack` action with a
message naming this target and the labels involved (see "Build-time errors"
in docs/rules.md). The launcher comes from
the launcher toolchain of the target platform (`--platforms`), the packer from
the packer toolchain of the execution platform. Exactly one of `main`,
`entry_point` and `script` must be set.

```starlark
load("@rules_pex//rules:defs.bzl", "pex_binary")

pex_binary(
    name = "app_pex",
    srcs = ["app/main.py"],
    main = "app/main.py",
    deps = [
        "//lib:greeting",      # a py_library
        "@pypi//requests",     # a wheel and its requirements
    ],
    data = ["app/config.toml"],
    interpreter_constraints = ["CPython>=3.9,<3.13"],
)
```

**Where files go.** A file's place in the archive is its runfiles path
(`<repository>/<path>`) with the first matching `imports` root of the
`py_library` deps removed (the longest root wins), else with the main
repository's name removed. So `//lib:greet/__init__.py` is imported as
`lib.greet`, and with
`py_library(name = "greet", srcs = ["src/greet/__init__.py"], imports = ["src"])`
in `//libs/greet` it is imported as `greet`, exactly as under `py_binary`.
Two files that would land on the same path are an analysis error.

**Actions.** Each wheel is validated once by a `PexWheelCheck` action
(`packer check-wheel`, which verifies every file against the wheel's RECORD
and writes a summary); wheels of `pex_wheel` targets are checked by those
targets, so every `pex_binary` using them shares the checks. The `PexPack`
action ("Packing PEX //pkg:name", arguments in a parameter file) then takes
each wheel with `--checked-wheel WHEEL=SUMMARY`: it compares the wheel's size
and zip directory with the summary and copies the entries without validating
them again. Changing a source file re-runs `PexPack` only.
""",
    attrs = dict(
        _PACK_ATTRS,
        platforms = attr.label_list(
            providers = [platform_common.PlatformInfo],
            doc = "Target platforms (`platform` targets) to pack the file for too, in the same build: one file `<name>-<platform name>` per platform, each with that platform's launcher (from the launcher toolchain resolved for it: prebuilt or built from source) and the same payload. `<name>` itself stays the file for the target platform of the build, which `bazel run` runs; the default outputs are all of them, and the output group `platforms` holds the per-platform files only (`bazel build --output_groups=platforms //app:app_pex`).",
        ),
        universal = attr.bool(
            default = False,
            doc = "Also write `<name>-universal`: one file holding the launchers of every platform in `platforms` (linux and darwin × amd64 and arm64) behind a POSIX `sh` preamble that runs the host's, extracted once into the cache by its sha256. It costs a few milliseconds per start and a launcher's size per platform (see docs/BENCHMARKS.md); the wheels must fit every platform. In the output group `platforms` too.",
        ),
        _allowlist_function_transition = attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
        _is_test = attr.bool(default = False),
        _precompile_script = attr.label(default = "//tools/precompile:precompile.py", allow_single_file = True),
        _platform_launcher = attr.label(default = "//rules/private:target_launcher", cfg = _platforms_transition),
    ),
    executable = True,
    toolchains = _TOOLCHAINS,
    # The launcher toolchain's binary is built for the target platform; without
    # this, Bazel 4 configures toolchains for the host.
    incompatible_use_toolchain_transition = True,
)

def _pex_test_impl(ctx):
    pack_attrs = [a for a in ("srcs", "deps", "wheels", "data", "main", "entry_point", "script", "env", "inject_args", "interpreter_constraints", "overrides", "precompile") if getattr(ctx.attr, a)]
    output = ctx.actions.declare_file(ctx.label.name)
    if ctx.attr.pex:
        if pack_attrs:
            _fail(ctx, "pex = %s runs that file as it is, so %s cannot be set too; move them to the pex_binary, or drop pex to pack a test archive here" % (ctx.attr.pex.label, ", ".join(pack_attrs)))
        ctx.actions.symlink(output = output, target_file = ctx.executable.pex, is_executable = True)
    else:
        pack(ctx, output)
    return [
        DefaultInfo(
            executable = output,
            files = depset([output]),
            runfiles = ctx.runfiles(files = [output]),
        ),
        testing.TestEnvironment(ctx.attr.test_env),
    ]

pex_test = rule(
    implementation = _pex_test_impl,
    doc = """Runs a packed file as a test: exit status 0 passes.

Either `pex` names a `pex_binary`, and the test runs that very file (the
artifact that ships), or the test packs its own file from the same
attributes as `pex_binary` (test code, the code under test, wheels).
`args` and `test_env` are given to the file when it runs; environment
variables such as `PEX_MODULE` run another module inside the shipped file's
environment.

```starlark
load("@rules_pex//rules:defs.bzl", "pex_test")

# The shipped file, run with the launcher's PEX_MODULE set to a check module.
pex_test(
    name = "app_test",
    pex = ":app_pex",
    test_env = {"PEX_MODULE": "app.selfcheck"},
)

# A file packed for the test: pytest, from the wheels, runs the test package.
pex_test(
    name = "unit_test",
    srcs = ["tests/__init__.py", "tests/test_highlight.py"],
    args = ["-p", "no:cacheprovider", "--pyargs", "tests"],
    script = "pytest",
    deps = ["@pypi//pygments", "@pypi//pytest"],
)
```
""",
    attrs = dict(
        _PACK_ATTRS,
        _is_test = attr.bool(default = True),
        _precompile_script = attr.label(default = "//tools/precompile:precompile.py", allow_single_file = True),
        pex = attr.label(
            executable = True,
            cfg = "target",
            doc = "A `pex_binary` to run as it is. When set, none of the packing attributes (`srcs`, `deps`, `wheels`, `data`, `main`, `entry_point`, `script`, `env`, `inject_args`, `interpreter_constraints`, `overrides`) may be.",
        ),
        test_env = attr.string_dict(
            doc = "Environment variables set when the test runs (not recorded in the archive, unlike `env`).",
        ),
    ),
    test = True,
    toolchains = _TOOLCHAINS,
    incompatible_use_toolchain_transition = True,
)
