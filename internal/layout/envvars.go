package layout

import "strings"

// Environment variables the launcher reads or keeps for itself. An archive's
// env (the manifest's Env, the packer's --env, pex_binary's env) may not set
// them: the launcher reads its own settings before the application's
// variables exist, so PEX_ROOT or PEX_PYTHON there would be silently
// ignored, and a __RULES_PEX_ variable would tamper with how the launcher
// talks to the application it starts.
const (
	// LauncherEnvVar is set by the launcher to the archive's path.
	LauncherEnvVar = "PEX"
	// LauncherEnvPrefix starts the launcher's settings (PEX_ROOT,
	// PEX_PYTHON, ...), today's and future ones, as in PEX.
	LauncherEnvPrefix = "PEX_"
	// InternalEnvPrefix starts the variables through which the launcher,
	// the archive's __main__.py and the boot module pass state.
	InternalEnvPrefix = "__RULES_PEX_"
)

// envVarFixes says, for the launcher settings that an attribute of the
// rule sets in the archive, which one to use instead.
var envVarFixes = map[string]string{
	"PEX_INHERIT_PATH": "set inherit_path instead",
	"PEX_MODULE":       "set entry_point instead",
	"PEX_SCRIPT":       "set script instead",
	"PEX_PYTHON":       "set interpreter_constraints instead, or PEX_PYTHON where the file runs",
	"PEX_PYTHON_PATH":  "set interpreter_constraints instead, or PEX_PYTHON_PATH where the file runs",
}

const (
	otherNameFix = "choose another name"
	settingFix   = "set it where the file runs (in the shell, or test_env for a pex_test)"
)

// ReservedEnvVar reports whether an archive's env may not set key, and if
// so why and what to do instead. Reserved are PEX, every name starting
// with PEX_ and every name starting with __RULES_PEX_ (compared exactly:
// environment variables are case-sensitive). rules/private/validate.bzl
// repeats the rule (tests/contract checks that they agree).
func ReservedEnvVar(key string) (reason, fix string, reserved bool) {
	switch {
	case key == LauncherEnvVar:
		return "the launcher sets PEX to the archive's path", otherNameFix, true
	case strings.HasPrefix(key, InternalEnvPrefix):
		return "names starting with " + InternalEnvPrefix + " are the launcher's own", otherNameFix, true
	case strings.HasPrefix(key, LauncherEnvPrefix):
		fix, ok := envVarFixes[key]
		if !ok {
			fix = settingFix
		}
		return "the launcher reads its " + LauncherEnvPrefix + "* settings before the archive's env applies, so the value would be ignored", fix, true
	}
	return "", "", false
}

// EnvVarFixes returns a copy of the fixes ReservedEnvVar gives for the
// settings that an attribute sets instead (validate.bzl repeats them).
func EnvVarFixes() map[string]string {
	out := make(map[string]string, len(envVarFixes))
	for k, v := range envVarFixes {
		out[k] = v
	}
	return out
}

// UniversalArchiveEnv is set by the preamble of a universal file (several
// launchers in front of one archive) to the file's path when it runs the
// launcher for the host, extracted into the cache: the launcher then reads
// that archive instead of its own file, and removes the variable from the
// application's environment.
const UniversalArchiveEnv = InternalEnvPrefix + "ARCHIVE"
