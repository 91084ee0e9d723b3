"""Round-trips a document through YAML and msgpack, with locked wheels."""

import sys

import attrs
import msgpack
import requests
import yaml


def main():
    doc = yaml.safe_load("name: lock\nargs: %s\n" % (sys.argv[1:],))
    packed = msgpack.packb(doc)
    back = msgpack.unpackb(packed)
    version = ".".join(map(str, msgpack.version))
    print("msgpack %s round-tripped %s in %d bytes" % (version, back, len(packed)))
    print("requests %s, attrs %s" % (requests.__version__, attrs.__version__))


if __name__ == "__main__":
    main()
