package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/bazelbuild/buildtools/build"
)

// kind is what a public symbol is, which decides how it is documented.
type kind int

const (
	kindRule kind = iota
	kindRepositoryRule
	kindMacro
	kindProvider
	kindModuleExtension
)

// symbol is one public name of a public .bzl file, with its documentation.
type symbol struct {
	Name    string
	Load    string // the label users load it from: @rules_pex//rules:defs.bzl
	Kind    kind
	Where   string // file:line of its definition, for errors
	Doc     string // markdown, dedented
	Attrs   []attribute
	Params  []param
	Returns string
	Fields  []field
	Tags    []tagClass
}

// attribute is one public attribute of a rule, repository rule or tag class.
type attribute struct {
	Name      string
	Type      string // markdown: list of labels (`.py` files)
	Default   string // markdown: `"deflate"`, or empty when mandatory
	Mandatory bool
	Doc       string
}

// param is one parameter of a macro, documented in the Args: section of its docstring.
type param struct {
	Name    string
	Default string // Starlark source of the default; empty when mandatory
	Star    string // "*" or "**" for *args and **kwargs, which are never mandatory
	Doc     string
}

// field is one field of a provider.
type field struct {
	Name string
	Doc  string
}

// tagClass is one tag class of a module extension.
type tagClass struct {
	Name  string
	Doc   string
	Attrs []attribute
}

// loader parses .bzl files of the repository (paths relative to root) once
// and resolves names across their load statements.
type loader struct {
	root  string
	files map[string]*build.File
}

func newLoader(root string) *loader {
	return &loader{root: root, files: map[string]*build.File{}}
}

func (l *loader) file(rel string) (*build.File, error) {
	if f, ok := l.files[rel]; ok {
		return f, nil
	}
	data, err := os.ReadFile(filepath.Join(l.root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	f, err := build.ParseBzl(rel, data)
	if err != nil {
		return nil, err
	}
	l.files[rel] = f
	return f, nil
}

// labelPath turns the label of a .bzl file loaded from file from into a
// path relative to the repository root.
func labelPath(from, label string) (string, error) {
	for _, prefix := range []string{"@rules_pex//", "@//", "//"} {
		if rest, ok := strings.CutPrefix(label, prefix); ok {
			pkg, name, ok := strings.Cut(rest, ":")
			if !ok {
				return "", fmt.Errorf("load of %q: name the file with a colon (//pkg:file.bzl)", label)
			}
			return path.Join(pkg, name), nil
		}
	}
	if name, ok := strings.CutPrefix(label, ":"); ok {
		return path.Join(path.Dir(from), name), nil
	}
	return "", fmt.Errorf("load of %q: not a file of this repository", label)
}

// binding is what a top-level name of a file stands for: a def, or the
// right-hand side of an assignment, in the file that holds it.
type binding struct {
	file string
	def  *build.DefStmt
	expr build.Expr
}

func (b binding) where() string {
	var start build.Position
	if b.def != nil {
		start, _ = b.def.Span()
	} else {
		start, _ = b.expr.Span()
	}
	return fmt.Sprintf("%s:%d", b.file, start.Line)
}

// resolve follows name in file through assignments of plain names and load
// statements to its definition.
func (l *loader) resolve(file, name string) (binding, error) {
	for range 20 {
		f, err := l.file(file)
		if err != nil {
			return binding{}, err
		}
		b, found := binding{}, false
		for _, stmt := range f.Stmt {
			switch s := stmt.(type) {
			case *build.DefStmt:
				if s.Name == name {
					b, found = binding{file: file, def: s}, true
				}
			case *build.AssignExpr:
				if id, ok := s.LHS.(*build.Ident); ok && id.Name == name && s.Op == "=" {
					b, found = binding{file: file, expr: s.RHS}, true
				}
			case *build.LoadStmt:
				for i, to := range s.To {
					if to.Name == name {
						p, err := labelPath(file, s.Module.Value)
						if err != nil {
							return binding{}, fmt.Errorf("%s: %w", file, err)
						}
						found = true
						b = binding{file: p, expr: &build.Ident{Name: s.From[i].Name}}
					}
				}
			}
		}
		if !found {
			return binding{}, fmt.Errorf("%s: %s is not defined", file, name)
		}
		id, ok := b.expr.(*build.Ident)
		if b.def != nil || !ok {
			return b, nil
		}
		file, name = b.file, id.Name
	}
	return binding{}, fmt.Errorf("%s: %s: too many assignments and loads to follow", file, name)
}

// publicNames lists the top-level names of a file that other files can
// load: defs and assignments whose names do not start with an underscore
// (names bound by load are not exported).
func publicNames(f *build.File) []string {
	var names []string
	for _, stmt := range f.Stmt {
		switch s := stmt.(type) {
		case *build.DefStmt:
			names = append(names, s.Name)
		case *build.AssignExpr:
			if id, ok := s.LHS.(*build.Ident); ok {
				names = append(names, id.Name)
			}
		}
	}
	var public []string
	for _, n := range names {
		if !strings.HasPrefix(n, "_") {
			public = append(public, n)
		}
	}
	return public
}

// publicSymbols documents every public name of the public files (rules/*.bzl).
func (l *loader) publicSymbols(publicFiles []string) ([]*symbol, error) {
	var symbols []*symbol
	for _, file := range publicFiles {
		f, err := l.file(file)
		if err != nil {
			return nil, err
		}
		load := "@rules_pex//" + path.Dir(file) + ":" + path.Base(file)
		for _, name := range publicNames(f) {
			b, err := l.resolve(file, name)
			if err != nil {
				return nil, err
			}
			s, err := l.document(name, b)
			if err != nil {
				return nil, err
			}
			s.Load = load
			symbols = append(symbols, s)
		}
	}
	return symbols, nil
}

func (l *loader) document(name string, b binding) (*symbol, error) {
	s := &symbol{Name: name, Where: b.where()}
	if b.def != nil {
		s.Kind = kindMacro
		if err := l.documentMacro(s, b.file, b.def); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", s.Where, name, err)
		}
		return s, nil
	}
	call, ok := b.expr.(*build.CallExpr)
	fn := ""
	if ok {
		if id, isIdent := call.X.(*build.Ident); isIdent {
			fn = id.Name
		}
	}
	var err error
	switch fn {
	case "rule", "repository_rule":
		s.Kind = kindRule
		if fn == "repository_rule" {
			s.Kind = kindRepositoryRule
		}
		s.Doc, s.Attrs, err = l.documentRule(b.file, call)
	case "provider":
		s.Kind = kindProvider
		err = l.documentProvider(s, b.file, call)
	case "module_extension":
		s.Kind = kindModuleExtension
		err = l.documentExtension(s, b.file, call)
	default:
		err = fmt.Errorf("is neither a rule, a repository rule, a provider, a module extension nor a macro; docgen cannot document it (make it private with a leading underscore, or teach docgen)")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", s.Where, name, err)
	}
	return s, nil
}

// kwargs returns the keyword arguments of a call by name, failing on
// positional ones.
func kwargs(call *build.CallExpr) (map[string]build.Expr, error) {
	args := map[string]build.Expr{}
	for _, arg := range call.List {
		a, ok := arg.(*build.AssignExpr)
		if !ok {
			return nil, fmt.Errorf("%s(...) has a positional argument; docgen reads keyword arguments only", build.FormatString(call.X))
		}
		args[a.LHS.(*build.Ident).Name] = a.RHS
	}
	return args, nil
}

// str evaluates a string literal, a + of them, or a name bound to one.
func (l *loader) str(file string, e build.Expr) (string, error) {
	switch x := e.(type) {
	case *build.StringExpr:
		return x.Value, nil
	case *build.BinaryExpr:
		if x.Op == "+" {
			a, err := l.str(file, x.X)
			if err != nil {
				return "", err
			}
			b, err := l.str(file, x.Y)
			return a + b, err
		}
	case *build.Ident:
		b, err := l.resolve(file, x.Name)
		if err != nil {
			return "", err
		}
		if b.expr != nil {
			return l.str(b.file, b.expr)
		}
	}
	return "", fmt.Errorf("%s is not a string literal", build.FormatString(e))
}

// doc reads a doc argument, required and non-empty.
func (l *loader) doc(file string, args map[string]build.Expr, what string) (string, error) {
	e, ok := args["doc"]
	if !ok {
		return "", fmt.Errorf("%s has no doc", what)
	}
	s, err := l.str(file, e)
	if err != nil {
		return "", fmt.Errorf("doc of %s: %w", what, err)
	}
	s = cleanDoc(s)
	if s == "" {
		return "", fmt.Errorf("%s has an empty doc", what)
	}
	return s, nil
}

func (l *loader) documentRule(file string, call *build.CallExpr) (string, []attribute, error) {
	args, err := kwargs(call)
	if err != nil {
		return "", nil, err
	}
	doc, err := l.doc(file, args, "the rule")
	if err != nil {
		return "", nil, err
	}
	var attrs []attribute
	if e, ok := args["attrs"]; ok {
		attrs, err = l.attrs(file, e)
	}
	return doc, attrs, err
}

// attrs evaluates an attrs dict: a dict literal, a name bound to one, or
// dict(...) merging them with keyword arguments. Private attributes
// (leading underscore) are left out; the rest are sorted by name.
func (l *loader) attrs(file string, e build.Expr) ([]attribute, error) {
	items, err := l.dictItems(file, e)
	if err != nil {
		return nil, err
	}
	var attrs []attribute
	for _, it := range items {
		if strings.HasPrefix(it.name, "_") {
			continue
		}
		a, err := l.attribute(it.file, it.name, it.value)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, a)
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].Name < attrs[j].Name })
	return attrs, nil
}

type dictItem struct {
	file, name string
	value      build.Expr
}

func (l *loader) dictItems(file string, e build.Expr) ([]dictItem, error) {
	switch x := e.(type) {
	case *build.DictExpr:
		var items []dictItem
		for _, kv := range x.List {
			k, err := l.str(file, kv.Key)
			if err != nil {
				return nil, fmt.Errorf("dict key: %w", err)
			}
			items = append(items, dictItem{file, k, kv.Value})
		}
		return items, nil
	case *build.Ident:
		b, err := l.resolve(file, x.Name)
		if err != nil {
			return nil, err
		}
		if b.expr != nil {
			return l.dictItems(b.file, b.expr)
		}
	case *build.CallExpr:
		if id, ok := x.X.(*build.Ident); ok && id.Name == "dict" {
			var items []dictItem
			for _, arg := range x.List {
				if a, ok := arg.(*build.AssignExpr); ok {
					items = append(items, dictItem{file, a.LHS.(*build.Ident).Name, a.RHS})
					continue
				}
				more, err := l.dictItems(file, arg)
				if err != nil {
					return nil, err
				}
				items = append(items, more...)
			}
			return items, nil
		}
	}
	return nil, fmt.Errorf("%s is not a dict docgen can read", build.FormatString(e))
}

// attrTypes names each attr.* function's type and the default it has when
// none is given.
var attrTypes = map[string]struct{ name, zero string }{
	"bool":                    {"boolean", "False"},
	"int":                     {"integer", "0"},
	"int_list":                {"list of integers", "[]"},
	"label":                   {"label", "None"},
	"label_keyed_string_dict": {"dictionary: label → string", "{}"},
	"label_list":              {"list of labels", "[]"},
	"output":                  {"output file name", "None"},
	"output_list":             {"list of output file names", "[]"},
	"string":                  {"string", `""`},
	"string_dict":             {"dictionary: string → string", "{}"},
	"string_keyed_label_dict": {"dictionary: string → label", "{}"},
	"string_list":             {"list of strings", "[]"},
	"string_list_dict":        {"dictionary: string → list of strings", "{}"},
}

func (l *loader) attribute(file, name string, e build.Expr) (attribute, error) {
	a := attribute{Name: name}
	if id, ok := e.(*build.Ident); ok {
		b, err := l.resolve(file, id.Name)
		if err != nil {
			return a, err
		}
		if b.expr == nil {
			return a, fmt.Errorf("attribute %s: %s is a function, not an attr.* call", name, id.Name)
		}
		file, e = b.file, b.expr
	}
	call, ok := e.(*build.CallExpr)
	var dot *build.DotExpr
	if ok {
		dot, ok = call.X.(*build.DotExpr)
	}
	if !ok || build.FormatString(dot.X) != "attr" {
		return a, fmt.Errorf("attribute %s: %s is not an attr.* call", name, build.FormatString(e))
	}
	t, ok := attrTypes[dot.Name]
	if !ok {
		return a, fmt.Errorf("attribute %s: docgen does not know attr.%s; add it to attrTypes", name, dot.Name)
	}
	args, err := kwargs(call)
	if err != nil {
		return a, err
	}
	a.Doc, err = l.doc(file, args, "attribute "+name)
	if err != nil {
		return a, err
	}
	for k := range args {
		if !slices.Contains(attrArgs, k) {
			return a, fmt.Errorf("attribute %s: docgen does not know the argument %s of attr.%s; teach it (starlark.go)", name, k, dot.Name)
		}
	}
	var quals []string
	for _, k := range attrArgs {
		v, ok := args[k]
		if !ok {
			continue
		}
		src := build.FormatString(v)
		switch k {
		case "doc":
		case "default":
			a.Default = code(src)
		case "mandatory":
			a.Mandatory = src == "True"
		case "values":
			list, ok := v.(*build.ListExpr)
			if !ok {
				return a, fmt.Errorf("attribute %s: values is not a list literal", name)
			}
			var vals []string
			for _, item := range list.List {
				vals = append(vals, code(build.FormatString(item)))
			}
			quals = append(quals, "one of "+strings.Join(vals, ", "))
		case "allow_files", "allow_single_file":
			var exts []string
			if list, ok := v.(*build.ListExpr); ok {
				for _, item := range list.List {
					exts = append(exts, code(strings.Trim(build.FormatString(item), `"`)))
				}
			} else if src != "True" {
				continue
			}
			single, what := k == "allow_single_file", strings.Join(exts, " or ")
			switch {
			case what == "" && single:
				what = "one file"
			case what == "":
				what = "files"
			case single:
				what = "one " + what + " file"
			default:
				what += " files"
			}
			quals = append(quals, what)
		case "allow_empty":
			if src == "False" {
				quals = append(quals, "not empty")
			}
		case "executable":
			if src == "True" {
				quals = append(quals, "executable")
			}
		case "cfg":
			quals = append(quals, code("cfg = "+src))
		case "providers":
			quals = append(quals, "providing "+code(strings.Trim(src, "[]")))
		case "aspects":
			quals = append(quals, "with the aspect "+code(strings.Trim(src, "[]")))
		}
	}
	a.Type = t.name
	if len(quals) > 0 {
		a.Type += " (" + strings.Join(quals, ", ") + ")"
	}
	if a.Default == "" && !a.Mandatory {
		a.Default = code(t.zero)
	}
	return a, nil
}

// attrArgs are the arguments of attr.* calls docgen reads, in the order
// their qualifiers appear in the type column.
var attrArgs = []string{"doc", "default", "mandatory", "values", "allow_files", "allow_single_file", "allow_empty", "executable", "providers", "aspects", "cfg"}

func (l *loader) documentProvider(s *symbol, file string, call *build.CallExpr) error {
	args, err := kwargs(call)
	if err != nil {
		return err
	}
	if s.Doc, err = l.doc(file, args, "the provider"); err != nil {
		return err
	}
	fields, ok := args["fields"]
	if !ok {
		return fmt.Errorf("the provider has no fields")
	}
	dict, ok := fields.(*build.DictExpr)
	if !ok {
		return fmt.Errorf("fields is not a dict of field name to doc: document every field")
	}
	for _, kv := range dict.List {
		name, err := l.str(file, kv.Key)
		if err != nil {
			return err
		}
		doc, err := l.str(file, kv.Value)
		if err != nil {
			return fmt.Errorf("field %s: %w", name, err)
		}
		if doc = cleanDoc(doc); doc == "" {
			return fmt.Errorf("field %s has an empty doc", name)
		}
		s.Fields = append(s.Fields, field{Name: name, Doc: doc})
	}
	sort.Slice(s.Fields, func(i, j int) bool { return s.Fields[i].Name < s.Fields[j].Name })
	return nil
}

func (l *loader) documentExtension(s *symbol, file string, call *build.CallExpr) error {
	args, err := kwargs(call)
	if err != nil {
		return err
	}
	if s.Doc, err = l.doc(file, args, "the module extension"); err != nil {
		return err
	}
	tags, ok := args["tag_classes"]
	if !ok {
		return nil
	}
	items, err := l.dictItems(file, tags)
	if err != nil {
		return err
	}
	for _, it := range items {
		e, f := it.value, it.file
		if id, ok := e.(*build.Ident); ok {
			b, err := l.resolve(f, id.Name)
			if err != nil {
				return err
			}
			e, f = b.expr, b.file
		}
		tc, ok := e.(*build.CallExpr)
		if !ok || build.FormatString(tc.X) != "tag_class" {
			return fmt.Errorf("tag class %s is not a tag_class(...) call", it.name)
		}
		targs, err := kwargs(tc)
		if err != nil {
			return err
		}
		t := tagClass{Name: it.name}
		if t.Doc, err = l.doc(f, targs, "tag class "+it.name); err != nil {
			return err
		}
		if a, ok := targs["attrs"]; ok {
			if t.Attrs, err = l.attrs(f, a); err != nil {
				return fmt.Errorf("tag class %s: %w", it.name, err)
			}
		}
		s.Tags = append(s.Tags, t)
	}
	sort.Slice(s.Tags, func(i, j int) bool { return s.Tags[i].Name < s.Tags[j].Name })
	return nil
}

// argLine is the first line of one entry of a docstring's Args: section.
var argLine = regexp.MustCompile(`^(\*{0,2}[A-Za-z_][A-Za-z_0-9]*)(?: \([^)]*\))?:\s*(.*)$`)

// documentMacro reads a def's docstring in the Google style Bazel uses:
// a summary and body, an Args: section with one entry per parameter and
// an optional Returns: section.
func (l *loader) documentMacro(s *symbol, file string, def *build.DefStmt) error {
	if len(def.Body) == 0 {
		return fmt.Errorf("has no docstring")
	}
	ds, ok := def.Body[0].(*build.StringExpr)
	if !ok {
		return fmt.Errorf("has no docstring")
	}
	lines := strings.Split(cleanDoc(ds.Value), "\n")
	var body, returns []string
	docs := map[string]*strings.Builder{}
	var order []string
	section, current, argIndent := "", "", -1
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if line == trimmed && (trimmed == "Args:" || trimmed == "Returns:") {
			section = trimmed
			continue
		}
		if line == trimmed && trimmed != "" {
			section = ""
		}
		switch section {
		case "Args:":
			if trimmed == "" {
				continue
			}
			if argIndent < 0 {
				argIndent = indent(line)
			}
			// An entry starts at the indentation of the first one; deeper
			// lines continue it.
			if m := argLine.FindStringSubmatch(trimmed); m != nil && indent(line) == argIndent {
				current = strings.TrimLeft(m[1], "*")
				docs[current] = &strings.Builder{}
				docs[current].WriteString(m[2])
				order = append(order, current)
			} else if current != "" && indent(line) > argIndent {
				docs[current].WriteString(" " + trimmed)
			} else {
				return fmt.Errorf("docstring line %q is not an entry of the Args: section (NAME: text, continued on deeper-indented lines)", trimmed)
			}
		case "Returns:":
			returns = append(returns, trimmed)
		default:
			body = append(body, line)
		}
	}
	s.Doc = strings.TrimSpace(strings.Join(body, "\n"))
	if s.Doc == "" {
		return fmt.Errorf("has an empty docstring")
	}
	s.Returns = strings.TrimSpace(strings.Join(returns, " "))
	seen := map[string]bool{}
	for _, p := range def.Params {
		var name, dflt, star string
		switch x := p.(type) {
		case *build.Ident:
			name = x.Name
		case *build.AssignExpr:
			name, dflt = x.LHS.(*build.Ident).Name, build.FormatString(x.RHS)
		case *build.UnaryExpr:
			name, star = build.FormatString(x.X), x.Op
		default:
			return fmt.Errorf("parameter %s: docgen cannot read it", build.FormatString(p))
		}
		d, ok := docs[name]
		if !ok || strings.TrimSpace(d.String()) == "" {
			return fmt.Errorf("parameter %s is not documented in the docstring's Args: section", name)
		}
		seen[name] = true
		s.Params = append(s.Params, param{Name: name, Default: dflt, Star: star, Doc: strings.TrimSpace(d.String())})
	}
	for _, name := range order {
		if !seen[name] {
			return fmt.Errorf("the docstring documents %s, which is not a parameter", name)
		}
	}
	return nil
}

func indent(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// cleanDoc dedents a doc string as Python's inspect.cleandoc does: the
// first line loses its leading space, the others their common indentation,
// and blank lines at either end go.
func cleanDoc(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\t", "    "), "\n")
	lines[0] = strings.TrimLeft(lines[0], " ")
	common := -1
	for _, line := range lines[1:] {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if n := indent(line); common < 0 || n < common {
			common = n
		}
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "" {
			lines[i] = ""
		} else if common > 0 {
			lines[i] = lines[i][common:]
		}
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n ")
}

func code(s string) string { return "`" + s + "`" }
