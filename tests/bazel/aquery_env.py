"""Checks the environment of actions in `bazel aquery --output=text` output.

usage: aquery_env.py AQUERY.txt [--leak KEY] MNEMONIC...

Fails (exit 1) unless there is at least one action of each MNEMONIC (a
MNEMONIC? may have none) and none of them has an environment variable: such an action reads nothing from the
machine it runs on but its declared inputs and arguments, so it runs the
same locally, in the sandbox and on a remote executor.

--leak KEY: the query ran with --action_env=KEY=...; want some other action
(one that takes Bazel's shell environment) to have KEY, so that the flag
demonstrably reached the build, and the PATH of each such action to be the
fixed one of --incompatible_strict_action_env, not the user's.

The text output, not jsonproto: Bazel 4.2's jsonproto leaves out the
variables an action inherits from --action_env.
"""
import collections
import re
import sys

STRICT_PATH = "/bin:/usr/bin:/usr/local/bin"


def actions(text):
    """Yields (description, mnemonic, target, env dict) per action of the text output."""
    for block in re.split(r"\n(?=\S)", text):
        fields = dict(re.findall(r"^  (\w[\w ]*): (.*)$", block, re.M))
        if "Mnemonic" not in fields:
            continue
        env = {}
        raw = fields.get("Environment", "").strip()
        if raw.startswith("[") and raw.endswith("]"):
            # KEY=VALUE, KEY=VALUE: a value may hold ", " but a key is a name.
            parts = re.split(r", (?=[A-Za-z_][A-Za-z0-9_]*=)", raw[1:-1])
            env = dict(p.split("=", 1) for p in parts if p)
        yield block.split("\n", 1)[0], fields["Mnemonic"], fields.get("Target", "?"), env


def main(argv):
    leak = None
    if len(argv) > 2 and argv[1] == "--leak":
        leak = argv[2]
        argv = argv[:1] + argv[3:]
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = argv[0]
    mnemonics = [m.rstrip("?") for m in argv[1:]]
    optional = {m.rstrip("?") for m in argv[1:] if m.endswith("?")}
    with open(path) as f:
        text = f.read()
    count = collections.Counter()
    bad = []
    leaked = 0
    paths = set()
    for _, mnemonic, target, env in actions(text):
        if mnemonic not in mnemonics:
            if leak and leak in env:
                leaked += 1
                paths.add(env.get("PATH", "(none)"))
            continue
        count[mnemonic] += 1
        if env:
            bad.append((mnemonic, target, env))
    ok = True
    for m in mnemonics:
        print("  %-14s %4d actions, %d with an environment" % (m, count[m], sum(1 for b in bad if b[0] == m)))
        if count[m] == 0 and m not in optional:
            print("aquery_env: no %s action in %s" % (m, path))
            ok = False
    for m, target, env in bad:
        print("aquery_env: %s of %s has the environment %s; want none" % (m, target, env))
        ok = False
    if leak:
        print("  %d other actions take the shell environment (%s, set by --action_env), with PATH %s" % (leaked, leak, " or ".join(sorted(paths))))
        if not leaked:
            print("aquery_env: no action has %s: did the query run with --action_env=%s=...?" % (leak, leak))
            ok = False
        if paths - {STRICT_PATH}:
            print("aquery_env: want the PATH of those actions to be %s (--incompatible_strict_action_env)" % STRICT_PATH)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
