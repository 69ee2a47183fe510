//go:build !mutants

package feed

import (
	"strings"
	"testing"

	"github.com/streamsocial/feedchaos/workers/feed/mutants"
)

// The production worker has no bug switch: it does not read
// FEEDWORKER_MUTANT at all, and refuses a Config that names a mutant.
func TestProductionIgnoresMutantEnv(t *testing.T) {
	env := baseEnv()
	env[mutants.EnvMutant] = "drop-updates"
	env["WORKER_BUG"] = "drop-updates"
	c, err := LoadConfig(envOf(env))
	if err != nil {
		t.Fatalf("production build rejected the environment: %v", err)
	}
	if c.Mutant != "" {
		t.Fatalf("production build picked mutant %q", c.Mutant)
	}
	c.Mutant = "drop-updates"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), mutants.EnvMutant) {
		t.Fatalf("a Config naming a mutant validated in the production build: %v", err)
	}
	m, err := newMutation("")
	if err != nil || m.Name() != "" {
		t.Fatalf("production mutation = %v, %v", m, err)
	}
}
