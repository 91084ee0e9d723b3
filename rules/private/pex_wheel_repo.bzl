"""pex_wheel_repository: one `pex_wheel` target per project, from a directory of wheels or a lock list."""

load(":repo_label.bzl", "rules_pex_repo")
load(":wheel_name.bzl", "normalize_project", "project_of_wheel")

_PRINTABLE = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"

def _unquote(s):
    """Decodes the %XX escapes (printable ASCII) of a URL path segment."""
    out = []
    i = 0
    for _ in range(len(s)):
        if i >= len(s):
            break
        code = int(s[i + 1:i + 3], 16) if s[i] == "%" and i + 2 < len(s) and _is_hex(s[i + 1:i + 3]) else 0
        if 32 <= code and code < 127:
            out.append(_PRINTABLE[code - 32])
            i += 3
        else:
            out.append(s[i])
            i += 1
    return "".join(out)

def _is_hex(s):
    for c in s.elems():
        if c not in "0123456789abcdefABCDEF":
            return False
    return True

def _strip_quoted(s):
    """Removes the quoted strings of an environment marker."""
    out = []
    quote = None
    for c in s.elems():
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        else:
            out.append(c)
    return "".join(out)

def _marker_mentions_extra(marker):
    text = _strip_quoted(marker)
    for sep in "()=!<>~".elems():
        text = text.replace(sep, " ")
    return "extra" in text.split(" ")

def parse_requires_dist(value):
    """Reads the project a Requires-Dist value names.

    Args:
      value: the value of a Requires-Dist header, e.g. `idna (>=2.5) ; python_version >= "3"`.

    Returns:
      The normalized project name, or None when only an extra needs it.
    """
    requirement, _, marker = value.partition(";")
    if marker and _marker_mentions_extra(marker):
        return None
    name = []
    for c in requirement.strip().elems():
        if not (c.isalnum() or c in "-_."):
            break
        name.append(c)
    if not name:
        return None
    return normalize_project("".join(name))

def parse_metadata(text):
    """Reads the headers of a wheel's METADATA file.

    Args:
      text: the file's content.

    Returns:
      (the Name header or None, the list of Requires-Dist values).
    """
    name = None
    requires = []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line:
            break
        key, sep, value = line.partition(":")
        if not sep or line[0] in " \t":
            continue
        key = key.strip().lower()
        if key == "name":
            name = value.strip()
        elif key == "requires-dist":
            requires.append(value.strip())
    return name, requires

def _read_metadata(rctx, wheel, scratch):
    """Returns the METADATA text of a wheel, unpacking it into scratch."""
    archive = scratch + "/wheel.zip"
    rctx.symlink(wheel, archive)
    rctx.extract(archive, output = scratch + "/tree")
    for entry in rctx.path(scratch + "/tree").readdir():
        if entry.basename.endswith(".dist-info"):
            metadata = entry.get_child("METADATA")
            if metadata.exists:
                return rctx.read(metadata)
    fail("pex_wheel_repository(name = %r): %s has no *.dist-info/METADATA; it is not a valid wheel" % (rctx.name, wheel.basename))

def _pex_wheel_repository_impl(rctx):
    wheels = []  # (basename, path)
    if rctx.attr.directory:
        directory = rctx.attr.directory
        if not directory.startswith("/"):
            directory = str(rctx.path(Label("@//:WORKSPACE")).dirname) + "/" + directory
        d = rctx.path(directory)
        if not d.exists:
            fail("pex_wheel_repository(name = %r): directory = %r does not exist (looked at %s); make the wheels first, or fix the path (absolute, or relative to the workspace root)" % (rctx.name, rctx.attr.directory, d))
        for entry in d.readdir():
            if entry.basename.endswith(".whl"):
                wheels.append((entry.basename, entry))
    for url, sha256 in rctx.attr.wheels.items():
        basename = _unquote(url.rstrip("/").split("/")[-1].split("?")[0])
        if not basename.endswith(".whl"):
            fail("pex_wheel_repository(name = %r): wheels has %r, whose file name does not end in .whl" % (rctx.name, url))
        out = "_downloads/" + basename
        rctx.download(url = url, output = out, sha256 = sha256)
        wheels.append((basename, rctx.path(out)))
    if not wheels:
        fail("pex_wheel_repository(name = %r): no wheels: set directory (a directory of .whl files) or wheels (URL -> sha256)" % rctx.name)

    projects = {}  # normalized name -> struct
    for i, (basename, path) in enumerate(sorted(wheels)):
        project = project_of_wheel(basename)
        rctx.report_progress("Reading " + basename)
        scratch = "_scratch/%d" % i
        name, requires = parse_metadata(_read_metadata(rctx, path, scratch))
        rctx.delete(scratch)
        if name and normalize_project(name) != project:
            fail("pex_wheel_repository(name = %r): %s says Name: %s in its METADATA, which does not match its file name" % (rctx.name, basename, name))
        rctx.symlink(path, "%s/%s" % (project, basename))
        p = projects.setdefault(project, {"requires": {}, "wheels": []})
        p["wheels"].append(basename)
        for value in requires:
            dep = parse_requires_dist(value)
            if dep and dep != project:
                p["requires"][dep] = True
    rctx.delete("_scratch")

    defs = rules_pex_repo() + "//rules:defs.bzl"
    for project, p in projects.items():
        deps = sorted([d for d in p["requires"] if d in projects])
        missing = sorted([d for d in p["requires"] if d not in projects])
        lines = [
            "# Generated by pex_wheel_repository: the wheels of %s." % project,
            "load(%r, \"pex_wheel\")" % defs,
            "",
        ]
        if missing:
            lines.append("# Requires-Dist names projects that are not in this repository (usually")
            lines.append("# under environment markers): %s." % ", ".join(missing))
        lines += [
            "pex_wheel(",
            "    name = %r," % project,
            "    visibility = [\"//visibility:public\"],",
            "    wheels = [%s]," % ", ".join(["%r" % w for w in sorted(p["wheels"])]),
            "    deps = [%s]," % ", ".join(["\"//%s\"" % d for d in deps]),
            ")",
            "",
        ]
        rctx.file(project + "/BUILD.bazel", "\n".join(lines))

    rctx.file("BUILD.bazel", "# Generated by pex_wheel_repository: one package per project, e.g. //%s.\n" % sorted(projects)[0])
    rctx.file("requirements.bzl", "\n".join([
        "\"\"\"Labels of the projects of @%s.\"\"\"" % rctx.name,
        "",
        "PROJECTS = [%s]" % ", ".join(["%r" % p for p in sorted(projects)]),
        "",
        "def requirement(name):",
        "    \"\"\"Returns the label of a project's pex_wheel, e.g. requirement(\"Flask\") == \"@%s//flask\".\"\"\"" % rctx.name,
        "    normalized = name.lower().replace(\"_\", \"-\").replace(\".\", \"-\")",
        "    if normalized not in PROJECTS:",
        "        fail(\"@%s has no project %%r; it has %%s\" %% (name, \", \".join(PROJECTS)))" % rctx.name,
        "    return \"@%s//\" + normalized" % rctx.name,
        "",
    ]))
    rctx.file("WORKSPACE", "workspace(name = %r)\n" % rctx.name)

pex_wheel_repository = repository_rule(
    implementation = _pex_wheel_repository_impl,
    doc = """Makes one `pex_wheel` target per project (`@pypi//numpy`) from wheels.

Wheels come from a directory (`directory`), from URLs pinned by sha256
(`wheels`, `file://` URLs included), or both. Each wheel's Requires-Dist is
read from its METADATA and wired as `deps` (requirements needed only by
extras are left out; requirements under other environment markers are kept
when the project is present, and the launcher decides at run time), so
depending on `@pypi//flask` brings Flask's whole closure. Several wheels of
one project (different tags) become one target. No Python runs.

```starlark
load("@rules_pex//rules:repositories.bzl", "pex_wheel_repository")

pex_wheel_repository(
    name = "pypi",
    directory = "third_party/wheels",
    wheels = {
        "https://example.com/wheels/numpy-1.24.2-cp311-cp311-manylinux_2_17_x86_64.whl": "<sha256>",
    },
)
```

Targets are named by the PEP 503 normalized project name
(`@pypi//python-dateutil`). `@pypi//:requirements.bzl` defines
`requirement("Flask")`, which returns `"@pypi//flask"`.
""",
    attrs = {
        "directory": attr.string(
            doc = "A directory holding `.whl` files: absolute, or relative to the workspace root. Read again whenever Bazel's server starts (the rule is local).",
        ),
        "wheels": attr.string_dict(
            doc = "Wheel URL → sha256 of the file. `file://` URLs work too.",
        ),
    },
    local = True,
)
