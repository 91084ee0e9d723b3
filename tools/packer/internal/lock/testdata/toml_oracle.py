"""The TOML oracle of toml_test.go: parses each document it is sent with the
standard library's tomllib and prints, per document, either the error or the
value in the tagged form the Go test builds (strings, integers, booleans and
dates tagged with their type; floats as JSON numbers, or tagged when they
are not finite)."""

import json
import math
import sys
import tomllib


def tag(v):
    if isinstance(v, dict):
        return {k: tag(x) for k, x in v.items()}
    if isinstance(v, list):
        return [tag(x) for x in v]
    if isinstance(v, bool):
        return {"type": "bool", "value": "true" if v else "false"}
    if isinstance(v, int):
        return {"type": "integer", "value": str(v)}
    if isinstance(v, float):
        if math.isnan(v):
            return {"type": "float", "value": "nan"}
        if math.isinf(v):
            return {"type": "float", "value": "inf" if v > 0 else "-inf"}
        return {"type": "float", "number": v}
    if isinstance(v, str):
        return {"type": "string", "value": v}
    return {"type": "datetime"}


out = []
for doc in json.load(sys.stdin):
    try:
        out.append({"ok": True, "value": tag(tomllib.loads(doc))})
    except tomllib.TOMLDecodeError as e:
        out.append({"ok": False, "error": str(e)})
json.dump(out, sys.stdout)
