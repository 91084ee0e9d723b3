"""The projects of the test wheelhouse and the Debian packages they come from.

Each entry names a Python project, the Debian bookworm packages whose files under
/usr/lib/python3/dist-packages make up its distribution, and, where Debian's metadata
lost them, the project's mandatory requirements.

Why `requires` exists: Debian's build (dh-python) strips the mandatory requirements from
the metadata it installs (Flask's requires.txt keeps only its extras; cryptography's
METADATA lost `cffi>=1.12`), because apt's Depends carry them instead. A wheelhouse whose
wheels declare no requirements would let pip "resolve" anything, so the requirements
are restored here from the upstream release of the same version. `requires` replaces
every requirement of the metadata that is not conditional on an extra; requirements
on extras are kept as Debian ships them.

Two entries add a requirement that upstream does not declare, because Debian removed
a vendored copy and its code now imports a separate distribution: urllib3 imports
`six`, pycparser imports `ply`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Project:
    """One distribution to repack into a wheel."""

    name: str
    """Project name, as in the metadata's Name field (compared after PEP 503 normalization)."""

    debs: tuple
    """Debian packages whose dist-packages files belong to this distribution."""

    requires: tuple = None
    """If set, the mandatory (non-extra) Requires-Dist, replacing Debian's."""

    why: str = ""
    """Where `requires` comes from."""


def _p(name, *debs, requires=None, why=""):
    return Project(name=name, debs=tuple(debs),
                   requires=None if requires is None else tuple(requires), why=why)


UPSTREAM = "upstream {} setup metadata; Debian strips mandatory requirements"

PROJECTS = (
    # Native (extension modules linked against Debian's libraries).
    _p("numpy", "python3-numpy"),
    _p("cryptography", "python3-cryptography",
       requires=["cffi>=1.12"], why=UPSTREAM.format("cryptography 38.0.4")),
    _p("cffi", "python3-cffi", "python3-cffi-backend",
       requires=["pycparser"], why=UPSTREAM.format("cffi 1.15.1")),
    _p("PyYAML", "python3-yaml"),
    _p("MarkupSafe", "python3-markupsafe"),
    _p("simplejson", "python3-simplejson"),
    _p("msgpack", "python3-msgpack"),
    _p("psutil", "python3-psutil"),
    _p("wrapt", "python3-wrapt"),
    _p("multidict", "python3-multidict"),
    _p("frozenlist", "python3-frozenlist"),
    _p("yarl", "python3-yarl",
       requires=["multidict>=4.0", "idna>=2.0", 'typing-extensions>=3.7.4; python_version < "3.8"'],
       why=UPSTREAM.format("yarl 1.8.2")),
    _p("lxml", "python3-lxml"),
    _p("ujson", "python3-ujson"),
    # Pure Python.
    _p("requests", "python3-requests",
       requires=["certifi>=2017.4.17", "charset-normalizer<4,>=2", "chardet<6,>=3.0.2",
                 "idna<4,>=2.5", "urllib3<1.27,>=1.21.1"],
       why=(UPSTREAM.format("requests 2.28.1") + "; charset-normalizer<4 as upstream 2.28.2 "
            "(Debian ships 3.0.1) and chardet as Debian's Depends, which requests prefers")),
    _p("urllib3", "python3-urllib3",
       requires=["six"], why="Debian devendors six: urllib3 imports the six distribution"),
    _p("idna", "python3-idna"),
    _p("certifi", "python3-certifi"),
    _p("charset-normalizer", "python3-charset-normalizer"),
    _p("chardet", "python3-chardet"),
    _p("pycparser", "python3-pycparser",
       requires=["ply"], why="Debian devendors ply: pycparser imports the ply distribution"),
    _p("ply", "python3-ply"),
    _p("Flask", "python3-flask",
       requires=["Werkzeug>=2.2.2", "Jinja2>=3.0", "itsdangerous>=2.0", "click>=8.0",
                 'importlib-metadata>=3.6.0; python_version < "3.10"'],
       why=UPSTREAM.format("Flask 2.2.2")),
    _p("Werkzeug", "python3-werkzeug",
       requires=["MarkupSafe>=2.1.1"], why=UPSTREAM.format("Werkzeug 2.2.2")),
    _p("Jinja2", "python3-jinja2",
       requires=["MarkupSafe>=2.0"], why=UPSTREAM.format("Jinja2 3.1.2")),
    _p("itsdangerous", "python3-itsdangerous"),
    _p("click", "python3-click",
       requires=['colorama; platform_system == "Windows"', 'importlib-metadata; python_version < "3.8"'],
       why=UPSTREAM.format("click 8.1.3")),
    _p("blinker", "python3-blinker"),
    _p("importlib-metadata", "python3-importlib-metadata"),
    _p("zipp", "python3-zipp"),
    _p("more-itertools", "python3-more-itertools"),
    _p("typing-extensions", "python3-typing-extensions"),
    _p("attrs", "python3-attr"),
    _p("six", "python3-six"),
    _p("packaging", "python3-packaging"),
    _p("pyparsing", "python3-pyparsing"),
    _p("Pygments", "python3-pygments"),
    _p("pytest", "python3-pytest"),
    _p("pluggy", "python3-pluggy",
       requires=['importlib-metadata>=0.12; python_version < "3.8"'], why=UPSTREAM.format("pluggy 1.0.0")),
    _p("iniconfig", "python3-iniconfig"),
    _p("exceptiongroup", "python3-exceptiongroup"),
    _p("tomli", "python3-tomli"),
    _p("python-dateutil", "python3-dateutil",
       requires=["six>=1.5"], why=UPSTREAM.format("python-dateutil 2.8.2")),
    _p("pytz", "python3-tz"),
    _p("Markdown", "python3-markdown",
       requires=['importlib-metadata>=4.4; python_version < "3.10"'], why=UPSTREAM.format("Markdown 3.4.1")),
    _p("decorator", "python3-decorator"),
    _p("Django", "python3-django",
       requires=["asgiref<4,>=3.3.2", "pytz", "sqlparse>=0.2.2"], why=UPSTREAM.format("Django 3.2.25")),
    _p("asgiref", "python3-asgiref",
       requires=['typing-extensions; python_version < "3.8"'], why=UPSTREAM.format("asgiref 3.6.0")),
    _p("sqlparse", "python3-sqlparse"),
)

# Debian packages needed besides the projects' own: the verification venv needs ensurepip.
VERIFY_DEBS = ("python3.11-venv",)


def all_debs():
    """Every Debian package the projects come from, sorted, without duplicates."""
    return sorted({deb for p in PROJECTS for deb in p.debs})
