// Command lintwarnings prints buildifier's warning categories, all of them
// but those named as arguments, comma-separated: the -warnings value
// scripts/lint-starlark gives the example workspaces (all warnings but
// native-py, since Bazel 4.2's native py_* rules are what they show).
package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/bazelbuild/buildtools/warn"
)

func main() {
	var keep []string
	for _, w := range warn.AllWarnings {
		if !slices.Contains(os.Args[1:], w) {
			keep = append(keep, w)
		}
	}
	for _, a := range os.Args[1:] {
		if !slices.Contains(warn.AllWarnings, a) {
			fmt.Fprintf(os.Stderr, "lintwarnings: %q is not a buildifier warning\n", a)
			os.Exit(2)
		}
	}
	fmt.Println(strings.Join(keep, ","))
}
