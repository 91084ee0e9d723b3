package launch

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
)

// Exit codes of `cache verify` beyond 0 (nothing damaged), ExitError (the
// check failed, or damage is left: an environment in use) and ExitUsage.
const exitRepaired = 3

// verifyReport collects what `cache verify` found.
type verifyReport struct {
	out        io.Writer
	problems   int
	unrepaired int
}

func (r *verifyReport) problem(repaired bool, format string, args ...any) {
	r.problems++
	if !repaired {
		r.unrepaired++
	}
	fmt.Fprintf(r.out, format+"\n", args...)
}

// toolVerify checks every tree of the cache against its tree hash (its name)
// and every environment for what it needs, and repairs what is damaged:
// trees this archive holds are extracted again; other damaged trees are
// removed with their marker (their application extracts them again on its
// next run), and so are environments that are damaged or link to a damaged
// tree (rebuilt on their next run). It holds the prune lock exclusively, so
// no environment is assembled meanwhile.
func (l *launcher) toolVerify(out io.Writer, fail func(error) int) int {
	root, err := l.openRoot()
	if err != nil {
		return fail(err)
	}
	_, m, err := l.manifest()
	if err != nil {
		return fail(err)
	}
	global, err := cache.Acquire(filepath.Join(root.Dir, cache.PruneLock), true)
	if err != nil {
		return fail(err)
	}
	defer global.Release()
	rep := &verifyReport{out: out}

	// The trees this archive holds, which it can extract again.
	own := map[string]*tree{}
	// With the bytecode it ships, each is several trees: one without, one
	// per cache tag.
	tags := func(bcs map[string]layout.Bytecode) []string {
		out := []string{""}
		for tag := range bcs {
			out = append(out, tag)
		}
		return out
	}
	if m.CodeFiles > 0 {
		for _, tag := range tags(m.CodeBytecode) {
			t := newTree(root, "", m.CodeHash, m.CodeFiles, m.CodeBytecode, tag, "")
			own[t.dir] = t
		}
	}
	for file, d := range m.Distributions {
		for _, tag := range tags(d.Bytecode) {
			t := newTree(root, file, d.TreeHash, d.Files, d.Bytecode, tag, "")
			own[t.dir] = t
		}
	}

	removed := map[string]bool{} // trees removed as damaged
	var again []*tree
	reasons := map[*tree]string{}
	ntrees := 0
	for _, kind := range []string{cache.Wheels, cache.Code} {
		dirs, err := entryDirs(root, kind)
		if err != nil {
			return fail(err)
		}
		for _, dir := range dirs {
			ntrees++
			what := relEntry(dir)
			if t := own[dir]; t != nil {
				what += " (" + t.name + ")"
			}
			reason := treeDamage(dir, rep)
			if reason == "" {
				continue
			}
			if _, err := cache.Discard(dir, nil); err != nil {
				rep.problem(false, "%s: %s; cannot remove it: %v", what, reason, err)
				continue
			}
			removed[dir] = true
			switch {
			case own[dir] != nil:
				again = append(again, own[dir])
				reasons[own[dir]] = reason
			case reason == noTree:
				rep.problem(true, "%s: %s: removed the marker", what, reason)
			default:
				rep.problem(true, "%s: %s: removed it (its application extracts it again on its next run)", what, reason)
			}
		}
	}
	if len(again) > 0 {
		sort.Slice(again, func(i, j int) bool { return again[i].dir < again[j].dir })
		if err := l.extractTrees(again); err != nil {
			for _, t := range again {
				rep.problem(false, "%s (%s): %s; extracting it again failed: %v", relEntry(t.dir), t.name, reasons[t], err)
			}
		} else {
			for _, t := range again {
				rep.problem(true, "%s (%s): %s: extracted it again", relEntry(t.dir), t.name, reasons[t])
			}
		}
	}

	venvs, err := entryDirs(root, cache.Venvs)
	if err != nil {
		return fail(err)
	}
	for _, dir := range venvs {
		what := relEntry(dir)
		reason := venvDamage(dir, removed)
		if reason == "" {
			continue
		}
		use, err := cache.TryAcquire(cache.UseLockPath(dir), true)
		if errors.Is(err, cache.ErrLocked) {
			rep.problem(false, "%s: %s; in use, so not removed: run cache verify again once its application exits", what, reason)
			continue
		}
		_, err = cache.Discard(dir, nil)
		use.Release()
		if err != nil {
			rep.problem(false, "%s: %s; cannot remove it: %v", what, reason, err)
			continue
		}
		rep.problem(true, "%s: %s: removed it (rebuilt on its application's next run)", what, reason)
	}

	nlaunchers, err := verifyLaunchers(root, rep)
	if err != nil {
		return fail(err)
	}

	fmt.Fprintf(out, "verified %d trees, %d launchers and %d environments in %s: %d problems, %d left unrepaired\n",
		ntrees, nlaunchers, len(venvs), root.Dir, rep.problems, rep.unrepaired)
	switch {
	case rep.unrepaired > 0:
		return ExitError
	case rep.problems > 0:
		return exitRepaired
	}
	return 0
}

// entryDirs lists the entries of a kind, complete or not: directories, and
// markers without a directory (named by the directory they mark).
func entryDirs(root *cache.Root, kind string) ([]string, error) {
	names, err := os.ReadDir(root.Path(kind, ""))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		name := n.Name()
		if strings.Contains(name, ".tmp-") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".lock") {
			continue
		}
		name = strings.TrimSuffix(name, cache.MarkerSuffix)
		if !seen[name] {
			seen[name] = true
			out = append(out, root.Path(kind, name))
		}
	}
	sort.Strings(out)
	return out, nil
}

const noTree = "marker without a tree"

// treeDamage returns what is wrong with the tree at dir, or "". Its name is
// its tree hash, recomputed from the files as extraction computes it.
// Bytecode that Python or the byte-compiler wrote into __pycache__
// directories is not content: such files are left out (an archive may ship
// bytecode too: extracted files are read-only, written ones are not, so
// the hash is tried without every __pycache__ file, then without the
// writable ones, then with all). A .pyc that is not content and too short
// to hold its header is removed.
func treeDamage(dir string, rep *verifyReport) string {
	if _, err := os.Lstat(dir); err != nil {
		return noTree
	}
	if !cache.Complete(dir) {
		return "incomplete (no marker)"
	}
	type file struct {
		layout.TreeEntry
		path               string
		bytecode, writable bool
	}
	var files []file
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		bytecode := filepath.Base(filepath.Dir(p)) == "__pycache__"
		// A byte-compiler running beside verify (Python's import, or the
		// launcher's background compile) writes a temporary file and
		// renames it: one that is gone by the time it is read was never
		// content.
		vanished := func(err error) bool { return bytecode && errors.Is(err, fs.ErrNotExist) }
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", rel)
		}
		fi, err := d.Info()
		if vanished(err) {
			return nil
		}
		if err != nil {
			return err
		}
		sum, err := fileSHA256(p)
		if vanished(err) {
			return nil
		}
		if err != nil {
			return err
		}
		files = append(files, file{
			TreeEntry: layout.TreeEntry{Path: rel, Size: fi.Size(), SHA256: sum, Executable: fi.Mode()&0o111 != 0},
			path:      p,
			bytecode:  bytecode,
			writable:  fi.Mode()&0o200 != 0,
		})
		return nil
	})
	if err != nil {
		return fmt.Sprintf("unreadable: %v", err)
	}
	for _, isContent := range []func(f file) bool{
		func(f file) bool { return !f.bytecode },
		func(f file) bool { return !f.bytecode || !f.writable },
		func(f file) bool { return true },
	} {
		var content []layout.TreeEntry
		for _, f := range files {
			if isContent(f) {
				content = append(content, f.TreeEntry)
			}
		}
		if layout.TreeHash(content) != filepath.Base(dir) {
			continue
		}
		for _, f := range files {
			if !isContent(f) && strings.HasSuffix(f.path, ".pyc") && brokenPyc(f.path, f.Size) && os.Remove(f.path) == nil {
				rep.problem(true, "%s: broken bytecode %s: removed it", relEntry(dir), f.Path)
			}
		}
		return ""
	}
	n := 0
	for _, f := range files {
		if !f.bytecode {
			n++
		}
	}
	return fmt.Sprintf("content does not match its tree hash (%d files)", n)
}

// brokenPyc reports whether the .pyc at p cannot be bytecode: shorter than
// its 16-byte header, or without the \r\n that ends its magic number.
func brokenPyc(p string, size int64) bool {
	if size < 16 {
		return true
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return true
	}
	return magic[2] != '\r' || magic[3] != '\n'
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// venvDamage returns what is wrong with the environment at dir, or "": a
// missing marker or essential file, a tree it links to that is gone or was
// removed as damaged, or a symlink that does not resolve.
func venvDamage(dir string, removed map[string]bool) string {
	if _, err := os.Lstat(dir); err != nil {
		return "marker without an environment"
	}
	if !cache.Complete(dir) {
		return "incomplete (no marker)"
	}
	if err := venvSound(dir); err != nil {
		return fmt.Sprintf("damaged: %v", err)
	}
	meta, _ := readMeta(dir)
	for _, t := range meta.Trees {
		if removed[filepath.Clean(t)] {
			return fmt.Sprintf("links to the damaged tree %s", filepath.Base(t))
		}
	}
	var dangling string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			if _, err := os.Stat(p); err != nil && dangling == "" {
				dangling = p
			}
		}
		return nil
	})
	if dangling != "" {
		rel, _ := filepath.Rel(dir, dangling)
		return fmt.Sprintf("the link %s does not resolve", rel)
	}
	return ""
}

// relEntry names the entry at dir by its kind and key: "wheels/<hash>".
func relEntry(dir string) string {
	return filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)
}

// verifyLaunchers checks every launcher copied into the cache against its
// name, the digest of its content: the FNV-128a of a two-stage launcher's
// full launcher (32 hex digits) or the SHA-256 of a universal file's
// launcher (64). A damaged one is removed: the next start copies it out of
// its file again (a process already running it keeps its own copy open). A
// file named otherwise is not the cache's and is left alone.
func verifyLaunchers(root *cache.Root, rep *verifyReport) (int, error) {
	entries, err := root.Entries(cache.Launchers)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		name := filepath.Base(e.Path)
		var h hash.Hash
		switch {
		case layout.IsHex(name, 32):
			h = fnv.New128a()
		case layout.IsHex(name, 64):
			h = sha256.New()
		default:
			continue
		}
		n++
		what := cache.Launchers + "/" + name
		reason := ""
		// A link is not the cache's either; regfile opens nothing but a
		// regular file (a named pipe would block an ordinary open).
		fi, err := os.Lstat(e.Path)
		if err == nil && !fi.Mode().IsRegular() {
			reason = "not a regular file"
		} else if err == nil {
			var f *os.File
			if f, err = regfile.Open(e.Path); err == nil {
				_, err = io.Copy(h, f)
				f.Close()
			}
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // pruned meanwhile
		case err != nil:
			reason = "unreadable: " + err.Error()
		case reason == "" && hex.EncodeToString(h.Sum(nil)) != name:
			reason = "content does not match its digest (its name)"
		}
		if reason == "" {
			continue
		}
		if err := os.Remove(e.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			rep.problem(false, "%s: %s; cannot remove it: %v", what, reason, err)
			continue
		}
		rep.problem(true, "%s: %s: removed it (its file copies it out again on its next start)", what, reason)
	}
	return n, nil
}
