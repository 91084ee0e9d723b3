package pack

import (
	"fmt"
	"strings"

	"github.com/rules-pex/rules_pex/internal/archive"
	"github.com/rules-pex/rules_pex/internal/constraint"
	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/internal/regfile"
)

// checkFlags checks the flags that need no input file read: the
// compression, the enumerated values, the interpreter constraints, --env,
// and that --launcher is a regular file. It returns their parsed values.
func checkFlags(o *Options, t *terms, ps *Problems) flagValues {
	var f flagValues
	var err error
	f.comp, err = archive.ParseCompression(o.Compression)
	if err != nil {
		ps.addf("--compression %q: want deflate, zstd or store", o.Compression)
	}
	f.inherit, err = layout.ParseInheritPath(o.InheritPath)
	if err != nil {
		ps.addf("--inherit-path %v", err)
	}
	f.selection, err = layout.ParseInterpreterSelection(o.InterpreterSelection)
	if err != nil {
		ps.addf("--interpreter-selection %v", err)
	}
	if _, err := constraint.ParseAll(o.InterpreterConstraints); err != nil {
		ps.addf("--interpreter-constraint: %v", err)
	}
	f.env = parseEnv(o.Env, t, ps)
	for _, a := range o.InjectArgs {
		if strings.ContainsAny(a, "\x00\n\r") {
			ps.addf("%s: a NUL byte or line break cannot be an argument here (Bazel's parameter file cannot carry one either)", t.setting("inject_args", "--inject-arg", a))
		}
	}
	f.injectArgs = o.InjectArgs
	switch {
	case len(o.UniversalLaunchers) > 0 && o.Launcher != "":
		ps.addf("--launcher and --universal-launcher: give one launcher, or the launchers of a universal file, not both")
	case len(o.UniversalLaunchers) > 0:
		f.universal = checkUniversal(o.UniversalLaunchers, ps)
	default:
		if lf, err := regfile.Open(o.Launcher); err != nil {
			ps.addf("--launcher %s: %v", o.Launcher, errText(err))
		} else {
			lf.Close()
		}
	}
	return f
}

// flagValues are the parsed values of the flags checkFlags checks.
type flagValues struct {
	comp       archive.Compression
	env        map[string]string
	injectArgs []string
	inherit    layout.InheritPath
	selection  layout.InterpreterSelection
	universal  []universalLauncher // --universal-launcher, in order
}

func parseEnv(kvs []string, t *terms, ps *Problems) map[string]string {
	env := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if why, fix, reserved := layout.ReservedEnvVar(k); ok && reserved {
			what := "--env " + k
			if t.bazel() {
				what = fmt.Sprintf("env key %q", k)
			}
			ps.addf("%s: %s; %s", what, why, fix)
			continue
		}
		switch {
		case !ok || k == "":
			ps.addf("--env %q: want KEY=VALUE", kv)
		case strings.ContainsAny(k, "\x00") || strings.ContainsRune(v, 0):
			ps.addf("--env %q: NUL bytes are not allowed", kv)
		default:
			if prev, dup := env[k]; dup && prev != v {
				ps.addf("--env %s: given twice with different values (%q and %q)", k, prev, v)
			}
			env[k] = v
		}
	}
	if len(env) == 0 {
		return nil
	}
	return env
}
