package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed docs/rules.md is what docgen writes from the checkout.
func TestCommittedDocsAreGenerated(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := run(root, true, io.Discard); err != nil {
		t.Fatal(err)
	}
}

// tree writes files (path → content) under a new directory and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const ruleFile = `"""A rule."""

load(":shared.bzl", "SHARED_ATTRS")

def _impl(ctx):
    pass

my_rule = rule(
    implementation = _impl,
    doc = """Does a thing.

` + "```starlark\nmy_rule(name = \"x\")\n```" + `
""",
    attrs = dict(
        SHARED_ATTRS,
        _private = attr.label(default = "//x"),
        flag = attr.bool(doc = "Whether."),
        mode = attr.string(default = "fast", values = ["fast", "slow"], doc = "How | fast."),
        srcs = attr.label_list(allow_files = [".py", ".pyi"], doc = "Sources."),
        tool = attr.label(mandatory = True, executable = True, allow_files = True, cfg = "exec", doc = "The tool."),
    ),
)

MyInfo = provider(
    doc = "What my_rule returns.",
    fields = {
        "b": "The b.",
        "a": "The a.",
    },
)

def my_macro(name, count = 1, **kwargs):
    """Makes things.

    Longer text.

    Args:
      name: the name.
      count: how many,
        max: ten.
      **kwargs: passed on.

    Returns:
      Nothing.
    """
    pass
`

const sharedFile = `SHARED_ATTRS = {
    "main": attr.label(allow_single_file = [".py"], doc = "The main file.\n\nSecond paragraph."),
    "one": attr.label(allow_single_file = True, doc = "One file."),
}
`

const extensionFile = `_wheels = tag_class(
    doc = "Declares wheels.",
    attrs = {"name": attr.string(mandatory = True, doc = "The name.")},
)

ext = module_extension(implementation = _impl, doc = "An extension.", tag_classes = {"wheels": _wheels})

def _impl(mctx):
    pass
`

const defsFile = `load("//rules/private:my_rule.bzl", _MyInfo = "MyInfo", _my_macro = "my_macro", _my_rule = "my_rule")

my_rule = _my_rule
my_macro = _my_macro
MyInfo = _MyInfo
`

const template = `# Reference

<!-- docgen: loads -->

<!-- docgen: ## my_rule -->

<!-- docgen: ## my_macro -->

<!-- docgen: ### MyInfo -->

<!-- docgen: ## ext -->
`

func goodTree() map[string]string {
	return map[string]string{
		"rules/defs.bzl":             defsFile,
		"rules/extensions.bzl":       extensionFile,
		"rules/private/my_rule.bzl":  ruleFile,
		"rules/private/shared.bzl":   sharedFile,
		"docs/rules.md.tmpl":         template,
		"rules/private/unrelated.md": "not Starlark",
	}
}

// The reference derives types, defaults and mandatory from the attr.*
// calls, follows loads and dict(...), drops private attributes, and
// documents macros, providers and module extensions.
func TestGenerate(t *testing.T) {
	got, err := generate(tree(t, goodTree()))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"load(\"@rules_pex//rules:defs.bzl\", \"MyInfo\", \"my_macro\", \"my_rule\")\n",
		"## my_rule\n\n```starlark\nload(\"@rules_pex//rules:defs.bzl\", \"my_rule\")\n\nmy_rule(name, flag, main, mode, one, srcs, tool)\n```\n\nDoes a thing.\n\n```starlark\nmy_rule(name = \"x\")\n```\n",
		"| `name` | name | — | yes | A unique name for this target. |\n",
		"| `flag` | boolean | `False` | no | Whether. |\n",
		"| `main` | label (one `.py` file) | `None` | no | The main file.<br><br>Second paragraph. |\n",
		"| `mode` | string (one of `\"fast\"`, `\"slow\"`) | `\"fast\"` | no | How \\| fast. |\n",
		"| `one` | label (one file) | `None` | no | One file. |\n",
		"| `srcs` | list of labels (`.py` or `.pyi` files) | `[]` | no | Sources. |\n",
		"| `tool` | label (files, executable, `cfg = \"exec\"`) | — | yes | The tool. |\n",
		"my_macro(name, count = 1, **kwargs)\n```\n\nMakes things.\n\nLonger text.\n",
		"| `count` | `1` | no | How many, max: ten. |\n", // a deeper line is a continuation, even as NAME: text
		"| `**kwargs` | — | no | Passed on. |\n",
		"Returns: Nothing.\n",
		"### MyInfo\n",
		"| field | description |\n| --- | --- |\n| `a` | The a. |\n| `b` | The b. |\n",
		"ext = use_extension(\"@rules_pex//rules:extensions.bzl\", \"ext\")\next.wheels(name)\n",
		"### ext.wheels\n\nDeclares wheels.\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "_private") {
		t.Errorf("a private attribute is documented:\n%s", got)
	}
	if !strings.HasPrefix(got, generatedNote+"# Reference\n") {
		t.Errorf("does not start with the generated note and the template:\n%s", got)
	}
}

// Whatever is public and undocumented, or missing from the template, stops
// generation with an error naming it.
func TestUndocumented(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		{"attribute without doc", "rules/private/my_rule.bzl", `flag = attr.bool(doc = "Whether."),`, `flag = attr.bool(),`, "attribute flag has no doc"},
		{"attribute with empty doc", "rules/private/shared.bzl", `doc = "One file."`, `doc = ""`, "attribute one has an empty doc"},
		{"rule without doc", "rules/private/my_rule.bzl", `    doc = """Does a thing.`, `    x = """Does a thing.`, "my_rule: the rule has no doc"},
		{"unknown attr argument", "rules/private/my_rule.bzl", `flag = attr.bool(`, `flag = attr.bool(allow_rules = [], `, "does not know the argument allow_rules"},
		{"macro parameter not in Args", "rules/private/my_rule.bzl", "      count: how many,\n        max: ten.\n", "", "parameter count is not documented"},
		{"Args names no parameter", "rules/private/my_rule.bzl", "      name: the name.\n", "      name: the name.\n      size: big.\n", "documents size, which is not a parameter"},
		{"Args line outside an entry", "rules/private/my_rule.bzl", "      name: the name.\n", "     stray\n      name: the name.\n", "is not an entry of the Args: section"},
		{"macro without docstring", "rules/private/my_rule.bzl", `    """Makes things.`, `    x = 1
    """Makes things.`, "my_macro: has no docstring"},
		{"provider field without doc", "rules/private/my_rule.bzl", `"b": "The b.",`, `"b": "",`, "field b has an empty doc"},
		{"provider fields as a list", "rules/private/my_rule.bzl", "fields = {\n        \"b\": \"The b.\",\n        \"a\": \"The a.\",\n    },", `fields = ["a", "b"],`, "document every field"},
		{"tag class attribute without doc", "rules/extensions.bzl", `attr.string(mandatory = True, doc = "The name.")`, `attr.string(mandatory = True)`, "tag class wheels: attribute name has no doc"},
		{"public constant", "rules/defs.bzl", "MyInfo = _MyInfo\n", "MyInfo = _MyInfo\nVERSION = \"1\"\n", "VERSION: is neither a rule"},
		{"symbol not in the template", "docs/rules.md.tmpl", "<!-- docgen: ## my_macro -->\n", "", "does not place my_macro"},
		{"template names no symbol", "docs/rules.md.tmpl", "<!-- docgen: ## my_macro -->", "<!-- docgen: ## my_macro -->\n<!-- docgen: ## other -->", "other is not a public symbol"},
		{"symbol placed twice", "docs/rules.md.tmpl", "<!-- docgen: ## my_macro -->", "<!-- docgen: ## my_macro -->\n<!-- docgen: ## my_macro -->", "my_macro is placed twice"},
		{"marker without level", "docs/rules.md.tmpl", "<!-- docgen: ## my_macro -->", "<!-- docgen: my_macro -->", "give the heading level of my_macro"},
		{"malformed marker", "docs/rules.md.tmpl", "<!-- docgen: ## my_macro -->", "<!-- docgen ## my_macro -->", "a docgen marker is written"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := goodTree()
			if !strings.Contains(files[tc.file], tc.old) {
				t.Fatalf("%s has no %q", tc.file, tc.old)
			}
			files[tc.file] = strings.Replace(files[tc.file], tc.old, tc.new, 1)
			_, err := generate(tree(t, files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// -check fails on a stale docs/rules.md, naming the line and the command
// that regenerates it, and passes once docgen has written the file.
func TestCheck(t *testing.T) {
	root := tree(t, goodTree())
	err := run(root, true, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("check without docs/rules.md: got %v", err)
	}
	if err := run(root, false, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(root, true, io.Discard); err != nil {
		t.Fatalf("check after writing: %v", err)
	}
	p := filepath.Join(root, "rules/private/my_rule.bzl")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), `"Whether."`, `"Whether it is on."`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	err = run(root, true, io.Discard)
	if err == nil {
		t.Fatal("check passed after a doc string changed")
	}
	for _, want := range []string{"docs/rules.md is not what docgen writes", "Whether it is on.", "run `make docs`"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestSignatureWraps(t *testing.T) {
	args := strings.Fields("name aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii")
	got := signature("some_rule", args)
	want := "some_rule(name, aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff, gggggggggg,\n          hhhhhhhhhh, iiiiiiiiii)\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
