"""Build (and optionally verify) a wheelhouse of real third-party wheels from Debian packages.

Run through the `make-wheelhouse` wrapper, which starts Debian's /usr/bin/python3.11.
See README.md beside this file for the projects and the caveats.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

import projects
import repack
import wheelfile

USAGE = """\
make-wheelhouse [--force] OUTDIR
make-wheelhouse --verify [--no-build] [--pypy] OUTDIR

Repack Debian bookworm's python3-* packages (installed with apt-get when missing)
into valid wheels in OUTDIR: pure ones py3-none-any, ones with extension modules
{native}. OUTDIR also gets wheelhouse.json, the manifest
(projects, versions, wheels, sha256, requirements, console scripts, import names).

When OUTDIR is already complete for the installed Debian packages and this
script's sources, nothing is rebuilt (the manifest records a digest of those
inputs and the sha256 of every wheel). Output is deterministic: two builds give
byte-identical wheels.

--verify builds if needed, then checks every wheel (name, WHEEL, RECORD hashes),
creates a fresh venv with /usr/bin/python3.11 (needs python3.11-venv), runs
`pip install --no-index --find-links OUTDIR <every project>` and `pip check`,
imports every top-level module from the venv and runs every console script
with --help. Any problem exits non-zero.

--pypy (with --verify) also checks what the manifest says about PyPy: in a
/usr/bin/pypy3 (Debian pypy3, PyPy 3.9) venv, pip installs and imports every
project marked "pypy": true from OUTDIR alone, and refuses a native (cp311) one.

Exit codes: 0 ok; 1 build or verification failed; 2 usage error.
"""

MANIFEST = "wheelhouse.json"
PYPY = "/usr/bin/pypy3"
SOURCES = ("make_wheelhouse.py", "projects.py", "repack.py", "wheelfile.py")
HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    """The build or the verification failed; the message says why."""


def log(msg):
    print("make-wheelhouse: " + msg, file=sys.stderr, flush=True)


# --- Debian packages -----------------------------------------------------------------------


def installed_versions(debs):
    """Return {deb: version} for the debs that are installed."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${Version}\t${db:Status-Abbrev}\n"] + list(debs),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True)
    versions = {}
    for line in result.stdout.splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and fields[2].startswith("ii"):
            versions[fields[0]] = fields[1]
    return versions


def ensure_debs(debs):
    """Install missing debs with apt-get; return {deb: version} of all of them."""
    versions = installed_versions(debs)
    missing = [d for d in debs if d not in versions]
    if missing:
        command = "apt-get update && apt-get install -y --no-install-recommends " + " ".join(missing)
        if os.geteuid() != 0:
            raise Failure("missing Debian packages; as root run: " + command)
        log("installing " + " ".join(missing))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for argv in (["apt-get", "update"],
                     ["apt-get", "install", "-y", "--no-install-recommends"] + missing):
            if subprocess.run(argv, env=env, stdout=sys.stderr).returncode != 0:
                raise Failure("failed: " + " ".join(argv))
        versions = installed_versions(debs)
        still = [d for d in debs if d not in versions]
        if still:
            raise Failure("still not installed after apt-get: " + " ".join(still))
    return {d: versions[d] for d in debs}


# --- manifest and up-to-date check ----------------------------------------------------------


def inputs_digest(deb_versions):
    """Digest of everything the wheels depend on: these sources, the debs, the interpreter."""
    h = hashlib.sha256()
    for name in SOURCES:
        with open(os.path.join(HERE, name), "rb") as f:
            h.update(name.encode() + b"\0" + f.read() + b"\0")
    for deb, version in sorted(deb_versions.items()):
        h.update("{}={}\n".format(deb, version).encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(outdir):
    try:
        with open(os.path.join(outdir, MANIFEST)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def up_to_date(outdir, digest):
    """Report whether OUTDIR holds exactly the wheels a build with these inputs makes."""
    manifest = read_manifest(outdir)
    if not manifest or manifest.get("inputs") != digest:
        return False
    wanted = {p["wheel"]: p["sha256"] for p in manifest["projects"]}
    present = {n for n in os.listdir(outdir) if n.endswith(".whl")}
    if present != set(wanted):
        return False
    return all(file_sha256(os.path.join(outdir, w)) == sha for w, sha in wanted.items())


# --- dependency closure ---------------------------------------------------------------------

PYPY39 = {
    "implementation_name": "pypy",
    "implementation_version": "7.3.11",
    "platform_python_implementation": "PyPy",
    "python_version": "3.9",
    "python_full_version": "3.9.16",
}


def mandatory(requirements, environment):
    """The requirements (packaging Requirement) that apply, without extras, in environment."""
    from packaging.requirements import Requirement

    out = []
    for text in requirements:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate(dict(environment, extra="")):
            out.append(req)
    return out


def unmet(dists, environment):
    """{project: [problems]} for requirements the wheelhouse cannot satisfy in environment."""
    by_name = {repack.canonical(d.name): d for d in dists}
    problems = {}
    for d in dists:
        for req in mandatory(d.requirements, environment):
            dep = by_name.get(repack.canonical(req.name))
            if dep is None:
                problems.setdefault(d.name, []).append("{}: not in the wheelhouse".format(req))
            elif not req.specifier.contains(dep.version, prereleases=True):
                problems.setdefault(d.name, []).append(
                    "{}: wheelhouse has {}".format(req, dep.version))
    return problems


def pypy_usable(dists):
    """{project: bool}: can PyPy 3.9 install it and its dependencies from the wheelhouse?

    Native wheels are cp311-only, so a project is usable when it and everything it needs
    under PyPy 3.9 markers is pure.
    """
    from packaging.markers import default_environment

    env = dict(default_environment(), **PYPY39)
    by_name = {repack.canonical(d.name): d for d in dists}
    memo = {}

    def usable(d, stack):
        key = repack.canonical(d.name)
        if key in memo:
            return memo[key]
        if d.native or key in stack:
            return not d.native
        ok = True
        for req in mandatory(d.requirements, env):
            dep = by_name.get(repack.canonical(req.name))
            if dep is None or not usable(dep, stack | {key}):
                ok = False
        memo[key] = ok
        return ok

    return {d.name: usable(d, frozenset()) for d in dists}


# --- build ----------------------------------------------------------------------------------


def check_interpreter():
    if sys.version_info[:2] != (3, 11) or sys.base_prefix != "/usr":
        raise Failure("run with Debian's /usr/bin/python3.11 (through make-wheelhouse), not "
                      + sys.executable)


def build(outdir, force=False):
    """Make OUTDIR complete; return the manifest."""
    check_interpreter()
    os.makedirs(outdir, exist_ok=True)
    deb_versions = ensure_debs(projects.all_debs())
    digest = inputs_digest(deb_versions)
    if not force and up_to_date(outdir, digest):
        log("{} is up to date ({} wheels)".format(outdir, len(projects.PROJECTS)))
        return read_manifest(outdir)

    from packaging.version import Version

    started = time.monotonic()
    dists = []
    for project in projects.PROJECTS:
        try:
            dists.append(repack.collect(project, version_of=lambda v: str(Version(v))))
        except repack.RepackError as err:
            raise Failure("{}: {}".format(project.name, err)) from err
    validate_requirements(dists)
    problems = unmet(dists, {})
    if problems:
        raise Failure("the wheelhouse misses requirements:\n" + "\n".join(
            "  {}: {}".format(name, "; ".join(p)) for name, p in sorted(problems.items())))

    pypy = pypy_usable(dists)
    entries = []
    for project, d in zip(projects.PROJECTS, dists):
        path = os.path.join(outdir, d.filename)
        wheelfile.write_wheel(path, d.members, d.dist_info)
        entries.append({
            "name": d.name,
            "version": d.version,
            "wheel": d.filename,
            "sha256": file_sha256(path),
            "native": d.native,
            "pypy": pypy[d.name],
            "requires_dist": d.requirements,
            "requires_restored": project.why,
            "console_scripts": d.console_scripts,
            "imports": d.imports,
            "debs": {deb: deb_versions[deb] for deb in project.debs},
            "source_metadata": d.source_metadata,
            "dropped": d.dropped,
        })
    keep = {e["wheel"] for e in entries}
    for name in os.listdir(outdir):
        if (name.endswith(".whl") and name not in keep) or name.startswith(".tmp-"):
            os.unlink(os.path.join(outdir, name))
    manifest = {
        "inputs": digest,
        "python": "/usr/bin/python3.11",
        "native_tag": repack.native_tag(),
        "projects": entries,
    }
    tmp = os.path.join(outdir, ".tmp-" + MANIFEST)
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, os.path.join(outdir, MANIFEST))
    log("built {} wheels ({} native) in {} in {:.1f}s".format(
        len(entries), sum(e["native"] for e in entries), outdir, time.monotonic() - started))
    return manifest


def validate_requirements(dists):
    """Every Requires-Dist must parse as PEP 508 (packaging is the judge)."""
    from packaging.requirements import InvalidRequirement, Requirement

    for d in dists:
        for text in d.requirements:
            try:
                Requirement(text)
            except InvalidRequirement as err:
                raise Failure("{}: bad Requires-Dist {!r}: {}".format(d.name, text, err)) from err


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="make-wheelhouse", usage=USAGE.format(native=repack.native_tag()), add_help=True)
    parser.add_argument("outdir", metavar="OUTDIR")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--verify", action="store_true", help="verify with pip in a fresh venv")
    parser.add_argument("--no-build", action="store_true",
                        help="with --verify: check OUTDIR as it is, without building first")
    parser.add_argument("--pypy", action="store_true",
                        help="with --verify: also check the PyPy facts with " + PYPY)
    args = parser.parse_args(argv)
    if (args.no_build or args.pypy) and not args.verify:
        parser.error("--no-build and --pypy only make sense with --verify")
    outdir = os.path.abspath(args.outdir)
    import verify

    try:
        if not args.no_build:
            build(outdir, force=args.force)
        if args.verify:
            ensure_debs(("python3-packaging",) + projects.VERIFY_DEBS + (("pypy3",) if args.pypy else ()))
            verify.verify(outdir, log)
            if args.pypy:
                verify.verify_pypy(outdir, PYPY, log)
    except (Failure, verify.VerifyError) as err:
        log("error: {}".format(err))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
