package chaos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Process is a worker's process as the catalogue sees it. fixtures.Worker
// implements it.
type Process interface {
	ID() string
	Kill(ctx context.Context) error
	Signal(ctx context.Context, sig string) error
}

// Restartable is a worker process that can be started again in place (same
// id, same network namespace, same configuration) after it exited, and
// waited for. fixtures.Worker implements it.
type Restartable interface {
	Process
	Start(ctx context.Context) error
	Running(ctx context.Context) bool
	WaitExit(ctx context.Context, within time.Duration) (int64, error)
}

// Kill is SIGKILL of a worker: no commit, no leave-group, in-flight work
// gone. The group notices only when the worker's session times out. It
// bites when the worker is no longer a member of the group. Heal does
// nothing: a killed process stays dead (see KillRestart).
type Kill struct{ P Process }

func (k Kill) Name() string                     { return "sigkill" }
func (k Kill) Target() string                   { return k.P.ID() }
func (k Kill) Inject(ctx context.Context) error { return k.P.Kill(ctx) }
func (k Kill) Heal(ctx context.Context) error   { return nil }

// Bit waits until the killed worker has left the group.
func (k Kill) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return Leaves{k.P.ID()}.Await(ctx, g, injected, within)
}

// KillRestart is SIGKILL of a worker that its supervisor brings back: the
// process dies as with Kill, and Heal starts it again in place, as
// Kubernetes would restart a crashed pod's container. It bites when the
// worker has left the group. Heal is a no-op when the worker runs.
type KillRestart struct{ P Restartable }

func (k KillRestart) Name() string                     { return "sigkill-restart" }
func (k KillRestart) Target() string                   { return k.P.ID() }
func (k KillRestart) Inject(ctx context.Context) error { return k.P.Kill(ctx) }
func (k KillRestart) Heal(ctx context.Context) error   { return startIfStopped(ctx, k.P) }

// Bit waits until the killed worker has left the group.
func (k KillRestart) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return Leaves{k.P.ID()}.Await(ctx, g, injected, within)
}

// startIfStopped starts p again unless it runs. A process that was killed
// may take a moment to be reported not running; wait for that first.
func startIfStopped(ctx context.Context, p Restartable) error {
	if p.Running(ctx) {
		if _, err := p.WaitExit(ctx, 2*time.Second); err != nil {
			return nil // it really runs: nothing to heal
		}
	}
	if err := p.Start(ctx); err != nil {
		return fmt.Errorf("restart %s: %w", p.ID(), err)
	}
	return nil
}

// Terminate is SIGTERM of a worker: it should finish in-flight work,
// commit, leave the group and exit. It bites when the worker has left the
// group. Heal does nothing (see Restart for a terminated worker that comes
// back).
type Terminate struct{ P Process }

func (t Terminate) Name() string                     { return "sigterm" }
func (t Terminate) Target() string                   { return t.P.ID() }
func (t Terminate) Inject(ctx context.Context) error { return t.P.Signal(ctx, "TERM") }
func (t Terminate) Heal(ctx context.Context) error   { return nil }

// Bit waits until the stopped worker has left the group.
func (t Terminate) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return Leaves{t.P.ID()}.Await(ctx, g, injected, within)
}

// KillMany is SIGKILL of several workers at the same instant (a node or a
// zone going down): the signals are sent concurrently, so the group loses
// them within one session timeout. It bites when none of them is a member
// any more. Heal does nothing: the processes stay dead.
type KillMany struct{ Ps []Process }

func (k KillMany) Name() string { return "sigkill-many" }

func (k KillMany) Target() string {
	var ids []string
	for _, p := range k.Ps {
		ids = append(ids, p.ID())
	}
	return strings.Join(ids, "+")
}

func (k KillMany) Inject(ctx context.Context) error {
	if len(k.Ps) == 0 {
		return errors.New("no process to kill")
	}
	errs := make([]error, len(k.Ps))
	var wg sync.WaitGroup
	for i, p := range k.Ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.Kill(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (k KillMany) Heal(ctx context.Context) error { return nil }

// Bit waits until every killed worker has left the group.
func (k KillMany) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	var ids Leaves
	for _, p := range k.Ps {
		ids = append(ids, p.ID())
	}
	return ids.Await(ctx, g, injected, within)
}

// TermRestart is SIGTERM of a worker that is then started again in place,
// as a supervisor restarting it after a graceful stop (a single step of a
// rolling restart, without waiting for the group in between). It bites
// when the worker has left the group. Heal waits (up to Exit) for the
// process to exit and starts it again; once it did, Heal is a no-op.
type TermRestart struct {
	P       Restartable
	Exit    time.Duration
	stopped *bool
}

// NewTermRestart returns the fault; exit bounds Heal's wait for the exit.
func NewTermRestart(p Restartable, exit time.Duration) TermRestart {
	return TermRestart{P: p, Exit: exit, stopped: new(bool)}
}

func (t TermRestart) Name() string   { return "sigterm-restart" }
func (t TermRestart) Target() string { return t.P.ID() }

func (t TermRestart) Inject(ctx context.Context) error {
	if t.stopped == nil {
		return errors.New("fault not built with NewTermRestart")
	}
	*t.stopped = true
	return t.P.Signal(ctx, "TERM")
}

func (t TermRestart) Heal(ctx context.Context) error {
	if t.stopped == nil || !*t.stopped {
		return nil
	}
	if _, err := t.P.WaitExit(ctx, t.Exit); err != nil {
		return fmt.Errorf("%s still runs %s after SIGTERM: %w", t.P.ID(), t.Exit, err)
	}
	if err := t.P.Start(ctx); err != nil {
		return fmt.Errorf("restart %s: %w", t.P.ID(), err)
	}
	*t.stopped = false
	return nil
}

// Bit waits until the stopped worker has left the group.
func (t TermRestart) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return Leaves{t.P.ID()}.Await(ctx, g, injected, within)
}
