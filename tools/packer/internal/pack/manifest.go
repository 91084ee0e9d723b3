package pack

import (
	"sort"

	"github.com/rules-pex/rules_pex/internal/layout"
)

// newManifest describes the archive of valid inputs: its manifest, and its
// entries (other than the manifest and the zip main) sorted by name.
func newManifest(o *Options, f flagValues, reqs []string, srcs []*source, dists []*dist) (*layout.Manifest, []entry) {
	m := &layout.Manifest{
		Format:                 layout.Format,
		EntryPoint:             o.EntryPoint,
		Script:                 o.Script,
		Main:                   o.Main,
		InterpreterConstraints: sortedUnique(o.InterpreterConstraints),
		InterpreterSelection:   f.selection,
		InheritPath:            f.inherit,
		Env:                    f.env,
		InjectArgs:             f.injectArgs,
		Requirements:           reqs,
		Distributions:          map[string]layout.Distribution{},
		Compression:            o.Compression,
		BuildProperties:        map[string]string{"packer": "rules_pex packer " + Version},
	}
	var entries []entry
	var codeTree []layout.TreeEntry
	for _, s := range srcs {
		entries = append(entries, entry{name: layout.CodePrefix + s.dest, src: s})
		codeTree = append(codeTree, layout.TreeEntry{Path: s.dest, Size: s.size, SHA256: s.sha256, Executable: s.executable})
	}
	m.CodeHash, m.CodeFiles = layout.TreeHash(codeTree), len(codeTree)
	for _, d := range dists {
		prefix := layout.DistPrefix(d.s.File)
		var tree []layout.TreeEntry
		md := layout.Distribution{WheelInfo: d.s.WheelInfo, SHA256: d.s.SHA256}
		for i, f := range d.s.Files {
			p := f.Scheme + "/" + f.Path
			entries = append(entries, entry{name: prefix + p, zf: d.entries[i], executable: f.Executable})
			tree = append(tree, layout.TreeEntry{Path: p, Size: f.Size, SHA256: f.SHA256, Executable: f.Executable})
			md.Size += f.Size
			if f.Scheme == layout.SchemeScripts {
				md.Scripts = append(md.Scripts, f.Path)
			}
		}
		sort.Strings(md.Scripts)
		md.TreeHash, md.Files = layout.TreeHash(tree), len(tree)
		m.Distributions[d.s.File] = md
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	return m, entries
}
