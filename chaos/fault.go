// Package chaos is the fault catalogue: every way a Kafka consumer fleet
// breaks in production, as a value with Inject and Heal. Faults act on what
// the fixtures started through narrow interfaces (Process, Link), so the
// catalogue does not depend on how a worker or proxy is run.
//
// Lifecycle (after CockroachDB's roachtest failure injection): Inject breaks
// the thing; Bit waits until the break is visible from outside (a spec whose
// fault did not bite fails, it does not pass); Heal undoes what can be
// undone. Heal is idempotent, safe to call from any goroutine, and safe to
// call after the spec failed or before Inject ran.
package chaos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Fault is one thing that goes wrong.
type Fault interface {
	// Name is the fault's kind, e.g. "sigkill" or "cut-off".
	Name() string
	// Target names what the fault acts on, e.g. a worker id.
	Target() string
	// Inject breaks the target.
	Inject(ctx context.Context) error
	// Heal undoes Inject where it can (a killed process stays dead; a
	// disabled proxy is enabled again). Idempotent.
	Heal(ctx context.Context) error
}

// Biter is a fault that can tell whether it bit: Bit waits until the
// fault's symptom is visible in the group (the member left, it lost its
// partitions) and returns an error if it was not within the bound.
//
// injected is when the fault was injected: the symptom is judged against
// the group just before it (see Symptom).
type Biter interface {
	Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error
}

// GroupView is what a Biter may read about the group: the latest snapshot
// and lag sample the observer recorded, and the last ones taken before a
// time (the baseline a bite is judged against; SnapshotBefore skips
// snapshots with an error). *history.Recorder implements it.
type GroupView interface {
	LastSnapshot() (history.GroupSnapshot, bool)
	LastLag() (history.LagSample, bool)
	SnapshotBefore(t time.Time) (history.GroupSnapshot, bool)
	LagBefore(t time.Time) (history.LagSample, bool)
}

// Seeded is a fault drawn from a seeded schedule: its marks carry the seed
// that reproduces the schedule.
type Seeded interface {
	Seed() int64
}

func seedOf(f Fault) int64 {
	if s, ok := f.(Seeded); ok {
		return s.Seed()
	}
	return 0
}

// Marker records fault phases in a spec's history. *history.Recorder
// implements it.
type Marker interface {
	Fault(history.FaultMark)
}

// ErrNoBite is wrapped by Bit errors: the fault was injected and nothing
// visible happened.
var ErrNoBite = errors.New("fault did not bite")

// Inject injects f and records the inject mark.
func Inject(ctx context.Context, m Marker, f Fault) error {
	m.Fault(history.FaultMark{At: time.Now(), Fault: f.Name(), Target: f.Target(), Phase: history.PhaseInject, Seed: seedOf(f)})
	if err := f.Inject(ctx); err != nil {
		return fmt.Errorf("inject %s on %s: %w", f.Name(), f.Target(), err)
	}
	return nil
}

// AwaitBite waits for f's symptom (if f is a Biter), judged against the
// group just before injected, and records the bit mark. It returns how long
// after the call the symptom showed.
func AwaitBite(ctx context.Context, m Marker, g GroupView, f Fault, injected time.Time, within time.Duration) (time.Duration, error) {
	b, ok := f.(Biter)
	if !ok {
		return 0, fmt.Errorf("%s cannot tell whether it bit", f.Name())
	}
	start := time.Now()
	if err := b.Bit(ctx, g, injected, within); err != nil {
		return time.Since(start), fmt.Errorf("%s on %s: %w", f.Name(), f.Target(), err)
	}
	d := time.Since(start)
	m.Fault(history.FaultMark{At: time.Now(), Fault: f.Name(), Target: f.Target(), Phase: history.PhaseBit, Seed: seedOf(f), Detail: fmt.Sprintf("after %s", d.Round(time.Millisecond))})
	return d, nil
}

// Heal heals f and records the heal mark.
func Heal(ctx context.Context, m Marker, f Fault) error {
	err := f.Heal(ctx)
	m.Fault(history.FaultMark{At: time.Now(), Fault: f.Name(), Target: f.Target(), Phase: history.PhaseHeal, Seed: seedOf(f)})
	if err != nil {
		return fmt.Errorf("heal %s on %s: %w", f.Name(), f.Target(), err)
	}
	return nil
}

// waitGroup polls g until cond holds for the latest snapshot taken after
// since, or within elapses.
func waitGroup(ctx context.Context, g GroupView, within time.Duration, since time.Time, cond func(history.GroupSnapshot) bool, what string) error {
	deadline := time.Now().Add(within)
	for {
		if s, ok := g.LastSnapshot(); ok && s.Err == "" && !s.At.Before(since) && cond(s) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s not seen within %s", ErrNoBite, what, within)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// isMember reports whether worker is a member of the group in s.
func isMember(s history.GroupSnapshot, worker string) bool {
	for _, m := range s.Members {
		if m.Worker == worker || m.MemberID == worker {
			return true
		}
	}
	return false
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// retry runs fn up to three times, 200 ms apart, until it succeeds: for
// idempotent calls to a control API (enable a proxy, remove a toxic) that a
// closing keep-alive connection or a busy server can fail once.
func retry(ctx context.Context, fn func() error) error {
	var err error
	for i := 0; i < 3; i++ {
		if err = fn(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	return err
}
