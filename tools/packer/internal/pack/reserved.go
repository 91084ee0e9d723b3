package pack

import (
	"fmt"
	"sort"

	"github.com/rules-pex/rules_pex/internal/layout"
)

// reservedFile returns a problem if a file installed to path of scheme
// would take a name the launcher owns in the environment
// (layout.ReservedEnvPath): the launcher writes its own file there, and the
// two could not both be in the environment. what names the input ("--wheel
// x.whl: entry demo-1.0.data/data/pex").
func reservedFile(what, scheme, path string) (string, bool) {
	why, reserved := layout.ReservedEnvPath(scheme, path)
	if !reserved {
		return "", false
	}
	return fmt.Sprintf("%s installs to %s%s, a name the launcher owns (%s); rules_pex cannot carry it: remove or rename that file", what, envDirs[scheme], path, why), true
}

// envDirs names the directory of each scheme in an environment, for messages.
var envDirs = map[string]string{
	layout.SchemeData:         "the environment's root: ",
	layout.SchemeSitePackages: "site-packages/",
	layout.SchemeScripts:      "bin/",
	layout.SchemeHeaders:      "include/",
}

// reservedConsoleScripts returns a problem for every console script whose
// name would take a file the launcher owns in bin/. what names the input.
func reservedConsoleScripts(what string, scripts map[string]string) []string {
	names := make([]string, 0, len(scripts))
	for n := range scripts {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		if why, reserved := layout.ReservedEnvPath(layout.SchemeScripts, n); reserved {
			out = append(out, fmt.Sprintf("%s: console script %s is named like a file the launcher owns (%s); rules_pex cannot carry it: rename the console script", what, n, why))
		}
	}
	return out
}

// reservedInWheel lists the files and console scripts of a validated wheel
// that claim names the launcher owns. what names the input ("--wheel x.whl").
func reservedInWheel(what string, s *WheelSummary) []string {
	var out []string
	for _, f := range s.Files {
		if p, bad := reservedFile(what+": entry "+f.Entry, f.Scheme, f.Path); bad {
			out = append(out, p)
		}
	}
	return append(out, reservedConsoleScripts(what, s.ConsoleScripts)...)
}
