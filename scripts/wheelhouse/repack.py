"""Turn one distribution installed by Debian into the members of a wheel.

Debian installs distributions into /usr/lib/python3/dist-packages, with either a
.dist-info directory or setuptools' .egg-info (a directory, or a single PKG-INFO file for
old distutils projects). This module finds the files of a distribution from `dpkg -L`,
converts egg-info metadata to a .dist-info (METADATA with Requires-Dist and
Provides-Extra from requires.txt, entry_points.txt, top_level.txt), and drops what a wheel
does not carry: __pycache__ and .pyc files, the metadata of other distributions, Debian's
installer files (RECORD, INSTALLER, ...), which are recomputed or meaningless here.
"""

import configparser
import os
import re
import subprocess
import sys
import sysconfig
from dataclasses import dataclass

import wheelfile

SITE = "/usr/lib/python3/dist-packages"

# .dist-info files that describe an installation, not the distribution.
INSTALL_ONLY = {"RECORD", "WHEEL", "INSTALLER", "REQUESTED", "direct_url.json"}
# egg-info files that become .dist-info files under the same name.
EGG_INFO_KEPT = ("entry_points.txt", "top_level.txt")


class RepackError(Exception):
    """A distribution cannot be turned into a valid wheel."""


# --- requires.txt and METADATA -------------------------------------------------------------


def _join_markers(markers, extra):
    """Join environment markers and an extra into one marker expression."""
    clauses = list(markers)
    if extra:
        clauses.append('extra == "{}"'.format(extra))
    if len(clauses) == 1:
        return clauses[0]
    return " and ".join(c if c.startswith("extra ==") else "(" + c + ")" for c in clauses)


def parse_requires_txt(text):
    """Convert setuptools' requires.txt to Requires-Dist values and extras.

    Lines before any section are unconditional. A section header is `[extra]`,
    `[:marker]` or `[extra:marker]`; its lines get the marker and `extra == "extra"`.
    Returns (requirements, extras); extras keep the order of their first section,
    including sections with no requirement (the extra still exists).
    """
    requirements, extras = [], []
    extra, marker = "", ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise RepackError("requires.txt: bad section header {!r}".format(raw))
            extra, _, marker = line[1:-1].partition(":")
            extra, marker = extra.strip(), marker.strip()
            if extra and extra not in extras:
                extras.append(extra)
            continue
        requirement, _, inline = line.partition(";")
        markers = [m.strip() for m in (inline, marker) if m.strip()]
        if markers or extra:
            requirements.append("{}; {}".format(requirement.strip(), _join_markers(markers, extra)))
        else:
            requirements.append(requirement.strip())
    return requirements, extras


def split_headers(text):
    """Split RFC 822 style metadata into ([(key, raw lines)], body).

    Continuation lines (starting with a space or tab) stay with their header. The
    headers end at the first empty line, which is not part of the body.
    """
    lines = text.splitlines(keepends=True)
    headers = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip("\r\n") == "":
            i += 1
            break
        if line[0] in " \t":
            if not headers:
                raise RepackError("metadata starts with a continuation line")
            headers[-1][1].append(line)
        else:
            key, sep, _ = line.partition(":")
            if not sep:
                raise RepackError("metadata: not a header line: {!r}".format(line.rstrip()))
            headers.append((key.strip(), [line]))
        i += 1
    return headers, "".join(lines[i:])


def header_values(headers, key):
    """Return the single-line values of every header named key (case-insensitive)."""
    out = []
    for k, lines in headers:
        if k.lower() == key.lower():
            out.append(lines[0].split(":", 1)[1].strip())
    return out


def _version_tuple(text):
    return tuple(int(x) for x in re.findall(r"\d+", text))


def rewrite_requirements(text, requirements, extras):
    """Return metadata text with its Requires-Dist and Provides-Extra replaced.

    The new headers go where the first old one was (else after the other headers).
    Metadata-Version is raised to 2.1 when the new fields need it.
    """
    headers, body = split_headers(text)
    replaced = {"requires-dist", "provides-extra"}
    at = next((i for i, (k, _) in enumerate(headers) if k.lower() in replaced), None)
    kept = [h for h in headers if h[0].lower() not in replaced]
    if at is None:
        at = len(kept)
    else:
        at = sum(1 for h in headers[:at] if h[0].lower() not in replaced)
    new = [("Requires-Dist", ["Requires-Dist: {}\n".format(r)]) for r in requirements]
    new += [("Provides-Extra", ["Provides-Extra: {}\n".format(e)]) for e in extras]
    kept[at:at] = new
    if new:
        for i, (k, lines) in enumerate(kept):
            if k.lower() == "metadata-version":
                value = lines[0].split(":", 1)[1].strip()
                if _version_tuple(value) < (2, 1):
                    kept[i] = (k, ["Metadata-Version: 2.1\n"])
    out = []
    for _, lines in kept:
        out.extend(lines)
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    return "".join(out) + ("\n" + body if body else "")


def is_extra_requirement(requirement):
    """Report whether a Requires-Dist value applies only to an extra."""
    _, sep, marker = requirement.partition(";")
    return bool(sep) and re.search(r"\bextra\b", marker) is not None


def console_scripts(entry_points_text):
    """Return the sorted console_scripts names declared in entry_points.txt."""
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str
    try:
        parser.read_string(entry_points_text)
    except configparser.Error as err:
        raise RepackError("entry_points.txt: {}".format(err)) from err
    if not parser.has_section("console_scripts"):
        return []
    return sorted(parser.options("console_scripts"))


# --- finding the files of a distribution ------------------------------------------------------


def dpkg_files(deb):
    """Return the paths dpkg lists for an installed Debian package."""
    result = subprocess.run(["dpkg", "-L", deb], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    if result.returncode != 0:
        raise RepackError("dpkg -L {}: {}".format(deb, result.stderr.strip()))
    return result.stdout.splitlines()


def metadata_name(top):
    """Return the project name encoded in a .dist-info or .egg-info name, or None."""
    for suffix in (".dist-info", ".egg-info"):
        if top.endswith(suffix):
            return top[: -len(suffix)].split("-", 1)[0]
    return None


def canonical(name):
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def choose_metadata(tops, project_name):
    """Pick the metadata directory (or egg-info file) of project_name among top-level names.

    Debian sometimes ships both a .dist-info and an .egg-info (cryptography): the
    .dist-info wins, then an egg-info that carries a version.
    """
    want = canonical(project_name)
    found = [t for t in tops if metadata_name(t) is not None and canonical(metadata_name(t)) == want]
    if not found:
        raise RepackError("no .dist-info or .egg-info for {} among {}".format(project_name, sorted(tops)))
    found.sort(key=lambda t: (not t.endswith(".dist-info"), "-" not in t, t))
    return found[0]


def is_dropped(rel):
    """Report whether a dist-packages file is Debian's byte code rather than distribution content."""
    parts = rel.split("/")
    return "__pycache__" in parts or rel.endswith((".pyc", ".pyo"))


@dataclass
class Distribution:
    """The wheel-ready content of one distribution."""

    name: str
    version: str
    tag: str
    native: bool
    members: dict  # archive path -> (bytes, mode)
    dist_info: str
    requirements: list
    console_scripts: list
    imports: list
    source_metadata: str
    dropped: list

    @property
    def filename(self):
        return wheelfile.wheel_filename(self.name, self.version, self.tag)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _mode(path):
    return 0o755 if os.stat(path).st_mode & 0o111 else 0o644


def native_tag():
    """The tag of extension-module wheels for the running interpreter (cp311-cp311-linux_x86_64)."""
    py = "cp{}{}".format(*sys.version_info[:2])
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return "{}-{}-{}".format(py, py, platform)


def check_extension(rel):
    """Refuse extension modules built for another interpreter than the running one."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    base = os.path.basename(rel)
    if base.endswith(suffix) or base.endswith(".abi3.so"):
        return
    if re.search(r"\.(cpython|pypy)[^.]*\.so$", base):
        raise RepackError("{}: extension module for another interpreter (want {})".format(rel, suffix))


def importable_names(paths):
    """Top-level modules and packages that the package files provide."""
    names = set()
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for rel in paths:
        first, _, rest = rel.partition("/")
        if rest:
            if rest == "__init__.py" or (rest.startswith("__init__.") and rest.endswith(".so")):
                names.add(first)
        elif first.endswith(".py"):
            names.add(first[:-3])
        elif first.endswith(suffix):
            names.add(first[: -len(suffix)])
        elif first.endswith(".abi3.so"):
            names.add(first[: -len(".abi3.so")])
    return sorted(names)


def collect(project, files_of_deb=dpkg_files, site=SITE, version_of=None):
    """Gather the wheel members of a project from the files of its Debian packages.

    version_of normalizes a version (PEP 440); it is passed in so this module does not
    import `packaging` before apt has installed it.
    """
    rels = set()
    for deb in project.debs:
        for path in files_of_deb(deb):
            if not path.startswith(site + "/"):
                continue
            rel = path[len(site) + 1:]
            if os.path.islink(path) and os.path.isdir(path):
                raise RepackError("{}: directory symlinks are not supported".format(path))
            if os.path.isdir(path) or is_dropped(rel):
                continue
            if not os.path.exists(path):
                raise RepackError("{} (from {}): missing or a dangling symlink".format(path, deb))
            rels.add(rel)
    tops = {r.split("/", 1)[0] for r in rels}
    chosen = choose_metadata(tops, project.name)
    other_metadata = sorted(t for t in tops if metadata_name(t) is not None and t != chosen)
    dropped = other_metadata[:]
    package = sorted(r for r in rels if metadata_name(r.split("/", 1)[0]) is None)
    if not package:
        raise RepackError("{}: no package files".format(project.name))
    meta_files = sorted(r for r in rels if r.split("/", 1)[0] == chosen)

    # Metadata text, requirements and extra .dist-info files.
    extra_files = {}
    if chosen.endswith(".dist-info"):
        metadata = _read(os.path.join(site, chosen, "METADATA")).decode("utf-8")
        headers, _ = split_headers(metadata)
        requirements = header_values(headers, "Requires-Dist")
        extras = header_values(headers, "Provides-Extra")
        for rel in meta_files:
            inner = rel[len(chosen) + 1:]
            if inner in INSTALL_ONLY or inner == "METADATA":
                if inner != "METADATA":
                    dropped.append(rel)
                continue
            extra_files[inner] = os.path.join(site, rel)
        rewrite = project.requires is not None
    else:
        if chosen in meta_files:  # a single-file egg-info is PKG-INFO itself
            metadata = _read(os.path.join(site, chosen)).decode("utf-8")
            requirements, extras = [], []
        else:
            metadata = _read(os.path.join(site, chosen, "PKG-INFO")).decode("utf-8")
            requires_path = os.path.join(site, chosen, "requires.txt")
            requirements, extras = [], []
            if os.path.exists(requires_path):
                requirements, extras = parse_requires_txt(_read(requires_path).decode("utf-8"))
            headers, _ = split_headers(metadata)
            declared = header_values(headers, "Provides-Extra")
            extras = declared + [e for e in extras if e not in declared]
            for rel in meta_files:
                inner = rel[len(chosen) + 1:]
                if inner in EGG_INFO_KEPT:
                    extra_files[inner] = os.path.join(site, rel)
                elif inner not in ("PKG-INFO", "requires.txt"):  # those two became METADATA
                    dropped.append(rel)
        rewrite = True
    if project.requires is not None:
        requirements = list(project.requires) + [r for r in requirements if is_extra_requirement(r)]
    if rewrite:
        metadata = rewrite_requirements(metadata, requirements, extras)

    headers, _ = split_headers(metadata)
    names = header_values(headers, "Name")
    versions = header_values(headers, "Version")
    if len(names) != 1 or len(versions) != 1:
        raise RepackError("{}: metadata needs exactly one Name and one Version".format(chosen))
    if canonical(names[0]) != canonical(project.name):
        raise RepackError("{}: metadata names {!r}, expected {!r}".format(chosen, names[0], project.name))
    version = version_of(versions[0]) if version_of else versions[0]

    native = any(r.endswith(".so") for r in package)
    for rel in package:
        if rel.endswith(".so"):
            check_extension(rel)
    tag = native_tag() if native else "py3-none-any"
    dist_info = wheelfile.dist_info_dir(names[0], version)

    members = {}
    for rel in package:
        path = os.path.join(site, rel)
        members[rel] = (_read(path), _mode(path))
    members[dist_info + "/METADATA"] = (metadata.encode("utf-8"), 0o644)
    members[dist_info + "/WHEEL"] = (wheelfile.wheel_metadata(tag, purelib=not native).encode("utf-8"), 0o644)
    scripts = []
    for inner, path in sorted(extra_files.items()):
        data = _read(path)
        members[dist_info + "/" + inner] = (data, 0o644)
        if inner == "entry_points.txt":
            scripts = console_scripts(data.decode("utf-8"))

    return Distribution(
        name=names[0], version=version, tag=tag, native=native, members=members,
        dist_info=dist_info, requirements=requirements, console_scripts=scripts,
        imports=importable_names(package), source_metadata=chosen, dropped=sorted(dropped))
