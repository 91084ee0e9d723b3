package lock

import (
	"fmt"
	"html"
	"net/url"
	"path"
	"strings"

	"github.com/rules-pex/rules_pex/internal/regfile"
)

// maxListing bounds a listing page; PyPI's largest simple pages are tens of
// megabytes.
const maxListing = 512 << 20

// readListing adds the .whl links of a PEP 503 simple-index or pip
// find-links page to pl. Relative links resolve against li.BaseURL (the
// page's own URL); a "#sha256=HEX" fragment gives the file's hash.
func (pl pool) readListing(li Listing) error {
	base, err := url.Parse(li.BaseURL)
	if err != nil || base.Scheme == "" {
		return fmt.Errorf("the base URL %q is not an absolute URL", li.BaseURL)
	}
	data, err := regfile.ReadFile(li.File, maxListing)
	if err != nil {
		return err
	}
	for _, href := range anchors(string(data)) {
		ref, err := url.Parse(href)
		if err != nil {
			continue // not a link pip could follow either
		}
		u := base.ResolveReference(ref)
		var sum string
		if algo, value, ok := strings.Cut(u.Fragment, "="); ok && algo == "sha256" && isSHA256(value) {
			sum = strings.ToLower(value)
		}
		u.Fragment, u.RawFragment = "", ""
		filename, err := url.PathUnescape(path.Base(u.Path))
		if err != nil || !strings.HasSuffix(filename, ".whl") {
			continue
		}
		pl.addWheel(filename, &candidate{url: u.String(), sha256: sum})
	}
	return nil
}

// anchors returns the href of every <a> tag of an HTML page, unescaped.
// It knows what simple-index pages use: tags, quoted and unquoted
// attributes, character references and comments.
func anchors(page string) []string {
	var out []string
	for i := 0; i < len(page); {
		lt := strings.IndexByte(page[i:], '<')
		if lt < 0 {
			break
		}
		i += lt
		if strings.HasPrefix(page[i:], "<!--") {
			end := strings.Index(page[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		i++
		if i >= len(page) || !(page[i] == 'a' || page[i] == 'A') || i+1 < len(page) && !isHTMLSpace(page[i+1]) && page[i+1] != '>' && page[i+1] != '/' {
			continue
		}
		i++
		href, end := tagAttr(page, i, "href")
		i = end
		if href != "" {
			out = append(out, html.UnescapeString(href))
		}
	}
	return out
}

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// tagAttr scans the attributes of the tag whose name ends at i and returns
// the value of the attribute want (as written) and the index after the tag.
func tagAttr(page string, i int, want string) (string, int) {
	var found string
	for i < len(page) {
		for i < len(page) && (isHTMLSpace(page[i]) || page[i] == '/') {
			i++
		}
		if i >= len(page) {
			break
		}
		if page[i] == '>' {
			return found, i + 1
		}
		start := i
		for i < len(page) && !isHTMLSpace(page[i]) && page[i] != '=' && page[i] != '>' && page[i] != '/' {
			i++
		}
		name := strings.ToLower(page[start:i])
		for i < len(page) && isHTMLSpace(page[i]) {
			i++
		}
		var value string
		if i < len(page) && page[i] == '=' {
			i++
			for i < len(page) && isHTMLSpace(page[i]) {
				i++
			}
			if i < len(page) && (page[i] == '"' || page[i] == '\'') {
				q := page[i]
				end := strings.IndexByte(page[i+1:], q)
				if end < 0 {
					return found, len(page)
				}
				value = page[i+1 : i+1+end]
				i += end + 2
			} else {
				vs := i
				for i < len(page) && !isHTMLSpace(page[i]) && page[i] != '>' {
					i++
				}
				value = page[vs:i]
			}
		}
		if name == want && found == "" {
			found = value
		}
	}
	return found, i
}
