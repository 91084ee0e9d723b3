package launch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/internal/tags"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/interp"
	"github.com/rules-pex/rules_pex/launcher/internal/venv"
)

const toolsUsage = `usage: PEX_TOOLS=1 %s TOOL [ARGS]

tools:
  info                              print the manifest (PEX-INFO) as JSON
  interpreter                       print the chosen interpreter and every candidate as JSON
  interpreter --target-environment  print the chosen interpreter's target environment: its marker
                                    environment and supported tags, the JSON that the packer's
                                    --target-environment (pex_binary's target_environments) reads;
                                    without an acceptable one, the first that could be probed
  venv DIR                          make DIR a standalone virtual environment of the application
                                    (run it with DIR/pex, or DIR/bin/python)
  cache info                        print the cache's location and entries as JSON
  cache prune --older-than DURATION remove entries unused for DURATION (e.g. 30d, 12h);
                                    entries in use are never removed
  cache verify                      check every tree and launcher against its hash and every
                                    environment for what it needs, and repair what is
                                    damaged: one line per problem, then a summary

exit codes: 0 success (cache verify: nothing was damaged), 1 error (cache verify:
damage is left, e.g. an environment in use), 2 usage, 3 cache verify found
damage and repaired all of it
`

// tools runs a PEX_TOOLS command and returns the exit code.
func (l *launcher) tools(out io.Writer) int {
	usage := func(format string, args ...any) int {
		if format != "" {
			fmt.Fprintf(l.errw, "rules_pex: "+format+"\n", args...)
		}
		fmt.Fprintf(l.errw, toolsUsage, filepath.Base(l.Exe))
		return ExitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(l.errw, "rules_pex: %v\n", err)
		return ExitError
	}
	if len(l.Args) == 0 {
		return usage("PEX_TOOLS needs a tool name")
	}
	switch tool, args := l.Args[0], l.Args[1:]; tool {
	case "info":
		if len(args) != 0 {
			return usage("info takes no arguments")
		}
		data, _, err := l.manifest()
		if err != nil {
			return fail(err)
		}
		out.Write(data)
		return 0
	case "interpreter":
		if len(args) == 1 && args[0] == "--target-environment" {
			return l.toolTargetEnvironment(out, fail)
		}
		if len(args) != 0 {
			return usage("interpreter takes no arguments but --target-environment")
		}
		return l.toolInterpreter(out, fail)
	case "venv":
		if len(args) != 1 || strings.HasPrefix(args[0], "-") {
			return usage("venv takes one argument: the directory to create")
		}
		if err := l.toolVenv(args[0]); err != nil {
			return fail(err)
		}
		fmt.Fprintln(out, absPath(args[0]))
		return 0
	case "cache":
		if len(args) == 1 && args[0] == "info" {
			return l.toolCacheInfo(out, fail)
		}
		if len(args) >= 1 && args[0] == "prune" {
			var older string
			switch {
			case len(args) == 3 && args[1] == "--older-than":
				older = args[2]
			case len(args) == 2 && strings.HasPrefix(args[1], "--older-than="):
				older = strings.TrimPrefix(args[1], "--older-than=")
			default:
				return usage("cache prune needs --older-than DURATION")
			}
			d, err := parseAge(older)
			if err != nil {
				return usage("%v", err)
			}
			return l.toolPrune(out, d, fail)
		}
		if len(args) == 1 && args[0] == "verify" {
			return l.toolVerify(out, fail)
		}
		return usage("cache takes info, prune --older-than DURATION or verify")
	case "help", "-h", "--help":
		fmt.Fprintf(out, toolsUsage, filepath.Base(l.Exe))
		return 0
	default:
		return usage("unknown tool %q", tool)
	}
}

// manifest reads and decodes this archive's manifest.
func (l *launcher) manifest() ([]byte, *layout.Manifest, error) {
	f, err := regfile.Open(l.Exe)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	data, err := archive.ReadFirstEntry(f, fi.Size(), layout.ManifestName, layout.MaxManifest)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a runnable archive: %w", l.Exe, err)
	}
	m, err := layout.Decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", l.Exe, err)
	}
	return data, m, nil
}

// openRoot opens the cache root, printing the fallback warning.
func (l *launcher) openRoot() (*cache.Root, error) {
	root, warning, err := cache.Open(l.Getenv)
	if err != nil {
		return nil, err
	}
	if warning != "" {
		fmt.Fprintf(l.errw, "rules_pex: warning: %s\n", warning)
	}
	return root, nil
}

type candidateJSON struct {
	Path           string   `json:"path"`
	Executable     string   `json:"executable,omitempty"`
	Base           string   `json:"base_executable,omitempty"`
	Implementation string   `json:"implementation,omitempty"`
	Version        string   `json:"version,omitempty"`
	Accepted       bool     `json:"accepted"`
	Reason         string   `json:"reason,omitempty"`
	ProbeCached    bool     `json:"probe_cached"`
	Wheels         []string `json:"wheels,omitempty"`
}

// toolSelection chooses the interpreter as a run would, for the
// interpreter tools: having none that can run the archive is not an error
// here (they report on the candidates), and comes back as chooseErr.
func (l *launcher) toolSelection() (m *layout.Manifest, sel *selection, chooseErr, err error) {
	if _, m, err = l.manifest(); err != nil {
		return nil, nil, nil, err
	}
	root, err := l.openRoot()
	if err != nil {
		return nil, nil, nil, err
	}
	sel, err = l.choose(root, m)
	var nie *interp.NoInterpreterError
	if err != nil && !errors.As(err, &nie) {
		return nil, nil, nil, err
	}
	return m, sel, err, nil
}

func (l *launcher) toolInterpreter(out io.Writer, fail func(error) int) int {
	m, sel, err, ferr := l.toolSelection()
	if ferr != nil {
		return fail(ferr)
	}
	res := struct {
		Source      string          `json:"source"`
		Search      string          `json:"search"`
		Constraints []string        `json:"interpreter_constraints"`
		Chosen      *candidateJSON  `json:"chosen"`
		Candidates  []candidateJSON `json:"candidates"`
	}{Source: sel.Search.Source, Search: sel.Search.Spec, Constraints: m.InterpreterConstraints, Candidates: []candidateJSON{}}
	for i := range sel.Verdicts {
		v := &sel.Verdicts[i]
		c := candidateJSON{Path: v.Path, Implementation: v.Implementation, Version: v.Version,
			Accepted: v.Accepted, Reason: v.Reason, ProbeCached: v.Cached}
		if v.Info != nil {
			c.Executable = v.Info.Executable
			c.Base = interp.BaseExecutable(v.Info)
		}
		for _, w := range v.Wheels {
			c.Wheels = append(c.Wheels, w.File)
		}
		res.Candidates = append(res.Candidates, c)
		if v == sel.Chosen {
			cc := c
			res.Chosen = &cc
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(res)
	if err != nil {
		fmt.Fprintf(l.errw, "rules_pex: %v\n", err)
		return ExitError
	}
	return 0
}

// toolTargetEnvironment prints the target environment of the interpreter
// the launcher chooses (or, when none can run the archive, of the first
// candidate it could probe, named on stderr): what a build elsewhere checks
// its wheels against.
func (l *launcher) toolTargetEnvironment(out io.Writer, fail func(error) int) int {
	_, sel, err, ferr := l.toolSelection()
	if ferr != nil {
		return fail(ferr)
	}
	v := sel.Chosen
	if v == nil {
		for i := range sel.Verdicts {
			if sel.Verdicts[i].Info != nil {
				v = &sel.Verdicts[i]
				fmt.Fprintf(l.errw, "rules_pex: no interpreter can run this archive (%s is not accepted: %s); describing it anyway\n", v.Path, v.Reason)
				break
			}
		}
	}
	if v == nil {
		return fail(fmt.Errorf("no interpreter could be probed: %v", err))
	}
	res := struct {
		Markers map[string]string `json:"marker_environment"`
		Tags    []string          `json:"compatible_tags"`
	}{Markers: v.Info.MarkerEnv()}
	for _, t := range tags.Supported(v.Info.Tags()) {
		res.Tags = append(res.Tags, t.String())
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return fail(err)
	}
	return 0
}

// toolVenv materializes the application as a standalone environment.
func (l *launcher) toolVenv(dir string) error {
	dir = absPath(dir)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("venv: %s exists and is not empty", dir)
	} else if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("venv: %w", err)
	}
	_, m, err := l.manifest()
	if err != nil {
		return err
	}
	root, err := l.openRoot()
	if err != nil {
		return err
	}
	prune, err := cache.Acquire(filepath.Join(root.Dir, cache.PruneLock), false)
	if err != nil {
		return err
	}
	defer prune.Release()
	sel, err := l.choose(root, m)
	if err != nil {
		return err
	}
	es, err := l.specFor(root, m, sel.Chosen, func(venv.Spec) string { return dir })
	if err != nil {
		return err
	}
	if err := l.extractTrees(es.trees); err != nil {
		return err
	}
	es.spec.Copy = true
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := venv.Build(dir, es.spec); err != nil {
		return fmt.Errorf("venv: %w", err)
	}
	return nil
}

func (l *launcher) toolCacheInfo(out io.Writer, fail func(error) int) int {
	root, err := l.openRoot()
	if err != nil {
		return fail(err)
	}
	type kindInfo struct {
		Count   int           `json:"count"`
		Bytes   int64         `json:"bytes"`
		Entries []cache.Entry `json:"entries"`
	}
	res := struct {
		Root     string               `json:"root"`
		Dir      string               `json:"dir"`
		Fallback bool                 `json:"fallback"`
		Kinds    map[string]*kindInfo `json:"kinds"`
		Bytes    int64                `json:"bytes"`
	}{Root: root.Base, Dir: root.Dir, Fallback: root.Fallback, Kinds: map[string]*kindInfo{}}
	for _, kind := range cache.Kinds {
		entries, err := root.Entries(kind)
		if err != nil {
			return fail(err)
		}
		ki := &kindInfo{Entries: []cache.Entry{}}
		for i := range entries {
			cache.Measure(&entries[i])
			ki.Count++
			ki.Bytes += entries[i].Bytes
		}
		ki.Entries = append(ki.Entries, entries...)
		res.Kinds[kind] = ki
		res.Bytes += ki.Bytes
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(res)
	return 0
}

func (l *launcher) toolPrune(out io.Writer, age time.Duration, fail func(error) int) int {
	root, err := l.openRoot()
	if err != nil {
		return fail(err)
	}
	res, err := root.Prune(time.Now().Add(-age), func(dir string) []string {
		meta, err := readMeta(dir)
		if err != nil {
			return nil
		}
		return meta.Trees
	})
	if err != nil {
		return fail(err)
	}
	for _, e := range res.Removed {
		fmt.Fprintf(out, "removed %s %s (%d bytes, last used %s)\n", e.Kind, e.Key, e.Bytes, e.LastUsed.Format(time.RFC3339))
	}
	fmt.Fprintf(out, "removed %d entries, %d bytes; kept %d\n", len(res.Removed), res.Bytes, res.Kept)
	return 0
}

// parseAge parses a duration with an optional day unit: "30d", "12h", "1h30m".
func parseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || !(n >= 0) || n > 100*365 {
			return 0, fmt.Errorf("invalid duration %q: want e.g. 30d, 12h or 90m (at most 36500d)", s)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid duration %q: want e.g. 30d, 12h or 90m", s)
	}
	return d, nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
