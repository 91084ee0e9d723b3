"""inject_args are frozen into the file and come before the arguments it is run with."""
import sys

want = ["--config", "two words.toml", "--from-bazel"]
if sys.argv[1:] != want:
    sys.exit("sys.argv[1:] is %r, want %r: inject_args first, then Bazel's args" % (sys.argv[1:], want))
print("ok: inject_args come before the arguments the file is run with")
