"""pex_python: a Python interpreter declared for build-time byte-compilation."""

load(":providers.bzl", "PexPythonInfo")

def _pex_python_impl(ctx):
    parts = ctx.attr.version.split(".")
    if len(parts) != 2 or not parts[0].isdigit() or not parts[1].isdigit():
        fail("pex_python %s: version %r is not MAJOR.MINOR; write e.g. version = \"3.11\"" % (ctx.label, ctx.attr.version))
    return [PexPythonInfo(
        interpreter = ctx.attr.interpreter[DefaultInfo].files_to_run,
        version = ctx.attr.version,
    )]

pex_python = rule(
    implementation = _pex_python_impl,
    doc = """Declares a Python interpreter that `pex_binary(precompile = [...])` runs at build time.

Shipped bytecode is compiled by this interpreter, in `PexPrecompile`
actions (one per wheel and Python version, one for the application's
sources), never by a Python found on `PATH`. The interpreter must be CPython
of `version`: the `.pyc` files are checked against its magic number when
packed. Give it a hermetic interpreter (a toolchain's files, such as
rules_python's `@python_3_11//:python3`) or, on machines with a fixed system
Python, a `pex_local_python` repository.

```starlark
load("@rules_pex//rules:defs.bzl", "pex_binary", "pex_python")

pex_python(
    name = "python3.11",
    interpreter = "@python311//:python",  # pex_local_python(name = "python311", ...)
    version = "3.11",
)

pex_binary(
    name = "app_pex",
    srcs = ["app/main.py"],
    main = "app/main.py",
    precompile = ["3.11"],
    pythons = [":python3.11"],
)
```
""",
    attrs = {
        "interpreter": attr.label(
            mandatory = True,
            executable = True,
            allow_files = True,
            cfg = "exec",
            doc = "The interpreter's executable (a file, or a target whose executable it is), for the execution platform.",
        ),
        "version": attr.string(
            mandatory = True,
            doc = "Its Python version, `MAJOR.MINOR` (`\"3.11\"`): the version `pex_binary`'s `precompile` names.",
        ),
    },
)
