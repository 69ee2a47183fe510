//go:build mutants

package feed

import (
	"fmt"
	"sort"
	"strings"

	"github.com/streamsocial/feedchaos/workers/feed/mutants"
)

// registry holds every mutant of this build by catalogue name; each
// mutant_*.go file registers its own in init.
var registry = map[string]func() mutation{}

func register(name string, mk func() mutation) {
	if _, ok := mutants.Get(name); !ok {
		panic("mutant " + name + " is not in the catalogue (workers/feed/mutants)")
	}
	if _, dup := registry[name]; dup {
		panic("mutant " + name + " registered twice")
	}
	registry[name] = mk
}

// mutantFromEnv reads the mutant's name from FEEDWORKER_MUTANT.
func mutantFromEnv(get func(string) string) string { return get(mutants.EnvMutant) }

// newMutation returns the named mutant, or the correct worker for "".
func newMutation(name string) (mutation, error) {
	if name == "" {
		return noMutation{}, nil
	}
	mk, ok := registry[name]
	if !ok {
		names := make([]string, 0, len(registry))
		for n := range registry {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown mutant (one of %s)", strings.Join(names, ", "))
	}
	return mk(), nil
}

// named gives a mutant its catalogue name; mutants embed it.
type named struct {
	noMutation
	name string
}

func (n named) Name() string { return n.name }
