#!/usr/bin/env python3
"""rules_pex benchmarks: this project's archives against pex, shiv, python -m
zipapp and Bazel's py_binary --build_python_zip, next to the physical floors,
on the same inputs in one run. Writes a Markdown report (docs/BENCHMARKS.md).

Cases (--cases, comma-separated; default all):
  trivial       an app that imports nothing
  heavy         an app importing flask, requests, numpy, yaml and cryptography
  bigso         an archive holding one 40 MB native extension (gcc-built from
                bench/bigso.c, padded with a large read-only array); the entry
                point imports nothing
  bigso-import  the same archive; the entry point imports the extension
  bazel         the heavy app built by Bazel: pex_binary vs py_binary
                --build_python_zip, a clean build and a one-file rebuild

Tools (--tools, comma-separated; default all that are available):
  rules_pex          bin/packer build (every wheel validated) and, as
                     rules_pex-checked, with --checked-wheel (validated once by
                     check-wheel, what Bazel caches); run with PEX_PYTHON set
  rules_pex-universal  a universal file (a sh preamble, four launchers)
  rules_pex-precompiled  shipped bytecode: tools/precompile/precompile.py
                     bundles of every wheel and the sources (timed in the
                     build), packed with --bytecode
  pex, pex-venv      pex from source (PEX_SRC or --pex-src), default and --venv
  shiv               shiv from source (SHIV_SRC or --shiv-src), click from the
                     wheelhouse
  zipapp             pip install --target + python -m zipapp -c
  floors             python -c pass; the app in a plain venv (cold: unzip the
                     payload into a fresh directory, then run the venv without
                     bytecode); cp of the inputs

Figures per case and tool: build time, output size, cold first run (empty
cache), warm run, peak RSS of the first run (ru_maxrss from wait4, what GNU
time's %M reports) — medians of several interleaved runs with min-max, and the
ratios of rules_pex to each other tool. Every timed command runs without
PYTHONDONTWRITEBYTECODE, PYTHONUNBUFFERED or any other PYTHON*/PEX*/SHIV_*
variable, on an interpreter with an empty site-packages (a venv made with
--without-pip from --python, /usr/bin/python3.11 by default); rules_pex
archives get PEX_PYTHON=--python. Each run's output is checked, so a tool that
fails is reported as failing, not timed.

Usage:
  bench.py --bin BIN --wheelhouse DIR [--out FILE|-] [--work DIR]
           [--pex-src DIR] [--shiv-src DIR] [--cases ...] [--tools ...]
           [--runs N] [--cold-runs N] [--build-runs N] [--quick] [--json FILE]
  bench.py --render RESULTS.json [--out FILE|-]    (the report and its plots
           again, e.g. after editing bench/findings.md; measures nothing)

The plots (SVG, one per figure: cold first run, warm run, build, size, peak
RSS) and the raw results go next to the report: docs/bench/*.svg and
docs/bench/results.json for docs/BENCHMARKS.md, so that
`bench.py --render docs/bench/results.json` writes the same bytes again.

Exit status: 0 when the report was written and rules_pex built and ran in every
case (missed targets and other tools' failures are reported in it, not as
failures), 1 when rules_pex failed or the set-up failed, 2 on usage errors.
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile

import svgplot  # bench/svgplot.py

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FINDINGS = os.path.join(HERE, "findings.md")
MB = 1 << 20
FAST_BUILD = 0.5  # seconds: builds faster than this get 4x the rounds
PAD_BYTES = 40 * MB

# The application's modules, one per case; each prints a known line that every
# run is checked against.
APP = {
    "__init__.py": "",
    "triv.py": 'def main():\n    print("trivial ok")\n',
    "heavy.py": '''import flask, requests, numpy, yaml, cryptography
from cryptography.hazmat.primitives import hashes


def main():
    app = flask.Flask("bench")
    h = hashes.Hash(hashes.SHA256())
    h.update(b"x")
    h.finalize()
    assert yaml.safe_load("a: [1, 2, 3]") == {"a": [1, 2, 3]}
    assert int(numpy.arange(1000).sum()) == 499500
    requests.Request("GET", "http://localhost/").prepare()
    print("heavy ok", app.name)
''',
    "noop.py": 'def main():\n    print("noop ok")\n',
    "bigimport.py": 'from bigso import _big\n\n\ndef main():\n    print("bigimport ok", _big.size())\n',
}


class Case:
    """One application: its requirements, entry point and expected output."""

    def __init__(self, name, reqs, module, expect, title):
        self.name = name
        self.reqs = reqs
        self.module = module
        self.expect = expect
        self.title = title
        self.script = "benchapp-" + name
        self.entry = "benchapp.%s:main" % module
        self.wheels = []  # the wheels the app needs (filled in by prepare)
        self.inputs = []  # every input file: sources, wheels, launcher


CASES = [
    Case("trivial", [], "triv", "trivial ok", "trivial app (imports nothing)"),
    Case("heavy", ["flask", "requests", "numpy", "pyyaml", "cryptography"], "heavy",
         "heavy ok bench", "heavy app (flask, requests, numpy, yaml, cryptography)"),
    Case("bigso", ["bigso"], "noop", "noop ok",
         "one 40 MB native .so, entry point imports nothing"),
    Case("bigso-import", ["bigso"], "bigimport", "bigimport ok %d" % PAD_BYTES,
         "one 40 MB native .so, entry point imports it"),
]
ALL_TOOLS = ["rules_pex", "rules_pex-checked", "rules_pex-universal", "rules_pex-precompiled", "pex", "pex-venv", "shiv", "zipapp",
             "venv", "python", "cp"]
FLOORS = ["venv", "python", "cp"]
LABELS = {
    "rules_pex": "rules_pex",
    "rules_pex-checked": "rules_pex, --checked-wheel",
    "rules_pex-universal": "rules_pex universal file (4 launchers)",
    "rules_pex-precompiled": "rules_pex with shipped bytecode (precompile)",
    "pex": "pex",
    "pex-venv": "pex --venv",
    "shiv": "shiv",
    "zipapp": "python -m zipapp",
    "venv": "floor: plain venv",
    "python": "floor: python -c pass",
    "cp": "floor: cp of the inputs",
    "bazel-pex": "Bazel pex_binary",
    "bazel-zip": "Bazel py_binary --build_python_zip",
}


class BenchError(Exception):
    """A command the benchmark depends on failed."""


class Sample:
    """One measured command (or sequence of commands)."""

    def __init__(self, wall=0.0, cpu=0.0, rss_kb=0):
        self.wall = wall
        self.cpu = cpu
        self.rss_kb = rss_kb

    def add(self, other):
        self.wall += other.wall
        self.cpu += other.cpu
        self.rss_kb = max(self.rss_kb, other.rss_kb)
        return self

    def to_json(self):
        return {"wall": self.wall, "cpu": self.cpu, "rss_kb": self.rss_kb}


def clean_env(extra=None):
    """The environment for every timed command: no PYTHON*, PEX*, SHIV_*, PIP_
    or VIRTUAL_ENV variables (PYTHONDONTWRITEBYTECODE and PYTHONUNBUFFERED
    above all), plus extra."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(("PYTHON", "PEX", "SHIV_", "PIP_", "VIRTUAL_ENV"))}
    e.update(extra or {})
    return e


MEASURE = None  # the compiled bench/measure.c (set by prepare)


def build_measure(work):
    """Compiles bench/measure.c into work (once) and returns its path."""
    global MEASURE
    exe = os.path.join(work, "measure")
    src = os.path.join(HERE, "measure.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        check(["gcc", "-O2", "-static", "-o", exe + ".tmp", src])
        os.replace(exe + ".tmp", exe)
    MEASURE = exe
    return exe


def measure(cmd, env=None, cwd=None, expect=None, ok_codes=(0,)):
    """Runs cmd under bench/measure.c and returns its Sample: wall time,
    user+sys CPU time and peak RSS of the process and its waited-for
    descendants (wait4's rusage, the figures GNU time reports). Raises
    BenchError when the exit status is not in ok_codes or the first line of
    stdout is not expect."""
    if MEASURE is None:
        raise BenchError("measure helper not built (call build_measure)")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(prefix="bench-measure-") as result:
        p = subprocess.run([MEASURE, result.name] + list(cmd), env=clean_env(env), cwd=cwd,
                           stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
        fields = result.read().split()
    if p.returncode != 0 or len(fields) != 5:
        raise BenchError("measuring %s failed:\n%s" % (" ".join(cmd), tail(stderr)))
    wall_ns, user_us, sys_us, rss_kb, code = (int(x) for x in fields)
    if code not in ok_codes:
        raise BenchError("%s exited with %d:\n%s" % (" ".join(cmd), code, tail(stderr + stdout)))
    if expect is not None:
        first = stdout.strip().splitlines()[:1]
        if first != [expect]:
            raise BenchError("%s printed %r, want %r:\n%s" % (" ".join(cmd), first[0] if first else "",
                                                              expect, tail(stderr)))
    return Sample(wall_ns / 1e9, (user_us + sys_us) / 1e6, rss_kb)


def tail(text, lines=15):
    return "\n".join(text.strip().splitlines()[-lines:])


def check(cmd, env=None, cwd=None, capture=False):
    """Runs an untimed set-up command; raises BenchError with its output on failure."""
    p = subprocess.run(cmd, env=clean_env(env), cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise BenchError("%s failed (%d):\n%s" % (" ".join(cmd), p.returncode, tail(p.stdout)))
    return p.stdout if capture else None


def rmtree(path):
    """Removes path; rules_pex's cache trees are read-only (0555 directories),
    which only root may delete without making them writable first."""
    def writable_then_retry(fn, p, exc):
        parent = os.path.dirname(p)
        try:
            os.chmod(parent, 0o755)
            fn(p)
        except FileNotFoundError:
            pass
    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, onerror=writable_then_retry)
        else:
            os.remove(path)


def background_compilers(root):
    """The pids of rules_pex's background byte-compilers working in the cache
    root (the launcher starts one after a cold start; it marks its processes
    with __RULES_PEX_COMPILE=run:<environment>)."""
    want = b"\0__RULES_PEX_COMPILE=run:" + os.fsencode(root) + b"/"
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                env = b"\0" + f.read()
        except OSError:
            continue
        if want in env:
            pids.append(int(d))
    return pids


def settle(root, timeout=600):
    """Waits until no background byte-compiler works in root, so that it does
    not compete with the next measurement for the CPU (nor race a removal of
    the root). Returns the seconds waited."""
    start = time.monotonic()
    while background_compilers(root):
        if time.monotonic() - start > timeout:
            raise RuntimeError("rules_pex's byte-compiler still runs in %s after %d s" % (root, timeout))
        time.sleep(0.05)
    return time.monotonic() - start


_removals = []


def remove_later(path):
    """Removes path at the next remove_pending(), after the cold rounds: ext4
    checks every recently deleted inode (deleted in the last minute or five)
    when it allocates one (recently_deleted(): 17-34% of the kernel's profile
    of a cold run right after a cache was removed), so removing one tool's
    cache between cold runs would slow the next tool's file creation."""
    _removals.append(path)


def remove_pending():
    while _removals:
        rmtree(_removals.pop())


def settle_disk():
    """Writes back, untimed, what earlier runs left dirty (their files, the
    removal of their caches), so that a cold run does not pay for another
    tool's writes: rules_pex's cold start makes its own files durable (one
    syncfs per extracted tree), which would otherwise also flush theirs."""
    os.sync()


def fresh_dir(path):
    rmtree(path)
    os.makedirs(path)
    return path


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def du(path):
    """Apparent size in bytes of a file or of every file under a directory."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            p = os.path.join(d, f)
            if not os.path.islink(p):
                total += os.path.getsize(p)
    return total


# --- statistics and formatting ------------------------------------------------


def summary(values):
    """(median, min, max) of a non-empty list."""
    return statistics.median(values), min(values), max(values)


def fmt_seconds(values):
    """'1.23 s (1.10–1.40)' or '45.6 ms (44.0–50.1)', the unit chosen by the median."""
    med, lo, hi = summary(values)
    if med >= 1.0:
        return "%.2f s (%.2f–%.2f)" % (med, lo, hi)
    return "%.1f ms (%.1f–%.1f)" % (med * 1e3, lo * 1e3, hi * 1e3)


def fmt_mb(values_kb):
    med, lo, hi = summary(values_kb)
    return "%.1f MB (%.1f–%.1f)" % (med / 1024, lo / 1024, hi / 1024)


def fmt_size(n):
    return "%.2f MB" % (n / MB) if n >= MB / 10 else "%.1f kB" % (n / 1024)


def ratio(ours, theirs):
    """The ratio of two medians (lists) or of two numbers; None when undefined."""
    a = statistics.median(ours) if isinstance(ours, list) else ours
    b = statistics.median(theirs) if isinstance(theirs, list) else theirs
    if a is None or b is None or b == 0:
        return None
    return a / b


def verdict(r, target):
    """'met' or 'missed by N%' for a ratio against a maximum."""
    if r is None:
        return "not measured"
    if r <= target:
        return "met"
    return "missed by %.0f%%" % ((r / target - 1) * 100)


# --- inputs -------------------------------------------------------------------


def wheel_name(path):
    """(normalized project name, version) from a wheel file name."""
    parts = os.path.basename(path)[:-len(".whl")].split("-")
    return re.sub(r"[-_.]+", "_", parts[0]).lower(), parts[1]


def write_wheel(path, name, version, tag, files, purelib, entry_points=None):
    """Writes a valid wheel holding files ({archive path: bytes}), deterministically."""
    dist = "%s-%s.dist-info" % (name, version)
    files = dict(files)
    files[dist + "/METADATA"] = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)).encode()
    files[dist + "/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: rules_pex-bench\nRoot-Is-Purelib: %s\nTag: %s\n"
                              % ("true" if purelib else "false", tag)).encode()
    if entry_points:
        files[dist + "/entry_points.txt"] = entry_points.encode()
    record = []
    for p, data in sorted(files.items()):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (p, digest, len(data)))
    record.append(dist + "/RECORD,,")
    files[dist + "/RECORD"] = ("\n".join(record) + "\n").encode()
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for p, data in sorted(files.items()):
            info = zipfile.ZipInfo(p, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if p.endswith(".so") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    os.replace(tmp, path)


class Context:
    """Where everything lives for one benchmark run."""

    def __init__(self, args):
        self.args = args
        self.work = os.path.abspath(args.work)
        self.source_bin = os.path.abspath(args.bin)
        # Copies taken by prepare, so a rebuild of bin/ during the run (other
        # work on a shared machine) cannot mix two versions into one report.
        self.bin = os.path.join(self.work, "bin")
        self.packer = os.path.join(self.bin, "packer")
        self.launcher = os.path.join(self.bin, "launcher")
        self.wheelhouse = os.path.abspath(args.wheelhouse)
        self.python = args.python
        self.pex_src = os.path.abspath(args.pex_src) if args.pex_src else None
        self.shiv_src = os.path.abspath(args.shiv_src) if args.shiv_src else None
        self.src = os.path.join(self.work, "src")
        self.extra = os.path.join(self.work, "extra-wheels")
        self.bare = os.path.join(self.work, "bare")
        self.barepy = os.path.join(self.bare, "bin", "python")
        self.tools = os.path.join(self.work, "tools-venv")
        self.toolspy = os.path.join(self.tools, "bin", "python")
        self.out = os.path.join(self.work, "out")
        self.cache = os.path.join(self.work, "cache")
        self.versions = {}

    def find_links(self):
        return ["--find-links", self.wheelhouse, "--find-links", self.extra]

    def pip_install(self, venv_python, packages, extra=()):
        check([self.toolspy, "-m", "pip", "--python", venv_python, "install", "-q", "--no-index",
               "--no-cache-dir", "--disable-pip-version-check"] + self.find_links() + list(extra) + packages)


def prepare(ctx, cases):
    """Makes the interpreters, sources, extra wheels and plain venvs; fills in
    each case's wheels and inputs."""
    for f in ("packer", "launcher"):
        if not os.access(os.path.join(ctx.source_bin, f), os.X_OK):
            raise BenchError("%s is missing: run make tools" % os.path.join(ctx.source_bin, f))
    if not any(n.endswith(".whl") for n in os.listdir(ctx.wheelhouse)):
        raise BenchError("no wheels in %s: run make wheelhouse" % ctx.wheelhouse)
    for d in (ctx.work, ctx.extra, ctx.out, ctx.cache):
        os.makedirs(d, exist_ok=True)
    build_measure(ctx.work)
    os.makedirs(ctx.bin, exist_ok=True)
    for f in ("packer", "launcher"):
        shutil.copy2(os.path.join(ctx.source_bin, f), os.path.join(ctx.bin, f) + ".tmp")
        os.replace(os.path.join(ctx.bin, f) + ".tmp", os.path.join(ctx.bin, f))
    if not os.path.exists(ctx.barepy):
        # Empty site-packages: no pip, no setuptools and its .pth hook.
        check([ctx.python, "-m", "venv", "--without-pip", ctx.bare])
    if not os.path.exists(ctx.toolspy):
        # pip for zipapp, shiv and the plain venvs.
        check([ctx.python, "-m", "venv", ctx.tools])
    if ctx.shiv_src and not os.path.exists(os.path.join(ctx.tools, ".has-click")):
        check([ctx.toolspy, "-m", "pip", "install", "-q", "--no-index", "--find-links", ctx.wheelhouse, "click"])
        open(os.path.join(ctx.tools, ".has-click"), "w").close()
    rmtree(ctx.src)
    os.makedirs(os.path.join(ctx.src, "benchapp"))
    for name, body in APP.items():
        with open(os.path.join(ctx.src, "benchapp", name), "w") as f:
            f.write(body)
    app_files = {"benchapp/" + n: b.encode() for n, b in APP.items()}
    scripts = "[console_scripts]\n" + "".join("%s = %s\n" % (c.script, c.entry) for c in CASES)
    write_wheel(os.path.join(ctx.extra, "benchapp-1.0-py3-none-any.whl"), "benchapp", "1.0",
                "py3-none-any", app_files, True, scripts)
    if any(c.name.startswith("bigso") for c in cases):
        build_bigso_wheel(ctx)
    for case in cases:
        venv = os.path.join(ctx.work, "venvs", case.name)
        marker = os.path.join(venv, ".bench-ready")
        if not os.path.exists(marker):
            rmtree(venv)
            check([ctx.python, "-m", "venv", "--without-pip", venv])
            ctx.pip_install(os.path.join(venv, "bin", "python"), case.reqs + ["benchapp"])
            open(marker, "w").close()
        case.venv = venv
        case.wheels = closure_wheels(ctx, venv)
        case.sources = [("benchapp/" + n, os.path.join(ctx.src, "benchapp", n)) for n in sorted(APP)]
        case.inputs = [p for _, p in case.sources] + case.wheels + [ctx.launcher]
        case.summaries = {}


def closure_wheels(ctx, venv):
    """The wheel files of every distribution pip installed into venv but benchapp."""
    out = check([os.path.join(venv, "bin", "python"), "-I", "-c",
                 "import importlib.metadata as m\n"
                 "for d in m.distributions(): print(d.metadata['Name'], d.version)"], capture=True)
    available = {}
    for d in (ctx.wheelhouse, ctx.extra):
        for n in sorted(os.listdir(d)):
            if n.endswith(".whl"):
                available[wheel_name(n)] = os.path.join(d, n)
    wheels = []
    for line in out.split("\n"):
        if not line.strip():
            continue
        name, version = line.split()
        key = (re.sub(r"[-_.]+", "_", name).lower(), version)
        if key[0] == "benchapp":
            continue
        if key not in available:
            raise BenchError("no wheel for %s %s installed in %s" % (name, version, venv))
        wheels.append(available[key])
    return sorted(wheels)


def build_bigso_wheel(ctx):
    """Compiles bench/bigso.c into bigso/_big<EXT_SUFFIX>, padded with 40 MB of
    pseudo-random bytes, and wraps it in a wheel for the target interpreter."""
    info = json.loads(check([ctx.python, "-I", "-c",
                             "import json, sys, sysconfig\n"
                             "print(json.dumps({'include': sysconfig.get_paths()['include'],"
                             " 'suffix': sysconfig.get_config_var('EXT_SUFFIX'),"
                             " 'platform': sysconfig.get_platform(),"
                             " 'version': '%d%d' % sys.version_info[:2]}))"], capture=True))
    tag = "cp{v}-cp{v}-{p}".format(v=info["version"], p=re.sub(r"[-.]", "_", info["platform"]))
    whl = os.path.join(ctx.extra, "bigso-1.0-%s.whl" % tag)
    if os.path.exists(whl):
        return whl
    build = fresh_dir(os.path.join(ctx.work, "bigso-build"))
    pad = os.path.join(build, "pad.bin")
    with open(pad, "wb") as f:
        f.write(random.Random(40).randbytes(PAD_BYTES))
    so = os.path.join(build, "_big" + info["suffix"])
    check(["gcc", "-shared", "-fPIC", "-O2", "-I" + info["include"], '-DPAD_FILE="%s"' % pad,
           "-o", so, os.path.join(HERE, "bigso.c")])
    with open(so, "rb") as f:
        data = f.read()
    write_wheel(whl, "bigso", "1.0", tag, {"bigso/__init__.py": b"", "bigso/_big" + info["suffix"]: data}, False)
    return whl


# --- tools --------------------------------------------------------------------


class Tool:
    """How one tool builds and runs a case. Subclasses fill in the steps."""

    name = ""
    has_cache = True  # whether a first run differs from later ones
    runs = True  # whether the tool's output runs

    def __init__(self, ctx):
        self.ctx = ctx

    def unavailable(self):
        """Why the tool cannot be measured here, or None."""
        return None

    def setup(self, case):
        """Untimed preparation before the case's builds."""

    def applies(self, case):
        """Whether the tool can build the case at all (a reason not to is
        logged, and the case's tables and plots have no row for it)."""
        return True

    def output(self, case):
        return os.path.join(self.ctx.out, "%s.%s" % (case.name, self.name))

    def build(self, case):
        """Builds the case once (from scratch) and returns the Sample."""
        rmtree(self.output(case))
        s = Sample()
        for cmd, env in self.build_steps(case):
            s.add(measure(cmd, env))
        return s

    def build_steps(self, case):
        raise NotImplementedError

    def size(self, case):
        return du(self.output(case))

    def command(self, case, root):
        """(cmd, env) running the built case with its cache at root."""
        raise NotImplementedError

    def run(self, case, root):
        cmd, env = self.command(case, root)
        return measure(cmd, env, expect=case.expect)

    def cold(self, case, i):
        root = fresh_dir(os.path.join(self.ctx.cache, "cold-%s-%s-%d" % (self.name, case.name, i)))
        settle_disk()
        try:
            return self.run(case, root)
        finally:
            remove_later(root)

    def warm_root(self, case):
        return os.path.join(self.ctx.cache, "warm-%s-%s" % (self.name, case.name))


class RulesPex(Tool):
    name = "rules_pex"

    def build_steps(self, case):
        cmd = [self.ctx.packer, "build", "-o", self.output(case), "--launcher", self.ctx.launcher,
               "--entry-point", case.entry]
        for dest, path in case.sources:
            cmd += ["--source", "%s=%s" % (dest, path)]
        for r in case.reqs:
            cmd += ["--requirement", r]
        cmd += self.wheel_args(case)
        return [(cmd, None)]

    def wheel_args(self, case):
        return [x for w in case.wheels for x in ("--wheel", w)]

    def command(self, case, root):
        return [self.output(case)], {"PEX_ROOT": root, "PEX_PYTHON": self.ctx.python}

    def run(self, case, root):
        # The launcher byte-compiles the environment in the background after
        # a cold start (at the lowest priority); wait for it after every run,
        # untimed, so that it never overlaps the next measurement.
        s = super().run(case, root)
        settle(root)
        return s


class RulesPexChecked(RulesPex):
    """The packer with --checked-wheel: wheels validated once by check-wheel."""

    name = "rules_pex-checked"
    runs = False  # the same bytes as rules_pex (checked after building)

    def setup(self, case):
        """Runs check-wheel once per wheel (untimed in the builds; its total is
        reported on its own)."""
        case.check_wheel = Sample()
        for w in case.wheels:
            summ = os.path.join(self.ctx.out, os.path.basename(w) + ".summary.json")
            case.check_wheel.add(measure([self.ctx.packer, "check-wheel", "-o", summ, w]))
            case.summaries[w] = summ

    def wheel_args(self, case):
        return [x for w in case.wheels for x in ("--checked-wheel", "%s=%s" % (w, case.summaries[w]))]


class RulesPexUniversal(RulesPex):
    """A universal file: a sh preamble and the launchers of linux and darwin
    x amd64 and arm64 before the archive; the host's is extracted into the
    cache on the first run."""

    name = "rules_pex-universal"

    def applies(self, case):
        """Only cases whose wheels are all pure: the packer refuses, rightly,
        a universal file for platforms its wheels cannot run on."""
        return all(os.path.basename(w)[:-len(".whl")].endswith("-any") for w in case.wheels)

    def setup(self, case):
        """Cross-builds the other platforms' launchers once (untimed)."""
        host = "%s/%s" % (platform.system().lower(), {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()])
        self.launchers = []
        for p in ("linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64"):
            path = self.ctx.launcher
            if p != host:
                path = os.path.join(self.ctx.bin, "launcher-" + p.replace("/", "-"))
                if not os.path.exists(path):
                    goos, goarch = p.split("/")
                    env = dict(os.environ, GOOS=goos, GOARCH=goarch, CGO_ENABLED="0")
                    subprocess.run([os.path.join(REPO, "scripts", "build-launcher"), path],
                                   cwd=REPO, env=env, check=True)
            self.launchers.append("%s=%s" % (p, path))

    def build_steps(self, case):
        (cmd, env), = super().build_steps(case)
        i = cmd.index("--launcher")
        cmd = cmd[:i] + cmd[i + 2:]
        for l in self.launchers:
            cmd += ["--universal-launcher", l]
        return [(cmd, env)]


class RulesPexPrecompiled(RulesPex):
    """The packer with shipped bytecode (pex_binary's precompile): one
    tools/precompile/precompile.py bundle per wheel and one for the sources,
    by the benchmark's interpreter, timed as part of the build (Bazel runs and
    caches them as PexPrecompile actions)."""

    name = "rules_pex-precompiled"

    def bundle(self, case, what):
        return os.path.join(self.ctx.out, "%s.%s.%s.bytecode" % (case.name, self.name, what))

    def build_steps(self, case):
        script = os.path.join(REPO, "tools", "precompile", "precompile.py")
        steps, bundles = [], []
        for w in case.wheels:
            out = self.bundle(case, os.path.basename(w))
            steps.append(([self.ctx.python, "-S", "-s", "-B", script, "--out", out, "--wheel", w], None))
            bundles.append(out)
        out = self.bundle(case, "sources")
        steps.append(([self.ctx.python, "-S", "-s", "-B", script, "--out", out] +
                      [x for dest, path in case.sources for x in ("--source", "%s=%s" % (dest, path))], None))
        bundles.append(out)
        (cmd, env), = super().build_steps(case)
        return steps + [(cmd + [x for b in bundles for x in ("--bytecode", b)], env)]


class Pex(Tool):
    name = "pex"
    venv_mode = False

    def unavailable(self):
        if not self.ctx.pex_src:
            return "no pex checkout (PEX_SRC)"
        return None

    def build_steps(self, case):
        cmd = [self.ctx.barepy, "-m", "pex", "--no-pypi"] + self.ctx.find_links() + case.reqs + [
            "-D", self.ctx.src, "-m", case.entry, "-o", self.output(case)]
        if self.venv_mode:
            cmd.append("--venv")
        # pex's own build cache (resolved and installed wheels, its vendored
        # pip) stays warm across builds: the first build of a run is untimed.
        return [(cmd, {"PYTHONPATH": self.ctx.pex_src, "PEX_ROOT": os.path.join(self.ctx.cache, "pex-build")})]

    def command(self, case, root):
        return [self.ctx.barepy, self.output(case)], {"PEX_ROOT": root}


class PexVenv(Pex):
    name = "pex-venv"
    venv_mode = True


class Shiv(Tool):
    name = "shiv"

    def unavailable(self):
        if not self.ctx.shiv_src:
            return "no shiv checkout (SHIV_SRC)"
        return None

    def build_steps(self, case):
        # The app as its wheel: shiv needs at least one requirement.
        cmd = [self.ctx.toolspy, "-m", "shiv", "--no-index"] + self.ctx.find_links() + [
            "-e", case.entry, "-p", "/usr/bin/env python3", "-o", self.output(case), "benchapp"] + case.reqs
        return [(cmd, {"PYTHONPATH": os.path.join(self.ctx.shiv_src, "src")})]

    def command(self, case, root):
        return [self.ctx.barepy, self.output(case)], {"SHIV_ROOT": root}


class Zipapp(Tool):
    name = "zipapp"
    has_cache = False

    def build(self, case):
        fresh_dir(self.stage(case))
        return Tool.build(self, case)

    def stage(self, case):
        return os.path.join(self.ctx.out, "%s.zipapp-stage" % case.name)

    def build_steps(self, case):
        stage = self.stage(case)
        steps = []
        if case.reqs:
            steps.append(([self.ctx.toolspy, "-m", "pip", "install", "-q", "--no-index", "--no-cache-dir",
                           "--disable-pip-version-check", "--no-compile", "--target", stage]
                          + self.ctx.find_links() + case.reqs, None))
        steps.append((["cp", "-r", os.path.join(self.ctx.src, "benchapp"), stage], None))
        steps.append(([self.ctx.barepy, "-m", "zipapp", stage, "-c", "-m", case.entry,
                       "-p", "/usr/bin/env python3", "-o", self.output(case)], None))
        return steps

    def command(self, case, root):
        return [self.ctx.barepy, self.output(case)], None


class Venv(Tool):
    """The floor: the same wheels pip-installed into a plain venv, the app run
    by its console script. Its cold run is the other floor: unzip the payload
    into a fresh directory, then run the venv with no bytecode anywhere."""

    name = "venv"

    def output(self, case):
        return os.path.join(self.ctx.out, "%s.venv" % case.name)

    def build_steps(self, case):
        return [([self.ctx.python, "-m", "venv", "--without-pip", self.output(case)], None),
                ([self.ctx.toolspy, "-m", "pip", "--python", os.path.join(self.output(case), "bin", "python"),
                  "install", "-q", "--no-index", "--no-cache-dir", "--disable-pip-version-check"]
                 + self.ctx.find_links() + case.reqs + ["benchapp"], None)]

    def command(self, case, root):
        # What the archives' MODULE:FUNC entry point does, minus the
        # console script's own imports (pip's wrapper imports re).
        return [os.path.join(case.venv, "bin", "python"), "-c",
                "import sys; from benchapp.%s import main; sys.exit(main())" % case.module], None

    def cold(self, case, i):
        for d, dirs, _ in os.walk(case.venv):
            if "__pycache__" in dirs:
                shutil.rmtree(os.path.join(d, "__pycache__"))
                dirs.remove("__pycache__")
        dest = fresh_dir(os.path.join(self.ctx.cache, "unzip-%s-%d" % (case.name, i)))
        payload = RulesPex(self.ctx).output(case)
        if not os.path.exists(payload):
            RulesPex(self.ctx).build(case)
        settle_disk()
        try:
            # unzip warns about the launcher in front of the zip and exits 1.
            s = measure(["unzip", "-q", "-o", payload, "-d", dest], ok_codes=(0, 1))
            return s.add(self.run(case, None))
        finally:
            remove_later(dest)


class Python(Tool):
    """The floor: the bare interpreter doing nothing."""

    name = "python"
    has_cache = False

    def build(self, case):
        return None

    def size(self, case):
        return None

    def run(self, case, root):
        return measure([self.ctx.barepy, "-c", "pass"])


class Copy(Tool):
    """The floor for building: cp of every input file into a fresh directory."""

    name = "cp"
    runs = False

    def build(self, case):
        dest = fresh_dir(self.output(case))
        return measure(["cp"] + case.inputs + [dest])

    def size(self, case):
        return sum(os.path.getsize(p) for p in case.inputs)


TOOL_CLASSES = {c.name: c for c in (RulesPex, RulesPexChecked, RulesPexUniversal, RulesPexPrecompiled, Pex, PexVenv, Shiv, Zipapp, Venv, Python, Copy)}


# --- the benchmark ------------------------------------------------------------


def rotate(items, k):
    k %= max(1, len(items))
    return items[k:] + items[:k]


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def bench_case(ctx, case, tools, args):
    """Measures every tool on one case; returns {tool: result dict}."""
    for t in tools:
        if not t.applies(case):
            log("%s: %s does not apply (wheels for one platform only)" % (case.name, t.name))
    tools = [t for t in tools if t.applies(case)]
    res = {t.name: {"build": [], "cold": [], "warm": [], "error": None} for t in tools}
    load = [os.getloadavg()[0]]

    def attempt(t, what, fn):
        r = res[t.name]
        if r["error"]:
            return
        try:
            s = fn()
        except BenchError as e:
            r["error"] = "%s: %s" % (what, e)
            log("%s %s: %s" % (case.name, t.name, r["error"]))
            return
        if s is not None:
            r[what].append(s)

    # Builds, interleaved. pex's first build fills its build cache: it is
    # reported on its own.
    for t in tools:
        attempt(t, "setup", lambda t=t: t.setup(case))
        if t.name in ("pex", "pex-venv"):
            res[t.name]["build_first"] = []
            attempt(t, "build_first", lambda t=t: t.build(case))
    for i in range(args.build_runs):
        log("%s: build round %d/%d" % (case.name, i + 1, args.build_runs))
        for t in rotate(tools, i):
            attempt(t, "build", lambda t=t: t.build(case))
    # Builds under half a second are the noisiest relative to their size:
    # three times as many more rounds among those tools, still interleaved.
    fast = [t for t in tools if res[t.name]["build"] and not res[t.name]["error"]
            and statistics.median(s.wall for s in res[t.name]["build"]) < FAST_BUILD]
    for i in range(args.build_runs * 3 if len(fast) > 1 else 0):
        for t in rotate(fast, i):
            attempt(t, "build", lambda t=t: t.build(case))
    for t in tools:
        if not res[t.name]["error"]:
            try:
                res[t.name]["size"] = t.size(case)
            except OSError as e:
                res[t.name]["error"] = "size: %s" % e
    ours, checked = res.get("rules_pex"), res.get("rules_pex-checked")
    if ours and checked and not ours["error"] and not checked["error"]:
        a = RulesPex(ctx).output(case)
        b = RulesPexChecked(ctx).output(case)
        with open(a, "rb") as fa, open(b, "rb") as fb:
            if fa.read() != fb.read():
                checked["error"] = "--checked-wheel wrote different bytes than a validating build"
        if hasattr(case, "check_wheel"):
            checked["check_wheel"] = case.check_wheel
    load.append(os.getloadavg()[0])

    runners = [t for t in tools if t.runs and not res[t.name]["error"]]
    # Cold first runs, interleaved.
    for i in range(args.cold_runs):
        log("%s: cold round %d/%d" % (case.name, i + 1, args.cold_runs))
        for t in rotate(runners, i):
            attempt(t, "cold", lambda t=t, i=i: t.cold(case, i))
    remove_pending()
    load.append(os.getloadavg()[0])

    # Warm runs: fill each cache, two untimed runs, then interleaved rounds.
    for t in runners:
        root = t.warm_root(case)
        fresh_dir(root)
        for _ in range(2):
            attempt(t, "warmup", lambda t=t, root=root: t.run(case, root) and None)
    for i in range(args.runs):
        if i % 5 == 0:
            log("%s: warm round %d/%d" % (case.name, i + 1, args.runs))
        for t in rotate(runners, i):
            attempt(t, "warm", lambda t=t: t.run(case, t.warm_root(case)))
    load.append(os.getloadavg()[0])
    for t in runners:
        rmtree(t.warm_root(case))
    return {"results": res, "load": load}


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = "%.1f GB" % (int(f.readline().split()[1]) / 1024 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(), "memory": mem,
            "os": platform.platform()}


def versions(ctx, tools):
    v = {}

    def out(cmd, env=None):
        try:
            return check(cmd, env, capture=True).strip().splitlines()[0]
        except (BenchError, OSError, IndexError):
            return "?"

    v["python"] = "%s (%s)" % (out([ctx.python, "-c", "import sys; print(sys.version.split()[0])"]), ctx.python)
    v["rules_pex"] = out(["git", "-C", REPO, "describe", "--always", "--dirty"]) + \
        " (launcher %s, sha256 %s…; packer sha256 %s…)" % (
            fmt_size(os.path.getsize(ctx.launcher)), file_sha256(ctx.launcher)[:12], file_sha256(ctx.packer)[:12])
    names = [t.name for t in tools]
    if "pex" in names or "pex-venv" in names:
        v["pex"] = out([ctx.barepy, "-m", "pex", "--version"], {"PYTHONPATH": ctx.pex_src})
    if "shiv" in names:
        v["shiv"] = out([ctx.toolspy, "-m", "shiv", "--version"],
                        {"PYTHONPATH": os.path.join(ctx.shiv_src, "src")}).split()[-1]
    if "zipapp" in names or "shiv" in names:
        v["pip"] = out([ctx.toolspy, "-m", "pip", "--version"]).split(" from ")[0].split()[-1]
    v["gcc"] = out(["gcc", "-dumpfullversion"])
    return v


# --- the report ---------------------------------------------------------------

TARGETS = [
    # (case, metric, other tool, max ratio, text)
    ("trivial", "warm", "venv", 1.05, "warm start, trivial app, vs the plain venv's run"),
    ("trivial", "warm", "python", 1.05, "warm start, trivial app, vs `python -c pass`"),
    ("heavy", "warm", "venv", 1.02, "warm run, heavy app, vs the plain venv's run"),
    ("heavy", "cold", "shiv", 0.5, "cold first run, heavy app, vs shiv's"),
    ("heavy", "cold", "pex", 0.25, "cold first run, heavy app, vs pex's"),
    ("heavy", "cold", "venv", 1.0, "cold first run, heavy app, vs unzip + plain venv without bytecode"),
    ("heavy", "build", "cp", 2.0, "build, heavy app, vs `cp` of the inputs"),
    ("heavy", "build", "pex", 0.1, "build, heavy app, vs pex's"),
    ("heavy", "size", "pex", 1.05, "size, heavy app, vs pex's"),
    ("bigso", "rss", "python", 1.2, "peak RSS of the first run, 40 MB .so, vs `python -c pass`"),
]


def metric_values(r, metric):
    """The list (or number) a ratio is taken of, or None."""
    if r is None or r.get("error"):
        return None
    if metric == "size":
        return r.get("size")
    if metric == "rss":
        vals = [s.rss_kb for s in (r["cold"] or r["warm"])]
    elif metric == "build":
        vals = [s.wall for s in r["build"]]
    else:
        vals = [s.wall for s in r[metric]] or ([s.wall for s in r["warm"]] if metric == "cold" else [])
    return vals or None


def metric_cpu(r, metric):
    if r is None or r.get("error") or metric not in ("build", "cold", "warm"):
        return None
    vals = [s.cpu for s in r[metric]] or ([s.cpu for s in r["warm"]] if metric == "cold" else [])
    return vals or None


def render(meta, results, tools, cases, findings, plots=()):
    """The report's Markdown; plots are [(link, title)] of the figures
    written next to it."""
    L = []
    w = L.append
    w("# Benchmarks")
    w("")
    w("Generated by `make bench` (`bench/bench.py`); do not edit by hand — the analysis at the end")
    w("comes from `bench/findings.md`. rules_pex against pex, shiv, `python -m zipapp` and the")
    w("physical floors, on the same inputs, measured side by side in one run.")
    w("")
    m = meta["machine"]
    w("- Date: %s; the run took %.0f min." % (meta["date"], meta["minutes"]))
    w("- Machine: %s CPUs, %s, %s RAM, Linux %s." % (m["nproc"], m["cpu"], m["memory"], m["kernel"]))
    w("- Load average (1 min) during the run: %s. The machine is shared with other builds, so the" % meta["load"])
    w("  runs of the compared tools are interleaved (round-robin, rotating the order each round)")
    w("  and every figure is a median with min–max.")
    w("- Versions: " + "; ".join("%s %s" % (k, v) for k, v in meta["versions"].items()) + ".")
    w("- Runs per figure: %d warm, %d cold, %d builds (%d for builds under %.1f s)." % (
        meta["runs"], meta["cold_runs"], meta["build_runs"], 4 * meta["build_runs"], FAST_BUILD))
    if meta["skipped"]:
        w("- Not measured: " + "; ".join(meta["skipped"]) + ".")
    w("")
    w("## Method")
    w("")
    w("- Every timed command runs with `PYTHONDONTWRITEBYTECODE`, `PYTHONUNBUFFERED` and every other")
    w("  `PYTHON*`, `PEX*` and `SHIV_*` variable unset, on `%s` through a venv made with" % meta["python"])
    w("  `--without-pip` (an empty site-packages, no system site-packages). pex, shiv and zipapp files run")
    w("  as `venv/bin/python FILE`; rules_pex files run directly with `PEX_PYTHON=%s`." % meta["python"])
    w("- **build**: from the inputs (the app's sources and the wheels pip resolves for its")
    w("  requirements from the wheelhouse) to the output file. pex keeps its build cache (`PEX_ROOT`)")
    w("  warm across builds (its first build, with an empty cache, is reported below the table);")
    w("  shiv and zipapp run `pip install --target` every time (zipapp: then `python -m zipapp -c`).")
    w("  rules_pex: `packer build --wheel` validates every wheel's RECORD; `--checked-wheel` uses")
    w("  summaries written once by `packer check-wheel` (what Bazel caches per wheel) and writes the")
    w("  same bytes. The plain venv's build is `python -m venv` + `pip install --no-index`.")
    w("- **cold first run**: the file's first run with an empty cache (`PEX_ROOT`/`SHIV_ROOT` a fresh")
    w("  directory; the file itself is in the page cache). For the plain venv it is the floor the")
    w("  launcher is judged against: `unzip` of the rules_pex payload into a fresh directory, then")
    w("  the app from the plain venv with every `__pycache__` removed. zipapp and `python -c pass`")
    w("  have no cache: their cold runs are ordinary runs. Before each cold run an untimed `sync`")
    w("  writes back what earlier runs left dirty (and the removal of their caches): rules_pex makes")
    w("  the trees it extracts durable (a `syncfs` per tree on Linux), which would otherwise flush")
    w("  the other tools' writes too. The cold runs' caches are removed after the case's last cold")
    w("  round, not between runs: ext4 checks every recently deleted inode when it allocates one,")
    w("  which slows the file creation of a run that follows a large removal.")
    w("- **warm run**: later runs, after two untimed ones; Python writes bytecode as usual (pex,")
    w("  shiv, the venv); rules_pex's launcher writes it with a background byte-compiler after the")
    w("  first run, which the harness waits for (untimed) after every rules_pex run.")
    w("- Timing: `bench/measure.c`, a small static program, forks the command and takes `wait4`'s")
    w("  rusage: wall time (monotonic clock), CPU time (user+sys) and peak RSS (`ru_maxrss`, what GNU")
    w("  `time -f %M` prints) of the process across `exec` and of every child it waited for.")
    w("- Sizes are the output file's (the venv: its files; `cp`: the inputs, launcher included).")
    w("- Every run's output is checked; a tool that fails says why instead of a figure.")
    w("")
    if plots:
        render_plots(w, plots)
    for case in cases:
        c = results[case.name]
        res = c["results"]
        w("## %s" % case.title)
        w("")
        if case.name in ("heavy", "bigso", "bigso-import"):
            w("Wheels (%d): %s." % (len(case.wheels), ", ".join(os.path.basename(x) for x in case.wheels)))
            w("")
        w("Load average during this case: %s." % ", ".join("%.1f" % x for x in c["load"]))
        w("")
        w("| tool | build | size | cold first run | warm run | peak RSS, first run |")
        w("| --- | ---: | ---: | ---: | ---: | ---: |")
        notes = []
        for t in tools:
            r = res.get(t.name)
            if r is None:
                continue
            if r["error"]:
                w("| %s | failed: see below | | | | |" % LABELS[t.name])
                notes.append("%s failed: %s" % (LABELS[t.name], r["error"].splitlines()[0][:400]))
                err_tail = r["error"].splitlines()[1:][-3:]
                if err_tail:
                    notes[-1] += " — `" + " / ".join(x.strip() for x in err_tail)[:300].replace("`", "'") + "`"
                continue
            build = fmt_seconds([s.wall for s in r["build"]]) if r["build"] else "—"
            size = fmt_size(r["size"]) if r.get("size") is not None else "—"
            if not t.runs:
                cold = warm = rss = "same file" if t.name == "rules_pex-checked" else "—"
            else:
                cold = fmt_seconds([s.wall for s in r["cold"]]) if t.has_cache else "(no cache) " + \
                    fmt_seconds([s.wall for s in r["cold"]])
                warm = fmt_seconds([s.wall for s in r["warm"]])
                rss = fmt_mb([s.rss_kb for s in r["cold"]])
            w("| %s | %s | %s | %s | %s | %s |" % (LABELS[t.name], build, size, cold, warm, rss))
            if r.get("build_first"):
                notes.append("%s's first build, with an empty build cache: %s." % (
                    LABELS[t.name], fmt_seconds([s.wall for s in r["build_first"]])))
            if r.get("check_wheel") and case.wheels:
                notes.append("`packer check-wheel` of the %d wheels, once (not in the build figure): %s." % (
                    len(case.wheels), fmt_seconds([r["check_wheel"].wall])))
        w("")
        # CPU time, steadier than wall time on a loaded machine.
        w("CPU time (user+sys, process and children) of the same runs, median:")
        w("")
        w("| tool | build | cold first run | warm run |")
        w("| --- | ---: | ---: | ---: |")
        for t in tools:
            r = res.get(t.name)
            if r is None or r["error"] or not (r["build"] or r["warm"]):
                continue
            cells = []
            for metric in ("build", "cold", "warm"):
                vals = metric_cpu(r, metric) if (metric == "build" or t.runs) else None
                cells.append(fmt_seconds(vals).split(" (")[0] if vals else "—")
            w("| %s | %s |" % (LABELS[t.name], " | ".join(cells)))
        w("")
        ours = res.get("rules_pex")
        others = [t for t in tools if not t.name.startswith("rules_pex") and t.name in res]
        if ours and not ours["error"] and others:
            w("rules_pex ÷ each tool (ratios of medians; below 1 means rules_pex is smaller or faster):")
            w("")
            w("| | " + " | ".join(LABELS[t.name] for t in others) + " |")
            w("| --- |" + " ---: |" * len(others))
            for metric, label in (("build", "build"), ("size", "size"), ("cold", "cold first run"),
                                  ("warm", "warm run"), ("rss", "peak RSS, first run")):
                cells = []
                for t in others:
                    if not t.runs and metric in ("cold", "warm", "rss"):
                        cells.append("")
                        continue
                    if t.name == "python" and metric in ("build", "size"):
                        cells.append("")
                        continue
                    r = ratio(metric_values(ours, metric), metric_values(res[t.name], metric))
                    cells.append("%.2f×" % r if r is not None else "—")
                w("| %s | %s |" % (label, " | ".join(cells)))
            checked = res.get("rules_pex-checked")
            if checked and not checked["error"] and checked["build"]:
                cells = []
                for t in others:
                    r = ratio(metric_values(checked, "build"), metric_values(res[t.name], "build")) \
                        if t.name != "python" else None
                    cells.append("%.2f×" % r if r is not None else "")
                w("| build, --checked-wheel | %s |" % " | ".join(cells))
            w("")
        for n in notes:
            w("- " + n)
        if notes:
            w("")
    if "bazel" in results:
        render_bazel(w, results["bazel"])
    w("## Targets (with the rows of `make bench-run`)")
    w("")
    w("| target | ratio of wall medians | of wall minimums | of CPU medians | verdict |")
    w("| --- | ---: | ---: | ---: | --- |")
    for case_name, metric, other, target, text in TARGETS:
        if case_name not in results:
            continue
        res = results[case_name]["results"]
        ours = res.get("rules_pex")
        variants = [("", ours)]
        if metric == "build" and "rules_pex-checked" in res:
            variants.append((" (--checked-wheel)", res["rules_pex-checked"]))
        # The cold targets are for the opt-in shipped bytecode: without it
        # Python compiles on the first run, as with shiv.
        if metric == "cold" and other in ("pex", "shiv") and "rules_pex-precompiled" in res:
            variants.append((" (shipped bytecode)", res["rules_pex-precompiled"]))
        for suffix, o in variants:
            theirs = res.get(other)
            if theirs is None or theirs.get("error") or o is None or o.get("error"):
                why = "not measured"
                if theirs is not None and theirs.get("error"):
                    why = "not measured (%s failed)" % LABELS[other]
                elif other in ("pex", "shiv") and theirs is None:
                    why = "not measured (no %s checkout)" % other
                w("| %s%s ≤ %.2f× | — | — | — | %s |" % (text, suffix, target, why))
                continue
            r = ratio(metric_values(o, metric), metric_values(theirs, metric))
            ours_v, theirs_v = metric_values(o, metric), metric_values(theirs, metric)
            rmin = ratio(min(ours_v), min(theirs_v)) if isinstance(ours_v, list) and isinstance(theirs_v, list) else None
            rc = ratio(metric_cpu(o, metric), metric_cpu(theirs, metric))
            cells = ["%.3f×" % x if x is not None else "—" for x in (r, rmin, rc)]
            w("| %s%s ≤ %.2f× | %s | %s | %s | %s |" % (text, suffix, target, cells[0], cells[1], cells[2],
                                                        verdict(r, target)))
    w("")
    w("Verdicts are taken on wall-clock medians. The ratio of the fastest runs and that of CPU time")
    w("(user+sys) are shown because they are less sensitive to the other work on the machine.")
    w("")
    if findings:
        w(findings.rstrip())
        w("")
    return "\n".join(L)


def render_plots(w, plots):
    w("## Plots")
    w("")
    w("The tables below, drawn: one figure per measure, one panel per case (the Bazel case last,")
    w("its build the clean build), one bar per tool the run measured: the median, with a thin line")
    w("from the fastest to the slowest run. Each panel has its own linear scale from zero, so bars")
    w("compare within a case, not across cases. The physical floors (the plain venv, `python -c pass`,")
    w("`cp` of the inputs) are hatched grey: the least any tool could take. \"n/a\" marks a tool that")
    w("failed or was not measured in that case (the table says why); a tool a measure does not apply")
    w("to has no row (`cp` runs nothing, `python -c pass` builds nothing, `--checked-wheel` writes")
    w("the same file as rules_pex).")
    w("")
    for link, title in plots:
        w("![%s](%s)" % (title, link))
        w("")


def render_bazel(w, b):
    w("## Bazel: the heavy app, `pex_binary` vs `py_binary --build_python_zip`")
    w("")
    if b.get("error"):
        w("Not measured: %s" % b["error"])
        w("")
        return
    for line in b.get("notes", []):
        w(line)
    w("")
    w("| target | clean build | rebuild after editing one source | size | cold first run | warm run | peak RSS, first run |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in ("bazel-pex", "bazel-zip"):
        r = b["results"].get(name)
        if r is None:
            continue
        if r.get("error"):
            w("| %s | failed: %s | | | | | |" % (LABELS[name], r["error"].splitlines()[0][:200]))
            continue
        w("| %s | %s | %s | %s | %s | %s | %s |" % (
            LABELS[name], fmt_seconds(r["clean"]), fmt_seconds(r["rebuild"]), fmt_size(r["size"]),
            fmt_seconds([s.wall for s in r["cold"]]), fmt_seconds([s.wall for s in r["warm"]]),
            fmt_mb([s.rss_kb for s in r["cold"]])))
    w("")


# --- the plots ----------------------------------------------------------------

PLOT_DIR = "bench"  # the plots' directory, next to the report
PLOTS = [
    # (file, metric, title)
    ("cold.svg", "cold", "Cold first run (empty cache): wall time"),
    ("warm.svg", "warm", "Warm run: wall time"),
    ("build.svg", "build", "Build: wall time"),
    ("size.svg", "size", "Output size"),
    ("rss.svg", "rss", "Peak RSS of the first run"),
]
PLOT_NOTES = [
    "Bars: medians; thin lines: min–max of the runs (a size is one figure). Each case has its own",
    "linear scale from zero: compare bars within a case, not across cases. Hatched grey: the",
    "physical floors. n/a: the tool failed or was not measured in that case (the tables say why).",
]


def plot_unit(metric, top):
    """(axis label, factor from the stored unit) for a group whose largest
    figure is top (seconds, bytes or kB, as stored)."""
    if metric == "size":
        return ("output size, MB", 1 / MB) if top >= MB / 10 else ("output size, kB", 1 / 1024)
    if metric == "rss":
        return "peak RSS, MB", 1 / 1024
    return ("wall time, s", 1) if top >= 1 else ("wall time, ms", 1e3)


def fmt_median(metric, v):
    """One figure as the tables print a median."""
    if metric == "size":
        return fmt_size(v)
    if metric == "rss":
        return fmt_mb([v]).split(" (")[0]
    return fmt_seconds([v]).split(" (")[0]


def bazel_values(r, metric):
    """The Bazel case's counterpart of metric_values; its build is the clean build."""
    if r.get("error"):
        return None
    if metric == "build":
        return r["clean"] or None
    if metric == "size":
        return r.get("size")
    samples = r["warm"] if metric == "warm" else r["cold"]
    return [s.rss_kb if metric == "rss" else s.wall for s in samples] or None


def plot_figure(r, metric, values):
    """(why it is missing, (median, min, max)) of one tool's result, the
    figures taken by values(r, metric); None when the metric does not apply
    to the tool (cp runs nothing, python -c pass builds nothing)."""
    if r is None:
        return "n/a (not measured)", None
    if r.get("error"):
        return "n/a (failed)", None
    v = values(r, metric)
    if v is None:
        return None
    return None, summary(v) if isinstance(v, list) else (v, None, None)


def plot_row(name, why, fig, metric, factor):
    """The svgplot.Row of one tool: its figures times factor (into the
    axis' unit), or why it has none."""
    label, floor = LABELS.get(name, name), name in FLOORS
    if why:
        return svgplot.Row(name, label, why, floor=floor)
    med, lo, hi = (None if x is None else x * factor for x in fig)
    return svgplot.Row(name, label, fmt_median(metric, fig[0]), med, lo, hi, floor)


def plot_group(key, title, entries, metric, values):
    """The svgplot.Group of one case: a row per (tool, result) in entries
    the metric applies to; None when there is none."""
    found = [(name, plot_figure(r, metric, values)) for name, r in entries]
    found = [(name, f) for name, f in found if f is not None]
    if not found:
        return None
    top = max([x for _, (_, fig) in found if fig for x in fig if x is not None] or [0])
    axis, factor = plot_unit(metric, top)
    return svgplot.Group(key, title, axis, [plot_row(name, why, fig, metric, factor) for name, (why, fig) in found])


def plot_cases(results, tool_names, cases):
    """[(key, title, [(tool, result)], values)] of every case measured: the
    cases, one entry per tool the run measured, then the Bazel case."""
    out = [(c.name, c.title, [(n, results[c.name]["results"].get(n)) for n in tool_names], metric_values)
           for c in cases if c.name in results]
    b = results.get("bazel")
    if b and b.get("results"):
        out.append(("bazel", "Bazel: the heavy app", list(b["results"].items()), bazel_values))
    return out


def plot_figures(results, tool_names, cases):
    """[(file, title, SVG text)] of every figure with at least one row, one
    group per case, a tool's colour the same in every figure."""
    measured = plot_cases(results, tool_names, cases)
    order = [n for _, _, entries, _ in measured for n, _ in entries if n not in FLOORS]
    out = []
    for file, metric, title in PLOTS:
        groups = [plot_group(key, case_title + (", clean build" if key == "bazel" and metric == "build" else ""),
                             entries, metric, values) for key, case_title, entries, values in measured]
        groups = [g for g in groups if g]
        if groups:
            out.append((file, title, svgplot.svg(title, PLOT_NOTES, groups, order)))
    return out


def plots_dir(out):
    """Where the plots of the report out go, or None when the report has no
    directory of its own (stdout, a device)."""
    if out == "-" or (os.path.exists(out) and not os.path.isfile(out)):
        return None
    return os.path.join(os.path.dirname(os.path.abspath(out)), PLOT_DIR)


def write_plots(directory, figures):
    """Writes the figures into directory, removes the plots of an earlier
    run that this one has no figure for, and returns the report's links:
    [(path relative to the report, title)]."""
    os.makedirs(directory, exist_ok=True)
    written = {file for file, _, _ in figures}
    for file, _, _ in PLOTS:
        if file not in written and os.path.exists(os.path.join(directory, file)):
            os.remove(os.path.join(directory, file))
    for file, _, text in figures:
        write_file(os.path.join(directory, file), text)
    return [(PLOT_DIR + "/" + file, title) for file, title, _ in figures]


# --- main ---------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--bin", default=os.path.join(REPO, "bin"), help="directory holding packer and launcher")
    ap.add_argument("--wheelhouse", default=os.path.join(REPO, "wheelhouse"))
    ap.add_argument("--python", default="/usr/bin/python3.11", help="the interpreter every tool runs on")
    ap.add_argument("--pex-src", default=os.environ.get("PEX_SRC"), help="a pex checkout (default $PEX_SRC)")
    ap.add_argument("--shiv-src", default=os.environ.get("SHIV_SRC"), help="a shiv checkout (default $SHIV_SRC)")
    ap.add_argument("--cases", default="trivial,heavy,bigso,bigso-import,bazel")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS),
                    help="comma-separated tools; 'floors' means venv,python,cp")
    ap.add_argument("--runs", type=int, default=15, help="warm runs per tool")
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--build-runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="the smallest case CI runs: trivial app, 3 warm, 2 cold, 2 builds")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "rules_pex-bench"),
                    help="scratch directory, kept between runs (venvs are reused)")
    ap.add_argument("--out", default=os.path.join(REPO, "docs", "BENCHMARKS.md"),
                    help="the report to write, - for stdout")
    ap.add_argument("--json", help="where to write the raw results (default: bench/results.json next to"
                    " the report, WORK/results.json when the report goes to stdout or a device)")
    ap.add_argument("--render", metavar="RESULTS_JSON",
                    help="measure nothing: write the report from the raw results of an earlier run")
    ap.add_argument("--no-findings", action="store_true", help="leave bench/findings.md out of the report")
    a = ap.parse_args(argv)
    if a.quick:
        a.cases, a.runs, a.cold_runs, a.build_runs = "trivial", 3, 2, 2
    names = [c.name for c in CASES] + ["bazel"]
    a.case_list = [x for x in a.cases.split(",") if x]
    for c in a.case_list:
        if c not in names:
            ap.error("unknown case %r (known: %s)" % (c, ", ".join(names)))
    tools = []
    for x in a.tools.split(","):
        if x == "floors":
            tools += FLOORS
        elif x in TOOL_CLASSES:
            tools.append(x)
        elif x:
            ap.error("unknown tool %r (known: %s, floors)" % (x, ", ".join(ALL_TOOLS)))
    a.tool_list = [t for t in ALL_TOOLS if t in tools]
    if min(a.runs, a.cold_runs, a.build_runs) < 1:
        ap.error("--runs, --cold-runs and --build-runs must be at least 1")
    return a


def main(argv=None):
    argv = argv if argv is not None else sys.argv[1:]
    args = parse_args(argv)
    if args.render:
        return render_only(argv)
    start = time.time()
    ctx = Context(args)
    tools, skipped = [], []
    for name in args.tool_list:
        t = TOOL_CLASSES[name](ctx)
        why = t.unavailable()
        if why:
            skipped.append("%s (%s)" % (LABELS[name], why))
        else:
            tools.append(t)
    cases = [c for c in CASES if c.name in args.case_list]
    results = {}
    loads = []
    try:
        prepare(ctx, cases)
        ctx.versions = versions(ctx, tools)
        for case in cases:
            log("case %s" % case.name)
            results[case.name] = bench_case(ctx, case, tools, args)
            loads += results[case.name]["load"]
        if "bazel" in args.case_list:
            sys.modules.setdefault("bench", sys.modules[__name__])
            import bazel_case  # bench/bazel_case.py, which imports this module as bench
            heavy = next((c for c in CASES if c.name == "heavy"), None)
            if not getattr(heavy, "wheels", None):
                prepare(ctx, [heavy])
            results["bazel"] = bazel_case.run(ctx, heavy, args)
            ctx.versions["bazel"] = results["bazel"].get("version", "?")
    except BenchError as e:
        log(str(e))
        return 1
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "minutes": (time.time() - start) / 60,
        "machine": machine(),
        "load": "%.1f–%.1f" % (min(loads), max(loads)) if loads else "?",
        "versions": ctx.versions,
        "runs": args.runs, "cold_runs": args.cold_runs, "build_runs": args.build_runs,
        "skipped": skipped,
        "python": args.python,
    }
    raw = {"meta": meta, "tools": [t.name for t in tools],
           "cases": {c.name: [os.path.basename(w) for w in c.wheels] for c in cases}, "results": results}
    with open(results_path(args, ctx.work), "w") as f:
        json.dump(raw, f, indent=1, default=lambda o: o.to_json())
    write_report(args, raw)
    failed = [n for c in results.values() for n, r in c.get("results", {}).items()
              if n.startswith("rules_pex") and r.get("error")]
    return 1 if failed else 0


def results_path(args, work):
    """Where a run keeps its raw results: --json; else next to the report's
    plots, so that the report can be rendered again from what is kept with
    it (docs/bench/results.json); else (--out -, a device) in work."""
    if args.json:
        return args.json
    directory = plots_dir(args.out)
    if directory is None:
        return os.path.join(work, "results.json")
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, "results.json")


def decode_sample(d):
    if set(d) == {"wall", "cpu", "rss_kb"}:
        return Sample(d["wall"], d["cpu"], d["rss_kb"])
    return d


def write_report(args, raw):
    """Renders the report from raw results (as main measures them or as
    --render reads them back) and writes it to args.out."""
    ctx = Context(args)
    tools = [TOOL_CLASSES[n](ctx) for n in raw["tools"]]
    cases = []
    for c in CASES:
        if c.name in raw["cases"]:
            c.wheels = raw["cases"][c.name]
            cases.append(c)
    findings = None
    if not args.no_findings and os.path.exists(FINDINGS):
        with open(FINDINGS) as f:
            findings = f.read()
    directory = plots_dir(args.out)
    links = write_plots(directory, plot_figures(raw["results"], raw["tools"], cases)) if directory else []
    text = render(raw["meta"], raw["results"], tools, cases, findings, links)
    if args.out == "-":
        sys.stdout.write(text)
    elif os.path.exists(args.out) and not os.path.isfile(args.out):
        # /dev/null, a pipe: write in place, never rename over it.
        with open(args.out, "w") as f:
            f.write(text)
    else:
        write_file(args.out, text)
        log("wrote %s" % args.out)


def write_file(path, text):
    """Writes text to path atomically (a temporary file renamed over it)."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def render_only(argv):
    """bench.py --render RESULTS.json [--out FILE]: the report again, from the
    raw results of an earlier run (after editing bench/findings.md)."""
    args = parse_args(argv)
    with open(args.render) as f:
        raw = json.load(f, object_hook=decode_sample)
    write_report(args, raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
