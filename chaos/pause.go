package chaos

import (
	"context"
	"fmt"
	"time"
)

// Freezer freezes and thaws a worker's processes (docker pause: the cgroup
// freezer). fixtures.Worker implements it.
type Freezer interface {
	ID() string
	Pause(ctx context.Context) error
	Unpause(ctx context.Context) error
}

// Pause freezes a worker with the cgroup freezer (docker pause): every
// thread stops at once, heartbeat thread included, and the process cannot
// tell. A GC pause, a VM migration or an overloaded node look like this.
// Shorter than the session timeout it must cause no rebalance; longer, the
// coordinator evicts the member and gives its partitions away, and when the
// worker thaws it is a zombie that believes it still owns them: it must not
// make an update disappear or a committed offset go back.
//
// Shows is the symptom its spec expects: Stalls for a short pause (its
// partitions stop committing), Leaves for a long one (the default). Heal
// thaws the worker; thawing a running worker is a no-op.
type Pause struct {
	P     Freezer
	Shows Symptom
}

func (p Pause) Name() string                     { return "pause" }
func (p Pause) Target() string                   { return p.P.ID() }
func (p Pause) Inject(ctx context.Context) error { return p.P.Pause(ctx) }
func (p Pause) Heal(ctx context.Context) error   { return p.P.Unpause(ctx) }

// Bit waits for the expected symptom (default: the worker left the group).
func (p Pause) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return bite(ctx, p.Shows, Leaves{p.P.ID()}, g, injected, within)
}

// SigStop stops a worker's main process with SIGSTOP (what a debugger or
// `kill -STOP` does), which, unlike the freezer, the kernel delivers as a
// signal: its effect on the group is the same as Pause. Shows is the symptom
// its spec expects (default Leaves). Heal sends SIGCONT; a worker that is no
// longer running needs no SIGCONT, so that is not an error.
type SigStop struct {
	P     Process
	Shows Symptom
}

func (s SigStop) Name() string                     { return "sigstop" }
func (s SigStop) Target() string                   { return s.P.ID() }
func (s SigStop) Inject(ctx context.Context) error { return s.P.Signal(ctx, "STOP") }

func (s SigStop) Heal(ctx context.Context) error {
	err := s.P.Signal(ctx, "CONT")
	if isNotRunning(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("SIGCONT: %w", err)
	}
	return nil
}

// Bit waits for the expected symptom (default: the worker left the group).
func (s SigStop) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return bite(ctx, s.Shows, Leaves{s.P.ID()}, g, injected, within)
}
