package launch

import (
	"testing"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/probe"
)

// An interpreter gets the trees with shipped bytecode only when its cache
// tag and magic number are the bytecode's; every other gets the trees
// without, of the manifest's tree hashes.
func TestBytecodeTreeChoice(t *testing.T) {
	const (
		plain = "1111111111111111111111111111111111111111111111111111111111111111"
		with  = "2222222222222222222222222222222222222222222222222222222222222222"
		magic = "a70d0d0a"
	)
	m := &layout.Manifest{Distributions: map[string]layout.Distribution{
		"six-1.16.0-py3-none-any.whl": {TreeHash: plain, Files: 5, Bytecode: map[string]layout.Bytecode{
			"cpython-311": {Magic: magic, TreeHash: with, Files: 1},
		}},
	}}
	str := func(s string) *string { return &s }
	root := &cache.Root{Dir: "/cache"}
	for _, c := range []struct {
		name  string
		info  probe.Info
		want  string
		files int
	}{
		{"same tag and magic", probe.Info{CacheTag: str("cpython-311"), MagicNumber: magic}, with, 6},
		{"another magic (a pre-release)", probe.Info{CacheTag: str("cpython-311"), MagicNumber: "a60d0d0a"}, plain, 5},
		{"another tag", probe.Info{CacheTag: str("pypy39"), MagicNumber: magic}, plain, 5},
		{"no bytecode files", probe.Info{}, plain, 5},
		{"an old probe (no magic)", probe.Info{CacheTag: str("cpython-311")}, plain, 5},
	} {
		tag, mg := bytecodeTag(m, &c.info)
		d := m.Distributions["six-1.16.0-py3-none-any.whl"]
		tr := newTree(root, "six-1.16.0-py3-none-any.whl", d.TreeHash, d.Files, d.Bytecode, tag, mg)
		if tr.hash != c.want || tr.files != c.files || tr.dir != root.Path(cache.Wheels, c.want) {
			t.Errorf("%s: tree %s (%d files) at %s, want %s (%d files)", c.name, tr.hash, tr.files, tr.dir, c.want, c.files)
		}
		if (tr.bytecode != "") != (c.want == with) {
			t.Errorf("%s: bytecode prefix %q", c.name, tr.bytecode)
		}
	}
}
