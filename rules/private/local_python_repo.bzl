"""pex_local_python: a repository holding a Python interpreter installed on the machine, declared by its path."""

def _pex_local_python_impl(rctx):
    path = rctx.attr.interpreter
    if not path.startswith("/"):
        fail("pex_local_python %s: interpreter %r is not an absolute path; give the interpreter's path, e.g. \"/usr/bin/python3.11\" (PATH is never searched)" % (rctx.name, path))
    res = rctx.execute([path, "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.implementation.name)"])
    if res.return_code != 0:
        fail("pex_local_python %s: running %s failed: %s" % (rctx.name, path, res.stderr))
    version, impl = res.stdout.strip().split(" ")
    if version != rctx.attr.version or impl != "cpython":
        fail("pex_local_python %s: %s is %s %s, not CPython %s; point interpreter at CPython %s or change version" % (rctx.name, path, impl, version, rctx.attr.version, rctx.attr.version))
    rctx.symlink(path, "python")
    rctx.file("WORKSPACE", "workspace(name = %r)\n" % rctx.name)
    rctx.file("BUILD.bazel", """load("@rules_pex//rules:defs.bzl", "pex_python")

# {path}, CPython {version}.
exports_files(["python"])

pex_python(
    name = "{version}",
    interpreter = ":python",
    version = "{version}",
    visibility = ["//visibility:public"],
)
""".format(path = path, version = version))

pex_local_python = repository_rule(
    implementation = _pex_local_python_impl,
    doc = """A repository for a CPython installed on the machine, at a path you declare.

`@NAME//:python` is the interpreter and `@NAME//:VERSION` (`@python311//:3.11`) a
`pex_python` of it, for `pex_binary`'s `pythons`. The repository checks once,
when it is fetched, that the interpreter is CPython of `version`. The
interpreter's own files (its standard library) are not inputs of the actions
that run it: use it where every machine that builds (and every remote
executor) has the same interpreter at that path, and a hermetic toolchain's
interpreter otherwise.

```starlark
load("@rules_pex//rules:repositories.bzl", "pex_local_python")

pex_local_python(
    name = "python311",
    interpreter = "/usr/bin/python3.11",
    version = "3.11",
)
```
""",
    attrs = {
        "interpreter": attr.string(mandatory = True, doc = "The interpreter's absolute path (`/usr/bin/python3.11`)."),
        "version": attr.string(mandatory = True, doc = "Its version, `MAJOR.MINOR`; fetching fails when the interpreter is another."),
    },
    local = True,
)
