"""Public API of rules_pex: rules that pack Python sources and wheels into one executable file.

```starlark
load("@rules_pex//rules:defs.bzl", "pex_binary", "pex_python", "pex_target_environment", "pex_test", "pex_wheel")
```

WORKSPACE macros are in `repositories.bzl`; the toolchain rules in `toolchain.bzl`.
"""

load("//rules/private:pex_binary.bzl", _pex_binary = "pex_binary", _pex_test = "pex_test")
load("//rules/private:pex_python.bzl", _pex_python = "pex_python")
load("//rules/private:pex_wheel.bzl", _pex_wheel = "pex_wheel")
load("//rules/private:providers.bzl", _PexPythonInfo = "PexPythonInfo", _PexWheelInfo = "PexWheelInfo")
load("//rules/private:target_environment.bzl", _pex_target_environment = "pex_target_environment")

pex_binary = _pex_binary
pex_test = _pex_test
pex_wheel = _pex_wheel
pex_target_environment = _pex_target_environment
pex_python = _pex_python
PexWheelInfo = _PexWheelInfo
PexPythonInfo = _PexPythonInfo
