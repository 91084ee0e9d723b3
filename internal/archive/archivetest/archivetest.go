// Package archivetest writes application archives for the launcher's tests
// without the packer: a prefix (a launcher binary or any bytes), then the
// zip that internal/archive writes, with a manifest whose hashes match the
// trees. Tests use it to build normal archives and deliberately broken ones.
package archivetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sort"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/layout"
)

// File is the content of one file of a tree.
type File struct {
	Data string
	Exec bool
}

// Dist is a wheel's installed tree and what the manifest says of it.
type Dist struct {
	// Wheel is the wheel file name; Project, Version and Tags default to
	// what it says.
	Wheel          string
	Project        string
	Version        string
	Tags           []string
	RequiresPython string
	RequiresDist   []string
	ProvidesExtra  []string
	ConsoleScripts map[string]string
	Scripts        []string
	// Files maps "<scheme>/<path>" to contents.
	Files map[string]File
}

// App describes an archive.
type App struct {
	// Prefix is written before the zip (the launcher).
	Prefix []byte
	// Manifest holds the entry point, constraints and options; the
	// distributions, hashes and counts are filled in.
	Manifest layout.Manifest
	// Code maps paths of the code tree to contents.
	Code  map[string]File
	Dists []Dist
	// Compression of code entries (wheel trees are stored deflated too).
	Compression archive.Compression
	// TamperTree, if set, is the name of a tree ("code" or a wheel file
	// name) whose recorded hash is wrong.
	TamperTree string
}

// Bytes returns the archive's bytes and its manifest.
func Bytes(app App) ([]byte, *layout.Manifest, error) {
	m := app.Manifest
	m.Format = layout.Format
	if m.InterpreterSelection == "" {
		m.InterpreterSelection = layout.DefaultInterpreterSelection
	}
	if m.InheritPath == "" {
		m.InheritPath = layout.DefaultInheritPath
	}
	m.Compression = app.Compression.String()
	if m.InterpreterConstraints == nil {
		m.InterpreterConstraints = []string{}
	}
	if m.Requirements == nil {
		m.Requirements = []string{}
	}
	m.Distributions = map[string]layout.Distribution{}

	type entry struct {
		name string
		f    File
	}
	var entries []entry
	m.CodeHash, m.CodeFiles = treeHash(app.Code)
	if app.TamperTree == "code" {
		m.CodeHash = tamper(m.CodeHash)
	}
	for p, f := range app.Code {
		entries = append(entries, entry{layout.CodePrefix + p, f})
	}
	for _, d := range app.Dists {
		project, version, tags := d.Project, d.Version, d.Tags
		if project == "" || version == "" || tags == nil {
			p, v, t, err := parseWheelName(d.Wheel)
			if err != nil {
				return nil, nil, err
			}
			if project == "" {
				project = p
			}
			if version == "" {
				version = v
			}
			if tags == nil {
				tags = t
			}
		}
		th, n := treeHash(d.Files)
		var size int64
		for p, f := range d.Files {
			entries = append(entries, entry{layout.DistPrefix(d.Wheel) + p, f})
			size += int64(len(f.Data))
		}
		sum := sha256.Sum256([]byte("wheel " + d.Wheel + th))
		if app.TamperTree == d.Wheel {
			th = tamper(th)
		}
		m.Distributions[d.Wheel] = layout.Distribution{
			WheelInfo: layout.WheelInfo{Project: project, Version: version, Tags: tags,
				RequiresPython: d.RequiresPython, RequiresDist: d.RequiresDist, ProvidesExtra: d.ProvidesExtra,
				ConsoleScripts: d.ConsoleScripts},
			Scripts: d.Scripts,
			SHA256:  hex.EncodeToString(sum[:]), TreeHash: th, Files: n, Size: size,
		}
	}
	manifest, err := layout.Encode(&m)
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })

	var buf bytes.Buffer
	buf.Write(app.Prefix)
	w, err := archive.NewWriter(&buf, int64(len(app.Prefix)), app.Compression)
	if err != nil {
		return nil, nil, err
	}
	if err := w.Add(layout.ManifestName, false, bytes.NewReader(manifest)); err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		if err := w.Add(e.name, e.f.Exec, bytes.NewReader([]byte(e.f.Data))); err != nil {
			return nil, nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), &m, nil
}

// Write writes the archive to path, executable.
func Write(path string, app App) (*layout.Manifest, error) {
	data, m, err := Bytes(app)
	if err != nil {
		return nil, err
	}
	return m, os.WriteFile(path, data, 0o755)
}

func treeHash(files map[string]File) (string, int) {
	var es []layout.TreeEntry
	for p, f := range files {
		sum := sha256.Sum256([]byte(f.Data))
		es = append(es, layout.TreeEntry{Path: p, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:]), Executable: f.Exec})
	}
	return layout.TreeHash(es), len(es)
}

func tamper(h string) string {
	if h[0] == '0' {
		return "1" + h[1:]
	}
	return "0" + h[1:]
}

// parseWheelName splits name-version-[build-]py-abi-plat.whl.
func parseWheelName(wheel string) (project, version string, tags []string, err error) {
	base, ok := bytes.CutSuffix([]byte(wheel), []byte(".whl"))
	if !ok {
		return "", "", nil, fmt.Errorf("%s: not a .whl name", wheel)
	}
	parts := bytes.Split(base, []byte("-"))
	if len(parts) != 5 && len(parts) != 6 {
		return "", "", nil, fmt.Errorf("%s: not a wheel file name", wheel)
	}
	n := len(parts)
	project = string(bytes.ToLower(bytes.ReplaceAll(parts[0], []byte("_"), []byte("-"))))
	version = string(parts[1])
	for _, py := range bytes.Split(parts[n-3], []byte(".")) {
		for _, abi := range bytes.Split(parts[n-2], []byte(".")) {
			for _, plat := range bytes.Split(parts[n-1], []byte(".")) {
				tags = append(tags, string(py)+"-"+string(abi)+"-"+string(plat))
			}
		}
	}
	return project, version, tags, nil
}
