"""The real thing: make-wheelhouse on this machine's Debian packages, and its --verify."""

import email.parser
import hashlib
import json
import os
import shutil
import subprocess
import time
import zipfile

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.version import Version

import projects
import repack
import verify
from conftest import run_make

SITE = "/usr/lib/python3/dist-packages"
NATIVE_TAG = "cp311-cp311-linux_x86_64"

# Debian Depends that name another project here but are not requirements of the code.
STALE_DEPENDS = {
    ("python3-pytest", "python3-more-itertools"): "pytest 7.2 no longer imports more_itertools",
    ("python3-wrapt", "python3-six"): "wrapt 1.14 does not import six",
}


def manifest(outdir):
    with open(os.path.join(outdir, "wheelhouse.json")) as f:
        return json.load(f)


def wheels(outdir):
    return sorted(n for n in os.listdir(outdir) if n.endswith(".whl"))


def wheel_metadata(path):
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.HeaderParser().parsestr(zf.read(name).decode())


def test_the_projects_asked_for_are_there(wheelhouse):
    entries = {repack.canonical(p["name"]): p for p in manifest(wheelhouse)["projects"]}
    assert len(entries) >= 25
    for name in ["numpy", "cryptography", "pyyaml", "markupsafe", "requests", "flask", "werkzeug",
                 "jinja2", "itsdangerous", "click", "urllib3", "idna", "certifi", "cffi", "pycparser",
                 "attrs", "six", "packaging", "pyparsing", "simplejson", "msgpack", "psutil"]:
        assert name in entries, name
    for name in ["numpy", "cryptography", "pyyaml", "markupsafe", "cffi", "simplejson", "msgpack",
                 "psutil"]:
        assert entries[name]["native"] and entries[name]["wheel"].endswith(NATIVE_TAG + ".whl"), name
    for name in ["requests", "flask", "six", "attrs", "packaging"]:
        assert not entries[name]["native"] and entries[name]["wheel"].endswith("-py3-none-any.whl")
    assert entries["flask"]["console_scripts"] == ["flask"]
    assert wheels(wheelhouse) == sorted(p["wheel"] for p in entries.values())


def test_manifest_says_what_the_wheels_say(wheelhouse):
    """The Go tests trust wheelhouse.json: it must match each wheel's own METADATA."""
    for p in manifest(wheelhouse)["projects"]:
        path = os.path.join(wheelhouse, p["wheel"])
        meta = wheel_metadata(path)
        assert (meta["Name"], meta["Version"]) == (p["name"], p["version"])
        assert (meta.get_all("Requires-Dist") or []) == p["requires_dist"]
        with zipfile.ZipFile(path) as zf:
            assert p["native"] == any(n.endswith(".so") for n in zf.namelist())
        with open(path, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == p["sha256"]


def test_every_wheel_is_valid(wheelhouse):
    problems = []
    for w in wheels(wheelhouse):
        problems += verify.check_wheel(os.path.join(wheelhouse, w))
    assert problems == []


def test_wheels_carry_debians_files_unchanged(wheelhouse):
    for w in wheels(wheelhouse):
        with zipfile.ZipFile(os.path.join(wheelhouse, w)) as zf:
            files = [n for n in zf.namelist() if ".dist-info/" not in n]
            assert files, w
            for n in files:
                with open(os.path.join(SITE, n), "rb") as f:
                    assert zf.read(n) == f.read(), (w, n)
            assert any(n.endswith(".so") for n in files) == w.endswith(NATIVE_TAG + ".whl"), w


def test_requirements_are_restored_and_closed(wheelhouse):
    """Every mandatory requirement (CPython 3.11 and PyPy 3.9 markers) is met inside the
    wheelhouse, judged from the wheels' own METADATA."""
    metas = {}
    for w in wheels(wheelhouse):
        meta = wheel_metadata(os.path.join(wheelhouse, w))
        metas[repack.canonical(meta["Name"])] = meta
    assert "Werkzeug>=2.2.2" in metas["flask"].get_all("Requires-Dist")
    assert "cffi>=1.12" in metas["cryptography"].get_all("Requires-Dist")
    pypy = dict(default_environment(), implementation_name="pypy", platform_python_implementation="PyPy",
                python_version="3.9", python_full_version="3.9.16")
    for env in (default_environment(), pypy):
        env = dict(env, extra="")
        for name, meta in metas.items():
            for text in meta.get_all("Requires-Dist") or []:
                req = Requirement(text)
                if req.marker is not None and not req.marker.evaluate(env):
                    continue
                dep = metas.get(repack.canonical(req.name))
                assert dep is not None, "{} needs {}".format(name, text)
                assert req.specifier.contains(Version(dep["Version"]), prereleases=True), (name, text)


def test_requirements_cover_debians_depends():
    """Where apt says a package depends on another project of the wheelhouse, the wheel says so
    too: this catches requirements that Debian stripped and that projects.py forgot to restore."""
    deb_to_project = {deb: p for p in projects.PROJECTS for deb in p.debs}
    dists = {p.name: repack.collect(p) for p in projects.PROJECTS}
    missing = []
    for p in projects.PROJECTS:
        required = {repack.canonical(Requirement(r).name) for r in dists[p.name].requirements
                    if not repack.is_extra_requirement(r)}
        for deb in p.debs:
            depends = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", deb], stdout=subprocess.PIPE,
                                     universal_newlines=True, check=True).stdout
            for group in depends.split(","):
                first = group.split("|")[0].strip().split(" ")[0].split(":")[0]
                dep = deb_to_project.get(first)
                if dep is None or dep is p or (deb, first) in STALE_DEPENDS:
                    continue
                if repack.canonical(dep.name) not in required:
                    missing.append("{} depends on {} but {} does not require {}".format(
                        deb, first, p.name, dep.name))
    assert missing == []


def test_rebuild_is_byte_identical(wheelhouse, tmp_path):
    other = str(tmp_path / "again")
    result = run_make("--force", other)
    assert result.returncode == 0, result.stdout
    assert sorted(os.listdir(other)) == sorted(os.listdir(wheelhouse))
    for name in os.listdir(wheelhouse):
        with open(os.path.join(wheelhouse, name), "rb") as a, open(os.path.join(other, name), "rb") as b:
            assert a.read() == b.read(), name


def test_complete_wheelhouse_is_left_alone(wheelhouse):
    before = {n: os.stat(os.path.join(wheelhouse, n)) for n in os.listdir(wheelhouse)}
    started = time.monotonic()
    result = run_make(wheelhouse)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout
    assert "up to date" in result.stdout
    assert elapsed < 10, elapsed  # about 0.3 s on an idle machine
    after = {n: os.stat(os.path.join(wheelhouse, n)) for n in os.listdir(wheelhouse)}
    assert {n: (s.st_ino, s.st_mtime_ns) for n, s in before.items()} == \
        {n: (s.st_ino, s.st_mtime_ns) for n, s in after.items()}


def test_damaged_and_stray_wheels_are_repaired(wheelhouse, tmp_path):
    copy = str(tmp_path / "copy")
    shutil.copytree(wheelhouse, copy)
    victim = next(w for w in wheels(copy) if w.startswith("six-"))
    with open(os.path.join(copy, victim), "r+b") as f:
        f.truncate(100)
    with open(os.path.join(copy, "stray-1.0-py3-none-any.whl"), "wb") as f:
        f.write(b"stray")
    result = run_make(copy)
    assert result.returncode == 0, result.stdout
    assert "up to date" not in result.stdout
    assert wheels(copy) == wheels(wheelhouse)
    with open(os.path.join(copy, victim), "rb") as a, open(os.path.join(wheelhouse, victim), "rb") as b:
        assert a.read() == b.read()


def test_verify_installs_everything_offline(wheelhouse):
    result = run_make("--verify", "--no-build", wheelhouse)
    assert result.returncode == 0, result.stdout
    count = len(manifest(wheelhouse)["projects"])
    assert "pip installed {} projects".format(count) in result.stdout
    assert "all from the venv" in result.stdout
    assert "flask" in result.stdout.split("console scripts:")[1]


def test_verify_fails_when_a_dependency_is_missing(wheelhouse, tmp_path):
    """Without MarkupSafe, pip cannot install Jinja2 and Werkzeug from the wheelhouse."""
    copy = str(tmp_path / "nomarkupsafe")
    shutil.copytree(wheelhouse, copy)
    data = manifest(copy)
    gone = next(p for p in data["projects"] if p["name"] == "MarkupSafe")
    data["projects"].remove(gone)
    os.unlink(os.path.join(copy, gone["wheel"]))
    with open(os.path.join(copy, "wheelhouse.json"), "w") as f:
        json.dump(data, f)
    result = run_make("--verify", "--no-build", copy)
    assert result.returncode == 1, result.stdout
    assert "pip install from the wheelhouse alone failed" in result.stdout
    assert "markupsafe" in result.stdout.lower()


def test_verify_fails_on_a_tampered_wheel(wheelhouse, tmp_path):
    copy = str(tmp_path / "tampered")
    shutil.copytree(wheelhouse, copy)
    victim = next(w for w in wheels(copy) if w.startswith("idna-"))
    path = os.path.join(copy, victim)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("idna/extra.py", "x = 1\n")
    result = run_make("--verify", "--no-build", copy)
    assert result.returncode == 1, result.stdout
    assert "invalid wheels" in result.stdout and "RECORD and archive differ" in result.stdout


def test_usage_errors_exit_2():
    assert run_make().returncode == 2
    assert run_make("--no-build", "/tmp/x").returncode == 2
