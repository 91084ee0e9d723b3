package warm

import (
	"bufio"
	"bytes"
	"errors"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"github.com/rules-pex/rules_pex/internal/regfile"
)

// PlanFormat versions the plan file; plans of another format are ignored.
// Format 3 added the ctime to each watch (and to the identity key); format
// 4 names plans by FNV-128a instead of SHA-256 (see hashKey).
const PlanFormat = 4

// EnvFormat changes whenever what the launcher writes into an environment
// changes (the bootstrap, the layout), so new launchers make new ones. It
// is part of the plan keys: a launcher must not use the plans (and so the
// environments) of a launcher that writes them differently.
const EnvFormat = 10

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
	Watches []Watch
}

// The plan file is a few lines of text, "key value", strings quoted as Go
// does. It is read at every warm start, so it is made to be parsed in
// microseconds (encoding/json costs a tenth of a millisecond on first use):
//
//	rules_pex plan 4
//	pex_hash <hex>
//	venv "<dir>"
//	interpreter "<path>"
//	env "<name>" "<value>"                             (any number)
//	watch <dev> <ino> <size> <mtime> <ctime> <dir 0|1> "<path>"  (any number)
//
// Times are in nanoseconds since the epoch.
const PlanMagic = "rules_pex plan "

// EncodePlan returns the bytes of a plan file.
func EncodePlan(p *Plan) []byte {
	var b []byte
	b = append(b, PlanMagic...)
	b = strconv.AppendInt(b, PlanFormat, 10)
	b = append(b, "\npex_hash "+p.PexHash+"\nvenv "...)
	b = strconv.AppendQuote(b, p.Venv)
	b = append(b, "\ninterpreter "...)
	b = strconv.AppendQuote(b, p.Interpreter)
	b = append(b, '\n')
	keys := make([]string, 0, len(p.Env))
	for k := range p.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b = append(b, "env "...)
		b = strconv.AppendQuote(b, k)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, p.Env[k])
		b = append(b, '\n')
	}
	for _, w := range p.Watches {
		dir := "0 "
		if w.ID.Dir {
			dir = "1 "
		}
		b = append(b, "watch "...)
		b = strconv.AppendUint(b, w.ID.Dev, 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, w.ID.Ino, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, w.ID.Size, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, w.ID.Mtime, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, w.ID.Ctime, 10)
		b = append(b, ' ')
		b = append(b, dir...)
		b = strconv.AppendQuote(b, w.Path)
		b = append(b, '\n')
	}
	return b
}

// ErrPlanSyntax means a plan file could not be parsed.
var ErrPlanSyntax = errors.New("malformed plan")

type planSyntaxError struct{ why string }

func (e *planSyntaxError) Error() string        { return ErrPlanSyntax.Error() + ": " + e.why }
func (e *planSyntaxError) Is(target error) bool { return target == ErrPlanSyntax }

// DecodePlan parses a plan file.
func DecodePlan(data []byte) (*Plan, error) {
	p := &Plan{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	if !sc.Scan() || sc.Text() != PlanMagic+strconv.Itoa(PlanFormat) {
		return nil, &planSyntaxError{"not a plan of format " + strconv.Itoa(PlanFormat)}
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
			var w Watch
			err = decodeWatch(rest, &w)
			p.Watches = append(p.Watches, w)
		default:
			err = errors.New("unknown key " + strconv.Quote(key))
		}
		if err != nil {
			return nil, &planSyntaxError{err.Error()}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &planSyntaxError{err.Error()}
	}
	if p.Venv == "" {
		return nil, &planSyntaxError{"no venv"}
	}
	return p, nil
}

func decodeWatch(s string, w *Watch) error {
	var fields [6]string
	for i := range fields {
		f, rest, ok := strings.Cut(s, " ")
		if !ok {
			return errors.New("watch: too few fields")
		}
		fields[i], s = f, rest
	}
	dev, err1 := strconv.ParseUint(fields[0], 10, 64)
	ino, err2 := strconv.ParseUint(fields[1], 10, 64)
	size, err3 := strconv.ParseInt(fields[2], 10, 64)
	mtime, err4 := strconv.ParseInt(fields[3], 10, 64)
	ctime, err5 := strconv.ParseInt(fields[4], 10, 64)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return errors.New("watch: " + err.Error())
	}
	if fields[5] != "0" && fields[5] != "1" {
		return errors.New("watch: directory flag " + strconv.Quote(fields[5]))
	}
	path, err := strconv.Unquote(s)
	if err != nil {
		return err
	}
	*w = Watch{Path: path, ID: FileID{Dev: dev, Ino: ino, Size: size, Mtime: mtime, Ctime: ctime, Dir: fields[5] == "1"}}
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

// IdentityKey names the plan of one archive file: its path and identity
// (FileID, whose ctime changes whenever the file is written or replaced),
// and the variables that steer interpreter selection (SelectionKey).
func IdentityKey(exe string, id FileID, selection string) string {
	return hashKey(strings.Join([]string{"file", itoa(EnvFormat), itoa(PlanFormat), exe,
		utoa(id.Dev), utoa(id.Ino), itoa(id.Size), itoa(id.Mtime), itoa(id.Ctime), selection}, "\x00"))
}

// ContentKey names the plan of an application wherever its file is. Both
// keys include EnvFormat (see there) and PlanFormat, so that launchers of
// two formats do not overwrite each other's plans.
func ContentKey(pexHash, selection string) string {
	return hashKey(strings.Join([]string{"app", itoa(EnvFormat), itoa(PlanFormat), pexHash, selection}, "\x00"))
}

func itoa[T int | int64](v T) string { return strconv.FormatInt(int64(v), 10) }
func utoa(v uint64) string           { return strconv.FormatUint(v, 10) }

// hashKey names a plan after s: FNV-128a, 32 hex digits. Not SHA-256:
// crypto/sha256 would link Go's FIPS module (its initialisation and 170 KB)
// into the first stage, and a plan's name needs no resistance to forged
// collisions: a plan is written only by this user's launchers, for a file
// this user ran (see docs/launcher.md, Warm starts).
func hashKey(s string) string {
	h := fnv.New128a()
	h.Write([]byte(s))
	return Hex(h.Sum(nil))
}

// PlanStale means a plan parsed but something it watches changed.
var PlanStale = errors.New("an interpreter or a directory searched changed")

// LoadPlan reads the plan file at path and returns it if everything it
// watches is unchanged. A file that cannot be read, or is not a regular
// file (a named pipe there must not hang every start), counts as absent:
// the error wraps regfile.ErrNotRegular or fs.ErrNotExist then;
// ErrPlanSyntax and PlanStale say why a plan that exists is not used.
func LoadPlan(path string) (*Plan, error) {
	data, err := regfile.ReadFile(path, 16<<20)
	if err != nil {
		return nil, err
	}
	p, err := DecodePlan(data)
	if err != nil {
		return nil, err
	}
	if Changed(p.Watches) {
		return nil, PlanStale
	}
	return p, nil
}

// Hex returns b in lowercase hexadecimal (encoding/hex would link fmt).
func Hex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&0xf]
	}
	return string(out)
}
