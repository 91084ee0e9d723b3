"""Analysis-time checks of pex_binary's attributes, mirroring what the packer checks.

Each check returns an error message (without the rule's label), or None.
The packer checks everything again at build time; these only make mistakes
show up during analysis, with a hint about the fix.
"""

_IMPLEMENTATIONS = ["CPython", "PyPy", "Jython", "IronPython"]

# Longest first, so "<=" is not read as "<".
_OPERATORS = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_IDENTIFIER_START = _LETTERS + "_"
_IDENTIFIER = _IDENTIFIER_START + _DIGITS
_VERSION_CHARS = _LETTERS + _DIGITS + ".*+!-_"

def _all_in(s, chars):
    for c in s.elems():
        if c not in chars:
            return False
    return True

def _check_specifier(item):
    op = None
    for candidate in _OPERATORS:
        if item.startswith(candidate):
            op = candidate
            break
    if op == None:
        return "%r has no comparison operator (one of %s)" % (item, ", ".join(_OPERATORS))
    version = item[len(op):].strip()
    if not version:
        return "%r has no version after %r" % (item, op)
    if not version[0] in _DIGITS or not _all_in(version, _VERSION_CHARS):
        return "%r: %r is not a PEP 440 version" % (item, version)
    if "*" in version and (op not in ("==", "!=") or not version.endswith(".*") or version.count("*") != 1):
        return "%r: a wildcard is only allowed as a trailing .* after == or !=" % item
    return None

def check_interpreter_constraint(constraint):
    """Checks one interpreter constraint in PEX's syntax.

    Args:
      constraint: e.g. `CPython>=3.9,<3.13`, `PyPy` or `>=3.8`.

    Returns:
      An error message, or None.
    """
    s = constraint.strip()
    if not s:
        return "an interpreter constraint is empty"
    i = 0
    for c in s.elems():
        if c not in _LETTERS:
            break
        i += 1
    name = s[:i]
    if name and name.lower() not in [impl.lower() for impl in _IMPLEMENTATIONS]:
        return "interpreter constraint %r names the implementation %r, which is not one of %s" % (constraint, name, ", ".join(_IMPLEMENTATIONS))
    rest = s[i:].strip()
    if not rest:
        return None
    for item in rest.split(","):
        item = item.strip()
        if not item:
            return "interpreter constraint %r has an empty specifier between commas" % constraint
        err = _check_specifier(item)
        if err:
            return "interpreter constraint %r: %s" % (constraint, err)
    return None

# ASCII characters that are never part of a Python identifier (tests/contract
# checks this and _DIGITS against internal/layout.IsIdentifier).
_NOT_IDENTIFIER = " \t\n\r!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~"

def _is_dotted_name(s):
    # Python identifiers are Unicode (PEP 3131): this check only refuses
    # what is plainly wrong in ASCII and lets every other character through.
    # The packer applies the precise rule (internal/layout.ParseEntryPoint),
    # so analysis never refuses what the packer accepts.
    if not s:
        return False
    for part in s.split("."):
        if not part or part[0] in _DIGITS:
            return False
        for c in part.elems():
            if c in _NOT_IDENTIFIER:
                return False
    return True

def check_entry_point(entry_point):
    """Checks an entry point.

    Args:
      entry_point: `MODULE` or `MODULE:FUNCTION` (FUNCTION may be dotted),
        with Python identifiers, which may be non-ASCII.

    Returns:
      An error message, or None.
    """
    module, sep, function = entry_point.partition(":")
    if not _is_dotted_name(module) or (sep and not _is_dotted_name(function)):
        return "entry_point %r is not MODULE or MODULE:FUNCTION with dotted Python identifiers (e.g. \"app.main\" or \"app.main:run\")" % entry_point
    return None

def check_env(key, value):
    """Checks one variable of `env`.

    Args:
      key: the variable's name.
      value: its value.

    Returns:
      An error message, or None.
    """
    if not key or key[0] not in _IDENTIFIER_START or not _all_in(key, _IDENTIFIER):
        return "env key %r is not a valid environment variable name; use letters, digits and _, not starting with a digit" % key
    if "\n" in value or "\r" in value:
        return "env value of %r contains a line break, which the packer's parameter file cannot carry; remove it" % key
    return None
