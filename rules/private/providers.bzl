"""Providers of rules_pex."""

PexWheelInfo = provider(
    doc = """Wheels of one Python project, with the wheels of the projects it requires.

Returned by `pex_wheel` (and so by every `@pypi//<project>` target of a
`pex_wheel_repository`). `pex_binary` and `pex_test` accept it in `deps`:
the project becomes a root requirement of the archive and every wheel of its
closure is packed.""",
    fields = {
        "imports": "depset of str: the import roots of `tree`, as runfiles paths (`pypi/six/site-packages`), this project's and those of every project it requires.",
        "project": "str: the project's name, normalized as PEP 503 says (`markupsafe`, `zope-interface`).",
        "requirement": "str: the PEP 508 requirement `pex_binary` gives the packer as a root for this target: the project, its extras and its marker (`requests[socks]; sys_platform == \"linux\"`); by default just the project.",
        "transitive_bytecode": "depset of (wheel File, version str, bundle File) tuples: the bytecode `pex_wheel(precompile = ...)` compiled for wheels of `transitive_wheels`, one bundle per wheel and Python version; a `pex_binary` shipping bytecode for that version packs it instead of compiling the wheel again.",
        "transitive_checked": "depset of (wheel File, summary File) tuples: every wheel of `transitive_wheels` with the summary `packer check-wheel` wrote for it.",
        "transitive_wheels": "depset of File: this project's wheels and those of every project it requires, transitively.",
        "tree": "depset of File: the installed files of one wheel of this project (see `pex_wheel.tree`) and of every project it requires, what native `py_binary` and `py_test` import. `pex_binary` packs the wheels instead, never these files.",
        "wheels": "list of File: this project's own wheels (several when built for different tags).",
    },
)

PexPythonInfo = provider(
    doc = """A Python interpreter declared for build-time byte-compilation (`pex_python`).

`pex_binary(precompile = ["3.11"])` runs it, never a Python found on `PATH`,
to compile the `.pyc` files the archive ships.""",
    fields = {
        "interpreter": "FilesToRunProvider: the interpreter, built or found for the execution platform.",
        "version": "str: its `MAJOR.MINOR` version (`\"3.11\"`), which `precompile` names.",
    },
)
