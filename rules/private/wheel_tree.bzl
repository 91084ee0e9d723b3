"""Installs one wheel of a project into a repository, at fetch time, for native py_* rules.

A `pex_binary` packs wheels as they are; `py_library`, `py_binary` and
`py_test` need the installed tree instead: the wheel's files under one import
root. `install_wheel_tree` makes that tree once, when the repository is
fetched, with `rctx.extract` (no Python runs), and returns the attributes that
give it to the project's `pex_wheel`.
"""

SITE_PACKAGES = "site-packages"

def _tags(basename):
    """Returns the (python, abi, platform) tags of a wheel file name."""
    parts = basename[:-len(".whl")].split("-")
    return parts[-3], parts[-2], parts[-1]

def _host_platform_words(rctx):
    """Words a platform tag of this host contains, e.g. ["linux", "x86_64"]."""
    os = rctx.os.name.lower()
    if os.startswith("mac"):
        os = "macosx"
    elif os.startswith("windows"):
        os = "win"
    arch = getattr(rctx.os, "arch", "")
    if not arch:
        result = rctx.execute(["uname", "-m"])
        arch = result.stdout.strip() if result.return_code == 0 else ""
    arch = {"amd64": "x86_64", "arm64": "aarch64" if os == "linux" else "arm64"}.get(arch, arch)
    return [os, arch] if arch else [os]

def _fits_host(platform_tag, words):
    for tag in platform_tag.split("."):
        if all([w in tag for w in words]):
            return True
    return False

def choose_wheel(basenames, host_words):
    """Picks the wheel whose installed tree native py_* rules see.

    Args:
      basenames: the file names of one project's wheels.
      host_words: words of the host's platform tags, e.g. `["linux", "x86_64"]`.

    Returns:
      The file name of a pure wheel (`none-any`) if there is one, else of the
      first (sorted) wheel whose platform tag names this host's OS and CPU,
      else the first wheel.
    """
    ordered = sorted(basenames)
    for b in ordered:
        _, abi, platform = _tags(b)
        if abi == "none" and platform == "any":
            return b
    for b in ordered:
        if _fits_host(_tags(b)[2], host_words):
            return b
    return ordered[0]

def install_wheel_tree(rctx, project, wheels):
    """Installs one wheel of a project into `<project>/site-packages` of the repository.

    The wheel is chosen by `choose_wheel` (pure, else fitting the host, else
    the first). Its files are extracted as `pip install --target` would lay
    them out: `*.data/purelib` and `*.data/platlib` are merged into the tree,
    and the rest of `*.data` (scripts, headers, data) is left out. The same
    wheel gives the same tree on every machine.

    Args:
      rctx: the repository context.
      project: the project's normalized name; its package in the repository.
      wheels: the project's wheel files (paths or strings), one or more.

    Returns:
      (the chosen wheel's file name, the lines of the `tree` and `imports`
      attributes of the project's `pex_wheel` in `<project>/BUILD.bazel`, with
      a comment naming the wheel).
    """
    paths = {rctx.path(w).basename: rctx.path(w) for w in wheels}
    chosen = choose_wheel(paths.keys(), _host_platform_words(rctx))
    archive = "_trees/%s.zip" % project
    rctx.symlink(paths[chosen], archive)
    out = "%s/%s" % (project, SITE_PACKAGES)
    rctx.delete(out)
    rctx.extract(archive, output = out)
    for entry in rctx.path(out).readdir():
        if not entry.basename.endswith(".data"):
            continue
        for scheme in ("purelib", "platlib"):
            if entry.get_child(scheme).exists:
                rctx.extract(archive, output = out, stripPrefix = "%s/%s" % (entry.basename, scheme))
        rctx.delete(entry)
    rctx.delete("_trees")
    rctx.report_progress("Installed " + chosen)
    return chosen, [
        "    # The installed tree of %s, for py_library, py_binary and py_test." % chosen,
        "    imports = [%r]," % SITE_PACKAGES,
        "    tree = glob(",
        "        [%r]," % (SITE_PACKAGES + "/**"),
        "        # Bazel labels cannot hold spaces; Python never writes bytecode here.",
        "        exclude = [%r, %r]," % (SITE_PACKAGES + "/**/* *", SITE_PACKAGES + "/**/*.pyc"),
        "    ),",
    ]
