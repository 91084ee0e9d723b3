"""Deterministic wheel files: names, RECORD, and the zip layout.

Follows the binary distribution format spec (packaging.python.org, "Binary distribution
format"): `{name}-{version}-{tag}.whl` with the name escaped, a `.dist-info` directory
with METADATA, WHEEL and RECORD, RECORD listing every file with its sha256 (urlsafe
base64, no padding) and size.

The same members always give the same bytes: entries sorted (the .dist-info directory
last and RECORD the very last entry, as the spec recommends), every timestamp
1980-01-01 00:00:00, modes 0644 or 0755, no extra fields, deflate at a fixed level.
"""

import base64
import csv
import hashlib
import io
import os
import re
import tempfile
import zipfile

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 6
GENERATOR = "rules_pex make-wheelhouse 1"


def escape_name(name):
    """Return the distribution name as it appears in wheel and .dist-info names.

    Runs of "-", "_" and "." become one "_", and letters are lowercased.
    """
    return re.sub(r"[-_.]+", "_", name).lower()


def wheel_filename(name, version, tag):
    """Return the wheel file name; version must already be PEP 440 normalized."""
    return "{}-{}-{}.whl".format(escape_name(name), version, tag)


def dist_info_dir(name, version):
    """Return the .dist-info directory name for a distribution."""
    return "{}-{}.dist-info".format(escape_name(name), version)


def record_hash(data):
    """Return a RECORD hash field: sha256=<urlsafe base64 without padding>."""
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def wheel_metadata(tag, purelib):
    """Return the text of the WHEEL file."""
    return ("Wheel-Version: 1.0\n"
            "Generator: {}\n"
            "Root-Is-Purelib: {}\n"
            "Tag: {}\n").format(GENERATOR, "true" if purelib else "false", tag)


def record_text(entries):
    """Return RECORD for (path, data) entries; the RECORD line itself comes last."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    record_path = None
    for path, data in entries:
        writer.writerow([path, record_hash(data), len(data)])
        record_path = path.split("/", 1)[0] + "/RECORD"
    if record_path is None:
        raise ValueError("a wheel needs at least one file")
    writer.writerow([record_path, "", ""])
    return out.getvalue()


def ordered(paths, dist_info):
    """Sort archive paths: package files first, then the .dist-info files."""
    prefix = dist_info + "/"
    return sorted(paths, key=lambda p: (p.startswith(prefix), p))


def write_wheel(path, members, dist_info):
    """Write a wheel to path, atomically.

    members maps archive paths to (data, mode) for every file except RECORD, which is
    computed here. mode is 0o644 or 0o755.
    """
    for name, (_, mode) in members.items():
        if mode not in (0o644, 0o755):
            raise ValueError("{}: mode {:o} is neither 0644 nor 0755".format(name, mode))
        if name.startswith("/") or ".." in name.split("/") or "\\" in name:
            raise ValueError("{}: not a safe relative path".format(name))
    record = dist_info + "/RECORD"
    if record in members:
        raise ValueError("RECORD is computed, not given")
    names = ordered(members, dist_info)
    entries = [(n, members[n][0]) for n in names]
    entries.append((record, record_text(entries).encode("utf-8")))
    modes = {n: members[n][1] for n in names}
    modes[record] = 0o644

    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".whl", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED,
                                 compresslevel=COMPRESS_LEVEL) as zf:
                for name, data in entries:
                    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
                    info.create_system = 3  # Unix, so external_attr carries the mode.
                    info.external_attr = (0o100000 | modes[name]) << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(info, data, compresslevel=COMPRESS_LEVEL)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
