"""Checks that demo is the version in argv[1], imported from a packed wheel."""

import os
import sys

import demo

where = os.path.normpath(demo.__file__).split(os.sep)
if demo.__version__ != sys.argv[1] or "site-packages" not in where or "code" in where:
    sys.exit("demo %s was imported from %s; want %s from a wheel's site-packages" % (demo.__version__, demo.__file__, sys.argv[1]))
print("demo", demo.__version__, "from", demo.__file__)
