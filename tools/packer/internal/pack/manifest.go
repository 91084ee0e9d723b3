package pack

import (
	"sort"

	"github.com/rules-pex/rules_pex/internal/layout"
)

// newManifest describes the archive of valid inputs: its manifest, and its
// entries (other than the manifest and the zip main) sorted by name.
func newManifest(o *Options, f flagValues, reqs []string, srcs []*source, dists []*dist, bundles []*bundle) (*layout.Manifest, []entry) {
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
	trees := map[string][]layout.TreeEntry{"code": codeTree}
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
		trees[layout.DepsPrefix+d.s.File] = tree
	}
	// Each bundle's .pyc files, and the hash of its tree with them.
	for _, b := range bundles {
		tag := b.info.CacheTag
		prefix := layout.BytecodePrefix(tag) + b.info.Tree + "/"
		for _, zf := range b.pycs {
			entries = append(entries, entry{name: prefix + zf.Name, pyc: zf, bundle: b.path})
		}
		bc := layout.Bytecode{
			Magic:    b.magic,
			TreeHash: layout.TreeHash(append(append([]layout.TreeEntry{}, trees[b.info.Tree]...), b.tree...)),
			Files:    len(b.pycs),
			Size:     b.size,
		}
		if b.info.Tree == "code" {
			if m.CodeBytecode == nil {
				m.CodeBytecode = map[string]layout.Bytecode{}
			}
			m.CodeBytecode[tag] = bc
			continue
		}
		file := b.info.Tree[len(layout.DepsPrefix):]
		md := m.Distributions[file]
		if md.Bytecode == nil {
			md.Bytecode = map[string]layout.Bytecode{}
		}
		md.Bytecode[tag] = bc
		m.Distributions[file] = md
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	return m, entries
}
