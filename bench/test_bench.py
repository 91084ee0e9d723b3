"""Tests of the benchmark harness (bench/bench.py), its smallest case included,
so that `make bench` cannot rot. Run with

  /usr/bin/python3.11 -m pytest -q -p no:cacheprovider bench

They need bin/packer and bin/launcher (make tools), the wheelhouse (make
wheelhouse), gcc and unzip; RULES_PEX_BIN and RULES_PEX_WHEELHOUSE override
where the first two are.
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

BIN = os.environ.get("RULES_PEX_BIN", os.path.join(bench.REPO, "bin"))
WHEELHOUSE = os.environ.get("RULES_PEX_WHEELHOUSE", os.path.join(bench.REPO, "wheelhouse"))


def require_inputs():
    missing = [p for p in (os.path.join(BIN, "packer"), os.path.join(BIN, "launcher")) if not os.path.exists(p)]
    if missing:
        pytest.fail("missing %s: run make tools (or set RULES_PEX_BIN)" % ", ".join(missing))
    if not os.path.isdir(WHEELHOUSE) or not any(n.endswith(".whl") for n in os.listdir(WHEELHOUSE)):
        pytest.fail("no wheels in %s: run make wheelhouse (or set RULES_PEX_WHEELHOUSE)" % WHEELHOUSE)


@pytest.fixture(scope="module")
def helper(tmp_path_factory):
    return bench.build_measure(str(tmp_path_factory.mktemp("measure")))


@pytest.mark.parametrize("values,want", [
    ([0.0123], "12.3 ms (12.3–12.3)"),
    ([0.010, 0.030, 0.020], "20.0 ms (10.0–30.0)"),
    ([1.5, 2.5, 0.5, 4.0], "2.00 s (0.50–4.00)"),
])
def test_fmt_seconds(values, want):
    assert bench.fmt_seconds(values) == want


@pytest.mark.parametrize("ours,theirs,target,want", [
    ([1.0, 1.0, 1.0], [1.0], 1.05, "met"),
    ([1.10], [1.0], 1.05, "missed by 5%"),
    ([3.0], [10.0], 0.25, "missed by 20%"),
    (12, 10, 1.05, "missed by 14%"),
    ([1.0], [0.0], 1.0, "not measured"),
    (None, [1.0], 1.0, "not measured"),
])
def test_ratio_and_verdict(ours, theirs, target, want):
    assert bench.verdict(bench.ratio(ours, theirs), target) == want


@pytest.mark.parametrize("name,want", [
    ("charset_normalizer-3.0.1-py3-none-any.whl", ("charset_normalizer", "3.0.1")),
    ("pluggy-1.0.0+repack-py3-none-any.whl", ("pluggy", "1.0.0+repack")),
    ("Foo.Bar-2-cp311-cp311-linux_x86_64.whl", ("foo_bar", "2")),
])
def test_wheel_name(name, want):
    assert bench.wheel_name(name) == want


def test_write_wheel_is_valid_and_deterministic(tmp_path):
    files = {"pkg/__init__.py": b"x = 1\n", "pkg/data.bin": bytes(range(256))}
    a, b = str(tmp_path / "a.whl"), str(tmp_path / "b.whl")
    bench.write_wheel(a, "pkg", "1.0", "py3-none-any", files, True, "[console_scripts]\np = pkg:main\n")
    bench.write_wheel(b, "pkg", "1.0", "py3-none-any", files, True, "[console_scripts]\np = pkg:main\n")
    assert open(a, "rb").read() == open(b, "rb").read()
    with zipfile.ZipFile(a) as z:
        record = z.read("pkg-1.0.dist-info/RECORD").decode().splitlines()
        names = set(z.namelist())
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            assert path in names
            if path.endswith("RECORD"):
                assert digest == size == ""
                continue
            data = z.read(path)
            assert int(size) == len(data)
            want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == "sha256=" + want
        assert len(record) == len(names)
        assert b"Root-Is-Purelib: true" in z.read("pkg-1.0.dist-info/WHEEL")


def test_clean_env_drops_python_and_pex_variables(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    monkeypatch.setenv("PEX_ROOT", "/nowhere")
    monkeypatch.setenv("BENCH_KEEP", "yes")
    e = bench.clean_env({"PEX_PYTHON": "/usr/bin/python3.11"})
    assert "PYTHONDONTWRITEBYTECODE" not in e and "PYTHONUNBUFFERED" not in e and "PEX_ROOT" not in e
    assert e["BENCH_KEEP"] == "yes" and e["PEX_PYTHON"] == "/usr/bin/python3.11"


def test_measure_reports_the_childs_own_peak_rss(helper):
    # GNU time's %M for the same command is the reference; the harness's own
    # RSS (tens of MB) must not leak into the figure.
    s = bench.measure(["/usr/bin/python3.11", "-I", "-c", "pass"])
    out = subprocess.run(["/usr/bin/time", "-f", "%M", "/usr/bin/python3.11", "-I", "-c", "pass"],
                         stderr=subprocess.PIPE, text=True, check=True).stderr
    gnu = int(out.strip().splitlines()[-1])
    assert 0.8 * gnu <= s.rss_kb <= 1.25 * gnu, (s.rss_kb, gnu)
    # A process that touches 64 MB shows it.
    big = bench.measure(["/usr/bin/python3.11", "-I", "-c", "b = bytearray(64 << 20); b[::4096] = b'x' * (16384)"])
    assert big.rss_kb >= s.rss_kb + 60 * 1024
    assert s.wall > 0 and s.cpu >= 0


def test_measure_checks_status_and_output(helper, monkeypatch):
    with pytest.raises(bench.BenchError, match="exited with 3"):
        bench.measure(["/bin/sh", "-c", "exit 3"])
    with pytest.raises(bench.BenchError, match="printed 'no', want 'yes'"):
        bench.measure(["/bin/echo", "no"], expect="yes")
    assert bench.measure(["/bin/sh", "-c", "exit 1"], ok_codes=(0, 1)).wall > 0
    # PYTHONDONTWRITEBYTECODE never reaches a measured command.
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    bench.measure(["/bin/sh", "-c", 'test -z "$PYTHONDONTWRITEBYTECODE" && echo unset'], expect="unset")


def test_smallest_case_end_to_end(tmp_path):
    """The smallest case, as CI runs it: the trivial app with rules_pex,
    zipapp and the floors, a few runs each, into a report."""
    require_inputs()
    out, raw = tmp_path / "BENCHMARKS.md", tmp_path / "raw.json"
    rc = bench.main(["--quick", "--bin", BIN, "--wheelhouse", WHEELHOUSE, "--work", str(tmp_path / "work"),
                     "--tools", "rules_pex,rules_pex-checked,pex,shiv,zipapp,floors",
                     "--pex-src", "", "--shiv-src", "",
                     "--out", str(out), "--json", str(raw), "--no-findings"])
    assert rc == 0
    text = out.read_text()
    data = json.loads(raw.read_text())
    res = data["results"]["trivial"]["results"]
    for tool in ("rules_pex", "zipapp", "venv", "python"):
        assert res[tool]["error"] is None, res[tool]["error"]
        assert len(res[tool]["warm"]) == 3 and len(res[tool]["cold"]) == 2
        assert all(s["wall"] > 0 and s["rss_kb"] > 1000 for s in res[tool]["warm"] + res[tool]["cold"])
    # Builds under half a second (the packer's, cp's) get four times the rounds.
    for tool in ("rules_pex", "rules_pex-checked", "cp"):
        assert len(res[tool]["build"]) == 8
    assert len(res["venv"]["build"]) == 2
    assert len(res["zipapp"]["build"]) in (2, 8)
    # The archive is what the report says it is, and --checked-wheel wrote the same bytes.
    archive = tmp_path / "work" / "out" / "trivial.rules_pex"
    assert res["rules_pex"]["size"] == archive.stat().st_size
    assert res["rules_pex-checked"]["error"] is None
    assert res["cp"]["size"] == sum(os.path.getsize(p) for p in (
        [str(tmp_path / "work" / "src" / "benchapp" / n) for n in bench.APP] + [os.path.join(BIN, "launcher")]))
    # The report: machine, the case's table with every tool, and the verdicts.
    assert re.search(r"Machine: \d+ CPUs", text)
    assert "Not measured: pex (no pex checkout (PEX_SRC)); shiv (no shiv checkout (SHIV_SRC))" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for label in ("rules_pex", "rules_pex, --checked-wheel", "python -m zipapp", "floor: plain venv",
                  "floor: python -c pass", "floor: cp of the inputs"):
        assert any(r.startswith("| %s |" % label) for r in rows), label
    targets = [r for r in rows if r.startswith("| warm start, trivial app")]
    assert len(targets) == 2
    for r in targets:
        assert re.search(r"\| \d+\.\d{3}× \| \d+\.\d{3}× \| \d+\.\d{3}× \| (met|missed by \d+%) \|$", r), r
    assert "## heavy app" not in text
    # --render writes the same report again from the raw results.
    again = tmp_path / "again.md"
    assert bench.main(["--render", str(raw), "--out", str(again), "--no-findings",
                       "--bin", BIN, "--wheelhouse", WHEELHOUSE, "--work", str(tmp_path / "work")]) == 0
    assert again.read_text() == text
    # A device is written in place, never replaced (make bench-smoke writes to /dev/null).
    assert bench.main(["--render", str(raw), "--out", os.devnull, "--no-findings",
                       "--bin", BIN, "--wheelhouse", WHEELHOUSE, "--work", str(tmp_path / "work")]) == 0
    assert not os.path.isfile(os.devnull) and not os.path.exists(os.devnull + ".tmp")
