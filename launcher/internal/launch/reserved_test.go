package launch

import (
	"testing"

	"github.com/rules-pex/rules_pex/internal/layout"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/venv"
	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

// TestLauncherFilesAreReserved: every file the launcher writes at an
// environment's root is a name no input may claim, so venv.Build never
// places a tree's file there and the launcher never writes through one.
func TestLauncherFilesAreReserved(t *testing.T) {
	for _, name := range []string{metaFile, compiledFile, compileLock, compileLogFile, cache.UseLockName} {
		if _, reserved := layout.ReservedEnvPath(layout.SchemeData, name); !reserved {
			t.Errorf("%s is written into environments but layout.ReservedEnvPath does not reserve it", name)
		}
	}
}

// TestConsumedVariablesAreReserved: the variables through which the
// launcher talks to itself and to the boot module are ones an archive's env
// may not set.
func TestConsumedVariablesAreReserved(t *testing.T) {
	for _, k := range append([]string{venv.InjectedEnv}, warm.Consumed()...) {
		if _, _, reserved := layout.ReservedEnvVar(k); !reserved {
			t.Errorf("%s is the launcher's, but layout.ReservedEnvVar lets an archive's env set it", k)
		}
	}
}
