package chaos

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// All is several faults injected at the same instant and healed together:
// the same toxic on every worker's coordinator proxy (the coordinator slow
// or cut for everyone), or unrelated faults that happen to coincide. Inject
// injects every fault concurrently and joins their errors; Heal heals every
// one, whatever happened, and joins their errors, so it is as idempotent as
// its parts. Shows is the symptom of the whole (required: the parts' own
// symptoms may not hold once they act together).
type All struct {
	Kind   string
	Label  string // the target, e.g. "every worker->coordinator"
	Faults []Fault
	Shows  Symptom
}

func (a All) Name() string   { return a.Kind }
func (a All) Target() string { return a.Label }

func (a All) Inject(ctx context.Context) error {
	return a.each(func(f Fault) error { return f.Inject(ctx) })
}
func (a All) Heal(ctx context.Context) error {
	return a.each(func(f Fault) error { return f.Heal(ctx) })
}

func (a All) each(fn func(Fault) error) error {
	if len(a.Faults) == 0 {
		return errors.New("no fault in the set")
	}
	errs := make([]error, len(a.Faults))
	var wg sync.WaitGroup
	for i, f := range a.Faults {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(f); err != nil {
				errs[i] = fmt.Errorf("%s on %s: %w", f.Name(), f.Target(), err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Bit waits for the symptom of the whole.
func (a All) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	if a.Shows == nil {
		return fmt.Errorf("%s: no symptom given for the set", a.Kind)
	}
	return a.Shows.Await(ctx, g, injected, within)
}
