package layout

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
)

// Manifest is the content of the PEX-INFO entry. Key names follow PEX's
// PEX-INFO where the meaning is the same (entry_point, script,
// interpreter_constraints, inherit_path, requirements, distributions,
// code_hash, pex_hash, build_properties).
type Manifest struct {
	// Format is the contract version (Format).
	Format int `json:"format"`
	// EntryPoint is "module" or "module:function" (ParseEntryPoint); at
	// most one of EntryPoint, Script and Main is set.
	EntryPoint string `json:"entry_point,omitempty"`
	// Script names a console script (or a .data/scripts file) of a distribution.
	Script string `json:"script,omitempty"`
	// Main is the path, relative to the code tree, of a file run as __main__.
	Main string `json:"main,omitempty"`
	// InterpreterConstraints are OR'ed constraints in PEX's syntax
	// ("CPython>=3.9,<3.13", "PyPy", ">=3.8"); empty means any interpreter.
	InterpreterConstraints []string `json:"interpreter_constraints"`
	// InterpreterSelection is "newest" or "oldest": which accepted interpreter wins.
	InterpreterSelection InterpreterSelection `json:"interpreter_selection"`
	// InheritPath is "false", "prefer" or "fallback" (PEX's meanings).
	InheritPath InheritPath `json:"inherit_path"`
	// Env holds environment variables set for the application.
	Env map[string]string `json:"env,omitempty"`
	// InjectArgs are arguments given to the entry point before the user's
	// (sys.argv[1:] starts with them), as PEX's inject_args; not when
	// PEX_MODULE, PEX_SCRIPT or PEX_INTERPRETER runs something else.
	// Omitted when empty, so archives without them keep their bytes; a
	// reader that does not know the key refuses the manifest (Decode
	// refuses unknown keys) rather than dropping the arguments.
	InjectArgs []string `json:"inject_args,omitempty"`
	// Requirements are the PEP 508 root requirements.
	Requirements []string `json:"requirements"`
	// Distributions maps a wheel file name to what the launcher needs to
	// decide whether to activate it.
	Distributions map[string]Distribution `json:"distributions"`
	// CodeHash is the TreeHash of the code tree (entries under CodePrefix).
	CodeHash string `json:"code_hash"`
	// CodeFiles is the number of files in the code tree.
	CodeFiles int `json:"code_files"`
	// CodeBytecode maps a cache tag ("cpython-311") to the bytecode the
	// archive ships for the code tree, under BytecodePrefix(tag)+CodePrefix.
	// Omitted when empty, so archives without bytecode keep their bytes.
	CodeBytecode map[string]Bytecode `json:"code_bytecode,omitempty"`
	// Compression names the method used for entries the packer compressed
	// itself ("deflate", "zstd" or "store"); wheel entries keep theirs.
	Compression string `json:"compression"`
	// BuildProperties records the packer that wrote the archive.
	BuildProperties map[string]string `json:"build_properties,omitempty"`
	// PexHash identifies the whole application: the sha256 of this manifest
	// serialized with PexHash empty. Launchers key per-app state on it.
	PexHash string `json:"pex_hash"`
}

// WheelInfo is what a wheel says about itself, in its file name and
// metadata: the part of a Distribution that the packer's wheel summary
// carries too (both embed it, so the JSON keys stay flat).
type WheelInfo struct {
	// Project is the PEP 503 normalized project name.
	Project string `json:"project"`
	// Version is the PEP 440 normalized version.
	Version string `json:"version"`
	// Tags lists every compatibility tag of the wheel, expanded.
	Tags []string `json:"tags"`
	// RequiresPython is the Requires-Python specifier set, if any.
	RequiresPython string `json:"requires_python,omitempty"`
	// RequiresDist lists the Requires-Dist requirements (PEP 508).
	RequiresDist []string `json:"requires_dist,omitempty"`
	// ProvidesExtra lists the extras the distribution declares.
	ProvidesExtra []string `json:"provides_extra,omitempty"`
	// ConsoleScripts maps console script names to their targets, entry
	// points (ParseEntryPoint): "module:attr", without extras.
	ConsoleScripts map[string]string `json:"console_scripts,omitempty"`
}

// Distribution describes one wheel carried by the archive.
type Distribution struct {
	WheelInfo
	// Scripts lists the files of the scripts scheme (installed to bin/).
	Scripts []string `json:"scripts,omitempty"`
	// SHA256 is the hex sha256 of the .whl file; the cache is keyed on it.
	SHA256 string `json:"sha256"`
	// TreeHash is the TreeHash of the installed tree under DistPrefix.
	TreeHash string `json:"tree_hash"`
	// Files and Size are the number of files and their uncompressed bytes.
	Files int   `json:"files"`
	Size  int64 `json:"size"`
	// Bytecode maps a cache tag ("cpython-311") to the bytecode the
	// archive ships for this wheel, under BytecodePrefix(tag)+DistPrefix.
	// Omitted when empty.
	Bytecode map[string]Bytecode `json:"bytecode,omitempty"`
}

// Bytecode describes the .pyc files an archive ships for one tree and one
// cache tag: PEP 552 unchecked-hash pycs at the names the import system
// looks for (DIR/__pycache__/NAME.<tag>.pyc next to DIR/NAME.py). An
// interpreter whose cache tag and magic number match gets the tree with
// them, a different tree: TreeHash covers the tree's files and these, so a
// cache never confuses the two.
type Bytecode struct {
	// Magic is the hex of the 4-byte magic number every .pyc starts with.
	Magic string `json:"magic"`
	// TreeHash is the TreeHash of the tree with its bytecode: the tree's
	// files and the .pyc files, at their paths in the tree.
	TreeHash string `json:"tree_hash"`
	// Files and Size are the number of .pyc files and their bytes.
	Files int   `json:"files"`
	Size  int64 `json:"size"`
}

// Encode serializes m deterministically (sorted map keys, two-space indent,
// trailing newline) after filling in PexHash.
func Encode(m *Manifest) ([]byte, error) {
	m.PexHash = ""
	body, err := marshal(m)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	m.PexHash = hex.EncodeToString(sum[:])
	return marshal(m)
}

func marshal(m *Manifest) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// ErrManifest is wrapped by every error Decode returns.
var ErrManifest = errors.New("invalid manifest")

// Decode parses and validates a manifest. It checks the format version, the
// enumerated fields and the PexHash, so a launcher can trust what it reads.
func Decode(data []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrManifest, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrManifest)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%w: format %d, this build reads format %d (rebuild the archive with a matching packer)", ErrManifest, m.Format, Format)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrManifest, err)
	}
	want := m.PexHash
	check := m
	if _, err := Encode(&check); err != nil {
		return nil, err
	}
	if check.PexHash != want {
		return nil, fmt.Errorf("%w: pex_hash %q does not match its content (%s)", ErrManifest, want, check.PexHash)
	}
	return &m, nil
}

// Validate checks the fields whose values are enumerated or structured.
// Deeper checks (constraint and requirement syntax) belong to their parsers.
func (m *Manifest) Validate() error {
	n := 0
	for _, s := range []string{m.EntryPoint, m.Script, m.Main} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return errors.New("more than one of entry_point, script and main is set")
	}
	if m.EntryPoint != "" {
		if _, err := ParseEntryPoint(m.EntryPoint); err != nil {
			return fmt.Errorf("entry_point %q: %v", m.EntryPoint, err)
		}
	}
	if _, err := ParseInheritPath(string(m.InheritPath)); err != nil {
		return fmt.Errorf("inherit_path %v", err)
	}
	if _, err := ParseInterpreterSelection(string(m.InterpreterSelection)); err != nil {
		return fmt.Errorf("interpreter_selection %v", err)
	}
	switch m.Compression {
	case "deflate", "zstd", "store":
	default:
		return fmt.Errorf("compression %q: want deflate, zstd or store", m.Compression)
	}
	if !isHex256(m.CodeHash) {
		return fmt.Errorf("code_hash %q is not a sha256", m.CodeHash)
	}
	if err := validBytecode("code_bytecode", m.CodeBytecode); err != nil {
		return err
	}
	names := make([]string, 0, len(m.Distributions))
	for name := range m.Distributions {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		d := m.Distributions[name]
		if name == "" || bytes.ContainsAny([]byte(name), "/\\\x00") {
			return fmt.Errorf("distribution name %q is not a wheel file name", name)
		}
		if !isHex256(d.SHA256) || !isHex256(d.TreeHash) {
			return fmt.Errorf("distribution %s: sha256 and tree_hash must be sha256 hex digests", name)
		}
		if d.Project == "" || d.Version == "" || len(d.Tags) == 0 {
			return fmt.Errorf("distribution %s: project, version and tags are required", name)
		}
		if d.Files < 0 || d.Size < 0 {
			return fmt.Errorf("distribution %s: negative files or size", name)
		}
		if err := validBytecode("distribution "+name+": bytecode", d.Bytecode); err != nil {
			return err
		}
		scripts := make([]string, 0, len(d.ConsoleScripts))
		for s := range d.ConsoleScripts {
			scripts = append(scripts, s)
		}
		sort.Strings(scripts)
		for _, s := range scripts {
			if _, err := ParseEntryPoint(d.ConsoleScripts[s]); err != nil {
				return fmt.Errorf("distribution %s: console script %s = %q: %v", name, s, d.ConsoleScripts[s], err)
			}
		}
	}
	return nil
}

func validBytecode(what string, b map[string]Bytecode) error {
	for _, tag := range slices.Sorted(maps.Keys(b)) {
		bc := b[tag]
		if !ValidCacheTag(tag) {
			return fmt.Errorf("%s: %q is not a cache tag", what, tag)
		}
		if !isHex256(bc.TreeHash) {
			return fmt.Errorf("%s %s: tree_hash must be a sha256 hex digest", what, tag)
		}
		if _, err := ParseMagic(bc.Magic); err != nil {
			return fmt.Errorf("%s %s: %v", what, tag, err)
		}
		if bc.Files < 0 || bc.Size < 0 {
			return fmt.Errorf("%s %s: negative files or size", what, tag)
		}
	}
	return nil
}

func isHex256(s string) bool { return IsHex(s, 64) }

// IsHex reports whether s is n lowercase hexadecimal digits, as the digests
// naming entries of the archive and the cache are written.
func IsHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
