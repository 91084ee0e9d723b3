"""pex_wheel_repository: one `pex_wheel` target per project, from a directory of wheels, a URL list or a lock file."""

load(":repo_label.bzl", "rules_pex_repo")
load(":wheel_name.bzl", "normalize_project", "project_of_wheel")
load(":wheel_tree.bzl", "SITE_PACKAGES", "install_wheel_tree")

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

def _marker_extras(marker):
    """Returns the normalized extras `extra == "NAME"` clauses of a marker name."""
    text = marker.replace("'", "\"")
    for _ in range(len(text)):
        if "  " not in text:
            break
        text = text.replace("  ", " ")
    text = text.replace("extra ==", "extra==").replace("== \"", "==\"")
    out = []
    for part in text.split("extra==\"")[1:]:
        out.append(normalize_project(part.partition("\"")[0]))
    return out

def parse_requires_dist(value, extras = []):
    """Reads the project a Requires-Dist value names.

    Args:
      value: the value of a Requires-Dist header, e.g. `idna (>=2.5) ; python_version >= "3"`.
      extras: the normalized extras of the project that are wanted: a
        requirement under `extra == "socks"` counts when `socks` is one.

    Returns:
      The normalized project name, or None when only an extra that is not wanted needs it.
    """
    requirement, _, marker = value.partition(";")
    if marker and _marker_mentions_extra(marker) and not [e for e in _marker_extras(marker) if e in extras]:
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

def _installed_metadata(rctx, project, wheel):
    """Returns the METADATA text of the wheel install_wheel_tree installed for project."""
    for entry in rctx.path("%s/%s" % (project, SITE_PACKAGES)).readdir():
        if entry.basename.endswith(".dist-info"):
            metadata = entry.get_child("METADATA")
            if metadata.exists:
                return rctx.read(metadata)
    fail("pex_wheel_repository(name = %r): %s has no *.dist-info/METADATA; it is not a valid wheel" % (rctx.name, wheel))

def _version_of_wheel(basename):
    return basename.split("-")[1] if basename.count("-") >= 4 else ""

def _check_one_version(rctx, wheels, where):
    """Fails when wheels [(basename, path)] hold two versions of one project."""
    seen = {}  # project -> (version, basename)
    for basename, _ in sorted(wheels):
        project = project_of_wheel(basename)
        version = _version_of_wheel(basename)
        if project in seen and seen[project][0] != version:
            fail("pex_wheel_repository(name = %r): %s has two versions of %s: %s and %s; a repository has one version of each project: remove one, or lock the version you want (lock = ...)" % (rctx.name, where, project, seen[project][1], basename))
        seen.setdefault(project, (version, basename))

def _generate(rctx, wheels, locked = {}, skipped = []):
    """Writes the repository: one package per project, aliases, requirements.bzl.

    Args:
      rctx: the repository context.
      wheels: list of (basename, path) of every wheel.
      locked: normalized project -> struct(marker, extras) from a lock file.
      skipped: what `packer lock` skipped (dicts with name, version, reason),
        listed in the root BUILD file.
    """
    projects = {}  # normalized name -> dict
    for basename, path in sorted(wheels):
        project = project_of_wheel(basename)
        p = projects.setdefault(project, {"names": {}, "requires": {}, "wheels": []})
        rctx.symlink(path, "%s/%s" % (project, basename))
        p["wheels"].append(basename)
        p["names"][basename.split("-")[0]] = True

    # Each project's tree is installed once, and its METADATA read from the
    # installed tree (every wheel of one version has the same METADATA):
    # one extraction per project.
    for project in sorted(projects):
        p = projects[project]
        chosen, p["tree"] = install_wheel_tree(rctx, project, ["%s/%s" % (project, w) for w in p["wheels"]])
        name, requires = parse_metadata(_installed_metadata(rctx, project, chosen))
        if name and normalize_project(name) != project:
            fail("pex_wheel_repository(name = %r): %s says Name: %s in its METADATA, which does not match its file name" % (rctx.name, chosen, name))
        if name:
            p["names"][name] = True
        extras = locked[project].extras if project in locked else []
        for value in requires:
            dep = parse_requires_dist(value, extras)
            if dep and dep != project:
                p["requires"][dep] = True

    defs = rules_pex_repo() + "//rules:defs.bzl"
    aliases = {}  # spelling -> project
    for project, p in projects.items():
        deps = sorted([d for d in p["requires"] if d in projects])
        missing = sorted([d for d in p["requires"] if d not in projects])
        lock = locked.get(project)
        spellings = sorted([n for n in p["names"] if n != project])
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
        ]
        if lock and lock.extras:
            lines.append("    extras = [%s]," % ", ".join(["%r" % e for e in lock.extras]))
        if lock and lock.marker:
            lines.append("    marker = %r," % lock.marker)
        if rctx.attr.precompile:
            lines.append("    precompile = [%s]," % ", ".join(["%r" % v for v in rctx.attr.precompile]))
            lines.append("    pythons = [%s]," % ", ".join(["%r" % label for label in rctx.attr.pythons]))
        lines += p["tree"]
        lines += [")", ""]
        if lock and lock.extras:
            # @pypi//requests:requests[socks]: the same wheels, named as the lock requires them.
            lines += [
                "alias(",
                "    name = %r," % ("%s[%s]" % (project, ",".join(lock.extras))),
                "    actual = %r," % (":" + project),
                "    visibility = [\"//visibility:public\"],",
                ")",
                "",
            ]
        for n in spellings:
            # A case-insensitive file system has one directory for PyYAML
            # and pyyaml: the alias in this package serves @pypi//PyYAML there.
            lines += [
                "alias(",
                "    name = %r," % n,
                "    actual = %r," % (":" + project),
                "    visibility = [\"//visibility:public\"],",
                ")",
                "",
            ]
            aliases[n] = project
        rctx.file(project + "/BUILD.bazel", "\n".join(lines))

    for n, project in sorted(aliases.items()):
        if rctx.path(n + "/BUILD.bazel").exists:
            continue  # the project's own directory, on a case-insensitive file system
        rctx.file(n + "/BUILD.bazel", "\n".join([
            "# Generated by pex_wheel_repository: %s is spelled %s in its METADATA or file names (PEP 503 normalizes both)." % (project, n),
            "alias(",
            "    name = %r," % n,
            "    actual = \"//%s\"," % project,
            "    visibility = [\"//visibility:public\"],",
            ")",
            "",
        ]))

    root = ["# Generated by pex_wheel_repository: one package per project, e.g. //%s." % sorted(projects)[0]]
    if skipped:
        root.append("# Locked, but not wheels here (so no target):")
        root += ["#   %s %s: %s" % (x["name"], x["version"], x["reason"]) for x in skipped]
    rctx.file("BUILD.bazel", "\n".join(root) + "\n")
    rctx.file("requirements.bzl", _REQUIREMENTS_BZL.format(
        name = rctx.name,
        projects = ", ".join(["%r" % p for p in sorted(projects)]),
    ))
    rctx.file("WORKSPACE", "workspace(name = %r)\n" % rctx.name)

_REQUIREMENTS_BZL = '''"""Labels of the projects of @{name}."""

PROJECTS = [{projects}]

def _normalize(name):
    out = []
    for c in name.lower().elems():
        if c in "-_.":
            if not out or out[-1] != "-":
                out.append("-")
        else:
            out.append(c)
    return "".join(out)

def _distance(a, b):
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (0 if a[i - 1] == b[j - 1] else 1))
            prev = cur
    return row[len(b)]

def requirement(name):
    """Returns the label of a project's pex_wheel: requirement("Flask") == "@{name}//flask".

    Args:
      name: the project's name, in any spelling PEP 503 normalizes to one of PROJECTS.
    """
    normalized = _normalize(name)
    if normalized not in PROJECTS:
        nearest = [p for _, p in sorted([(_distance(normalized, p), p) for p in PROJECTS])]
        fail("requirement(%r): @{name} has no project %r; it has, nearest first: %s" % (name, normalized, ", ".join(nearest)))
    return "@{name}//" + normalized
'''

def _directory_wheels(rctx, directory):
    if not directory.startswith("/"):
        directory = str(rctx.path(Label("@//:WORKSPACE")).dirname) + "/" + directory
    d = rctx.path(directory)
    if not d.exists:
        fail("pex_wheel_repository(name = %r): directory = %r does not exist (looked at %s); make the wheels first, or fix the path (absolute, or relative to the workspace root)" % (rctx.name, rctx.attr.directory, d))
    return d, [(e.basename, e) for e in d.readdir() if e.basename.endswith(".whl")]

def _pex_wheel_directory_repository_impl(rctx):
    wheels = []  # (basename, path)
    if rctx.attr.directory:
        d, found = _directory_wheels(rctx, rctx.attr.directory)
        _check_one_version(rctx, found, "directory = %r (%s)" % (rctx.attr.directory, d))
        wheels += found
    for url, sha256 in rctx.attr.wheels.items():
        basename = _unquote(url.rstrip("/").split("/")[-1].split("?")[0])
        if not basename.endswith(".whl"):
            fail("pex_wheel_repository(name = %r): wheels has %r, whose file name does not end in .whl" % (rctx.name, url))
        out = "_downloads/" + basename
        rctx.download(url = url, output = out, sha256 = sha256)
        wheels.append((basename, rctx.path(out)))
    if not wheels:
        fail("pex_wheel_repository(name = %r): no wheels: set directory (a directory of .whl files), wheels (URL -> sha256) or lock (a lock file)" % rctx.name)
    _check_one_version(rctx, wheels, "directory and wheels")
    _generate(rctx, wheels)

_pex_wheel_directory_repository = repository_rule(
    implementation = _pex_wheel_directory_repository_impl,
    doc = "pex_wheel_repository without a lock: wheels from a directory (read again at every server start) and URLs.",
    attrs = {
        "directory": attr.string(),
        "precompile": attr.string_list(),
        "pythons": attr.string_list(),
        "wheels": attr.string_dict(),
    },
    local = True,
)

def _check_url(rctx, url, what):
    if url.startswith("http://"):
        fail("pex_wheel_repository(name = %r): %s %s is plain http, which Bazel downloads only with a checksum; use https (or file://, or directory = ...)" % (rctx.name, what, url))

def _listing(rctx, base, project, index, n):
    """Saves the page listing project's files under base (a simple index or a find-links page).

    Returns (the URL the page's relative links resolve against, the saved
    page, None), or (None, None, the directory) for a file:// directory with
    no index.html, which is read as pip reads a find-links directory.
    """
    url = base.rstrip("/") + "/" + project + "/" if index else base
    if url.startswith("file://") and rctx.path(url[len("file://"):]).exists:
        local = rctx.path(url[len("file://"):])
        page = local.get_child("index.html")
        if not page.exists:
            return None, None, local  # a directory of wheels, as pip reads a find-links directory
        return url if url.endswith("/") else url + "/", page, None
    _check_url(rctx, url, "index_url" if index else "find_links")
    out = "_listings/%d.html" % n
    rctx.download(url = url, output = out)
    return url, rctx.path(out), None

def _run_packer_lock(rctx, lock, args):
    res = rctx.execute([rctx.path(rctx.attr.packer), "lock", "--lock", lock] + args, timeout = 600)
    if res.return_code:
        fail("pex_wheel_repository(name = %r): lock = %s: %s" % (rctx.name, rctx.attr.lock, (res.stderr + res.stdout).strip().replace("\n", "\n  ")))
    return json.decode(res.stdout)

def _pex_wheel_lock_repository_impl(rctx):
    lock = str(rctx.path(rctx.attr.lock))
    rctx.report_progress("Reading " + str(rctx.attr.lock))
    args = []
    if rctx.attr.directory:
        d, _ = _directory_wheels(rctx, rctx.attr.directory)
        args += ["--directory", str(d)]
    info = _run_packer_lock(rctx, lock, args)
    if info["format"] == "requirements" and not rctx.attr.directory:
        # The wheels are on index or find-links pages: save them, and read the lock again with them.
        lock_dir = str(rctx.path(rctx.attr.lock).dirname)

        # The attributes, when set, replace the lock's --index-url and --find-links lines.
        index, links = info["index_urls"], info["find_links"]
        if rctx.attr.index_url or rctx.attr.find_links:
            index = [rctx.attr.index_url] if rctx.attr.index_url else []
            links = rctx.attr.find_links
        if not index and not links:
            fail("pex_wheel_repository(name = %r): lock = %s says where no wheel is (no --index-url or --find-links lines): set index_url, find_links or directory" % (rctx.name, rctx.attr.lock))
        args = []
        n = 0
        for base in links:
            if "://" not in base:
                relative_to = str(rctx.path(Label("@//:WORKSPACE")).dirname) if rctx.attr.find_links else lock_dir
                base = "file://" + (base if base.startswith("/") else relative_to + "/" + base)
            url, page, local = _listing(rctx, base, None, False, n)
            n += 1
            args += ["--directory", str(local)] if local else ["--listing", "%s=%s" % (url, page)]
        for base in index:
            for p in info["packages"]:
                url, page, local = _listing(rctx, base, p["name"], True, n)
                n += 1
                args += ["--directory", str(local)] if local else ["--listing", "%s=%s" % (url, page)]
        info = _run_packer_lock(rctx, lock, args)

    wheels = []
    locked = {}
    for p in info["packages"]:
        where = "pex_wheel_repository(name = %r): lock = %s, line %d: %s==%s" % (rctx.name, rctx.attr.lock, p["line"], p["name"], p["version"])
        if not p["wheels"]:
            fail("%s has no wheel to fetch; add one to the lock, or set directory" % where)
        locked[p["name"]] = struct(marker = p["marker"], extras = p["extras"])
        for w in p["wheels"]:
            if w["path"]:
                wheels.append((w["filename"], rctx.path(w["path"])))  # hashed by the packer
                continue
            if not w["sha256"]:
                _check_url(rctx, w["url"], "the wheel")
            out = "_downloads/" + w["filename"]
            rctx.report_progress("Fetching " + w["filename"])
            res = rctx.download(url = w["url"], output = out, sha256 = w["sha256"], allow_fail = True)
            if not res.success:
                # Bazel says only that it failed: fetch it again unchecked to tell a wrong hash from a wrong URL.
                got = None if w["url"].startswith("http://") else rctx.download(url = w["url"], output = out + ".unchecked", allow_fail = True)
                if got and got.success:
                    fail("%s: %s from %s has sha256 %s, but the lock says %s; fix the lock's hash or the file" % (where, w["filename"], w["url"], got.sha256, w["sha256"]))
                fail("%s: fetching %s from %s failed; check the URL, and that it can be reached" % (where, w["filename"], w["url"]))
            if res.sha256 not in p["sha256"]:
                fail("%s: %s from %s has sha256 %s, which is not one of the lock's hashes (%s); fix the lock's hash or the file" % (where, w["filename"], w["url"], res.sha256, ", ".join(p["sha256"])))
            wheels.append((w["filename"], rctx.path(out)))
    if not wheels:
        fail("pex_wheel_repository(name = %r): lock = %s locks no wheel (skipped: %s)" % (rctx.name, rctx.attr.lock, ", ".join(["%s (%s)" % (s["name"], s["reason"]) for s in info["skipped"]]) or "none"))
    _generate(rctx, wheels, locked, info["skipped"])

_pex_wheel_lock_repository = repository_rule(
    implementation = _pex_wheel_lock_repository_impl,
    doc = "pex_wheel_repository with a lock: `packer lock` reads it, every wheel is fetched or found and checked against its hash.",
    attrs = {
        "directory": attr.string(),
        "find_links": attr.string_list(),
        "index_url": attr.string(),
        "lock": attr.label(mandatory = True, allow_single_file = True),
        "packer": attr.label(mandatory = True, allow_single_file = True),
        "precompile": attr.string_list(),
        "pythons": attr.string_list(),
    },
)

def pex_wheel_repository(name, directory = None, wheels = {}, lock = None, index_url = None, find_links = [], precompile = [], pythons = [], **kwargs):
    """Makes one `pex_wheel` target per project (`@pypi//numpy`) from wheels or a lock file.

    Wheels come from a lock file (`lock`: a pip requirements file with
    `--hash` options, or a PEP 751 `pylock.toml`), a directory
    (`directory`), or URLs pinned by sha256 (`wheels`, `file://` URLs
    included). Each wheel's Requires-Dist is read from its METADATA and wired
    as `deps` (requirements needed only by extras are left out unless the lock
    asks for the extra; requirements under other environment markers are kept
    when the project is present, and the launcher decides at run time), so
    depending on `@pypi//flask` brings Flask's whole closure. Several wheels
    of one project (different tags, e.g. one per platform) become one target;
    two versions of one project are an error. No Python runs.

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

    With a lock, the packer (`@rules_pex_host_packer`, run on the host at
    fetch time) reads it: which projects and versions, their extras and
    markers, and the sha256 hashes each file must have. A pylock.toml names
    each wheel's URL or path; a requirements file's wheels are found on
    the pages of `index_url` (a PEP 503 simple index: `<index_url>/<project>/`)
    or `find_links` (pip's find-links pages or directories), or in
    `directory`. Every file is checked against the lock's hashes; a mismatch
    is an error naming the lock, the line, the project and the file. Locked
    projects that are not wheels (sdist only, VCS, directories) get no
    target; the repository's root BUILD file lists them, with the reason.

    ```starlark
    pex_wheel_repository(
        name = "pypi",
        lock = "//:requirements.txt",  # or "//:pylock.toml"
        index_url = "https://pypi.org/simple",
    )
    ```

    Targets are named by the PEP 503 normalized project name
    (`@pypi//python-dateutil`); the spellings of the project's METADATA and
    file names are aliases (`@pypi//PyYAML`, `@pypi//python_dateutil`). A
    locked requirement with extras (`requests[socks]==2.28.1`) brings the
    extra's requirements, is also `@pypi//requests:requests[socks]`, and is
    passed to the packer as `requests[socks]`; a locked marker becomes the
    `pex_wheel`'s `marker`. `@pypi//:requirements.bzl` defines
    `requirement("Flask")`, which returns `"@pypi//flask"` and fails, listing
    the known projects nearest first, for a name that is not there.

    With `precompile`, every project's `pex_wheel` compiles its wheels'
    bytecode for those Python versions itself (`pex_wheel.precompile`): one
    `PexPrecompile` action per wheel and version, shared by every
    `pex_binary(precompile = ...)` that packs the wheel, instead of one per
    binary. The actions run only when a binary ships that bytecode.

    ```starlark
    pex_local_python(name = "python311", interpreter = "/usr/bin/python3.11", version = "3.11")

    pex_wheel_repository(
        name = "pypi",
        directory = "third_party/wheels",
        precompile = ["3.11"],
        pythons = ["@python311//:3.11"],
    )
    ```

    Args:
      name: the repository's name, e.g. `pypi`.
      directory: a directory holding `.whl` files: absolute, or relative to the
        workspace root. Without `lock`, read again whenever Bazel's server
        starts (the repository is local) and must hold one version per
        project; with `lock`, where the locked wheels are taken from.
      wheels: wheel URL → sha256 of the file (`file://` URLs work too). Not
        with `lock`.
      lock: label of a lock file: `pylock.toml` or `pylock.NAME.toml` (PEP
        751), any other name a pip requirements file in which every
        requirement is `NAME[EXTRAS]==VERSION [; MARKER]` with
        `--hash=sha256:` options (pip-compile `--generate-hashes`, `uv pip
        compile --generate-hashes`).
      index_url: for a requirements lock: the simple index to find wheels on
        (`https://` or `file://`). With `find_links`, replaces the lock's own
        `--index-url` and `--find-links` lines (used when neither is set;
        relative paths there are relative to the lock file).
      find_links: for a requirements lock: find-links pages (`https://` or
        `file://` URLs) or directories (absolute, or relative to the workspace
        root).
      precompile: Python versions (`["3.11"]`) whose bytecode each
        project's `pex_wheel` compiles, for the binaries that ship it.
      pythons: labels of `pex_python` targets, one per version of
        `precompile`, each with its repository (`"@python311//:3.11"`, or
        `"@//tools:python3.11"` for the main repository's), since they are
        written into the repository's BUILD files.
      **kwargs: passed to the repository rule (e.g. `repo_mapping`).
    """
    for p in pythons:
        if not p.startswith("@"):
            fail("pex_wheel_repository(name = %r): pythons has %r, a label without a repository; it is used inside @%s, so write its repository too (\"@//tools:python3.11\" for a target of the main repository, \"@python311//:3.11\" for a pex_local_python)" % (name, p, name))
    if pythons and not precompile:
        fail("pex_wheel_repository(name = %r): pythons is set but precompile is not; give the Python versions to compile the wheels' bytecode for (precompile = [\"3.11\"]), or drop pythons" % name)
    if lock:
        if wheels:
            fail("pex_wheel_repository(name = %r): wheels cannot be used with lock = %r: the lock says which files to fetch" % (name, lock))
        _pex_wheel_lock_repository(
            name = name,
            lock = lock,
            directory = directory,
            index_url = index_url,
            find_links = find_links,
            packer = Label("@rules_pex_host_packer//:packer"),
            precompile = precompile,
            pythons = pythons,
            **kwargs
        )
        return
    if index_url or find_links:
        fail("pex_wheel_repository(name = %r): index_url and find_links say where the wheels of a lock are; set lock too" % name)
    _pex_wheel_directory_repository(name = name, directory = directory, wheels = wheels, precompile = precompile, pythons = pythons, **kwargs)
