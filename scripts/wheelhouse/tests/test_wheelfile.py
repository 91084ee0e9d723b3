"""The deterministic wheel writer, checked by verify.check_wheel and by reading the zip back."""

import base64
import csv
import hashlib
import io
import os
import zipfile

import pytest

import verify
import wheelfile


@pytest.mark.parametrize("name,escaped", [
    ("Flask", "flask"),
    ("python-dateutil", "python_dateutil"),
    ("typing_extensions", "typing_extensions"),
    ("lazr.uri", "lazr_uri"),
    ("zope--.interface", "zope_interface"),
    ("PyYAML", "pyyaml"),
])
def test_escape_name(name, escaped):
    assert wheelfile.escape_name(name) == escaped


def test_names():
    assert wheelfile.wheel_filename("python-dateutil", "2.8.2", "py3-none-any") \
        == "python_dateutil-2.8.2-py3-none-any.whl"
    assert wheelfile.wheel_filename("pluggy", "1.0.0+repack", "py3-none-any") \
        == "pluggy-1.0.0+repack-py3-none-any.whl"
    assert wheelfile.dist_info_dir("PyYAML", "6.0") == "pyyaml-6.0.dist-info"


def test_record_hash():
    # The well-known sha256 of the empty string, urlsafe base64 without padding.
    assert wheelfile.record_hash(b"") == "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
    data = b"x" * 1000
    want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")
    assert wheelfile.record_hash(data) == "sha256=" + want


def members(tag="py3-none-any", extra=None):
    di = "demo_pkg-1.0.dist-info"
    m = {
        "demo/__init__.py": (b"VALUE = 1\n", 0o644),
        "demo/tool.sh": (b"#!/bin/sh\n", 0o755),
        "demo/a,b.txt": (b"comma in the name\n", 0o644),
        di + "/METADATA": (b"Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n"
                           b"Requires-Dist: six>=1.5\n", 0o644),
        di + "/WHEEL": (wheelfile.wheel_metadata(tag, purelib=tag == "py3-none-any").encode(), 0o644),
    }
    m.update(extra or {})
    return m, di


def write(tmp_path, name="demo_pkg-1.0-py3-none-any.whl", **kw):
    m, di = members(**kw)
    path = str(tmp_path / name)
    wheelfile.write_wheel(path, m, di)
    return path


def test_written_wheel_is_valid_and_laid_out(tmp_path):
    path = write(tmp_path)
    assert verify.check_wheel(path) == []
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names == ["demo/__init__.py", "demo/a,b.txt", "demo/tool.sh",
                         "demo_pkg-1.0.dist-info/METADATA", "demo_pkg-1.0.dist-info/WHEEL",
                         "demo_pkg-1.0.dist-info/RECORD"]
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.create_system == 3
            assert info.extra == b""
        assert zf.getinfo("demo/tool.sh").external_attr >> 16 == 0o100755
        assert zf.getinfo("demo/__init__.py").external_attr >> 16 == 0o100644
        rows = list(csv.reader(io.StringIO(zf.read("demo_pkg-1.0.dist-info/RECORD").decode())))
    assert rows[-1] == ["demo_pkg-1.0.dist-info/RECORD", "", ""]
    assert ["demo/a,b.txt", wheelfile.record_hash(b"comma in the name\n"), "18"] in rows
    assert len(rows) == len(names)


def test_same_members_same_bytes(tmp_path):
    a = write(tmp_path)
    os.rename(a, str(tmp_path / "first.whl"))
    old_umask = os.umask(0o077)
    try:
        b = write(tmp_path)
    finally:
        os.umask(old_umask)
    with open(str(tmp_path / "first.whl"), "rb") as f1, open(b, "rb") as f2:
        assert f1.read() == f2.read()
    assert os.stat(b).st_mode & 0o777 == 0o644


def test_write_wheel_refuses_bad_members(tmp_path):
    m, di = members()
    with pytest.raises(ValueError):
        wheelfile.write_wheel(str(tmp_path / "x.whl"), dict(m, **{"../evil.py": (b"", 0o644)}), di)
    with pytest.raises(ValueError):
        wheelfile.write_wheel(str(tmp_path / "x.whl"), dict(m, **{"demo/x.py": (b"", 0o600)}), di)
    with pytest.raises(ValueError):
        wheelfile.write_wheel(str(tmp_path / "x.whl"), dict(m, **{di + "/RECORD": (b"", 0o644)}), di)
    assert os.listdir(str(tmp_path)) == []


def rewrite_zip(src, dst, change):
    """Copy a wheel entry by entry; change(info, data) returns (info, data) or None to drop."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            got = change(info, zin.read(info.filename))
            if got is not None:
                zout.writestr(*got)


def corrupt_data(name):
    def change(info, data):
        return (info, data + b"# changed\n") if info.filename == name else (info, data)
    return change


def drop(name):
    return lambda info, data: None if info.filename == name else (info, data)


@pytest.mark.parametrize("change,problem", [
    (corrupt_data("demo/__init__.py"), "RECORD hash or size does not match"),
    (drop("demo/__init__.py"), "RECORD and archive differ"),
    (drop("demo_pkg-1.0.dist-info/WHEEL"), "missing"),
    (lambda info, data: (zipfile.ZipInfo(info.filename, (2020, 5, 5, 0, 0, 0)), data),
     "is not 1980-01-01"),
])
def test_check_wheel_finds_damage(tmp_path, change, problem):
    good = write(tmp_path)
    bad = str(tmp_path / "bad" / os.path.basename(good))
    os.mkdir(str(tmp_path / "bad"))
    rewrite_zip(good, bad, change)
    problems = verify.check_wheel(bad)
    assert any(problem in p for p in problems), problems


def test_check_wheel_finds_bytecode_and_wrong_tags(tmp_path):
    pyc = {"demo/__pycache__/x.cpython-311.pyc": (b"\0", 0o644)}
    assert any("byte code" in p for p in verify.check_wheel(write(tmp_path, extra=pyc)))
    so = {"demo/_speed.cpython-311-x86_64-linux-gnu.so": (b"\x7fELF", 0o644)}
    problems = verify.check_wheel(write(tmp_path, extra=so))
    assert any("has extension modules" in p for p in problems), problems
    # A native wheel under a name whose tag differs from WHEEL's Tag.
    path = write(tmp_path, name="demo_pkg-1.0-cp311-cp311-linux_x86_64.whl", tag="cp311-cp311-linux_x86_64",
                 extra=so)
    assert verify.check_wheel(path) == []
    os.rename(path, str(tmp_path / "demo_pkg-1.0-cp39-cp39-linux_x86_64.whl"))
    problems = verify.check_wheel(str(tmp_path / "demo_pkg-1.0-cp39-cp39-linux_x86_64.whl"))
    assert any("does not match the file name tag" in p for p in problems), problems


@pytest.mark.parametrize("filename,problem", [
    ("Demo_Pkg-1.0-py3-none-any.whl", "not escaped"),
    ("demo_pkg-1.00-py3-none-any.whl", "not normalized"),
    ("demo_pkg-py3-none-any.whl", "bad file name"),
    ("demo_pkg-2.0-py3-none-any.whl", "dist-info directories"),
])
def test_check_wheel_checks_the_file_name(tmp_path, filename, problem):
    path = write(tmp_path)
    os.rename(path, str(tmp_path / filename))
    problems = verify.check_wheel(str(tmp_path / filename))
    assert any(problem in p for p in problems), problems


def test_check_wheel_on_garbage(tmp_path):
    path = tmp_path / "demo_pkg-1.0-py3-none-any.whl"
    path.write_bytes(b"not a zip")
    assert any("not a zip" in p for p in verify.check_wheel(str(path)))
