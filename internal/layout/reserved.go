package layout

import (
	"fmt"
	"strings"
)

// Files the launcher writes into an environment (see docs/launcher.md),
// relative to the environment's root unless noted. They are the reason for
// ReservedEnvPath: no input (a source, a wheel's file or script) may claim
// one of them, so that the launcher never has to write where a tree's file
// is linked.
const (
	// EnvBootstrap runs the application: ENV/pex ARGS.
	EnvBootstrap = "pex"
	// EnvBootModule is the module (EnvBootModule + ".py") that runs the
	// entry point; the bootstrap and the launcher's python -c import it.
	EnvBootModule = "_rules_pex_main"
	// EnvConfig makes the directory a virtual environment.
	EnvConfig = "pyvenv.cfg"
	// EnvMeta records what the environment is made of.
	EnvMeta = "rules_pex.json"
	// EnvUseLock is held shared by every running application using the
	// environment (its mtime is its last use).
	EnvUseLock = "rules_pex.lock"
	// EnvCompiled marks an environment whose bytecode is compiled.
	EnvCompiled = "rules_pex.compiled"
	// EnvCompileLock is held by the background byte-compiler.
	EnvCompileLock = "rules_pex.compile.lock"
	// EnvCompileLog holds the background byte-compiler's output.
	EnvCompileLog = "rules_pex.compile.log"
	// EnvInheritModule (+ ".py"), in site-packages, adds the interpreter's
	// packages to sys.path when inherit_path asks for them.
	EnvInheritModule = "_rules_pex_inherit"
	// EnvInheritPth, in site-packages, imports EnvInheritModule.
	EnvInheritPth = "_rules_pex_inherit.pth"
	// EnvNoBytecodePth, in site-packages, stops the environment's python
	// from writing bytecode (the launcher's compiler writes it).
	EnvNoBytecodePth = "_rules_pex_bytecode.pth"
)

// Prefixes of names the launcher owns, now and in the future: a new
// launcher-owned file takes one of them, so that archives made today
// cannot claim it.
const (
	// OwnedPrefix starts names the launcher owns at the root of an
	// environment, of its site-packages and of its bin directory.
	OwnedPrefix = "_rules_pex"
	// OwnedMetaPrefix starts names the launcher owns at the root of an
	// environment (its metadata, locks and markers).
	OwnedMetaPrefix = "rules_pex."
)

// ReservedEnvPath reports whether a file installed at rel under the
// directory of scheme in an environment would take a path the launcher
// owns, and if so why. rel is slash-separated and relative to the scheme's
// directory: the environment's root for SchemeData, site-packages for
// SchemeSitePackages (the code tree goes there too), bin for SchemeScripts
// (scripts and console scripts), the project's include directory for
// SchemeHeaders (nothing is reserved there).
//
// What is reserved:
//
//   - at the root: pex, pyvenv.cfg, __pycache__ (the bytecode of the boot
//     module: a planted unchecked-hash .pyc would run instead of it), names
//     starting with _rules_pex or rules_pex., and, as files, the
//     directories the launcher creates (bin, lib, lib/<python>,
//     lib/<python>/site-packages, include, include/site,
//     include/site/<python>, where <python> is python3.11, pypy3.9, ...);
//   - in site-packages: names starting with _rules_pex, also inside
//     __pycache__;
//   - in bin: python, python3, python3.N (any "python" followed by digits
//     and dots) and names starting with _rules_pex;
//   - a data file under bin/ or lib/<python>/site-packages/ is judged by
//     the rule of that directory; other data files are free (lib/libfoo.so,
//     share/...).
//
// Within a directory only the first component of rel matters (a reserved
// name cannot be a directory either), and the second after __pycache__. A
// rel ending in "/" asks about a directory: it is reserved when every file
// in it would be ("pex/", "_rules_pex_x/", but not "bin/" or "lib/").
// Names are compared ignoring ASCII case, as case-insensitive file systems
// (macOS's default) would.
//
// The packer refuses inputs that claim a reserved path; the launcher, for
// archives it did not see made, skips them and reports a collision.
func ReservedEnvPath(scheme, rel string) (reason string, reserved bool) {
	switch scheme {
	case SchemeData:
		return reservedAtRoot(rel)
	case SchemeSitePackages:
		return reservedInSitePackages(rel)
	case SchemeScripts:
		return reservedInBin(rel)
	}
	return "", false
}

func reservedAtRoot(rel string) (string, bool) {
	lower := strings.ToLower(rel)
	parts := strings.Split(lower, "/")
	switch first := parts[0]; {
	case first == "__pycache__":
		return "__pycache__ at the environment's root holds the bytecode of the launcher's boot module", true
	case first == EnvBootstrap:
		return "pex at the environment's root is the launcher's bootstrap file", true
	case first == EnvConfig:
		return "pyvenv.cfg at the environment's root is written by the launcher", true
	case strings.HasPrefix(first, OwnedPrefix), strings.HasPrefix(first, OwnedMetaPrefix):
		return fmt.Sprintf("names starting with %s or %s at the environment's root belong to the launcher", OwnedPrefix, OwnedMetaPrefix), true
	case first == "bin":
		if len(parts) == 1 {
			return "bin at the environment's root is its script directory", true
		}
		return reservedInBin(lower[len("bin/"):])
	case first == "lib" && (len(parts) == 1 || isPythonLib(parts[1])):
		switch {
		case len(parts) <= 2, len(parts) == 3 && parts[2] == "site-packages":
			return rel + " is a directory of the environment", true
		case parts[2] == "site-packages":
			return reservedInSitePackages(strings.Join(parts[3:], "/"))
		}
	case first == "include" && (len(parts) == 1 || parts[1] == "site"):
		if len(parts) <= 2 || len(parts) == 3 && isPythonLib(parts[2]) {
			return rel + " is a directory of the environment", true
		}
	}
	return "", false
}

// isPythonLib reports whether name is the directory an interpreter's
// libraries go under: python3.11, pypy3.9.
func isPythonLib(name string) bool {
	for _, impl := range []string{"python", "pypy"} {
		if rest, ok := strings.CutPrefix(name, impl); ok && rest != "" && strings.Trim(rest, "0123456789.") == "" {
			return true
		}
	}
	return false
}

func reservedInSitePackages(rel string) (string, bool) {
	first, rest, _ := strings.Cut(strings.ToLower(rel), "/")
	if first == "__pycache__" {
		// The bytecode of the launcher's modules.
		first, _, _ = strings.Cut(rest, "/")
	}
	if strings.HasPrefix(first, OwnedPrefix) {
		return fmt.Sprintf("names starting with %s in site-packages (and its __pycache__) belong to the launcher", OwnedPrefix), true
	}
	return "", false
}

func reservedInBin(rel string) (string, bool) {
	first, _, _ := strings.Cut(strings.ToLower(rel), "/")
	if strings.HasPrefix(first, OwnedPrefix) {
		return fmt.Sprintf("names starting with %s in bin belong to the launcher", OwnedPrefix), true
	}
	if rest, ok := strings.CutPrefix(first, "python"); ok && strings.Trim(rest, "0123456789.") == "" {
		return "bin/" + first + " is the environment's python, made by the launcher", true
	}
	return "", false
}
