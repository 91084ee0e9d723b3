package launch

import (
	"errors"
	"os"

	"github.com/rules-pex/rules_pex/internal/atomicfile"
	"github.com/rules-pex/rules_pex/internal/regfile"
	"github.com/rules-pex/rules_pex/launcher/internal/cache"
	"github.com/rules-pex/rules_pex/launcher/internal/warm"
)

// The plan file, its format and its keys are package warm's: the first
// stage reads plans too. Here: where plans are stored, with logging.
type Plan = warm.Plan

func planPath(root *cache.Root, key string) string {
	return root.Path(cache.Plans, key)
}

// loadPlan returns the plan stored under key if it exists and everything
// it watches is unchanged, saying why not when it does not.
func loadPlan(root *cache.Root, key string, log *logger) *Plan {
	p, err := warm.LoadPlan(planPath(root, key))
	switch {
	case err == nil:
		log.printf("plan %s: environment %s", key, p.Venv)
		return p
	case errors.Is(err, regfile.ErrNotRegular):
		log.printf("plan %s: %v; ignored", key, err)
	case errors.Is(err, warm.PlanStale):
		log.printf("plan %s is stale: %v", key, err)
	case errors.Is(err, warm.ErrPlanSyntax):
		log.printf("plan %s: %v", key, err)
	}
	return nil
}

// savePlan stores p under key. Failing to is not an error: the next run
// plans again.
func savePlan(root *cache.Root, key string, p *Plan) {
	if os.MkdirAll(root.Path(cache.Plans, ""), 0o755) == nil {
		path := planPath(root, key)
		regfile.ClearDir(path) // else every start of the app would stay cold
		atomicfile.WriteFile(path, warm.EncodePlan(p), 0o644)
	}
}
