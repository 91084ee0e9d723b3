"""Providers of rules_pex."""

PexWheelInfo = provider(
    doc = """Wheels of one Python project, with the wheels of the projects it requires.

Returned by `pex_wheel` (and so by every `@pypi//<project>` target of a
`pex_wheel_repository`). `pex_binary` and `pex_test` accept it in `deps`:
the project becomes a root requirement of the archive and every wheel of its
closure is packed.""",
    fields = {
        "project": "str: the project's name, normalized as PEP 503 says (`markupsafe`, `zope-interface`).",
        "requirement": "str: the PEP 508 requirement `pex_binary` gives the packer as a root for this target: the project, its extras and its marker (`requests[socks]; sys_platform == \"linux\"`); by default just the project.",
        "transitive_checked": "depset of (wheel File, summary File) tuples: every wheel of `transitive_wheels` with the summary `packer check-wheel` wrote for it.",
        "transitive_wheels": "depset of File: this project's wheels and those of every project it requires, transitively.",
        "wheels": "list of File: this project's own wheels (several when built for different tags).",
    },
)
