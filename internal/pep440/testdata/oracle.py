"""Oracle for the pep440 tests: evaluates a batch of versions and specifier
sets with the Python "packaging" library.

Reads one JSON request on stdin and writes one JSON response on stdout:

request:  {"versions": [str], "pairs": [[i, j]], "specs": [str],
           "contains": [[spec_index, version_string]]}
response: {"packaging": str,
           "versions": [null | {"str", "pre", "dev", "post", "public", "base",
                                "release", "epoch", "local"}],
           "pairs": [-1 | 0 | 1],          # compare(versions[i], versions[j])
           "specs": [null | str],           # canonical form, null if invalid
           "contains": [null | [bool, bool]]}  # default, prereleases=True

The canonical form of a specifier set is each clause as its operator and
normalized version (".*" kept, "===" operands verbatim), sorted, without
duplicates, joined by ",". Containment is evaluated on the canonical
clauses, so packaging's handling of unusual spellings inside "~=" (it
derives the prefix from the text as written) does not leak into results.
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
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version


def main():
    req = json.load(sys.stdin)
    out = {"packaging": packaging.__version__}

    versions = []
    parsed = []
    for s in req["versions"]:
        try:
            v = Version(s)
        except InvalidVersion:
            versions.append(None)
            parsed.append(None)
            continue
        parsed.append(v)
        versions.append(
            {
                "str": str(v),
                "pre": v.is_prerelease,
                "dev": v.is_devrelease,
                "post": v.is_postrelease,
                "public": v.public,
                "base": v.base_version,
                "release": [str(x) for x in v.release],
                "epoch": str(v.epoch),
                "local": v.local or "",
            }
        )
    out["versions"] = versions

    pairs = []
    for i, j in req["pairs"]:
        a, b = parsed[i], parsed[j]
        pairs.append((a > b) - (a < b))
    out["pairs"] = pairs

    specs = []
    canon_sets = []
    for s in req["specs"]:
        try:
            SpecifierSet(s)
            c = oracletest.canonical_specifier(s)
        except (InvalidSpecifier, InvalidVersion):
            specs.append(None)
            canon_sets.append(None)
            continue
        specs.append(c)
        canon_sets.append(SpecifierSet(c))
    out["specs"] = specs

    contains = []
    for i, v in req["contains"]:
        ss = canon_sets[i]
        try:
            contains.append([ss.contains(v), ss.contains(v, prereleases=True)])
        except InvalidVersion:
            # packaging asks every "===" operand whether it is a
            # pre-release, which fails for operands that are not versions.
            contains.append(None)
    out["contains"] = contains

    json.dump(out, sys.stdout)


main()
