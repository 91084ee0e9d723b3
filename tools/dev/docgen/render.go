package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// generatedNote opens the generated file: it says where the text comes
// from and how to change it.
const generatedNote = "<!-- Generated from docs/rules.md.tmpl and the doc strings of rules/*.bzl by tools/dev/docgen. Do not edit: change those and run `make docs`. -->\n"

// marker is a template line replaced by generated text: the reference of
// one public symbol under a heading of the given level, or the load
// statements of every public file (`<!-- docgen: loads -->`).
var marker = regexp.MustCompile(`^<!-- docgen: (?:(#{1,5}) )?([A-Za-z_][A-Za-z_0-9]*) -->$`)

// render splices the reference of symbols into the template, and fails
// unless every symbol is placed exactly once.
func render(tmplName, tmpl string, symbols []*symbol) (string, error) {
	byName := map[string]*symbol{}
	for _, s := range symbols {
		if other, ok := byName[s.Name]; ok {
			return "", fmt.Errorf("%s and %s both export %s; docgen documents each name once", other.Load, s.Load, s.Name)
		}
		byName[s.Name] = s
	}
	placed := map[string]bool{}
	var b strings.Builder
	b.WriteString(generatedNote)
	for i, line := range strings.SplitAfter(tmpl, "\n") {
		m := marker.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil {
			if strings.HasPrefix(line, "<!-- docgen") {
				return "", fmt.Errorf("%s:%d: a docgen marker is written <!-- docgen: ## NAME --> or <!-- docgen: loads -->", tmplName, i+1)
			}
			b.WriteString(line)
			continue
		}
		level, name := m[1], m[2]
		if name == "loads" && level == "" {
			writeLoads(&b, symbols)
			continue
		}
		s, ok := byName[name]
		switch {
		case !ok:
			return "", fmt.Errorf("%s:%d: %s is not a public symbol of rules/*.bzl", tmplName, i+1, name)
		case level == "":
			return "", fmt.Errorf("%s:%d: give the heading level of %s: <!-- docgen: ## %s -->", tmplName, i+1, name, name)
		case placed[name]:
			return "", fmt.Errorf("%s:%d: %s is placed twice", tmplName, i+1, name)
		}
		placed[name] = true
		writeSymbol(&b, level, s)
	}
	var missing []string
	for _, s := range symbols {
		if !placed[s.Name] {
			missing = append(missing, fmt.Sprintf("%s (%s, %s)", s.Name, s.Load, s.Where))
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("%s does not place %s; add a line <!-- docgen: ## NAME --> where each belongs", tmplName, strings.Join(missing, ", "))
	}
	return b.String(), nil
}

// writeLoads writes one load statement per public file, naming the
// symbols it exports (module extensions aside: MODULE.bazel loads those
// with use_extension).
func writeLoads(b *strings.Builder, symbols []*symbol) {
	names := map[string][]string{}
	var files []string
	for _, s := range symbols {
		if s.Kind == kindModuleExtension {
			continue
		}
		if _, ok := names[s.Load]; !ok {
			files = append(files, s.Load)
		}
		names[s.Load] = append(names[s.Load], s.Name)
	}
	sort.Strings(files)
	b.WriteString("```starlark\n")
	for _, f := range files {
		sort.Strings(names[f])
		line := fmt.Sprintf("load(%q, %s)\n", f, quoteAll(names[f], ", "))
		if len(line) > 101 { // as buildifier wraps a long load
			line = fmt.Sprintf("load(\n    %q,\n    %s,\n)\n", f, quoteAll(names[f], ",\n    "))
		}
		b.WriteString(line)
	}
	b.WriteString("```\n")
}

func quoteAll(names []string, sep string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, sep)
}

func writeSymbol(b *strings.Builder, level string, s *symbol) {
	fmt.Fprintf(b, "%s %s\n\n```starlark\n", level, s.Name)
	switch s.Kind {
	case kindModuleExtension:
		fmt.Fprintf(b, "%s = use_extension(%q, %q)\n", s.Name, s.Load, s.Name)
		for _, t := range s.Tags {
			b.WriteString(signature(s.Name+"."+t.Name, attrNames(t.Attrs, false)))
		}
	default:
		fmt.Fprintf(b, "load(%q, %q)\n", s.Load, s.Name)
		switch s.Kind {
		case kindRule, kindRepositoryRule:
			b.WriteString("\n" + signature(s.Name, attrNames(s.Attrs, true)))
		case kindMacro:
			var args []string
			for _, p := range s.Params {
				if p.Default != "" {
					args = append(args, p.Name+" = "+p.Default)
				} else {
					args = append(args, p.Star+p.Name)
				}
			}
			b.WriteString("\n" + signature(s.Name, args))
		}
	}
	b.WriteString("```\n\n")
	b.WriteString(s.Doc + "\n")
	switch s.Kind {
	case kindRule, kindRepositoryRule:
		nameDoc := "A unique name for this target."
		if s.Kind == kindRepositoryRule {
			nameDoc = "A unique name for this repository."
		}
		writeAttrs(b, append([]attribute{{Name: "name", Type: "name", Mandatory: true, Doc: nameDoc}}, s.Attrs...))
	case kindMacro:
		b.WriteString("\n| parameter | default | mandatory | description |\n| --- | --- | --- | --- |\n")
		for _, p := range s.Params {
			d := "—"
			if p.Default != "" {
				d = code(p.Default)
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", p.Star+p.Name, d, yesNo(p.Default == "" && p.Star == ""), cell(sentence(p.Doc)))
		}
		if s.Returns != "" {
			fmt.Fprintf(b, "\nReturns: %s\n", s.Returns)
		}
	case kindProvider:
		b.WriteString("\n| field | description |\n| --- | --- |\n")
		for _, f := range s.Fields {
			fmt.Fprintf(b, "| `%s` | %s |\n", f.Name, cell(f.Doc))
		}
	case kindModuleExtension:
		sub := level + "#"
		for _, t := range s.Tags {
			fmt.Fprintf(b, "\n%s %s.%s\n\n%s\n", sub, s.Name, t.Name, t.Doc)
			if len(t.Attrs) > 0 {
				writeAttrs(b, t.Attrs)
			}
		}
	}
}

func attrNames(attrs []attribute, withName bool) []string {
	var names []string
	if withName {
		names = append(names, "name")
	}
	for _, a := range attrs {
		names = append(names, a.Name)
	}
	return names
}

func writeAttrs(b *strings.Builder, attrs []attribute) {
	b.WriteString("\n| attribute | type | default | mandatory | description |\n| --- | --- | --- | --- | --- |\n")
	for _, a := range attrs {
		d := a.Default
		if d == "" {
			d = "—"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", a.Name, a.Type, d, yesNo(a.Mandatory), cell(a.Doc))
	}
}

// signature writes name(args) wrapped at 100 columns, continuation lines
// aligned after the parenthesis.
func signature(name string, args []string) string {
	var b strings.Builder
	line := name + "("
	pad := strings.Repeat(" ", len(line))
	for i, a := range args {
		sep := ""
		if i < len(args)-1 {
			sep = ","
		}
		switch {
		case i == 0:
			line += a + sep
		case len(line)+1+len(a)+len(sep) > 100:
			b.WriteString(line + "\n")
			line = pad + a + sep
		default:
			line += " " + a + sep
		}
	}
	b.WriteString(line + ")\n")
	return b.String()
}

// cell makes doc text one table cell: paragraphs kept apart by <br><br>,
// lines joined, pipes escaped.
func cell(doc string) string {
	paras := strings.Split(doc, "\n\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.ReplaceAll(strings.Join(paras, "<br><br>"), "|", `\|`)
}

// sentence capitalizes the first letter of a docstring's argument
// description ("also declare" becomes "Also declare"), as attribute docs are.
func sentence(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// generate writes docs/rules.md from the template and rules/*.bzl of the
// repository at root.
func generate(root string) (string, error) {
	publicFiles, err := filepath.Glob(filepath.Join(root, "rules", "*.bzl"))
	if err != nil {
		return "", err
	}
	sort.Strings(publicFiles)
	for i, f := range publicFiles {
		publicFiles[i] = "rules/" + filepath.Base(f)
	}
	symbols, err := newLoader(root).publicSymbols(publicFiles)
	if err != nil {
		return "", err
	}
	tmpl, err := readFile(root, templatePath)
	if err != nil {
		return "", err
	}
	return render(templatePath, tmpl, symbols)
}
