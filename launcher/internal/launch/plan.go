package launch

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/rules-pex/rules_pex/internal/atomicfile"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/interp"
)

// planFormat versions the plan file; plans of another format are ignored.
// Format 3 added the ctime to each watch (and to the identity key).
const planFormat = 3

// Plan is what a warm start needs: which environment to exec, and the
// files whose identity must be unchanged for that choice to stand.
type Plan struct {
	PexHash string
	// Venv is the environment's directory.
	Venv string
	// Interpreter is the base interpreter, for messages.
	Interpreter string
	// Env holds the application's environment variables (manifest env).
	Env map[string]string
	// Watches are the interpreters and directories the choice depends on.
	Watches []interp.Watch
}

// The plan file is a few lines of text, "key value", strings quoted as Go
// does. It is read at every warm start, so it is made to be parsed in
// microseconds (encoding/json costs a tenth of a millisecond on first use):
//
//	rules_pex plan 3
//	pex_hash <hex>
//	venv "<dir>"
//	interpreter "<path>"
//	env "<name>" "<value>"                             (any number)
//	watch <dev> <ino> <size> <mtime> <ctime> <dir 0|1> "<path>"  (any number)
//
// Times are in nanoseconds since the epoch.
const planMagic = "rules_pex plan "

// encodePlan returns the bytes of a plan file.
func encodePlan(p *Plan) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s%d\n", planMagic, planFormat)
	fmt.Fprintf(&b, "pex_hash %s\n", p.PexHash)
	fmt.Fprintf(&b, "venv %s\n", strconv.Quote(p.Venv))
	fmt.Fprintf(&b, "interpreter %s\n", strconv.Quote(p.Interpreter))
	keys := make([]string, 0, len(p.Env))
	for k := range p.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "env %s %s\n", strconv.Quote(k), strconv.Quote(p.Env[k]))
	}
	for _, w := range p.Watches {
		dir := 0
		if w.ID.Dir {
			dir = 1
		}
		fmt.Fprintf(&b, "watch %d %d %d %d %d %d %s\n", w.ID.Dev, w.ID.Ino, w.ID.Size, w.ID.Mtime, w.ID.Ctime, dir, strconv.Quote(w.Path))
	}
	return b.Bytes()
}

var errPlanSyntax = errors.New("malformed plan")

// decodePlan parses a plan file.
func decodePlan(data []byte) (*Plan, error) {
	p := &Plan{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	if !sc.Scan() || sc.Text() != planMagic+strconv.Itoa(planFormat) {
		return nil, fmt.Errorf("%w: not a plan of format %d", errPlanSyntax, planFormat)
	}
	for sc.Scan() {
		key, rest, _ := strings.Cut(sc.Text(), " ")
		var err error
		switch key {
		case "pex_hash":
			p.PexHash = rest
		case "venv":
			p.Venv, err = strconv.Unquote(rest)
		case "interpreter":
			p.Interpreter, err = strconv.Unquote(rest)
		case "env":
			var k, v string
			if k, rest, err = unquotePrefix(rest); err == nil {
				if v, err = strconv.Unquote(strings.TrimPrefix(rest, " ")); err == nil {
					if p.Env == nil {
						p.Env = map[string]string{}
					}
					p.Env[k] = v
				}
			}
		case "watch":
			var w interp.Watch
			err = decodeWatch(rest, &w)
			p.Watches = append(p.Watches, w)
		default:
			err = fmt.Errorf("unknown key %q", key)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errPlanSyntax, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", errPlanSyntax, err)
	}
	if p.Venv == "" {
		return nil, fmt.Errorf("%w: no venv", errPlanSyntax)
	}
	return p, nil
}

func decodeWatch(s string, w *interp.Watch) error {
	var fields [6]string
	for i := range fields {
		f, rest, ok := strings.Cut(s, " ")
		if !ok {
			return fmt.Errorf("watch: too few fields")
		}
		fields[i], s = f, rest
	}
	dev, err1 := strconv.ParseUint(fields[0], 10, 64)
	ino, err2 := strconv.ParseUint(fields[1], 10, 64)
	size, err3 := strconv.ParseInt(fields[2], 10, 64)
	mtime, err4 := strconv.ParseInt(fields[3], 10, 64)
	ctime, err5 := strconv.ParseInt(fields[4], 10, 64)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if fields[5] != "0" && fields[5] != "1" {
		return fmt.Errorf("watch: directory flag %q", fields[5])
	}
	path, err := strconv.Unquote(s)
	if err != nil {
		return err
	}
	*w = interp.Watch{Path: path, ID: interp.FileID{Dev: dev, Ino: ino, Size: size, Mtime: mtime, Ctime: ctime, Dir: fields[5] == "1"}}
	return nil
}

// unquotePrefix unquotes the Go string literal at the start of s and
// returns the rest.
func unquotePrefix(s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", err
	}
	v, err := strconv.Unquote(q)
	return v, s[len(q):], err
}

// identityKey names the plan of one archive file: its path and identity
// (interp.FileID, whose ctime changes whenever the file is written or
// replaced), and the variables that steer interpreter selection.
func identityKey(exe string, id interp.FileID, selection string) string {
	return hashKey(fmt.Sprintf("file\x00%d\x00%d\x00%s\x00%d\x00%d\x00%d\x00%d\x00%d\x00%s",
		envFormat, planFormat, exe, id.Dev, id.Ino, id.Size, id.Mtime, id.Ctime, selection))
}

// contentKey names the plan of an application wherever its file is. Both
// keys include envFormat: a launcher that writes environments differently
// must not use the plans (and so the environments) of another; and
// planFormat, so that launchers of two formats do not overwrite each
// other's plans.
func contentKey(pexHash, selection string) string {
	return hashKey(fmt.Sprintf("app\x00%d\x00%d\x00%s\x00%s", envFormat, planFormat, pexHash, selection))
}

func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

func planPath(root *cache.Root, key string) string {
	return root.Path(cache.Plans, key)
}

// loadPlan returns the plan stored under key if it exists and everything
// it watches is unchanged.
func loadPlan(root *cache.Root, key string, log *logger) *Plan {
	// A plan that cannot be read, or is not a regular file (a named pipe
	// there must not hang every start), counts as absent: the cold start
	// replaces it atomically.
	data, err := regfile.ReadFile(planPath(root, key), 16<<20)
	if err != nil {
		if errors.Is(err, regfile.ErrNotRegular) {
			log.printf("plan %s: %v; ignored", key, err)
		}
		return nil
	}
	p, err := decodePlan(data)
	if err != nil {
		log.printf("plan %s: %v", key, err)
		return nil
	}
	if interp.Changed(p.Watches) {
		log.printf("plan %s is stale: an interpreter or a directory searched changed", key)
		return nil
	}
	log.printf("plan %s: environment %s", key, p.Venv)
	return p
}

// savePlan stores p under key. Failing to is not an error: the next run
// plans again.
func savePlan(root *cache.Root, key string, p *Plan) {
	if os.MkdirAll(root.Path(cache.Plans, ""), 0o755) == nil {
		path := planPath(root, key)
		regfile.ClearDir(path) // else every start of the app would stay cold
		atomicfile.WriteFile(path, encodePlan(p), 0o644)
	}
}
