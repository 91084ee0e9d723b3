package launch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/rules-pex/rules_pex/internal/cache"
	"github.com/rules-pex/rules_pex/internal/interp"
)

// planFormat versions the plan file; plans of another format are ignored.
const planFormat = 1

// Plan is what a warm start needs: which environment to exec, and the
// files whose identity must be unchanged for that choice to stand.
type Plan struct {
	Format  int    `json:"format"`
	PexHash string `json:"pex_hash"`
	// Venv is the environment's directory.
	Venv string `json:"venv"`
	// Interpreter is the base interpreter, for messages.
	Interpreter string `json:"interpreter"`
	// Env holds the application's environment variables (manifest env).
	Env map[string]string `json:"env,omitempty"`
	// Watches are the interpreters and directories the choice depends on.
	Watches []interp.Watch `json:"watches"`
}

// identityKey names the plan of one archive file: its path and identity,
// and the variables that steer interpreter selection.
func identityKey(exe string, id interp.FileID, selection string) string {
	return hashKey(fmt.Sprintf("file\x00%s\x00%d\x00%d\x00%d\x00%d\x00%s", exe, id.Dev, id.Ino, id.Size, id.Mtime, selection))
}

// contentKey names the plan of an application wherever its file is.
func contentKey(pexHash, selection string) string {
	return hashKey("app\x00" + pexHash + "\x00" + selection)
}

func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

func planPath(root *cache.Root, key string) string {
	return root.Path(cache.Plans, key+".json")
}

// loadPlan returns the plan stored under key if it exists and everything
// it watches is unchanged.
func loadPlan(root *cache.Root, key string, log *logger) *Plan {
	data, err := cache.ReadSmallFile(planPath(root, key), 16<<20)
	if err != nil {
		return nil
	}
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil || p.Format != planFormat || p.Venv == "" {
		return nil
	}
	if interp.Changed(p.Watches) {
		log.printf("plan %s is stale: an interpreter or a directory searched changed", key)
		return nil
	}
	log.printf("plan %s: environment %s", key, filepath.Base(p.Venv))
	return &p
}

// savePlan stores p under key. Failing to is not an error: the next run
// plans again.
func savePlan(root *cache.Root, key string, p *Plan) {
	data, err := json.Marshal(p)
	if err != nil {
		return
	}
	cache.WriteFileAtomic(planPath(root, key), data, 0o644)
}
