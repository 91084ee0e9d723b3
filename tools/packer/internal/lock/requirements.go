package lock

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rules-pex/rules_pex/internal/pep440"
	"github.com/rules-pex/rules_pex/internal/pep508"
)

// commentRE is pip's comment rule: "#" at the start of a line or after
// whitespace starts a comment that runs to the end of the line.
var commentRE = regexp.MustCompile(`(^|[ \t]+)#.*$`)

// logicalLine is a requirements line after joining "\" continuations.
type logicalLine struct {
	number int // the line it starts on
	text   string
}

// joinLines splits a requirements file into logical lines the way pip
// does: a line ending in a backslash continues on the next one, unless it
// is a comment; a comment line ends a continuation.
func joinLines(data string) []logicalLine {
	data = strings.TrimPrefix(data, "\ufeff")
	var out []logicalLine
	var cont []string
	start := 0
	lines := strings.Split(strings.ReplaceAll(data, "\r\n", "\n"), "\n")
	for i, line := range lines {
		isComment := strings.HasPrefix(strings.TrimLeft(line, " \t"), "#")
		if !strings.HasSuffix(line, `\`) || isComment {
			if cont != nil {
				if isComment {
					line = " " + line // so that the comment rule sees it
				}
				out = append(out, logicalLine{start, strings.Join(cont, "") + line})
				cont = nil
			} else {
				out = append(out, logicalLine{i + 1, line})
			}
			continue
		}
		if cont == nil {
			start = i + 1
		}
		cont = append(cont, strings.TrimSuffix(line, `\`))
	}
	if cont != nil {
		out = append(out, logicalLine{start, strings.Join(cont, "")})
	}
	return out
}

// splitOptions splits a requirement line into the requirement and its
// per-requirement options, as pip does: the options start at the first
// whitespace-separated word that starts with "-".
func splitOptions(text string) (req string, opts []string) {
	fields := strings.Fields(text)
	for i, f := range fields {
		if strings.HasPrefix(f, "-") {
			// The requirement is the text before the first option, with its
			// inner spacing kept (markers contain quoted strings).
			at := 0
			for j := 0; j < i; j++ {
				at = strings.Index(text[at:], fields[j]) + at + len(fields[j])
			}
			return strings.TrimSpace(text[:at]), fields[i:]
		}
	}
	return strings.TrimSpace(text), nil
}

// requirementsParser holds the state of one requirements file.
type requirementsParser struct {
	l      *Lock
	ps     *Problems
	byName map[string]*Package
}

func parseRequirements(l *Lock, data []byte, ps *Problems) {
	p := &requirementsParser{l: l, ps: ps, byName: map[string]*Package{}}
	var index, extra []string
	for _, ll := range joinLines(string(data)) {
		text := strings.TrimSpace(commentRE.ReplaceAllString(ll.text, ""))
		if text == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d", l.Lock, ll.number)
		if strings.HasPrefix(text, "-") {
			p.optionLine(where, text, &index, &extra)
			continue
		}
		p.requirement(where, ll.number, text)
	}
	l.IndexURLs = append(append(l.IndexURLs, index...), extra...)
}

// optionLine handles a line of global options, such as --index-url URL.
func (p *requirementsParser) optionLine(where, text string, index, extra *[]string) {
	fields := strings.Fields(text)
	for i := 0; i < len(fields); i++ {
		name, value, hasValue := fields[i], "", false
		if n, v, ok := strings.Cut(name, "="); ok && strings.HasPrefix(name, "--") {
			name, value, hasValue = n, v, true
		} else if len(name) > 2 && name[0] == '-' && name[1] != '-' {
			name, value, hasValue = name[:2], name[2:], true // -iURL
		}
		takeValue := func() bool {
			if hasValue {
				return true
			}
			if i+1 >= len(fields) {
				p.ps.addf("%s: %s needs a value", where, name)
				return false
			}
			i++
			value = fields[i]
			return true
		}
		switch name {
		case "-i", "--index-url":
			if takeValue() {
				*index = append(*index, value)
			}
		case "--extra-index-url":
			if takeValue() {
				*extra = append(*extra, value)
			}
		case "-f", "--find-links":
			if takeValue() {
				p.l.FindLinks = append(p.l.FindLinks, value)
			}
		case "--trusted-host", "--no-binary", "--only-binary", "--use-feature":
			takeValue() // nothing to do with them here
		case "--no-index", "--prefer-binary", "--pre", "--require-hashes":
			if hasValue {
				p.ps.addf("%s: %s takes no value", where, name)
			}
		case "-r", "--requirement", "-c", "--constraint":
			p.ps.addf("%s: %s: a lock file cannot include other files; put every pinned, hashed requirement in this one file (pip-compile and uv pip compile write it so)", where, fields[i])
			return
		case "-e", "--editable":
			p.ps.addf("%s: %s: editable requirements cannot be locked; build a wheel of the project and lock it with a version and --hash", where, fields[i])
			return
		case "--hash":
			p.ps.addf("%s: --hash must follow a requirement on its line (or its \\ continuation)", where)
			return
		default:
			p.ps.addf("%s: unsupported option %s in a lock file; only --index-url, --extra-index-url, --find-links, --trusted-host, --no-index, --no-binary, --only-binary, --prefer-binary, --pre and --require-hashes may stand on their own line", where, name)
			return
		}
	}
}

// requirement handles one requirement line with its options.
func (p *requirementsParser) requirement(where string, line int, text string) {
	reqText, opts := splitOptions(text)
	if looksLikeURLOrPath(reqText) {
		p.ps.addf("%s: %s: a URL or path requirement cannot be locked by hash here; lock the project by name: NAME==VERSION --hash=sha256:...", where, reqText)
		return
	}
	req, err := pep508.ParseRequirement(reqText)
	if err != nil {
		p.ps.addf("%s: %v", where, err)
		return
	}
	what := reqText
	if fields := strings.Fields(reqText); len(fields) > 0 && !strings.ContainsAny(reqText, ";") {
		what = strings.Join(fields, "")
	}
	if req.URL != "" {
		p.ps.addf("%s: %s: a direct URL requirement cannot be locked here; lock the project by name: %s==VERSION --hash=sha256:...", where, what, req.Name)
		return
	}
	specs := req.Specifier.Specifiers()
	if len(specs) != 1 || (specs[0].Operator() != pep440.Equal && specs[0].Operator() != pep440.ArbitraryEqual) || strings.HasSuffix(specs[0].Version(), ".*") {
		p.ps.addf("%s: %s: not pinned; every requirement of a lock file pins one version with == (regenerate the lock with pip-compile --generate-hashes or uv pip compile --generate-hashes)", where, what)
		return
	}
	version := specs[0].Version()
	if specs[0].Operator() == pep440.ArbitraryEqual {
		if v, err := pep440.Parse(version); err == nil {
			version = v.String()
		}
	}
	name := pep508.NormalizeName(req.Name)
	pkg := &Package{
		Name: name, Version: version, Marker: req.Marker.String(), Line: line,
		Extras: []string{}, Wheels: []Wheel{}, SHA256: []string{},
		where: fmt.Sprintf("%s: %s==%s", where, name, version),
	}
	for _, x := range req.Extras {
		pkg.Extras = append(pkg.Extras, pep508.NormalizeName(x))
	}
	ok := true
	for i := 0; i < len(opts); i++ {
		o := opts[i]
		var value string
		switch {
		case strings.HasPrefix(o, "--hash="):
			value = strings.TrimPrefix(o, "--hash=")
		case o == "--hash":
			if i+1 >= len(opts) {
				p.ps.addf("%s: --hash needs a value, such as --hash=sha256:HEX", pkg.where)
				ok = false
				continue
			}
			i++
			value = opts[i]
		default:
			name, _, _ := strings.Cut(o, "=")
			p.ps.addf("%s: unsupported option %s; a requirement of a lock file takes only --hash=sha256:HEX", pkg.where, name)
			ok = false
			continue
		}
		algo, hex, found := strings.Cut(value, ":")
		switch {
		case !found:
			p.ps.addf("%s: --hash=%s: want ALGORITHM:HEX, such as sha256:HEX", pkg.where, value)
			ok = false
		case algo == "sha256" && !isSHA256(hex):
			p.ps.addf("%s: --hash=%s: a sha256 hash is 64 hexadecimal digits", pkg.where, value)
			ok = false
		case algo == "sha256":
			pkg.SHA256 = append(pkg.SHA256, strings.ToLower(hex))
		case algo == "sha384" || algo == "sha512":
			// pip accepts them; the wheels are checked by their sha256.
		default:
			p.ps.addf("%s: --hash=%s: unknown hash algorithm %q (pip knows sha256, sha384 and sha512)", pkg.where, value, algo)
			ok = false
		}
	}
	if !ok {
		return
	}
	if len(pkg.SHA256) == 0 {
		p.ps.addf("%s: no --hash=sha256:... option; a lock file pins the hash of every file it allows (regenerate it with pip-compile --generate-hashes or uv pip compile --generate-hashes)", pkg.where)
		return
	}
	p.l.add(pkg, p.byName, p.ps)
}

// looksLikeURLOrPath reports whether a requirement is a URL or a path to an
// archive or a directory, not a project name.
func looksLikeURLOrPath(s string) bool {
	first := strings.Fields(s)
	if len(first) == 0 {
		return false
	}
	w := first[0]
	if strings.Contains(w, "://") || strings.HasPrefix(w, "file:") || strings.HasPrefix(w, ".") || strings.HasPrefix(w, "/") || strings.HasPrefix(w, "~") {
		return true
	}
	name, _, _ := strings.Cut(w, ";")
	for _, ext := range []string{".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return strings.ContainsAny(name, `/\`) && !strings.Contains(s, "@")
}

// add records pkg in l, merging it with an earlier entry of the same
// project and version (the extras and hashes are united, the markers
// OR'ed). Another version of a project already locked is an error.
func (l *Lock) add(pkg *Package, byName map[string]*Package, ps *Problems) {
	prev, ok := byName[pkg.Name]
	if !ok {
		byName[pkg.Name] = pkg
		l.Packages = append(l.Packages, pkg)
		return
	}
	if !sameVersion(prev.Version, pkg.Version) {
		ps.addf("%s: %s is also locked at version %s (line %d); a wheel repository holds one version of each project: keep one (lock for one environment, or pin one version for all)", pkg.where, pkg.Name, prev.Version, prev.Line)
		return
	}
	prev.Extras = append(prev.Extras, pkg.Extras...)
	prev.SHA256 = append(prev.SHA256, pkg.SHA256...)
	prev.Wheels = append(prev.Wheels, pkg.Wheels...)
	switch {
	case prev.Marker == "" || pkg.Marker == "":
		prev.Marker = ""
	case prev.Marker != pkg.Marker:
		if m, err := pep508.ParseMarker("(" + prev.Marker + ") or (" + pkg.Marker + ")"); err == nil {
			prev.Marker = m.String()
		} else {
			prev.Marker = "(" + prev.Marker + ") or (" + pkg.Marker + ")"
		}
	}
}

// sameVersion reports whether two versions are equal per PEP 440 (or, when
// one is not a PEP 440 version, as strings).
func sameVersion(a, b string) bool {
	va, errA := pep440.Parse(a)
	vb, errB := pep440.Parse(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return va.Equal(vb)
}
