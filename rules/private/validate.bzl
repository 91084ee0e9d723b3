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

def _file_entry_point(entry_point):
    """Returns the module form of an entry point written as a file ("tool.py:main", "app/main.py"), or None.

    The packer's fileEntryPoint (tools/packer/internal/pack) does the same.
    """
    module, sep, function = entry_point.partition(":")
    if not module.endswith(".py") and "/" not in module:
        return None
    module = module.strip("/")
    if module.endswith(".py"):
        module = module[:-len(".py")]
    if module.startswith("./"):
        module = module[len("./"):]
    if module.endswith("/__init__"):
        module = module[:-len("/__init__")]
    return module.replace("/", ".") + sep + function

def check_entry_point(entry_point):
    """Checks an entry point.

    Args:
      entry_point: `MODULE` or `MODULE:FUNCTION` (FUNCTION may be dotted),
        with Python identifiers, which may be non-ASCII.

    Returns:
      An error message, or None.
    """
    fixed = _file_entry_point(entry_point)
    if fixed != None:
        return "entry_point %r names a file, but an entry point names a module (MODULE or MODULE:FUNCTION, dotted, without .py): write entry_point = %r" % (entry_point, fixed)
    module, sep, function = entry_point.partition(":")
    if not _is_dotted_name(module) or (sep and not _is_dotted_name(function)):
        return "entry_point %r is not MODULE or MODULE:FUNCTION with dotted Python identifiers (e.g. \"app.main\" or \"app.main:run\")" % entry_point
    return None

# The variables an archive's env may not set: internal/layout.ReservedEnvVar's
# rule and words (tests/contract checks that they agree).
_LAUNCHER_ENV_VAR = "PEX"
_LAUNCHER_ENV_PREFIX = "PEX_"
_INTERNAL_ENV_PREFIX = "__RULES_PEX_"
_ENV_VAR_FIXES = {
    "PEX_INHERIT_PATH": "set inherit_path instead",
    "PEX_MODULE": "set entry_point instead",
    "PEX_PYTHON": "set interpreter_constraints instead, or PEX_PYTHON where the file runs",
    "PEX_PYTHON_PATH": "set interpreter_constraints instead, or PEX_PYTHON_PATH where the file runs",
    "PEX_SCRIPT": "set script instead",
}
_PEX_REASON = "the launcher sets PEX to the archive's path"
_INTERNAL_REASON = "names starting with __RULES_PEX_ are the launcher's own"
_SETTING_REASON = "the launcher reads its PEX_* settings before the archive's env applies, so the value would be ignored"
_OTHER_NAME_FIX = "choose another name"
_SETTING_FIX = "set it where the file runs (in the shell, or test_env for a pex_test)"

def _reserved_env_var(key):
    """Returns (reason, fix) when an archive's env may not set key, else None."""
    if key == _LAUNCHER_ENV_VAR:
        return (_PEX_REASON, _OTHER_NAME_FIX)
    if key.startswith(_INTERNAL_ENV_PREFIX):
        return (_INTERNAL_REASON, _OTHER_NAME_FIX)
    if key.startswith(_LAUNCHER_ENV_PREFIX):
        return (_SETTING_REASON, _ENV_VAR_FIXES.get(key, _SETTING_FIX))
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
    reserved = _reserved_env_var(key)
    if reserved:
        return "env key %r: %s; %s" % (key, reserved[0], reserved[1])
    if "\n" in value or "\r" in value:
        return "env value of %r contains a line break, which the packer's parameter file cannot carry; remove it" % key
    return None
