"""Verify a wheelhouse: every wheel valid on its own, and pip installs them all offline.

The checks of a single wheel (check_wheel) read only the zip: they do not trust the
code that wrote it. Then a fresh venv of Debian's /usr/bin/python3.11 installs every
project with `pip install --no-index --find-links OUTDIR`, so pip must resolve every
mandatory Requires-Dist from the wheelhouse alone; `pip check` confirms the result,
each top-level module is imported (and must come from the venv, not from Debian's
dist-packages), and each console script must run `--help` with exit status 0.
"""

import csv
import email.parser
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

import wheelfile

PYTHON = "/usr/bin/python3.11"
MANIFEST = "wheelhouse.json"
PURE_TAG = "py3-none-any"


class VerifyError(Exception):
    """The wheelhouse is not usable; the message lists every problem found."""


def parse_filename(filename):
    """Split a wheel file name into (name, version, build, tag); raise ValueError if malformed."""
    if not filename.endswith(".whl"):
        raise ValueError("not a .whl file name")
    parts = filename[:-4].split("-")
    if len(parts) == 5:
        name, version, py, abi, plat = parts
        build = ""
    elif len(parts) == 6:
        name, version, build, py, abi, plat = parts
    else:
        raise ValueError("expected 5 or 6 dash-separated parts, got {}".format(len(parts)))
    return name, version, build, "-".join((py, abi, plat))


def _headers(data):
    return email.parser.HeaderParser().parsestr(data.decode("utf-8"))


def check_wheel(path):
    """Return a list of problems with the wheel at path (empty when it is valid)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version

    filename = os.path.basename(path)
    problems = []

    def bad(msg):
        problems.append("{}: {}".format(filename, msg))

    try:
        name, version, _, tag = parse_filename(filename)
    except ValueError as err:
        return ["{}: bad file name: {}".format(filename, err)]
    if wheelfile.escape_name(name) != name:
        bad("name {!r} is not escaped".format(name))
    try:
        if str(Version(version)) != version:
            bad("version {!r} is not normalized".format(version))
    except InvalidVersion:
        bad("version {!r} is not PEP 440".format(version))
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        return ["{}: not a zip: {}".format(filename, err)]
    with zf:
        broken = zf.testzip()
        if broken is not None:
            bad("CRC error in {}".format(broken))
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            bad("duplicate entries")
        for info in infos:
            n = info.filename
            if n.startswith("/") or ".." in n.split("/") or "\\" in n or n.endswith("/"):
                bad("unsafe or directory entry {!r}".format(n))
            if "__pycache__" in n.split("/") or n.endswith((".pyc", ".pyo")):
                bad("byte code {!r}".format(n))
            if info.date_time != wheelfile.ZIP_EPOCH:
                bad("{}: timestamp {} is not 1980-01-01".format(n, info.date_time))
            if (info.external_attr >> 16) & 0o7777 not in (0o644, 0o755):
                bad("{}: mode {:o}".format(n, (info.external_attr >> 16) & 0o7777))
        dist_infos = {n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")}
        expected = "{}-{}.dist-info".format(name, version)
        if dist_infos != {expected}:
            bad("dist-info directories {} (want {})".format(sorted(dist_infos), expected))
            return problems
        if names[-1] != expected + "/RECORD":
            bad("RECORD is not the last entry")
        try:
            metadata = _headers(zf.read(expected + "/METADATA"))
            wheel = _headers(zf.read(expected + "/WHEEL"))
            record = zf.read(expected + "/RECORD").decode("utf-8")
        except KeyError as err:
            bad("missing {}".format(err))
            return problems

        if wheelfile.escape_name(metadata.get("Name", "")) != name:
            bad("METADATA Name {!r} does not match the file name".format(metadata.get("Name")))
        try:
            if str(Version(metadata.get("Version", ""))) != version:
                bad("METADATA Version {!r} does not match the file name".format(metadata.get("Version")))
        except InvalidVersion:
            bad("METADATA Version {!r} is not PEP 440".format(metadata.get("Version")))
        for text in metadata.get_all("Requires-Dist") or []:
            try:
                Requirement(text)
            except InvalidRequirement as err:
                bad("Requires-Dist {!r}: {}".format(text, err))

        if wheel.get("Wheel-Version") != "1.0":
            bad("Wheel-Version {!r}".format(wheel.get("Wheel-Version")))
        if wheel.get_all("Tag") != [tag]:
            bad("WHEEL Tag {} does not match the file name tag {}".format(wheel.get_all("Tag"), tag))
        has_ext = any(n.endswith(".so") for n in names)
        purelib = wheel.get("Root-Is-Purelib")
        if has_ext and (tag == PURE_TAG or purelib != "false"):
            bad("has extension modules but tag {} / Root-Is-Purelib {}".format(tag, purelib))
        if not has_ext and (tag != PURE_TAG or purelib != "true"):
            bad("pure but tag {} / Root-Is-Purelib {}".format(tag, purelib))

        rows = list(csv.reader(io.StringIO(record)))
        listed = {}
        for row in rows:
            if len(row) != 3:
                bad("RECORD row {!r} has {} fields".format(row, len(row)))
                continue
            if row[0] in listed:
                bad("RECORD lists {} twice".format(row[0]))
            listed[row[0]] = row
        if set(listed) != set(names):
            missing = sorted(set(names) - set(listed))
            extra = sorted(set(listed) - set(names))
            bad("RECORD and archive differ: unlisted {} / absent {}".format(missing[:5], extra[:5]))
        for n in names:
            row = listed.get(n)
            if row is None:
                continue
            if n == expected + "/RECORD":
                if row[1] or row[2]:
                    bad("RECORD must not hash itself")
                continue
            data = zf.read(n)
            if row[1] != wheelfile.record_hash(data) or row[2] != str(len(data)):
                bad("{}: RECORD hash or size does not match".format(n))
    return problems


IMPORT_CHECK = r"""
import importlib, importlib.metadata, json, os, sys, warnings
spec = json.loads(sys.argv[1])
prefix = os.path.realpath(sys.prefix) + os.sep
errors, warned = [], []
for p in spec:
    try:
        version = importlib.metadata.version(p["name"])
        if version != p["version"]:
            errors.append("%s: installed version %s, wheel %s" % (p["name"], version, p["version"]))
    except importlib.metadata.PackageNotFoundError:
        errors.append("%s: not installed" % p["name"])
    for mod in p["imports"]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                m = importlib.import_module(mod)
            except Exception as e:
                errors.append("%s: import %s: %r" % (p["name"], mod, e))
                continue
        for w in caught:
            warned.append("%s: import %s: %s: %s" % (p["name"], mod, w.category.__name__, w.message))
        f = getattr(m, "__file__", None) or ""
        if not os.path.realpath(f).startswith(prefix):
            errors.append("%s: %s imported from %r, outside the venv" % (p["name"], mod, f))
print(json.dumps({"errors": errors, "warnings": warned}))
"""


def _run(argv, env, what, timeout=600):
    try:
        result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        raise VerifyError("{} timed out after {}s".format(what, timeout)) from err
    if result.returncode != 0:
        raise VerifyError("{} failed (exit {}):\n{}".format(what, result.returncode, result.stdout))
    return result.stdout


def _env(tmp, bindir):
    return {
        "PATH": bindir + ":/usr/bin:/bin",
        "HOME": tmp,
        "LANG": "C.UTF-8",
        "PIP_CONFIG_FILE": os.devnull,
        "PYTHONNOUSERSITE": "1",
    }


def _pip_install(python, outdir, names, env, what):
    return _run([python, "-m", "pip", "install", "--no-index", "--find-links", outdir,
                 "--only-binary", ":all:", "--no-cache-dir", "--disable-pip-version-check",
                 "--no-warn-script-location", "--no-compile"] + names, env, what)


def _check_imports(python, entries, env, log):
    spec = [{"name": p["name"], "version": p["version"], "imports": p["imports"]} for p in entries]
    out = _run([python, "-c", IMPORT_CHECK, json.dumps(spec)], env, "importing every module")
    result = json.loads(out.strip().splitlines()[-1])
    for w in result["warnings"]:
        log("warning: " + w)
    if result["errors"]:
        raise VerifyError("imports failed:\n  " + "\n  ".join(result["errors"]))
    return sum(len(p["imports"]) for p in entries)


def verify_pypy(outdir, pypy, log):
    """Check the PyPy facts the manifest states: the projects marked "pypy" install and
    import under PyPy from the wheelhouse alone, and a native (cp311) project does not."""
    with open(os.path.join(outdir, MANIFEST)) as f:
        entries = json.load(f)["projects"]
    usable = [p for p in entries if p["pypy"]]
    native = [p for p in entries if p["native"]]
    if not usable or not native:
        raise VerifyError("the manifest has no PyPy-usable or no native project to check")
    with tempfile.TemporaryDirectory(prefix="wheelhouse-verify-pypy-") as tmp:
        venv = os.path.join(tmp, "venv")
        bindir = os.path.join(venv, "bin")
        env = _env(tmp, bindir)
        _run([pypy, "-m", "venv", venv], env, "creating a venv with " + pypy)
        python = os.path.join(bindir, "python")
        _pip_install(python, outdir, [p["name"] for p in usable], env,
                     "pip install (PyPy) of the projects marked pypy")
        _run([python, "-m", "pip", "check", "--disable-pip-version-check"], env, "pip check (PyPy)")
        modules = _check_imports(python, usable, env, log)
        log("PyPy: installed {} projects, imported {} modules".format(len(usable), modules))
        try:
            _pip_install(python, outdir, [native[0]["name"]], env, "")
        except VerifyError as err:
            if "No matching distribution" not in str(err):
                raise VerifyError("PyPy: installing {} failed, but not for want of a compatible "
                                  "wheel:\n{}".format(native[0]["name"], err)) from err
        else:
            raise VerifyError("PyPy: pip installed the native {} wheel".format(native[0]["wheel"]))
        log("PyPy: pip refuses the native {} wheel, as expected".format(native[0]["wheel"]))


def verify(outdir, log):
    """Check the wheelhouse in outdir; raise VerifyError listing every problem."""
    try:
        with open(os.path.join(outdir, MANIFEST)) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as err:
        raise VerifyError("reading {}: {}".format(MANIFEST, err)) from err
    entries = manifest["projects"]
    listed = {p["wheel"] for p in entries}
    present = {n for n in os.listdir(outdir) if n.endswith(".whl")}
    problems = ["{}: listed in {} but absent".format(w, MANIFEST) for w in sorted(listed - present)]
    problems += ["{}: not listed in {}".format(w, MANIFEST) for w in sorted(present - listed)]
    for w in sorted(present):
        problems += check_wheel(os.path.join(outdir, w))
    if problems:
        raise VerifyError("invalid wheels:\n  " + "\n  ".join(problems))
    log("{} wheels are valid".format(len(present)))

    with tempfile.TemporaryDirectory(prefix="wheelhouse-verify-") as tmp:
        venv = os.path.join(tmp, "venv")
        bindir = os.path.join(venv, "bin")
        env = _env(tmp, bindir)
        _run([PYTHON, "-m", "venv", venv], env, "creating a venv with {} (is python3.11-venv installed?)"
             .format(PYTHON))
        python = os.path.join(bindir, "python")
        names = [p["name"] for p in entries]
        _pip_install(python, outdir, names, env, "pip install from the wheelhouse alone")
        log("pip installed {} projects from {} alone".format(len(names), outdir))
        _run([python, "-m", "pip", "check", "--disable-pip-version-check"], env, "pip check")
        modules = _check_imports(python, entries, env, log)
        log("imported {} modules, all from the venv".format(modules))

        scripts = [(p["name"], s) for p in entries for s in p["console_scripts"]]
        failed = []
        for project, script in scripts:
            try:
                out = _run([os.path.join(bindir, script), "--help"], env, script, timeout=120)
                if not out.strip():
                    failed.append("{} ({}): --help printed nothing".format(script, project))
            except VerifyError as err:
                failed.append("{} ({}): {}".format(script, project, err))
        if failed:
            raise VerifyError("console scripts failed:\n  " + "\n  ".join(failed))
        log("ran {} console scripts: {}".format(len(scripts), " ".join(s for _, s in scripts)))
