"""Unit tests of the Starlark helpers behind pex_binary and pex_wheel_repository."""

load("@bazel_skylib//lib:unittest.bzl", "asserts", "unittest")

# buildifier: disable=bzl-visibility
load("//rules/private:pex_wheel_repo.bzl", "parse_metadata", "parse_requires_dist")

# buildifier: disable=bzl-visibility
load("//rules/private:validate.bzl", "check_entry_point", "check_env", "check_interpreter_constraint")

# buildifier: disable=bzl-visibility
load("//rules/private:wheel_name.bzl", "normalize_project", "project_of_wheel")

# buildifier: disable=bzl-visibility
load("//rules/private:wheel_tree.bzl", "choose_wheel")

def _interpreter_constraints_test(ctx):
    env = unittest.begin(ctx)
    for good in ["CPython>=3.9,<3.13", "PyPy", ">=3.8", "cpython==3.11.*", "CPython", "IronPython~=2.7", "CPython >= 3.9, != 3.10.1"]:
        asserts.equals(env, None, check_interpreter_constraint(good), "want %r accepted" % good)
    for bad, part in [
        ("", "empty"),
        ("CPython>=three", "is not a PEP 440 version"),
        ("Cpyhton>=3.9", "not one of CPython, PyPy, Jython, IronPython"),
        ("CPython>=3.9,", "empty specifier between commas"),
        ("CPython3.9", "no comparison operator"),
        ("CPython>=3.*", "wildcard"),
        ("CPython>=", "no version"),
    ]:
        err = check_interpreter_constraint(bad)
        asserts.true(env, err != None and part in err, "check_interpreter_constraint(%r) = %r, want it to say %r" % (bad, err, part))
    return unittest.end(env)

interpreter_constraints_test = unittest.make(_interpreter_constraints_test)

def _entry_points_and_env_test(ctx):
    env = unittest.begin(ctx)
    for good in ["app", "app.main", "app.main:main", "a_b.c:d.e", "demo.café:main", "数据:主"]:
        asserts.equals(env, None, check_entry_point(good), "want %r accepted" % good)
    for bad in ["", "app/main.py", "app.main:", "1app", "app..main", "app:main:x", "app main", "app-x:main", "app:run()"]:
        asserts.true(env, check_entry_point(bad) != None, "want %r rejected" % bad)
    asserts.equals(env, None, check_env("APP_PEX_ROOT", "1"))
    for key, part in [
        ("PEX", "choose another name"),
        ("PEX_ROOT", "set it where the file runs"),
        ("PEX_MODULE", "set entry_point instead"),
        ("__RULES_PEX_ARGV0", "the launcher's own"),
    ]:
        err = check_env(key, "x")
        asserts.true(env, err != None and part in err, "check_env(%r) = %r, want it to say %r" % (key, err, part))
    for path, fixed in [("tool.py:main", "tool:main"), ("app/main.py", "app.main"), ("./app/cli/__init__.py:run", "app.cli:run")]:
        err = check_entry_point(path)
        asserts.true(env, err != None and ("write entry_point = %r" % fixed) in err, "check_entry_point(%r) = %r, want the fix %r" % (path, err, fixed))
    asserts.true(env, check_env("1BAD", "x") != None)
    asserts.true(env, check_env("A=B", "x") != None)
    asserts.true(env, check_env("OK", "two\nlines") != None)
    return unittest.end(env)

entry_points_and_env_test = unittest.make(_entry_points_and_env_test)

def _project_names_test(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, "zope-interface", normalize_project("Zope.Interface"))
    asserts.equals(env, "a-b-c", normalize_project("A__b-._C"))
    asserts.equals(env, "flask", project_of_wheel("Flask-2.2.2-py3-none-any.whl"))
    asserts.equals(env, "charset-normalizer", project_of_wheel("charset_normalizer-3.0.1-py3-none-any.whl"))
    asserts.equals(env, "pluggy", project_of_wheel("pluggy-1.0.0+repack-py3-none-any.whl"))
    return unittest.end(env)

project_names_test = unittest.make(_project_names_test)

def _metadata_test(ctx):
    env = unittest.begin(ctx)
    name, requires = parse_metadata("\r\n".join([
        "Metadata-Version: 2.1",
        "Name: Flask",
        "Requires-Dist: Werkzeug (>=2.2.2)",
        "Requires-Dist: importlib-metadata (>=3.6.0) ; python_version < \"3.10\"",
        "Requires-Dist: asgiref (>=3.2) ; extra == 'async'",
        "Requires-Dist: python-dotenv ; (extra==\"dotenv\")",
        "Description-Content-Type: text/x-rst",
        "",
        "Requires-Dist: not-a-header (the body starts after the blank line)",
    ]))
    asserts.equals(env, "Flask", name)
    asserts.equals(env, 4, len(requires))
    asserts.equals(env, ["werkzeug", "importlib-metadata", None, None], [parse_requires_dist(r) for r in requires])
    asserts.equals(env, "zope-interface", parse_requires_dist("zope.interface[testing]>=5"))
    asserts.equals(env, "idna", parse_requires_dist("idna<4,>=2.5; python_version >= \"3\" and platform_system != 'extra'"))

    # A lock's extras (normalized) bring the requirements under them.
    asserts.equals(env, ["werkzeug", "importlib-metadata", "asgiref", None], [parse_requires_dist(r, ["async"]) for r in requires])
    asserts.equals(env, "python-dotenv", parse_requires_dist(requires[3], ["dotenv"]))
    asserts.equals(env, "chardet", parse_requires_dist("chardet<6,>=3.0.2; extra == \"use_chardet_on_py3\"", ["use-chardet-on-py3"]))
    cloudpickle = "cloudpickle ; (platform_python_implementation == \"CPython\") and extra  ==  'tests-no-zope'"
    asserts.equals(env, None, parse_requires_dist(cloudpickle, ["tests"]))
    asserts.equals(env, "cloudpickle", parse_requires_dist(cloudpickle, ["tests-no-zope"]))
    return unittest.end(env)

metadata_test = unittest.make(_metadata_test)

def _choose_wheel_test(ctx):
    env = unittest.begin(ctx)
    linux = ["linux", "x86_64"]
    numpy = [
        "numpy-1.24.2-cp311-cp311-macosx_11_0_arm64.whl",
        "numpy-1.24.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "numpy-1.24.2-cp311-cp311-manylinux_2_17_aarch64.whl",
    ]
    asserts.equals(env, numpy[1], choose_wheel(numpy, linux), "the host's platform wins")
    asserts.equals(env, numpy[0], choose_wheel(numpy, ["macosx", "arm64"]))
    asserts.equals(env, numpy[0], choose_wheel(numpy, ["win", "amd64"]), "no fit: the first, sorted")
    pure = ["simplejson-3.18.3-cp311-cp311-linux_x86_64.whl", "simplejson-3.18.3-py3-none-any.whl"]
    asserts.equals(env, pure[1], choose_wheel(pure, linux), "a pure wheel wins")
    asserts.equals(env, "six-1.16.0-py2.py3-none-any.whl", choose_wheel(["six-1.16.0-py2.py3-none-any.whl"], linux))
    return unittest.end(env)

choose_wheel_test = unittest.make(_choose_wheel_test)

def starlark_test_suite(name):
    unittest.suite(
        name,
        interpreter_constraints_test,
        entry_points_and_env_test,
        project_names_test,
        metadata_test,
        choose_wheel_test,
    )
