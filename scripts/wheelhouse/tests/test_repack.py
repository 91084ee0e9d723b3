"""repack.collect on a fake dist-packages tree whose dpkg file lists are given by the test."""

import os
import sysconfig

import pytest

import projects
import repack

EXT = sysconfig.get_config_var("EXT_SUFFIX")


def make_site(tmp_path, files):
    """Create files ({relative path: bytes or ("symlink", target)}) under tmp_path/site."""
    site = tmp_path / "site"
    for rel, content in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple):
            os.symlink(content[1], str(path))
        else:
            path.write_bytes(content)
    return str(site)


def lister(site, debs):
    """A dpkg -L stand-in: deb -> absolute paths (directories included, as dpkg does)."""
    def files_of_deb(deb):
        out = []
        for rel in debs[deb]:
            parts = rel.split("/")
            out += [os.path.join(site, *parts[:i]) for i in range(1, len(parts))]
            out.append(os.path.join(site, rel))
        return ["/usr/share/doc/" + deb + "/copyright"] + out
    return files_of_deb


EGG_PKG_INFO = b"Metadata-Version: 2.1\nName: Demo.Lib\nVersion: 1.0.0+repack\nProvides-Extra: fast\n\nBody\n"


def test_egg_info_distribution(tmp_path):
    files = {
        "demo/__init__.py": b"",
        "demo/__pycache__/__init__.cpython-311.pyc": b"\0",
        "demo/_speed" + EXT: b"\x7fELF",
        "demo/data/table.txt": b"data",
        "demo_lib-1.0.0+repack.egg-info/PKG-INFO": EGG_PKG_INFO,
        "demo_lib-1.0.0+repack.egg-info/requires.txt":
            b'\n[:python_version < "3.8"]\n\n[fast]\nspeedups>=2\n',
        "demo_lib-1.0.0+repack.egg-info/entry_points.txt": b"[console_scripts]\ndemo = demo:main\n",
        "demo_lib-1.0.0+repack.egg-info/top_level.txt": b"demo\n_demo_backend\n",
        "demo_lib-1.0.0+repack.egg-info/SOURCES.txt": b"setup.py\n",
        "demo_lib-1.0.0+repack.egg-info/dependency_links.txt": b"\n",
        "_demo_backend" + EXT: b"\x7fELF",
        "extra.py": b"",
    }
    site = make_site(tmp_path, files)
    debs = {"python3-demo": [f for f in files if not f.startswith("_demo")],
            "python3-demo-backend": ["_demo_backend" + EXT]}
    project = projects.Project("demo-lib", ("python3-demo", "python3-demo-backend"),
                               requires=("six>=1.5",), why="test")
    d = repack.collect(project, files_of_deb=lister(site, debs), site=site)
    di = "demo_lib-1.0.0+repack.dist-info"
    assert d.name == "Demo.Lib" and d.version == "1.0.0+repack"
    assert d.native and d.tag == repack.native_tag()
    assert d.filename == "demo_lib-1.0.0+repack-{}.whl".format(repack.native_tag())
    assert d.dist_info == di
    assert sorted(d.members) == sorted([
        "_demo_backend" + EXT, "demo/__init__.py", "demo/_speed" + EXT, "demo/data/table.txt",
        "extra.py", di + "/METADATA", di + "/WHEEL", di + "/entry_points.txt", di + "/top_level.txt"])
    assert d.requirements == ["six>=1.5", 'speedups>=2; extra == "fast"']
    metadata = d.members[di + "/METADATA"][0].decode()
    assert metadata == ("Metadata-Version: 2.1\nName: Demo.Lib\nVersion: 1.0.0+repack\n"
                        "Requires-Dist: six>=1.5\nRequires-Dist: speedups>=2; extra == \"fast\"\n"
                        "Provides-Extra: fast\n\nBody\n")
    assert "Root-Is-Purelib: false" in d.members[di + "/WHEEL"][0].decode()
    assert d.console_scripts == ["demo"]
    assert d.imports == ["_demo_backend", "demo", "extra"]
    assert d.dropped == ["demo_lib-1.0.0+repack.egg-info/SOURCES.txt",
                         "demo_lib-1.0.0+repack.egg-info/dependency_links.txt"]


def test_dist_info_wins_and_stays_unchanged_without_override(tmp_path):
    metadata = b"Metadata-Version: 2.1\nName: pkg\nVersion: 2.0\nRequires-Dist: a ; extra == 'x'\n"
    files = {
        "pkg.py": b"",
        "pkg-2.0.dist-info/METADATA": metadata,
        "pkg-2.0.dist-info/RECORD": b"stale",
        "pkg-2.0.dist-info/INSTALLER": b"debian",
        "pkg-2.0.dist-info/licenses/LICENSE": b"MIT",
        "pkg.egg-info/PKG-INFO": b"Metadata-Version: 2.1\nName: pkg\nVersion: 2.0\n",
    }
    site = make_site(tmp_path, files)
    d = repack.collect(projects.Project("pkg", ("python3-pkg",)),
                       files_of_deb=lister(site, {"python3-pkg": list(files)}), site=site)
    assert d.tag == "py3-none-any" and not d.native
    assert d.members["pkg-2.0.dist-info/METADATA"][0] == metadata
    assert d.members["pkg-2.0.dist-info/licenses/LICENSE"][0] == b"MIT"
    assert "pkg-2.0.dist-info/RECORD" not in d.members
    assert d.dropped == ["pkg-2.0.dist-info/INSTALLER", "pkg-2.0.dist-info/RECORD", "pkg.egg-info"]
    assert d.requirements == ["a ; extra == 'x'"]


def test_dist_info_override_keeps_extras(tmp_path):
    metadata = (b"Metadata-Version: 2.1\nName: pkg\nVersion: 2.0\nProvides-Extra: x\n"
                b"Requires-Dist: a ; extra == 'x'\n\nbody\n")
    files = {"pkg.py": b"", "pkg-2.0.dist-info/METADATA": metadata}
    site = make_site(tmp_path, files)
    d = repack.collect(projects.Project("pkg", ("p",), requires=("cffi>=1.12",)),
                       files_of_deb=lister(site, {"p": list(files)}), site=site)
    assert d.members["pkg-2.0.dist-info/METADATA"][0].decode() == (
        "Metadata-Version: 2.1\nName: pkg\nVersion: 2.0\nRequires-Dist: cffi>=1.12\n"
        "Requires-Dist: a ; extra == 'x'\nProvides-Extra: x\n\nbody\n")


def test_single_file_egg_info_and_symlinks(tmp_path):
    outside = tmp_path / "javascript.js"
    outside.write_bytes(b"jquery")
    files = {
        "old/__init__.py": b"",
        "old/static/jquery.js": ("symlink", str(outside)),
        "old-1.1.egg-info": b"Metadata-Version: 1.1\nName: old\nVersion: 1.1\n",
    }
    site = make_site(tmp_path, files)
    d = repack.collect(projects.Project("old", ("p",), requires=("ply",)),
                       files_of_deb=lister(site, {"p": list(files)}), site=site)
    assert d.members["old/static/jquery.js"] == (b"jquery", 0o644)
    assert d.members["old-1.1.dist-info/METADATA"][0].decode() == \
        "Metadata-Version: 2.1\nName: old\nVersion: 1.1\nRequires-Dist: ply\n"


def test_version_is_normalized_for_names(tmp_path):
    files = {"v.py": b"", "v-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: v\nVersion: 01.0-RC1\n"}
    site = make_site(tmp_path, files)
    from packaging.version import Version
    d = repack.collect(projects.Project("v", ("p",)), files_of_deb=lister(site, {"p": list(files)}),
                       site=site, version_of=lambda v: str(Version(v)))
    assert d.filename == "v-1.0rc1-py3-none-any.whl"
    assert d.dist_info == "v-1.0rc1.dist-info"


@pytest.mark.parametrize("files,message", [
    ({"x.py": b""}, "no .dist-info or .egg-info"),
    ({"x-1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: x\nVersion: 1\n"}, "no package files"),
    ({"x.py": b"", "x-1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: y\nVersion: 1\n"},
     "expected 'x'"),
    ({"x.py": b"", "x-1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: x\n"}, "one Version"),
    ({"x.py": b"", "x/_c.cpython-312-x86_64-linux-gnu.so": b"",
      "x-1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: x\nVersion: 1\n"}, "another interpreter"),
    ({"x.py": b"", "x/gone.js": ("symlink", "/nonexistent/target.js"),
      "x-1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: x\nVersion: 1\n"}, "dangling symlink"),
])
def test_collect_refuses(tmp_path, files, message):
    site = make_site(tmp_path, files)
    with pytest.raises(repack.RepackError, match=message):
        repack.collect(projects.Project("x", ("p",)), files_of_deb=lister(site, {"p": list(files)}),
                       site=site)
