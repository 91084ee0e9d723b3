"""A small app packed by `make example`: it uses a third-party wheel
(requests, from the wheelhouse) and a data file read next to its module."""
import os
import sys

import requests


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "greeting.txt")) as f:
        greeting = f.read().strip()
    impl = sys.implementation.name
    print(f"{greeting} from {impl} {sys.version.split()[0]} with requests {requests.__version__}")
    print(f"module file on disk: {__file__}")
    print(f"argv: {sys.argv[1:]}")


if __name__ == "__main__":
    main()
