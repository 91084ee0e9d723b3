// Command makewheel writes a one-module wheel for the Bazel tests of
// tests/bazel/deps, and the module's file as a pex_wheel tree would hold it.
//
// usage: makewheel -name NAME -version VERSION -wheel_dir DIR -tree FILE
//
// The module NAME.py sets __version__ = VERSION.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rules-pex/rules_pex/internal/wheel/wheeltest"
)

func main() {
	name := flag.String("name", "", "project and module name")
	version := flag.String("version", "", "project version")
	wheelDir := flag.String("wheel_dir", "", "directory to write NAME-VERSION-py3-none-any.whl into")
	tree := flag.String("tree", "", "file to write the module to (NAME.py of the installed tree)")
	flag.Parse()
	if *name == "" || *version == "" || *wheelDir == "" || *tree == "" {
		fmt.Fprintln(os.Stderr, "usage: makewheel -name NAME -version VERSION -wheel_dir DIR -tree FILE")
		os.Exit(2)
	}
	module := fmt.Sprintf("__version__ = %q\n", *version)
	if _, err := wheeltest.WriteFile(*wheelDir, wheeltest.Spec{
		Name:    *name,
		Version: *version,
		Files:   map[string]string{*name + ".py": module},
	}); err != nil {
		fmt.Fprintln(os.Stderr, "makewheel:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*tree, []byte(module), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "makewheel:", err)
		os.Exit(1)
	}
}
