"""What the oracle scripts of the Go tests share (the Python half of the Go
package oracletest): the exit code that tells the Go side packaging is
missing, and the canonical form of a specifier set that the pep440 and
pep508 tests compare with SpecifierSet.String().

An oracle script in internal/<pkg>/testdata imports it with

    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "oracletest"))
    import oracletest
"""

import contextlib
import sys

# oracletest.Run reports this exit code as python3-packaging missing.
EXIT_MISSING_PACKAGING = 3


@contextlib.contextmanager
def packaging_required():
    """Exits with EXIT_MISSING_PACKAGING if an import in the block fails."""
    try:
        yield
    except ImportError as e:  # pragma: no cover - reported by the Go test
        sys.stderr.write(f"cannot import packaging: {e}\n")
        sys.exit(EXIT_MISSING_PACKAGING)


with packaging_required():
    from packaging.specifiers import Specifier
    from packaging.utils import canonicalize_version
    from packaging.version import Version


def canonical_clause(spec):
    """One clause as its operator and normalized version (".*" kept, "==="
    operands verbatim)."""
    op, ver = spec.operator, spec.version
    if op == "===":
        return op + ver
    if ver.endswith(".*"):
        return op + str(Version(ver[:-2])) + ".*"
    return op + str(Version(ver))


def same_clause(spec):
    """What makes two clauses one for packaging >= 24 (its
    Specifier._canonical_spec): the operator and the version without
    trailing zeros, kept for "~="; "===" operands and prefix matches as
    written. (Debian's packaging 23.0 strips the zeros of "===" operands
    too.)"""
    op, ver = spec.operator, spec.version
    if op == "===" or ver.endswith(".*"):
        return op, ver
    return op, canonicalize_version(ver, strip_trailing_zero=(op != "~="))


def canonical_specifier(text):
    """The canonical form of a specifier set: its clauses in canonical form,
    sorted, without duplicates, joined by ",". Clauses that packaging takes
    for one (>1.0.0 and >1.0) count once: the first in that order stays, as
    str(SpecifierSet(">1.0.0,>1.0")) == ">1.0" in packaging >= 24."""
    clauses = {}
    for c in text.split(","):
        if c.strip():
            spec = Specifier(c)
            clauses.setdefault(canonical_clause(spec), spec)
    out, seen = [], set()
    for canonical in sorted(clauses):
        key = same_clause(clauses[canonical])
        if key not in seen:
            seen.add(key)
            out.append(canonical)
    return ",".join(out)
