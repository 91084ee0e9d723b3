"""egg-info to .dist-info metadata conversion, checked against `packaging` as the oracle."""

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

import repack


@pytest.mark.parametrize("text,requirements,extras", [
    ("", [], []),
    ("\n", [], []),
    ("six>=1.5\n", ["six>=1.5"], []),
    # Debian's stripped Flask: only empty sections and extras remain.
    ('\n[:python_version < "3.10"]\n\n[async]\nasgiref>=3.2\n\n[dotenv]\npython-dotenv\n',
     ['asgiref>=3.2; extra == "async"', 'python-dotenv; extra == "dotenv"'], ["async", "dotenv"]),
    ('a\n[:platform_system == "Windows"]\ncolorama\n',
     ["a", 'colorama; platform_system == "Windows"'], []),
    ('[brotli:os_name == "nt" and python_version < "3"]\nbrotlipy>=0.6.0\n',
     ['brotlipy>=0.6.0; (os_name == "nt" and python_version < "3") and extra == "brotli"'], ["brotli"]),
    # An empty extra section still declares the extra.
    ("[security]\n\n[socks]\nPySocks!=1.5.7,>=1.5.6\n",
     ['PySocks!=1.5.7,>=1.5.6; extra == "socks"'], ["security", "socks"]),
    # A marker on the line and one from the section are both kept.
    ('[:python_version < "3.8"]\nx; os_name == "nt"\n',
     ['x; (os_name == "nt") and (python_version < "3.8")'], []),
    ("# comment\n[test]\npytest\n[test:sys_platform == \"win32\"]\nwmi\n",
     ['pytest; extra == "test"', 'wmi; (sys_platform == "win32") and extra == "test"'], ["test"]),
])
def test_parse_requires_txt(text, requirements, extras):
    got_requirements, got_extras = repack.parse_requires_txt(text)
    assert got_requirements == requirements
    assert got_extras == extras
    for r in got_requirements:
        Requirement(r)  # must be valid PEP 508


def test_parse_requires_txt_markers_mean_what_the_sections_say():
    text = '[:python_version < "3"]\nold\n[:python_version >= "3"]\nnew\n[fast:python_version >= "3"]\nspeed\n'
    requirements, _ = repack.parse_requires_txt(text)
    env = dict(default_environment(), extra="")
    applies = [Requirement(r).name for r in requirements if Requirement(r).marker.evaluate(env)]
    assert applies == ["new"]
    env["extra"] = "fast"
    applies = [Requirement(r).name for r in requirements if Requirement(r).marker.evaluate(env)]
    assert applies == ["new", "speed"]


def test_parse_requires_txt_rejects_broken_section():
    with pytest.raises(repack.RepackError):
        repack.parse_requires_txt("[unterminated\nx\n")


PKG_INFO_11 = (
    "Metadata-Version: 1.1\n"
    "Name: pycparser\n"
    "Version: 2.21\n"
    "Description: \n"
    "                pycparser is a complete parser\n"
    "            \n"
    "Platform: Cross Platform\n"
)

PKG_INFO_21 = (
    "Metadata-Version: 2.1\n"
    "Name: Flask\n"
    "Version: 2.2.2\n"
    "Requires-Python: >=3.7\n"
    "Provides-Extra: async\n"
    "License-File: LICENSE.rst\n"
    "\n"
    "Flask\n"
    "=====\n"
)


def test_split_headers_keeps_continuations_and_body():
    headers, body = repack.split_headers(PKG_INFO_21)
    assert [k for k, _ in headers] == ["Metadata-Version", "Name", "Version", "Requires-Python",
                                       "Provides-Extra", "License-File"]
    assert body == "Flask\n=====\n"
    headers, body = repack.split_headers(PKG_INFO_11)
    assert body == ""
    assert headers[3][0] == "Description" and len(headers[3][1]) == 3


def test_rewrite_requirements_replaces_in_place_and_keeps_body():
    out = repack.rewrite_requirements(PKG_INFO_21, ["Werkzeug>=2.2.2", 'x; extra == "async"'], ["async"])
    assert out == (
        "Metadata-Version: 2.1\n"
        "Name: Flask\n"
        "Version: 2.2.2\n"
        "Requires-Python: >=3.7\n"
        "Requires-Dist: Werkzeug>=2.2.2\n"
        'Requires-Dist: x; extra == "async"\n'
        "Provides-Extra: async\n"
        "License-File: LICENSE.rst\n"
        "\n"
        "Flask\n"
        "=====\n"
    )


def test_rewrite_requirements_raises_old_metadata_version():
    out = repack.rewrite_requirements(PKG_INFO_11, ["ply"], [])
    assert out.startswith("Metadata-Version: 2.1\n")
    assert out.endswith("Platform: Cross Platform\nRequires-Dist: ply\n")
    assert "                pycparser is a complete parser\n" in out
    # Nothing to add: the metadata stays as it was.
    assert repack.rewrite_requirements(PKG_INFO_11, [], []) == PKG_INFO_11


def test_rewritten_metadata_parses_as_email_headers():
    import email.parser

    out = repack.rewrite_requirements(PKG_INFO_21, ["a>=1", 'b; python_version < "3.8"'], ["async"])
    msg = email.parser.HeaderParser().parsestr(out)
    assert msg.get_all("Requires-Dist") == ["a>=1", 'b; python_version < "3.8"']
    assert msg.get_all("Provides-Extra") == ["async"]
    assert msg.get_payload() == "Flask\n=====\n"


@pytest.mark.parametrize("requirement,is_extra", [
    ("a", False),
    ('a; python_version < "3.8"', False),
    ('a; extra == "x"', True),
    ('a; (os_name == "nt") and extra == "x"', True),
    ('extras-lib; python_version < "3"', False),
])
def test_is_extra_requirement(requirement, is_extra):
    assert repack.is_extra_requirement(requirement) is is_extra


def test_console_scripts():
    text = ("[console_scripts]\nflask = flask.cli:main\nPy.Test = pytest:console_main\n"
            "[distutils.setup_keywords]\ncffi_modules = cffi.setuptools_ext:cffi_modules\n")
    assert repack.console_scripts(text) == ["Py.Test", "flask"]
    assert repack.console_scripts("[other]\na = b:c\n") == []
    with pytest.raises(repack.RepackError):
        repack.console_scripts("not an ini file")


@pytest.mark.parametrize("top,name", [
    ("Flask-2.2.2.egg-info", "Flask"),
    ("cryptography.egg-info", "cryptography"),
    ("pluggy-1.0.0+repack.egg-info", "pluggy"),
    ("python_dateutil-2.8.2.egg-info", "python_dateutil"),
    ("PyYAML-6.0.dist-info", "PyYAML"),
    ("yaml", None),
])
def test_metadata_name(top, name):
    assert repack.metadata_name(top) == name


def test_choose_metadata_prefers_dist_info_then_versioned_egg_info():
    tops = {"cryptography", "cryptography.egg-info", "cryptography-38.0.4.dist-info"}
    assert repack.choose_metadata(tops, "cryptography") == "cryptography-38.0.4.dist-info"
    tops = {"x.egg-info", "x-1.0.egg-info", "x"}
    assert repack.choose_metadata(tops, "X") == "x-1.0.egg-info"
    assert repack.choose_metadata({"python_dateutil-2.8.2.egg-info"}, "python-dateutil") \
        == "python_dateutil-2.8.2.egg-info"
    with pytest.raises(repack.RepackError):
        repack.choose_metadata({"six-1.16.0.egg-info"}, "attrs")
