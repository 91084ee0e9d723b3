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
import statistics
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
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
    # Builds whose first two rounds took under half a second get four times
    # the rounds; the others keep two. The packer's and cp's are always fast;
    # venv's and zipapp's are near the line on some machines, so each is held
    # to the rule by its own first rounds.
    for tool in ("rules_pex", "rules_pex-checked", "cp"):
        assert len(res[tool]["build"]) == 8
    for tool in ("rules_pex", "rules_pex-checked", "cp", "venv", "zipapp"):
        builds = res[tool]["build"]
        fast = statistics.median(s["wall"] for s in builds[:2]) < bench.FAST_BUILD
        assert len(builds) == (8 if fast else 2), (tool, builds)
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
    # The plots, next to the report and linked from it.
    plots = {p.name: p.read_bytes() for p in (tmp_path / "bench").iterdir()}
    assert sorted(plots) == ["build.svg", "cold.svg", "rss.svg", "size.svg", "warm.svg"]
    for name, svg in plots.items():
        assert "](bench/%s)" % name in text
        assert {r.get("data-key") for r in ET.fromstring(svg).iter(SVG + "rect") if r.get("class") == "bar"}
    # --render writes the same report and plots again from the raw results.
    again = tmp_path / "again.md"
    assert bench.main(["--render", str(raw), "--out", str(again), "--no-findings",
                       "--bin", BIN, "--wheelhouse", WHEELHOUSE, "--work", str(tmp_path / "work")]) == 0
    assert again.read_text() == text
    assert {p.name: p.read_bytes() for p in (tmp_path / "bench").iterdir()} == plots
    # A device is written in place, never replaced (make bench-smoke writes to /dev/null).
    assert bench.main(["--render", str(raw), "--out", os.devnull, "--no-findings",
                       "--bin", BIN, "--wheelhouse", WHEELHOUSE, "--work", str(tmp_path / "work")]) == 0
    assert not os.path.isfile(os.devnull) and not os.path.exists(os.devnull + ".tmp")
    assert not os.path.exists(os.path.join(os.path.dirname(os.devnull), bench.PLOT_DIR))


# --- the plots ----------------------------------------------------------------


def fake_results():
    """Results as a run stores them (Samples decoded), of two cases: every
    kind of tool, one that failed, one without a result for a case, and a
    tool the harness does not know by name."""
    def runs(*walls):
        return [bench.Sample(x, x / 2, int(8000 + 1000 * x)) for x in walls]

    def ok(build, size, cold, warm):
        return {"build": runs(*build), "size": size, "cold": runs(*cold), "warm": runs(*warm), "error": None}

    trivial = {
        "rules_pex": ok([0.011, 0.009, 0.014], 3_700_000, [0.12, 0.10, 0.15], [0.034, 0.030]),
        "rules_pex-checked": dict(ok([0.010], 3_700_000, [], []), cold=[], warm=[]),
        "zipapp": {"build": runs(0.09), "cold": [], "warm": [], "error": "cold: exited with 1"},
        "future-tool": ok([2.5, 2.0, 3.0], 12_000, [0.3, 0.2], [0.2, 0.1]),
        "venv": ok([1.8, 1.6], 20_000, [0.046], [0.028]),
        "python": {"build": [], "size": None, "cold": runs(0.040), "warm": runs(0.024), "error": None},
        "cp": dict(ok([0.006], 3_600_000, [], [])),
    }
    heavy = {k: v for k, v in trivial.items() if k != "future-tool"}
    heavy["rules_pex"] = ok([0.56, 0.43], 12_600_000, [4.0, 2.6, 5.3], [0.70, 0.58])
    bazel = {"results": {"bazel-pex": {"clean": [4.2, 3.6], "rebuild": [0.6], "size": 12_700_000,
                                       "cold": runs(3.4), "warm": runs(0.61)},
                         "bazel-zip": {"error": "build failed"}}, "notes": []}
    results = {"trivial": {"results": trivial, "load": [1.0]}, "heavy": {"results": heavy, "load": [1.0]},
               "bazel": bazel}
    tools = ["rules_pex", "rules_pex-checked", "zipapp", "future-tool", "venv", "python", "cp"]
    cases = [c for c in bench.CASES if c.name in ("trivial", "heavy")]
    return results, tools, cases


def figures():
    results, tools, cases = fake_results()
    return {f: ET.fromstring(text) for f, _, text in bench.plot_figures(results, tools, cases)}


def bars(svg):
    return {(r.get("data-group"), r.get("data-key")): r for r in svg.iter(SVG + "rect") if r.get("class") == "bar"}


def missing(svg):
    return {(t.get("data-group"), t.get("data-key")): t.text for t in svg.iter(SVG + "text") if t.get("class") == "na"}


def test_plots_are_svg_images_of_every_measure():
    figs = figures()
    assert sorted(figs) == ["build.svg", "cold.svg", "rss.svg", "size.svg", "warm.svg"]
    for svg in figs.values():
        assert svg.tag == SVG + "svg"
        w, h = int(svg.get("width")), int(svg.get("height"))
        assert svg.get("viewBox") == "0 0 %d %d" % (w, h) and svg.get("font-family") == "sans-serif"
        assert not list(svg.iter(SVG + "script")) and not list(svg.iter(SVG + "style"))
        labels = [t.text for t in svg.iter(SVG + "text")]
        assert "floor: plain venv" in labels and "future-tool" in labels
        assert any(x.startswith("wall time, ") or x.startswith(("output size, ", "peak RSS, ")) for x in labels)


def test_plots_have_one_bar_per_tool_and_case_with_a_value():
    figs = figures()
    cold = bars(figs["cold.svg"])
    want = {(c, t) for c in ("trivial", "heavy") for t in ("rules_pex", "venv", "python")}
    assert set(cold) == want | {("trivial", "future-tool"), ("bazel", "bazel-pex")}
    assert set(bars(figs["build.svg"])) == {(c, t) for c in ("trivial", "heavy")
                                            for t in ("rules_pex", "rules_pex-checked", "venv", "cp")} | {
        ("trivial", "future-tool"), ("bazel", "bazel-pex")}
    assert float(cold[("trivial", "rules_pex")].get("data-value")) == pytest.approx(120)  # ms
    assert float(cold[("heavy", "rules_pex")].get("data-value")) == pytest.approx(4.0)  # s
    # Floors look different from the tools.
    assert cold[("trivial", "venv")].get("fill") == "url(#floor)"
    assert cold[("trivial", "rules_pex")].get("fill").startswith("#")


def test_plots_show_missing_values_as_na():
    figs = figures()
    for f in ("cold.svg", "build.svg", "size.svg"):
        na = missing(figs[f])
        assert na[("trivial", "zipapp")] == "n/a (failed)"
        assert na[("heavy", "future-tool")] == "n/a (not measured)"
        assert na[("bazel", "bazel-zip")] == "n/a (failed)"
        assert not set(na) & set(bars(figs[f]))


def test_plot_bars_scale_with_their_values():
    for f, svg in figures().items():
        for case in ("trivial", "heavy", "bazel"):
            group = {k: r for (g, k), r in bars(svg).items() if g == case}
            value = {k: float(r.get("data-value")) for k, r in group.items()}
            width = {k: float(r.get("width")) for k, r in group.items()}
            assert max(width, key=width.get) == max(value, key=value.get), (f, case)
            longest = max(value, key=value.get)
            for k in group:
                assert width[k] / width[longest] == pytest.approx(value[k] / value[longest], abs=0.01), (f, case, k)


def test_plots_are_deterministic():
    a = bench.plot_figures(*fake_results())
    b = bench.plot_figures(*fake_results())
    assert a == b


def test_report_links_its_plots(tmp_path):
    results, tools, cases = fake_results()
    out = tmp_path / "BENCHMARKS.md"
    links = bench.write_plots(bench.plots_dir(str(out)), bench.plot_figures(results, tools, cases))
    meta = {"date": "d", "minutes": 1, "machine": bench.machine(), "load": "1", "versions": {}, "runs": 2,
            "cold_runs": 2, "build_runs": 2, "skipped": [], "python": "/usr/bin/python3.11"}
    text = bench.render(meta, {k: v for k, v in results.items() if k != "bazel"},
                        [bench.TOOL_CLASSES[t](None) for t in tools if t in bench.TOOL_CLASSES], cases, None, links)
    for f in ("cold", "warm", "build", "size", "rss"):
        assert re.search(r"^!\[[^\]]+\]\(bench/%s\.svg\)$" % f, text, re.M), f
        assert (tmp_path / "bench" / (f + ".svg")).is_file()
    assert bench.plots_dir("-") is None and bench.plots_dir(os.devnull) is None
    # A later run without a figure removes that figure's file of an earlier run.
    bench.write_plots(str(tmp_path / "bench"), [f for f in bench.plot_figures(results, tools, cases)
                                                if f[0] != "rss.svg"])
    assert not (tmp_path / "bench" / "rss.svg").exists() and (tmp_path / "bench" / "cold.svg").exists()


def test_results_are_kept_next_to_the_report(tmp_path):
    def path(*argv):
        return bench.results_path(bench.parse_args(list(argv)), str(tmp_path / "work"))
    assert path("--out", str(tmp_path / "docs" / "B.md")) == str(tmp_path / "docs" / "bench" / "results.json")
    assert (tmp_path / "docs" / "bench").is_dir()
    assert path("--out", "-") == str(tmp_path / "work" / "results.json")
    assert path("--out", "-", "--json", str(tmp_path / "r.json")) == str(tmp_path / "r.json")
