"""pex_prebuilt_toolchains: toolchains made of the prebuilt release binaries."""

def pex_prebuilt_toolchains(name, base_url, sha256):
    pass
