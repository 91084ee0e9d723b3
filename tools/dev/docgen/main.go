// Command docgen writes docs/rules.md, the reference of rules_pex's Bazel
// API, from the doc strings of the public Starlark files (rules/*.bzl and
// what they load) and the hand-written prose of docs/rules.md.tmpl, as
// stardoc does for rulesets on newer Bazel. It reads the Starlark with
// buildtools' parser; nothing is evaluated, so it needs no Bazel.
//
// Every public name of rules/*.bzl must be documented: a rule or repository
// rule and each of its public attributes by doc =, a provider and each of
// its fields, a macro by a docstring whose Args: section names every
// parameter, a module extension and each tag class and attribute. The
// template places each name once with a line <!-- docgen: ## NAME -->
// (the heading level to use); <!-- docgen: loads --> writes the load
// statements of every public file.
//
// Usage (from tools/dev, or `make docs` at the root):
//
//	go run ./docgen [-root DIR] [-check]
//
// -check changes nothing and fails when docs/rules.md is not what docgen
// writes (what `make test` runs through tests/bazel/check-docs).
//
// Exit status: 0 written or up to date, 1 a doc is missing or docs/rules.md
// is out of date, 2 bad usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

const (
	templatePath = "docs/rules.md.tmpl"
	outputPath   = "docs/rules.md"
	regenerate   = "`make docs` (or `go run -C tools/dev ./docgen` from the checkout)"
)

func main() {
	root := flag.String("root", "", "the rules_pex checkout (default: the nearest directory above the current one holding "+templatePath+")")
	check := flag.Bool("check", false, "change nothing; fail when "+outputPath+" is out of date")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "docgen: unexpected argument %q\n", flag.Arg(0))
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*root, *check, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "docgen: %v\n", err)
		os.Exit(1)
	}
}

func run(root string, check bool, stdout io.Writer) error {
	if root == "" {
		var err error
		if root, err = findRoot(); err != nil {
			return err
		}
	}
	want, err := generate(root)
	if err != nil {
		return err
	}
	have, err := readFile(root, outputPath)
	if err != nil && !(errors.Is(err, os.ErrNotExist) && !check) {
		return err
	}
	if check {
		if d := firstDifference(have, want); d != "" {
			return fmt.Errorf("%s is not what docgen writes from %s and rules/*.bzl (%s); run %s", outputPath, templatePath, d, regenerate)
		}
		fmt.Fprintf(stdout, "docgen: %s is up to date\n", outputPath)
		return nil
	}
	if have == want {
		fmt.Fprintf(stdout, "docgen: %s is up to date\n", outputPath)
		return nil
	}
	if err := os.WriteFile(filepath.Join(root, outputPath), []byte(want), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "docgen: wrote %s\n", outputPath)
	return nil
}

func readFile(root, rel string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	return string(data), err
}

// findRoot walks up from the current directory to the checkout.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, templatePath)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no %s in the current directory or above; give -root", templatePath)
		}
		dir = parent
	}
}

// firstDifference describes the first line where have and want differ,
// or returns "" when they are equal.
func firstDifference(have, want string) string {
	if have == want {
		return ""
	}
	h, w := strings.Split(have, "\n"), strings.Split(want, "\n")
	for i := 0; ; i++ {
		switch {
		case i >= len(h):
			return fmt.Sprintf("line %d is missing: %q", i+1, w[i])
		case i >= len(w):
			return fmt.Sprintf("line %d should not be there: %q", i+1, h[i])
		case h[i] != w[i]:
			return fmt.Sprintf("line %d is %q, docgen writes %q", i+1, h[i], w[i])
		}
	}
}
