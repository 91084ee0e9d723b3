"""The prebuilt binaries of the release this copy of rules_pex belongs to.

`base_url` is where the binaries are published; `sha256` pins each of them
(`packer-<os>-<arch>`, `launcher-<os>-<arch>`). A source checkout has no
pins: use `rules_pex_register_toolchains(from_source = True)`, or pass a
`release` dict. The release script writes this file into the release archive.
"""

RELEASE = {
    "base_url": "",
    "sha256": {},
    "version": "",
}
