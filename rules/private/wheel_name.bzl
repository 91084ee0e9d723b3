"""Project names from wheel file names."""

def normalize_project(name):
    """Normalizes a project name as PEP 503 says.

    Args:
      name: a project name, e.g. `Zope.Interface`.

    Returns:
      The name in lowercase, each run of `-`, `_` and `.` replaced by `-` (`zope-interface`).
    """
    out = []
    separator = False
    for c in name.lower().elems():
        if c in "-_.":
            separator = True
            continue
        if separator and out:
            out.append("-")
        separator = False
        out.append(c)
    return "".join(out)

def project_of_wheel(basename):
    """Returns the project of a wheel.

    Args:
      basename: the wheel's file name, e.g. `Flask-2.2.2-py3-none-any.whl`.

    Returns:
      The normalized project name (`flask`).
    """
    return normalize_project(basename.split("-")[0])
