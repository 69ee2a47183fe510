//go:build !mutants

package feed

import "fmt"

// mutantFromEnv is the production build's: it reads nothing, so the
// production worker knows no mutant and no bug switch.
func mutantFromEnv(func(string) string) string { return "" }

// newMutation returns the production worker's mutation. A Config built by
// hand with a Mutant is refused: only the mutants build has any.
func newMutation(name string) (mutation, error) {
	if name != "" {
		return nil, fmt.Errorf("mutant %q: this worker is built without mutants (go build -tags mutants)", name)
	}
	return noMutation{}, nil
}
