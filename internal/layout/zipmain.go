package layout

import "archive/zip"

// ZipMainName is the name of the root entry that Python runs when it is
// given the archive as a script ("python3 app", and what re-invokes an
// application as [sys.executable] + sys.argv: Django's autoreloader). It
// executes the archive, that is its launcher, with the same arguments and
// environment. The packer writes it; the launcher never extracts it. It sorts
// after ManifestName and before CodePrefix and DepsPrefix, so the manifest
// stays first.
const ZipMainName = "__main__.py"

// ZipMainMethodOK reports whether method is one that Python's zipimport can
// read: ZipMainName must be stored or deflated, never Zstandard, whatever
// the archive's compression.
func ZipMainMethodOK(method uint16) bool {
	return method == zip.Store || method == zip.Deflate
}

// PythonOptionsEnv is the variable through which ZipMainName passes the
// options Python was given before the archive's path (-W, -X, -O, ...), one
// a line, to the launcher, which removes it and gives them to the
// application's interpreter.
const PythonOptionsEnv = "__RULES_PEX_PYTHON_OPTIONS"
