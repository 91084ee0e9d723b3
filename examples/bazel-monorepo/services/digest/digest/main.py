"""The digest service: greets someone with the next event of its schedule."""

import os
import sys

import config
import schedule


def digest(name, now="2024-02-29 18:00"):
    with open(os.path.join(os.path.dirname(__file__), "settings.yaml")) as f:
        settings = config.load(f.read())
    when = schedule.next_event(settings["events"], now)
    return "%s, %s! Next event: %s (YAML: %s)" % (settings["greeting"], name, when.isoformat(), config.loader())


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--check"]:
        want = "Hello, check! Next event: 2024-03-01T09:00:00 (YAML: libyaml)"
        got = digest("check")
        if got != want:
            print("digest: want %r, got %r" % (want, got), file=sys.stderr)
            return 1
        print("digest: ok")
        return 0
    print(digest(" ".join(argv) or "world"))
    return 0
