# rules_pex's build-time byte-compiler: writes a bytecode bundle, the .pyc
# files of one tree (a wheel's installed tree, or an application's own
# sources) for the interpreter that runs it, for `packer build --bytecode`.
#
#   python3 precompile.py --out BUNDLE --wheel WHEEL
#   python3 precompile.py --out BUNDLE --source DEST=PATH... (or @PARAMS, one argument a line)
#   [--expect-version 3.11 --declared-by LABEL]   fail unless the interpreter is CPython 3.11
#
# The bundle is a zip, every entry stored, dated 1980-01-01, mode 0644, in
# name order: BYTECODE-INFO (JSON: the tree, the wheel's sha256, the cache
# tag, the magic number, the sha256 of the source of every .pyc), then one
# PEP 552 unchecked-hash .pyc per source that compiles, at the name the
# import system looks for (DIR/__pycache__/NAME.<cache tag>.pyc), relative
# to the tree. Its bytes depend only on the inputs and the interpreter: no
# timestamps (hash-based pycs), a fixed hash seed (set containers of
# constants are marshalled in hash order), sources compiled in name order,
# and file names in code objects relative to the tree (the import system
# replaces them with the real path when it loads the .pyc).
import hashlib
import importlib.util
import json
import marshal
import os
import sys
import zipfile

FORMAT = 1
EPOCH = (1980, 1, 1, 0, 0, 0)


def reexec_if_needed(argv):
    """Runs this script again with PYTHONHASHSEED=0 and nothing else in
    the environment unless it runs that way already."""
    if os.environ.get("PYTHONHASHSEED") == "0" and sys.flags.hash_randomization == 0 and sys.flags.optimize == 0:
        return
    env = {"PYTHONHASHSEED": "0"}
    os.execve(sys.executable, [sys.executable, "-S", "-s", "-B", os.path.abspath(__file__)] + argv, env)


def wheel_sources(path, tag):
    """(tree path, source bytes) of the .py files a wheel installs into
    site-packages (its root, .data/purelib and .data/platlib) whose .pyc
    for tag the wheel does not hold already."""
    out, names = [], set()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            name = info.filename
            if name.endswith("/"):
                continue
            first, _, rest = name.partition("/")
            if first.endswith(".data"):
                scheme, _, rest = rest.partition("/")
                if scheme not in ("purelib", "platlib"):
                    continue
                name = rest
            names.add("site-packages/" + name)
            if name.endswith(".py"):
                out.append(("site-packages/" + name, info))
        return [(src, z.read(info)) for src, info in out if pyc_name(src, tag) not in names]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pyc_name(src, tag):
    d, _, name = src.rpartition("/")
    base = name[: -len(".py")]
    return (d + "/" if d else "") + "__pycache__/" + base + "." + tag + ".pyc"


def compile_one(source, dfile):
    code = compile(source, dfile, "exec", dont_inherit=True, optimize=0)
    flags = 0b01  # hash-based, unchecked: the launcher's trees are immutable
    return (
        importlib.util.MAGIC_NUMBER
        + flags.to_bytes(4, "little")
        + importlib.util.source_hash(source)
        + marshal.dumps(code)
    )


def main(argv):
    args = []
    for a in argv:
        if a.startswith("@"):
            with open(a[1:], encoding="utf-8") as f:
                args.extend(line for line in f.read().split("\n") if line)
        else:
            args.append(a)
    out, wheel, sources, expect, declared_by = None, None, [], None, None
    it = iter(args)
    for a in it:
        if a == "--out":
            out = next(it)
        elif a == "--wheel":
            wheel = next(it)
        elif a == "--source":
            sources.append(next(it))
        elif a == "--expect-version":
            expect = next(it)
        elif a == "--declared-by":
            declared_by = next(it)
        else:
            sys.exit("precompile: unknown argument %r" % a)
    if not out or bool(wheel) == bool(sources):
        sys.exit("usage: precompile.py --out BUNDLE (--wheel WHEEL | --source DEST=PATH...)")
    tag = sys.implementation.cache_tag
    actual = "%d.%d" % sys.version_info[:2]
    if expect and (actual != expect or sys.implementation.name != "cpython"):
        sys.exit("precompile: %s is %s %s, but %s declares it as Python %s: point its interpreter at CPython %s, or fix its version" % (
            sys.executable, sys.implementation.name, actual, declared_by or "the caller", expect, expect))
    if tag is None:
        sys.exit("precompile: %s does not use bytecode files (sys.implementation.cache_tag is None)" % sys.executable)
    info = {
        "format": FORMAT,
        "cache_tag": tag,
        "magic": importlib.util.MAGIC_NUMBER.hex(),
        "python": "%s %d.%d.%d" % ((sys.implementation.name,) + tuple(sys.version_info[:3])),
    }
    if wheel:
        info["tree"] = "deps/" + os.path.basename(wheel)
        info["wheel_sha256"] = sha256_file(wheel)
        todo = wheel_sources(wheel, tag)
    else:
        todo = []
        for spec in sources:
            dest, sep, path = spec.partition("=")
            if not sep or not dest or not path:
                sys.exit("precompile: --source %r: want DEST=PATH" % spec)
            if dest.endswith(".py"):
                with open(path, "rb") as f:
                    todo.append((dest, f.read()))
        info["tree"] = "code"
    todo.sort()
    pycs, hashes, skipped = [], {}, []
    for src, data in todo:
        try:
            pyc = compile_one(data, src)
        except (SyntaxError, ValueError) as e:  # a Python 2 module, a NUL byte
            skipped.append(src)
            print("precompile: not compiled: %s: %s: %s" % (src, type(e).__name__, e), file=sys.stderr)
            continue
        name = pyc_name(src, tag)
        if name in hashes:
            sys.exit("precompile: %s twice" % src)
        hashes[name] = hashlib.sha256(data).hexdigest()
        pycs.append((name, pyc))
    info["sources"] = hashes
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
        for name, data in [("BYTECODE-INFO", (json.dumps(info, indent=1, sort_keys=True) + "\n").encode())] + pycs:
            zi = zipfile.ZipInfo(name, EPOCH)
            zi.create_system = 3
            zi.external_attr = 0o100644 << 16
            zi.compress_type = zipfile.ZIP_STORED
            z.writestr(zi, data)
    os.replace(tmp, out)


if __name__ == "__main__":
    reexec_if_needed(sys.argv[1:])
    main(sys.argv[1:])
