"""The app's entry point (app.main:main)."""
import sys

import cryptography
import numpy

from app import compute


def main():
    x = compute.solve()
    print("numpy %s solved the system: x = %s" % (numpy.__version__, x.tolist()))
    signature = compute.sign(" ".join(sys.argv[1:]).encode())
    print("cryptography %s signed the arguments: %s" % (cryptography.__version__, signature.hex()))
    return 0
