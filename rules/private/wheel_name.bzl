"""Project names from wheel file names."""

def normalize_project(name):
    """Normalizes a project name as PEP 503 says: lowercase, runs of `-`, `_`, `.` become `-`."""
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
    """Returns the normalized project name of a wheel file name (`Flask-2.2.2-py3-none-any.whl` → `flask`)."""
    return normalize_project(basename.split("-")[0])
