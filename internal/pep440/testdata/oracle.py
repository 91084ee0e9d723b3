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
import sys

try:
    import packaging
    from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
    from packaging.version import InvalidVersion, Version
except ImportError as e:  # pragma: no cover - reported by the Go test
    sys.stderr.write(f"cannot import packaging: {e}\n")
    sys.exit(3)


def canonical_clause(spec):
    op, ver = spec.operator, spec.version
    if op == "===":
        return op + ver
    if ver.endswith(".*"):
        return op + str(Version(ver[:-2])) + ".*"
    return op + str(Version(ver))


def canonical(text):
    # SpecifierSet drops clauses equal to another under its own notion of
    # equality (1.0 == 1); the canonical form keeps every distinct clause.
    clauses = [Specifier(c) for c in text.split(",") if c.strip()]
    return ",".join(sorted({canonical_clause(s) for s in clauses}))


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
            c = canonical(s)
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
