"""Oracle for the pep508 tests: evaluates a batch of names, markers and
requirements with the Python "packaging" library.

Reads one JSON request on stdin and writes one JSON response on stdout:

request:  {"names": [str], "markers": [str], "envs": [{str: str}],
           "requirements": [str]}
response: {"packaging": str,
           "names": [str],                  # canonicalize_name
           "markers": [null | {"str": str,   # canonical form
                               "eval": [bool | "ErrorClassName"]}],  # per env
           "requirements": [null | {"name", "extras", "specifier", "url",
                                    "marker"}]}

Markers are parsed as the marker of a requirement ("x ;" + marker) because
packaging's Marker() ignores text after a complete marker, while the
requirement parser insists on reaching the end.

The canonical form of a marker is packaging's, with every literal compared
with "extra" normalized (PEP 685); packaging 23.0 normalizes only the first
comparison of a marker. The canonical form of a specifier set is each
clause as its operator and normalized version (".*" kept, "===" operands
verbatim), sorted, without duplicates, joined by ",".
"""

import json
import os
import sys

# oracletest.py (internal/oracletest) holds what the oracle scripts share;
# importing it must leave no __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "oracletest"))
import oracletest  # noqa: E402  (exits 3 when packaging is missing)

with oracletest.packaging_required():
    import packaging
    from packaging._parser import Value, Variable, parse_requirement
    from packaging.markers import _format_marker
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name


def normalize_extras(markers):
    out = []
    for m in markers:
        if isinstance(m, list):
            out.append(normalize_extras(m))
        elif isinstance(m, tuple):
            lhs, op, rhs = m
            if isinstance(lhs, Variable) and lhs.value == "extra" and isinstance(rhs, Value):
                rhs = Value(canonicalize_name(rhs.value))
            elif isinstance(rhs, Variable) and rhs.value == "extra" and isinstance(lhs, Value):
                lhs = Value(canonicalize_name(lhs.value))
            out.append((lhs, op, rhs))
        else:
            out.append(m)
    return out


def marker_str(marker):
    return _format_marker(normalize_extras(marker._markers))


def main():
    req = json.load(sys.stdin)
    out = {"packaging": packaging.__version__}
    out["names"] = [canonicalize_name(n) for n in req["names"]]

    markers = []
    for s in req["markers"]:
        try:
            m = Requirement("x ;" + s).marker
        except ValueError:
            markers.append(None)
            continue
        results = []
        for env in req["envs"]:
            try:
                results.append(m.evaluate(env))
            except Exception as e:  # the class name is the answer
                results.append(type(e).__name__)
        markers.append({"str": marker_str(m), "eval": results})
    out["markers"] = markers

    reqs = []
    for s in req["requirements"]:
        try:
            r = Requirement(s)
        except ValueError:
            reqs.append(None)
            continue
        reqs.append(
            {
                "name": r.name,
                "extras": sorted(r.extras),
                "specifier": oracletest.canonical_specifier(parse_requirement(s).specifier),
                "url": r.url or "",
                "marker": marker_str(r.marker) if r.marker else "",
            }
        )
    out["requirements"] = reqs

    json.dump(out, sys.stdout)


main()
