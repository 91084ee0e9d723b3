# Test driver: computes what Python's packaging library (23.0, as Debian
# ships it, with riscv64 and loongarch64 manylinux as in packaging 24) says
# for interpreters that are not on this machine.
#
# Usage: python3 packaging_oracle.py PROBE_SCRIPT WORKDIR < cases.json
#
# Each case is a probe result (the JSON the probe script prints). For each,
# the driver substitutes fakes for what packaging.tags reads from the running
# interpreter (sys, sysconfig, platform, EXTENSION_SUFFIXES, the glibc
# version string, the 32-bit flag) and gives packaging a real ELF file as
# sys.executable, built from the case's ELF header, whose PT_INTERP points at
# a fake musl loader printing the case's loader output. packaging's own code
# then computes sys_tags() and finds glibc and musl versions; the driver also
# runs the probe script's ELF and musl readers on the same files so the test
# can compare them with packaging's.
import json
import os
import stat
import struct
import sys
import types

import packaging
from packaging import _manylinux, _musllinux, tags
from packaging._elffile import ELFFile

# packaging 24 added riscv64 and loongarch64 to the architectures with
# manylinux wheels (_manylinux._ALLOWED_ARCHS), and the launcher follows it;
# an older packaging is taught the same two, and nothing else changes.
if not hasattr(_manylinux, "_ALLOWED_ARCHS"):
    _have_compatible_abi_23 = _manylinux._have_compatible_abi

    def _have_compatible_abi(executable, arch):
        return arch in ("riscv64", "loongarch64") or _have_compatible_abi_23(executable, arch)

    _manylinux._have_compatible_abi = _have_compatible_abi

ELF_FORMATS = {
    (1, 1): ("<HHIIIIIHHH", "<IIIIIIII"),
    (1, 2): (">HHIIIIIHHH", ">IIIIIIII"),
    (2, 1): ("<HHIQQQIHHH", "<IIQQQQQQ"),
    (2, 2): (">HHIQQQIHHH", ">IIQQQQQQ"),
}


def write_elf(path, elf, interp):
    cls, data = elf["class"], elf["data"]
    ident = b"\x7fELF" + bytes([cls, data, 1]) + bytes(9)
    if (cls, data) not in ELF_FORMATS:
        body = bytes(64)
    else:
        e_fmt, p_fmt = ELF_FORMATS[(cls, data)]
        ehsize = 52 if cls == 1 else 64
        phentsize = struct.calcsize(p_fmt)
        phnum = 1 if interp else 0
        body = struct.pack(e_fmt, 2, elf["machine"], 1, 0, ehsize, 0,
                           elf["flags"], ehsize, phentsize, phnum)
        body += bytes(ehsize - 16 - len(body))
        if interp:
            raw = os.fsencode(interp) + b"\0"
            offset = ehsize + phentsize
            if cls == 1:
                ph = struct.pack(p_fmt, 3, offset, 0, 0, len(raw), len(raw), 4, 1)
            else:
                ph = struct.pack(p_fmt, 3, 4, offset, 0, 0, len(raw), len(raw), 1)
            body += ph + raw
    with open(path, "wb") as f:
        f.write(ident + body)


def write_loader(path, output):
    with open(path + ".txt", "w") as f:
        f.write(output)
    with open(path, "w") as f:
        f.write("#!/bin/sh\ncat '%s.txt' >&2\nexit 1\n" % path)
    os.chmod(path, stat.S_IRWXU)


def mac_ver(info):
    machine = info["machine"]
    if machine in ("ppc", "Power Macintosh"):
        machine = "PowerPC"  # as platform.mac_ver() canonicalizes it
    return (info["macos_version"] or "", ("", "", ""), machine)


def run_case(n, info, probe, workdir):
    exe = os.path.join(workdir, "python-%d" % n)
    elf = info["elf"]
    interp = None
    if elf is not None:
        interp = (elf.get("interpreter") or "")
        if info["musl_loader_output"] is not None:
            interp = os.path.join(workdir, "ld-musl-%d.so.1" % n)
            write_loader(interp, info["musl_loader_output"])
        write_elf(exe, elf, interp)

    vi = info["version_info"]
    fake_sys = types.SimpleNamespace(
        version_info=(vi["major"], vi["minor"], vi["micro"], vi["releaselevel"], vi["serial"]),
        implementation=types.SimpleNamespace(name=info["implementation_name"]),
        executable=exe,
        maxsize=2 ** 31 - 1 if info["is_32bit"] else 2 ** 63 - 1,
        maxunicode=0x10FFFF,
        platform=sys.platform,
    )
    if info["has_gettotalrefcount"]:
        fake_sys.gettotalrefcount = lambda: 0
    config = {
        "Py_DEBUG": info["py_debug"],
        "WITH_PYMALLOC": info["with_pymalloc"],
        "Py_GIL_DISABLED": info["py_gil_disabled"],
        "py_version_nodot": info["py_version_nodot"],
        "EXT_SUFFIX": info["ext_suffix"],
        "SOABI": info["soabi"],
    }
    tags.sys = _manylinux.sys = _musllinux.sys = fake_sys
    tags.sysconfig = types.SimpleNamespace(
        get_config_var=config.get,
        get_platform=lambda: info["sysconfig_platform"],
    )
    tags.platform = types.SimpleNamespace(
        system=lambda: info["system"],
        mac_ver=lambda: mac_ver(info),
    )
    tags.EXTENSION_SUFFIXES = info["extension_suffixes"]
    tags._linux_platforms.__defaults__ = (info["is_32bit"],)
    tags._mac_arch.__defaults__ = (info["is_32bit"],)
    _manylinux._glibc_version_string = lambda: info["glibc_version"]
    _manylinux._get_glibc_version.cache_clear()
    _musllinux._get_musl_version.cache_clear()

    result = {"tags": [str(t) for t in tags.sys_tags()]}
    result["packaging_glibc"] = list(_manylinux._get_glibc_version())
    musl = _musllinux._get_musl_version(exe)
    result["packaging_musl"] = None if musl is None else list(musl)
    if elf is not None:
        with open(exe, "rb") as f:
            try:
                parsed = ELFFile(f)
                result["packaging_elf"] = {
                    "class": parsed.capacity, "data": parsed.encoding,
                    "machine": parsed.machine, "flags": parsed.flags,
                    "interpreter": parsed.interpreter,
                }
            except ValueError:
                result["packaging_elf"] = None
        result["probe_elf"] = probe["read_elf"](exe)
        if interp and "musl" in interp:
            result["probe_musl_output"] = probe["musl_loader_output"](interp)
    return result


def main():
    probe = {"__name__": "rules_pex_probe"}
    with open(sys.argv[1]) as f:
        exec(compile(f.read(), sys.argv[1], "exec"), probe)
    workdir = sys.argv[2]
    cases = json.load(sys.stdin)
    results = [run_case(n, info, probe, workdir) for n, info in enumerate(cases)]
    json.dump({"packaging_version": packaging.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
