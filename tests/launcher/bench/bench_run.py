"""The launcher's benchmark (make bench-run): a rules_pex archive against the
equivalent plain virtual environment on the same interpreter.

  1. warm start of a trivial app     vs  python -c pass in a plain venv        target <= 1.05x
  2. warm run of a heavy app         vs  the same script in a plain venv       target <= 1.02x
     (flask, requests, numpy, yaml, cryptography)
  3. cold first run of the heavy app vs  unzip the payload into a fresh         target <= 1.00x
                                         directory + the script in a plain venv
                                         without bytecode
  4. peak RSS of the first run of an  vs  peak RSS of python -c pass            target <= 1.20x
     archive holding one 40 MB .so
     whose entry point imports nothing

Every figure is the median of several runs, with min-max. PYTHONDONTWRITEBYTECODE
and PYTHONUNBUFFERED are unset for all of them, so both sides write and use
bytecode the way Python does by default. Usage:

  bench_run.py --bin BIN --wheelhouse DIR [--python /usr/bin/python3.11] [--runs N] [--work DIR]

BIN holds the packer and launcher binaries. Exit status 0 (a benchmark
reports; it does not fail on targets), 1 on errors, 2 on usage.
"""
import argparse
import base64
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

HEAVY = '''import flask, requests, numpy, yaml, cryptography
from cryptography.hazmat.primitives import hashes
app = flask.Flask("bench")
h = hashes.Hash(hashes.SHA256()); h.update(b"x"); h.finalize()
yaml.safe_load("a: [1, 2, 3]")
numpy.arange(1000).sum()
requests.Request("GET", "http://localhost/").prepare()
'''


def env():
    e = {k: v for k, v in os.environ.items()
         if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONPATH") and not k.startswith("PEX")}
    return e


def run(cmd, extra=None, cwd=None):
    e = env()
    e.update(extra or {})
    t = time.perf_counter()
    p = subprocess.run(cmd, env=e, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit("bench-run: %s failed (%d):\n%s" % (" ".join(cmd), p.returncode, p.stderr.decode(errors="replace")))
    return dt


def times(n, fn):
    return [fn() for _ in range(n)]


def fmt(ts, unit="ms", scale=1000.0):
    return "%8.1f %s (%.1f-%.1f)" % (statistics.median(ts) * scale, unit, min(ts) * scale, max(ts) * scale)


def row(name, ours, theirs, target, unit="ms", scale=1000.0):
    ratio = statistics.median(ours) / statistics.median(theirs)
    verdict = "ok" if ratio <= target else "OVER"
    print("%-34s %s   vs %s   %5.3fx  (target <= %.2fx: %s)" % (name, fmt(ours, unit, scale), fmt(theirs, unit, scale), ratio, target, verdict))
    return ratio


def write_wheel(path, name, files):
    """Writes a minimal valid wheel with files {path: bytes}."""
    dist = "%s-1.0.dist-info" % name
    files = dict(files)
    files[dist + "/METADATA"] = ("Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n" % name).encode()
    files[dist + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for p, data in sorted(files.items()):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (p, digest, len(data)))
    record.append(dist + "/RECORD,,")
    files[dist + "/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, data in sorted(files.items()):
            z.writestr(p, data)


def pack(bindir, out, sources, args):
    cmd = [os.path.join(bindir, "packer"), "build", "-o", out, "--launcher", os.path.join(bindir, "launcher")]
    for dest, path in sources.items():
        cmd += ["--source", "%s=%s" % (dest, path)]
    subprocess.run(cmd + args, check=True)


def peak_rss(cmd, extra=None):
    e = env()
    e.update(extra or {})
    with tempfile.NamedTemporaryFile() as f:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name] + cmd, env=e, check=True,
                       stdout=subprocess.DEVNULL)
        return int(open(f.name).read().split()[-1]) / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--wheelhouse", required=True)
    ap.add_argument("--python", default="/usr/bin/python3.11")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--work")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="bench-run-")
    os.makedirs(work, exist_ok=True)
    wheels = sorted(os.path.join(a.wheelhouse, w) for w in os.listdir(a.wheelhouse) if w.endswith(".whl"))
    if not wheels:
        sys.exit("bench-run: no wheels in %s (make wheelhouse)" % a.wheelhouse)
    pex_env = {"PEX_PYTHON": a.python}

    # The archives.
    src = os.path.join(work, "src")
    os.makedirs(src, exist_ok=True)
    for name, body in (("triv.py", "pass\n"), ("heavy.py", HEAVY), ("noop.py", "")):
        with open(os.path.join(src, name), "w") as f:
            f.write(body)
    triv = os.path.join(work, "triv.pex")
    heavy = os.path.join(work, "heavy.pex")
    big = os.path.join(work, "big.pex")
    pack(a.bin, triv, {"triv.py": os.path.join(src, "triv.py")}, ["--main", "triv.py"])
    reqs = ["flask", "requests", "numpy", "pyyaml", "cryptography"]
    wheel_args = [x for w in wheels for x in ("--wheel", w)]
    pack(a.bin, heavy, {"heavy.py": os.path.join(src, "heavy.py")},
         ["--main", "heavy.py"] + [x for r in reqs for x in ("--requirement", r)] + wheel_args)
    bigwhl = os.path.join(work, "bigso-1.0-py3-none-any.whl")
    write_wheel(bigwhl, "bigso", {"bigso/__init__.py": b"", "bigso/_big.so": os.urandom(40 << 20)})
    pack(a.bin, big, {"noop.py": os.path.join(src, "noop.py")}, ["--main", "noop.py", "--wheel", bigwhl])

    # The plain venv with the same wheels, installed by pip from the wheelhouse.
    venv = os.path.join(work, "venv")
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        subprocess.run([a.python, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "--no-index", "--find-links", a.wheelhouse] + reqs,
                       check=True)
    vpy = os.path.join(venv, "bin", "python")

    root = os.path.join(work, "root")
    shutil.rmtree(root, ignore_errors=True)
    pex_env["PEX_ROOT"] = root
    print("interpreter %s, %d warm runs, %d cold runs, work dir %s" % (a.python, a.runs, a.cold_runs, work))
    print("%-34s %-30s    %-30s" % ("", "rules_pex: median (min-max)", "plain venv: median (min-max)"))

    # 1. Warm start of a trivial app.
    for _ in range(3):
        run([triv], pex_env)
        run([vpy, "-c", "pass"])
    ours, theirs = [], []
    for _ in range(a.runs):  # interleaved, so drift affects both alike
        ours.append(run([triv], pex_env))
        theirs.append(run([vpy, "-c", "pass"]))
    row("warm start, trivial app", ours, theirs, 1.05)

    # 2. Warm run of the heavy app.
    script = os.path.join(src, "heavy.py")
    for _ in range(3):
        run([heavy], pex_env)
        run([vpy, script])
    ours, theirs = [], []
    for _ in range(max(5, a.runs // 3)):
        ours.append(run([heavy], pex_env))
        theirs.append(run([vpy, script]))
    row("warm run, flask+requests+numpy+...", ours, theirs, 1.02)

    # 3. Cold first run vs unzip + run without bytecode.
    sp = subprocess.run([vpy, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        capture_output=True, text=True, check=True).stdout.strip()
    ours, theirs = [], []
    for i in range(a.cold_runs):
        cold_root = os.path.join(work, "cold-%d" % i)
        shutil.rmtree(cold_root, ignore_errors=True)
        ours.append(run([heavy], dict(pex_env, PEX_ROOT=cold_root)))
        shutil.rmtree(cold_root, ignore_errors=True)
        for d, dirs, _ in os.walk(sp):
            if "__pycache__" in dirs:
                shutil.rmtree(os.path.join(d, "__pycache__"))
        fresh = os.path.join(work, "unzipped-%d" % i)
        shutil.rmtree(fresh, ignore_errors=True)
        t = time.perf_counter()
        # unzip warns about the launcher before the zip and exits 1: fine.
        p = subprocess.run(["unzip", "-q", "-o", heavy, "-d", fresh], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if p.returncode not in (0, 1):
            sys.exit("bench-run: unzip failed with %d" % p.returncode)
        unzip = time.perf_counter() - t
        theirs.append(unzip + run([vpy, script]))
        shutil.rmtree(fresh, ignore_errors=True)
    row("cold first run vs unzip+run", ours, theirs, 1.00)

    # 4. Peak RSS of a first run extracting a 40 MB file.
    ours, theirs = [], []
    for i in range(3):
        cold_root = os.path.join(work, "rss-%d" % i)
        shutil.rmtree(cold_root, ignore_errors=True)
        ours.append(peak_rss([big], dict(pex_env, PEX_ROOT=cold_root)))
        shutil.rmtree(cold_root, ignore_errors=True)
        theirs.append(peak_rss([vpy, "-c", "pass"]))
    row("peak RSS, first run, 40 MB .so", ours, theirs, 1.20, unit="MB", scale=1.0)


if __name__ == "__main__":
    main()
