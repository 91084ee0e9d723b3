"""The Bazel case of bench/bench.py: the heavy app built by Bazel 4.2.3 as a
rules_pex `pex_binary` and as a native `py_binary` with --build_python_zip,
in one scratch workspace, each measured on a clean build, a rebuild after
editing one source file, its output size and its runs.

The workspace uses rules_pex from this checkout with prebuilt toolchains:
bin/packer and bin/launcher served from a file:// "release" pinned by
sha256, which is what users of a release get (no Go toolchain, no tool
compilation in the measured builds). The pex_binary takes its wheels from
pex_wheel_repository over the wheelhouse; the py_binary takes the same
distributions pip-installed into a directory and wrapped in one py_library
(the usual shape of a vendored site-packages). The Python toolchain is pinned
to the benchmark's interpreter.
"""
import hashlib
import os
import shutil
import subprocess

import bench

WORKSPACE = """workspace(name = "rules_pex_bench")

local_repository(
    name = "rules_pex",
    path = {repo!r},
)

load("@rules_pex//rules:repositories.bzl", "pex_wheel_repository", "rules_pex_dependencies", "rules_pex_offline_bazel_setup", "rules_pex_register_toolchains")

rules_pex_offline_bazel_setup()

rules_pex_dependencies()

# bin/packer and bin/launcher as a release would serve them.
rules_pex_register_toolchains(release = {{
    "base_url": {base_url!r},
    "sha256": {sha256!r},
    "version": "bench",
}})

pex_wheel_repository(
    name = "pypi",
    directory = {wheelhouse!r},
)

new_local_repository(
    name = "site",
    path = {site!r},
    build_file_content = \"\"\"
py_library(
    name = "site",
    srcs = glob(["**/*.py"]),
    data = glob(["**"], exclude = ["**/*.py", "**/__pycache__/**", "bin/**"]),
    imports = ["."],
    visibility = ["//visibility:public"],
)
\"\"\",
)

register_toolchains("//:python_toolchain")
"""

BUILD = """load("@bazel_tools//tools/python:toolchain.bzl", "py_runtime_pair")
load("@rules_pex//rules:defs.bzl", "pex_binary")

APP = ["benchapp/__init__.py", "benchapp/heavy.py"]

pex_binary(
    name = "heavy_pex",
    srcs = APP,
    entry_point = "benchapp.heavy:main",
    deps = [{deps}],
)

py_binary(
    name = "heavy_zip",
    srcs = APP + ["main.py"],
    main = "main.py",
    python_version = "PY3",
    deps = ["@site"],
)

py_runtime(
    name = "python3",
    interpreter_path = {python!r},
    python_version = "PY3",
)

py_runtime_pair(
    name = "python_runtimes",
    py3_runtime = ":python3",
)

toolchain(
    name = "python_toolchain",
    toolchain = ":python_runtimes",
    toolchain_type = "@bazel_tools//tools/python:toolchain_type",
)
"""

BAZELRC = """build --nosandbox_debug
build --incompatible_strict_action_env
build --build_python_zip
"""


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(ctx, case, args):
    """Measures the Bazel case; returns a dict for bench.render_bazel."""
    bazel = shutil.which("bazel")
    if not bazel:
        return {"error": "no `bazel` on PATH"}
    ws = os.path.join(ctx.work, "bazel-ws")
    out = {"results": {}, "notes": []}
    try:
        version = bench.check([bazel, "--version"], capture=True).strip()
        out["version"] = "4.2.3 (Debian bazel-bootstrap, `bazel --version`: %s)" % version \
            if version == "bazel no_version" else version
        setup(ctx, case, ws)
        return measure_all(ctx, case, args, bazel, ws, out)
    except bench.BenchError as e:
        out["error"] = str(e).splitlines()[0] + " — " + " / ".join(str(e).splitlines()[-4:])
        return out
    finally:
        subprocess.run([bazel, "shutdown"], cwd=ws, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def setup(ctx, case, ws):
    prebuilt = bench.fresh_dir(os.path.join(ctx.work, "bazel-prebuilt"))
    pins = {}
    for tool in ("packer", "launcher"):
        name = "%s-linux-amd64" % tool
        shutil.copy2(os.path.join(ctx.bin, tool), os.path.join(prebuilt, name))
        pins[name] = sha256(os.path.join(prebuilt, name))
    site = os.path.join(ctx.work, "bazel-site")
    if not os.path.exists(os.path.join(site, ".bench-ready")):
        bench.rmtree(site)
        bench.check([ctx.toolspy, "-m", "pip", "install", "-q", "--no-index", "--no-cache-dir",
                     "--disable-pip-version-check", "--no-compile", "--target", site]
                    + ctx.find_links() + case.reqs)
        open(os.path.join(site, ".bench-ready"), "w").close()
    os.makedirs(os.path.join(ws, "benchapp"), exist_ok=True)
    files = {
        "WORKSPACE": WORKSPACE.format(repo=bench.REPO, base_url="file://" + prebuilt, sha256=pins,
                                      wheelhouse=ctx.wheelhouse, site=site),
        "BUILD.bazel": BUILD.format(deps=", ".join('"@pypi//%s"' % r for r in case.reqs), python=ctx.python),
        ".bazelrc": BAZELRC,
        ".bazelignore": "bazel-bin\nbazel-out\nbazel-testlogs\nbazel-bazel-ws\n",
        "main.py": "import sys\nfrom benchapp.heavy import main\nsys.exit(main())\n",
        "benchapp/__init__.py": bench.APP["__init__.py"],
        "benchapp/heavy.py": bench.APP["heavy.py"],
    }
    for name, text in files.items():
        with open(os.path.join(ws, name), "w") as f:
            f.write(text)


def measure_all(ctx, case, args, bazel, ws, out):
    targets = {"bazel-pex": "//:heavy_pex", "bazel-zip": "//:heavy_zip"}

    def build(target):
        return bench.measure([bazel, "build", "--noshow_progress", target], cwd=ws).wall

    bench.log("bazel: first build (fetches repositories; untimed)")
    bench.check([bazel, "build", "--noshow_progress"] + list(targets.values()), cwd=ws)
    res = {n: {"clean": [], "rebuild": [], "cold": [], "warm": []} for n in targets}
    runs = max(3, args.build_runs)
    for i in range(runs):
        bench.log("bazel: clean builds, round %d/%d" % (i + 1, runs))
        for n in bench.rotate(list(targets), i):
            bench.check([bazel, "clean"], cwd=ws)
            res[n]["clean"].append(build(targets[n]))
    # The last clean build cleaned the other target's outputs too: build
    # both, untimed, so that each rebuild is one of one edited file.
    bench.check([bazel, "build", "--noshow_progress"] + list(targets.values()), cwd=ws)
    heavy = os.path.join(ws, "benchapp", "heavy.py")
    for i in range(runs):
        bench.log("bazel: one-file rebuilds, round %d/%d" % (i + 1, runs))
        for n in bench.rotate(list(targets), i):
            with open(heavy, "a") as f:
                f.write("# edit %d %s\n" % (i, n))
            res[n]["rebuild"].append(build(targets[n]))
    bin_dir = os.path.join(ws, "bazel-bin")
    pex_file = os.path.join(bin_dir, "heavy_pex")
    zip_file = os.path.join(bin_dir, "heavy_zip.zip")
    res["bazel-pex"]["size"] = os.path.getsize(pex_file)
    res["bazel-zip"]["size"] = os.path.getsize(zip_file)

    def run_pex(root):
        # As in bench.RulesPex.run: the background byte-compiler a cold start
        # leaves is waited for, untimed, so that it neither overlaps the next
        # measurement nor races the removal of the root.
        s = bench.measure([pex_file], {"PEX_ROOT": root, "PEX_PYTHON": ctx.python}, expect=case.expect)
        bench.settle(root)
        return s

    def run_zip(root):
        # The zip extracts itself into a new temporary directory on every run.
        return bench.measure([ctx.barepy, zip_file], {"TMPDIR": root}, expect=case.expect)

    runners = {"bazel-pex": run_pex, "bazel-zip": run_zip}
    for i in range(args.cold_runs):
        for n in bench.rotate(list(runners), i):
            root = bench.fresh_dir(os.path.join(ctx.cache, "bazel-cold-%s-%d" % (n, i)))
            bench.settle_disk()
            res[n]["cold"].append(runners[n](root))
            bench.remove_later(root)
    bench.remove_pending()
    warm = {n: bench.fresh_dir(os.path.join(ctx.cache, "bazel-warm-" + n)) for n in runners}
    for n in runners:
        runners[n](warm[n])
        runners[n](warm[n])
    for i in range(args.runs):
        for n in bench.rotate(list(runners), i):
            res[n]["warm"].append(runners[n](warm[n]))
    for d in warm.values():
        bench.rmtree(d)
    out["results"] = res
    out["notes"] = [
        "A scratch workspace with rules_pex from this checkout and prebuilt toolchains (bin/packer and",
        "bin/launcher served as a release, pinned by sha256: no Go compilation in the builds). `pex_binary`",
        "takes the wheels from `pex_wheel_repository`; `py_binary` takes the same distributions",
        "pip-installed into one `py_library` and runs on the same interpreter (a pinned `py_runtime`).",
        "Clean build: `bazel clean`, then `bazel build` of the one target (external repositories stay",
        "fetched). Rebuild: append a comment to `benchapp/heavy.py`, then build. Bazel's zip extracts",
        "itself into a new temporary directory on every run, so its cold and warm runs are alike.",
        "%d builds of each kind, interleaved." % runs,
    ]
    return out
