# rules_pex interpreter probe: prints one JSON object describing the running
# interpreter: the facts compatibility tags depend on (computed as
# packaging.tags does) and the PEP 508 marker environment (as
# packaging.markers.default_environment() does).
#
# Runs on CPython 3.6+ and PyPy3 under "-I -S". Kept lean: it imports
# importlib.machinery and CPython's build-time config data, but not
# platform, json or re (together about 10 ms on CPython), nor PyPy's
# sysconfig data (about 200 ms), nor sysconfig itself on Linux (its code and
# its config dict are most of the probe's peak memory, which sets the peak of
# an application's first run); sysconfig elsewhere and for cross builds;
# subprocess and ctypes only on the rare paths that need them (musl, a libc
# without confstr, macOS reporting 10.16). Only the stdlib is used.
import os
import sys

SCHEMA = 2


def format_full_version(info):
    """packaging.markers.format_full_version."""
    version = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version


_VERSION_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+"
)


def sys_version(text):
    """(platform.python_implementation(), platform.python_version()) for a
    sys.version string, as platform._sys_version parses it."""
    if "IronPython" in text:
        name = "IronPython"
    elif sys.platform.startswith("java"):
        name = "Jython"
    elif "PyPy" in text:
        name = "PyPy"
    else:
        name = "CPython"
    end = 0
    while end < len(text) and text[end] in _VERSION_CHARS:
        end += 1
    version = text[:end]
    if len(version.split(".")) == 2:
        version += ".0"
    return name, version


def marker_environment(uname):
    impl, full = sys_version(sys.version)
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": format_full_version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": uname.machine,
        "platform_release": uname.release,
        "platform_system": uname.sysname,
        "platform_version": uname.version,
        "python_full_version": full,
        "platform_python_implementation": impl,
        "python_version": ".".join(full.split(".")[:2]),
        "sys_platform": sys.platform,
    }


# ELF header layouts by (EI_CLASS, EI_DATA): file header from e_type to
# e_phnum, program header, and the indexes of p_type, p_offset, p_filesz.
_ELF_FORMATS = {
    (1, 1): ("<HHIIIIIHHH", "<IIIIIIII", (0, 1, 4)),
    (1, 2): (">HHIIIIIHHH", ">IIIIIIII", (0, 1, 4)),
    (2, 1): ("<HHIQQQIHHH", "<IIQQQQQQ", (0, 2, 5)),
    (2, 2): (">HHIQQQIHHH", ">IIQQQQQQ", (0, 2, 5)),
}


def read_elf(path):
    """The ELF header fields tags depend on and the PT_INTERP path of the
    file at path, or None when it is not a readable ELF file."""
    import struct

    try:
        f = open(path, "rb")
    except (OSError, TypeError, ValueError):
        return None
    with f:
        try:
            ident = f.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return None
            cls, data = ident[4], ident[5]
            if (cls, data) not in _ELF_FORMATS:
                return None
            e_fmt, p_fmt, p_idx = _ELF_FORMATS[(cls, data)]
            header = f.read(struct.calcsize(e_fmt))
            if len(header) != struct.calcsize(e_fmt):
                return None
            fields = struct.unpack(e_fmt, header)
        except (OSError, ValueError):
            return None
        machine, phoff, flags = fields[1], fields[4], fields[6]
        phentsize, phnum = fields[8], fields[9]
        elf = {"class": cls, "data": data, "machine": machine, "flags": flags,
               "interpreter": None}
        try:
            size = struct.calcsize(p_fmt)
            for index in range(phnum):
                f.seek(phoff + phentsize * index)
                raw = f.read(size)
                if len(raw) != size:
                    continue
                ph = struct.unpack(p_fmt, raw)
                if ph[p_idx[0]] != 3:  # PT_INTERP
                    continue
                f.seek(ph[p_idx[1]])
                elf["interpreter"] = os.fsdecode(f.read(ph[p_idx[2]])).strip("\0")
                break
        except (OSError, ValueError, OverflowError, MemoryError):
            elf["interpreter"] = None
        return elf


def glibc_version():
    """The glibc version string ("2.36"), or None when not on glibc."""
    try:
        _, version = os.confstr("CS_GNU_LIBC_VERSION").rsplit()
        if version:
            return version
    except (AttributeError, OSError, ValueError):
        pass
    try:
        import ctypes
    except ImportError:
        return None
    try:
        get = ctypes.CDLL(None).gnu_get_libc_version
    except (OSError, AttributeError):
        return None
    get.restype = ctypes.c_char_p
    version = get()
    if not isinstance(version, str):
        version = version.decode("ascii", "replace")
    return version or None


def musl_loader_output(ld):
    """What the musl dynamic loader prints (to stderr) when run bare: its
    first two lines name musl and its version."""
    import subprocess

    try:
        proc = subprocess.Popen(
            [ld], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    except OSError:
        return None
    try:
        _, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None
    return err[:4096].decode("utf-8", "replace")


def macos_version():
    """The macOS ProductVersion ("14.2.1"), as platform.mac_ver() reads it.

    macOS shows builds linked against an SDK older than 11 the version 10.16
    unless SYSTEM_VERSION_COMPAT=0 is set. The Go side sets it; should we
    still see 10.16, we ask again as packaging does (a rare, slower path)."""
    version = product_version("/System/Library/CoreServices/SystemVersion.plist")
    if version is not None and version.split(".")[:2] == ["10", "16"]:
        import subprocess

        try:
            out = subprocess.run(
                [sys.executable, "-I", "-S", "-c",
                 "import platform; print(platform.mac_ver()[0])"],
                env={"SYSTEM_VERSION_COMPAT": "0"}, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=5,
            ).stdout.decode("ascii", "replace").strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out:
            version = out
    return version


def product_version(path):
    """The ProductVersion string of a SystemVersion.plist, or None."""
    try:
        with open(path, "rb") as f:
            plist = f.read()
    except OSError:
        return None
    key = plist.find(b"<key>ProductVersion</key>")
    if key < 0:
        return None
    start = plist.find(b"<string>", key)
    if start < 0:
        return None
    end = plist.find(b"</string>", start)
    if end < 0:
        return None
    return plist[start + 8:end].strip().decode("ascii", "replace")


def venv_prefix():
    """The sys.prefix site.py would set: the directory above the executable's
    when a pyvenv.cfg sits next to the executable or there (the probe runs
    with -S, so site.py has not run)."""
    executable = sys.executable
    if sys.platform == "darwin" and "__PYVENV_LAUNCHER__" in os.environ:
        executable = os.environ["__PYVENV_LAUNCHER__"]
    if not executable:
        return None
    exe_dir = os.path.dirname(os.path.abspath(executable))
    site_prefix = os.path.dirname(exe_dir)
    for conf in (os.path.join(exe_dir, "pyvenv.cfg"), os.path.join(site_prefix, "pyvenv.cfg")):
        if os.path.isfile(conf):
            return site_prefix
    return None


def _truth(value):
    return None if value is None else bool(value)


def pypy_config_var(name):
    """sysconfig.get_config_var on PyPy, without loading PyPy's
    _sysconfigdata, which imports platform and shutil and searches PATH for
    gcc (it triples the probe's run time). The values are computed as that
    module computes them."""
    from importlib.machinery import EXTENSION_SUFFIXES

    ext = EXTENSION_SUFFIXES[0]
    if name == "EXT_SUFFIX":
        return ext
    if name == "SOABI":
        return "-".join(ext.split(".")[1].split("-")[:2])
    if name == "Py_DEBUG":
        return 0
    if name == "py_version_nodot":
        return "%d%d" % sys.version_info[:2]
    return None


# Variables that make sysconfig read other config data or report another
# platform than the running one's (cross builds): sysconfig decides then.
_CROSS_BUILD_VARS = ("_PYTHON_SYSCONFIGDATA_NAME", "_PYTHON_SYSCONFIGDATA_PATH",
                     "_PYTHON_PROJECT_BASE", "_PYTHON_HOST_PLATFORM")


def _use_sysconfig():
    """Whether to ask sysconfig itself: off Linux, and for cross builds."""
    if not sys.platform.startswith("linux") or os.name != "posix":
        return True
    return any(name in os.environ for name in _CROSS_BUILD_VARS)


def cpython_config_var():
    """sysconfig.get_config_var for the names the probe reads on CPython:
    the build-time variables of the _sysconfigdata module sysconfig itself
    loads (its _init_posix), and py_version_nodot as sysconfig computes it,
    without importing sysconfig. None when that module is not found."""
    name = "_sysconfigdata_%s_%s_%s" % (
        getattr(sys, "abiflags", ""), sys.platform,
        getattr(sys.implementation, "_multiarch", ""))
    try:
        data = __import__(name, None, None, ["build_time_vars"]).build_time_vars
    except (ImportError, AttributeError):
        return None

    def get(key):
        if key == "py_version_nodot":
            return "%d%d" % sys.version_info[:2]
        return data.get(key)

    return get


def linux_platform(uname):
    """sysconfig.get_platform() on Linux (outside cross builds)."""
    machine = uname.machine.replace(" ", "_").replace("/", "-")
    return "%s-%s" % (uname.sysname.lower().replace("/", ""), machine)


def probe():
    from importlib.machinery import EXTENSION_SUFFIXES
    from importlib._bootstrap_external import MAGIC_NUMBER

    uname = os.uname()
    use_sysconfig = _use_sysconfig()
    get = None
    if sys.implementation.name == "pypy":
        get = pypy_config_var
    elif not use_sysconfig:
        get = cpython_config_var()
    if get is None:
        import sysconfig

        get = sysconfig.get_config_var
    nodot = get("py_version_nodot")
    venv = venv_prefix()
    info = {
        "schema": SCHEMA,
        "implementation_name": sys.implementation.name,
        "implementation_version": format_full_version(sys.implementation.version),
        "version_info": {
            "major": sys.version_info[0],
            "minor": sys.version_info[1],
            "micro": sys.version_info[2],
            "releaselevel": sys.version_info[3],
            "serial": sys.version_info[4],
        },
        "version": sys.version,
        "cache_tag": sys.implementation.cache_tag,
        "magic_number": MAGIC_NUMBER.hex(),
        "executable": sys.executable,
        "realpath": os.path.realpath(sys.executable) if sys.executable else "",
        "prefix": venv or sys.prefix,
        "base_prefix": sys.base_prefix,
        "exec_prefix": venv or sys.exec_prefix,
        "base_exec_prefix": sys.base_exec_prefix,
        "is_32bit": sys.maxsize <= 2 ** 32,
        "soabi": get("SOABI"),
        "ext_suffix": get("EXT_SUFFIX"),
        "extension_suffixes": list(EXTENSION_SUFFIXES),
        "py_debug": _truth(get("Py_DEBUG")),
        "with_pymalloc": _truth(get("WITH_PYMALLOC")),
        "py_gil_disabled": _truth(get("Py_GIL_DISABLED")),
        "has_gettotalrefcount": hasattr(sys, "gettotalrefcount"),
        "py_version_nodot": None if nodot is None else str(nodot),
        "system": uname.sysname,
        "machine": uname.machine,
        "sysconfig_platform": None,
        "glibc_version": None,
        "elf": None,
        "musl_loader_output": None,
        "macos_version": None,
        "marker_environment": marker_environment(uname),
    }
    if uname.sysname == "Darwin":
        info["macos_version"] = macos_version()
    elif not use_sysconfig:
        info["sysconfig_platform"] = linux_platform(uname)
    else:
        import sysconfig

        info["sysconfig_platform"] = sysconfig.get_platform()
    if uname.sysname == "Linux":
        info["glibc_version"] = glibc_version()
        elf = read_elf(sys.executable)
        info["elf"] = elf
        ld = elf and elf["interpreter"]
        if ld and "musl" in ld:
            info["musl_loader_output"] = musl_loader_output(ld)
    return info


def _json_string(s):
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code > 0xFFFF:
            code -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xD800 | (code >> 10), 0xDC00 | (code & 0x3FF)))
        else:
            out.append("\\u%04x" % code)
    out.append('"')
    return "".join(out)


def to_json(value):
    """Encode None, bools, ints, strings, lists and dicts as ASCII JSON."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(
            _json_string(str(k)) + ":" + to_json(v) for k, v in value.items()
        ) + "}"
    return _json_string(str(value))


if __name__ == "__main__":
    sys.stdout.write(to_json(probe()) + "\n")
    sys.stdout.flush()
