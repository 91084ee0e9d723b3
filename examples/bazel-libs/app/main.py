"""The app: a banner from a data file and a greeting from a library."""
import os
import sys

import greet


def banner():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "banner.txt")
    with open(path) as f:
        return f.read().strip()


def main():
    args = sys.argv[1:]
    if args == ["--check"]:
        assert banner().startswith("*** rules_pex example"), banner()
        assert greet.greet("check") == "Hello, check!", greet.greet("check")
        assert greet.words() == ["Hello", "Bonjour", "Hola"], greet.words()
        print("ok: data files and libraries are found next to their modules")
        return 0
    print(banner())
    for name in args or ["world"]:
        print(greet.greet(name))
    return 0
