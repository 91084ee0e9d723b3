"""Rules that declare rules_pex toolchains, for users who bring their own packer or launcher binaries.

```starlark
load("@rules_pex//rules:toolchain.bzl", "pex_launcher_toolchain", "pex_packer_toolchain")
```

The toolchain types are `@rules_pex//rules/toolchain:packer_toolchain_type`
(resolved for the execution platform) and
`@rules_pex//rules/toolchain:launcher_toolchain_type` (resolved for the
target platform).
"""

load("//rules/private:toolchains.bzl", _pex_launcher_toolchain = "pex_launcher_toolchain", _pex_packer_toolchain = "pex_packer_toolchain")

pex_launcher_toolchain = _pex_launcher_toolchain
pex_packer_toolchain = _pex_packer_toolchain
