"""Reads a JSON request on stdin and answers on stdout what Python's reference
implementations make of it: packaging.utils.parse_wheel_filename for wheel
file names, email.parser for METADATA headers, and configparser (as the entry
points specification says) for entry_points.txt. Exit code 3: no packaging.
"""
import configparser
import email.parser
import email.policy
import json
import os
import re
import sys

# oracletest.py (internal/oracletest) holds what the oracle scripts share;
# importing it must leave no __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "oracletest"))
import oracletest  # noqa: E402  (exits 3 when packaging is missing)

with oracletest.packaging_required():
    from packaging.utils import parse_wheel_filename


def filename(s):
    try:
        name, version, build, tags = parse_wheel_filename(s)
    except Exception as e:  # InvalidWheelFilename, InvalidVersion
        return {"ok": False, "error": str(e)}
    return {
        "ok": True,
        "name": name,
        "version": str(version),
        "build": "%d%s" % build if build else "",
        "tags": sorted(str(t) for t in tags),
    }


def unfold(v):
    return re.sub(r"\s*\n\s*", " ", v).strip()


def metadata(s):
    msg = email.parser.HeaderParser(policy=email.policy.compat32).parsestr(s)
    one = lambda k: unfold(msg[k]) if k in msg else ""
    return {
        "name": one("Name"),
        "version": one("Version"),
        "metadata_version": one("Metadata-Version"),
        "requires_python": one("Requires-Python"),
        "requires_dist": [unfold(v) for v in msg.get_all("Requires-Dist", [])],
        "provides_extra": [unfold(v) for v in msg.get_all("Provides-Extra", [])],
    }


def entry_points(s):
    cp = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    cp.optionxform = str
    try:
        cp.read_string(s)
    except configparser.Error as e:
        return {"ok": False, "error": str(e)}
    return {"ok": True, "groups": {g: dict(cp[g]) for g in cp.sections()}}


req = json.load(sys.stdin)
json.dump(
    {
        "filenames": [filename(s) for s in req.get("filenames") or []],
        "metadata": [metadata(s) for s in req.get("metadata") or []],
        "entry_points": [entry_points(s) for s in req.get("entry_points") or []],
    },
    sys.stdout,
)
