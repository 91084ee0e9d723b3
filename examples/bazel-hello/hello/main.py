"""Says hello from inside a single-file archive; --check tests that it runs as built."""
import os
import sys


def greeting(argv):
    return "Hello from %s %d.%d, args %s" % (
        sys.implementation.name,
        sys.version_info[0],
        sys.version_info[1],
        argv,
    )


def main(argv):
    if argv[:1] == ["--check"]:
        text = greeting(argv[1:])
        assert text.startswith("Hello from cpython 3."), text
        # The archive is extracted to disk: this module is a real file.
        assert os.path.isfile(__file__), __file__
        print("ok:", text)
        return 0
    print(greeting(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
