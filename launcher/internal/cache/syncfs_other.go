//go:build !linux

package cache

// SyncsFileSystems is false where there is no syncfs(2) (darwin): Seal and
// the extractor fsync every file and directory.
const SyncsFileSystems = false

func syncFileSystem(string) (bool, error) { return false, nil }
