"""Checks, in the shipped file, that every locked project is importable."""

import attrs
import msgpack
import requests
import yaml

assert msgpack.unpackb(msgpack.packb({"a": [1, 2]})) == {"a": [1, 2]}
assert yaml.safe_load("a: 1") == {"a": 1}
assert requests.__version__ == "2.28.1", requests.__version__
assert attrs.__version__ == "22.2.0", attrs.__version__
print("ok")
