"""Shared fixtures: the scripts' directory on sys.path, and one real wheelhouse per run."""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(HERE)
sys.path.insert(0, SCRIPTS)
MAKE = os.path.join(SCRIPTS, "make-wheelhouse")

if sys.version_info[:2] != (3, 11) or sys.base_prefix != "/usr":
    sys.exit("run these tests with Debian's interpreter: /usr/bin/python3.11 -m pytest " + HERE)

try:
    import packaging  # noqa: F401  (Debian's python3-packaging: the oracle, and used by the script)
except ImportError:
    sys.exit("these tests need Debian's python3-packaging for /usr/bin/python3.11: "
             "apt-get install -y python3-packaging (make-wheelhouse installs it too)")


def run_make(*args):
    """Run make-wheelhouse; return the CompletedProcess (output in .stdout, merged)."""
    return subprocess.run([MAKE] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=900)


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory):
    """A wheelhouse built from scratch by the real script, from the real Debian packages."""
    out = str(tmp_path_factory.mktemp("wheelhouse"))
    result = run_make(out)
    assert result.returncode == 0, result.stdout
    return out
