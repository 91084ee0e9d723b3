"""Checks the app inside the shipped file: run with PEX_MODULE=app.check."""
import os
import sys

import numpy

from app import compute


def check():
    x = compute.solve()
    assert numpy.allclose(x, [2.0, 3.0]), x
    message = b"hello"
    assert compute.sign(message) == compute.expected_signature(message)
    # Native code was extracted to disk and loaded from there.
    core = os.path.dirname(numpy.core.__file__)
    assert any(name.endswith(".so") for name in os.listdir(core)), core
    print("ok: numpy %s and cryptography work from %s" % (numpy.__version__, sys.executable))


if __name__ == "__main__":
    check()
