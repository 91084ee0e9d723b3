"""Summarizes a Bazel execution log (--execution_log_json_file) for the e2e tests.

usage: execlog.py LOG [--expect-all-hits MNEMONIC,...] [--expect-only-executed MNEMONIC=N,...]
                     [--expect-sandboxed MNEMONIC,...] [--expect-shared-bytecode DIR]

Prints, per mnemonic, how many spawns ran and how many were cache hits.
--expect-all-hits fails (exit 1) unless every spawn of each listed mnemonic
was a remote cache hit, and the first listed had at least one: the others may
have none (PexPack,PexWheelCheck holds for an app without wheels).
--expect-only-executed fails unless the spawns that actually executed are
exactly the given counts per mnemonic.
--expect-sandboxed fails unless every spawn of each MNEMONIC that executed
ran in linux-sandbox (which shows it only its declared inputs) with an empty
environment, and each MNEMONIC had at least one spawn (MNEMONIC? may have
none).
--expect-shared-bytecode fails unless the PexPrecompile spawns compiled each
wheel's bytecode once per Python version, whatever number of binaries ship it,
each under DIR (where the wheels' own targets are, e.g. external/pypi/), and
there was at least one.
"""
import collections
import json
import sys


def spawns(path):
    text = open(path).read()
    decoder = json.JSONDecoder()
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        spawn, i = decoder.raw_decode(text, i)
        yield spawn


def main(argv):
    path, args = argv[0], argv[1:]
    hits = collections.Counter()
    executed = collections.Counter()
    unsandboxed = collections.defaultdict(list)
    wheel_bundles = collections.defaultdict(list)  # <version>/<wheel>.bc -> output paths
    for s in spawns(path):
        if s.get("mnemonic") == "PexPrecompile":
            for out in s.get("listedOutputs", []):
                if out.endswith(".whl.bc"):
                    wheel_bundles["/".join(out.split("/")[-2:])].append(out)
        if s.get("remoteCacheHit"):
            hits[s["mnemonic"]] += 1
        else:
            executed[s["mnemonic"]] += 1
            if s.get("runner") != "linux-sandbox" or s.get("environmentVariables"):
                env = {v["name"]: v.get("value", "") for v in s.get("environmentVariables", [])}
                unsandboxed[s["mnemonic"]].append("%s (runner %s, environment %s)" % (s.get("progressMessage", "?"), s.get("runner"), env))
    for m in sorted(set(hits) | set(executed)):
        print("  %-28s %4d cache hits, %4d executed" % (m, hits[m], executed[m]))
    total_hits, total = sum(hits.values()), sum(hits.values()) + sum(executed.values())
    print("  %-28s %4d cache hits, %4d executed" % ("(all)", total_hits, total - total_hits))
    ok = True
    while args:
        flag, value = args[0], args[1]
        args = args[2:]
        if flag == "--expect-all-hits":
            mnemonics = [m.rstrip("?") for m in value.split(",")]
            if hits[mnemonics[0]] == 0:
                print("execlog: want at least one %s spawn, a cache hit; got none" % mnemonics[0])
                ok = False
            for m in mnemonics:
                if executed[m] != 0:
                    print("execlog: want every %s spawn to be a cache hit, got %d hits and %d executed" % (m, hits[m], executed[m]))
                    ok = False
        elif flag == "--expect-only-executed":
            want = collections.Counter({k: int(n) for k, n in (kv.split("=") for kv in value.split(","))})
            if +executed != +want:
                print("execlog: want exactly these spawns executed: %s; got %s" % (dict(want), dict(executed)))
                ok = False
        elif flag == "--expect-sandboxed":
            for m in value.split(","):
                m, optional = m.rstrip("?"), m.endswith("?")
                if hits[m] + executed[m] == 0 and not optional:
                    print("execlog: no %s spawn" % m)
                    ok = False
                for what in unsandboxed[m]:
                    print("execlog: want every %s spawn in linux-sandbox with no environment, got %s" % (m, what))
                    ok = False
        elif flag == "--expect-shared-bytecode":
            if not wheel_bundles:
                print("execlog: no PexPrecompile spawn compiled a wheel")
                ok = False
            for key, outs in sorted(wheel_bundles.items()):
                if len(outs) > 1:
                    print("execlog: want %s compiled once, got %d spawns: %s" % (key, len(outs), ", ".join(outs)))
                    ok = False
                for out in outs:
                    if "/" + value.strip("/") + "/" not in "/" + out:
                        print("execlog: want %s compiled under %s (by the wheel's own target), got %s" % (key, value, out))
                        ok = False
            print("  %-28s %4d wheel bundles, each compiled once" % ("PexPrecompile", len(wheel_bundles)))
        else:
            print("execlog: unknown flag %s" % flag)
            return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
