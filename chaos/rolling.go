package chaos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// RestartStep is what one worker's turn of a rolling restart did.
type RestartStep struct {
	Worker   string
	TermAt   time.Time     // SIGTERM sent
	ExitCode int64         // -1 if it did not exit
	Exited   time.Duration // SIGTERM -> process exited
	Settled  time.Duration // SIGTERM -> group stable without it, every partition owned once
	Rejoined time.Duration // started again -> member owning partitions
}

// RestartLog collects the steps of a rolling restart for the spec to judge;
// safe for concurrent use.
type RestartLog struct {
	mu    sync.Mutex
	steps []RestartStep
}

// Steps returns the steps so far.
func (l *RestartLog) Steps() []RestartStep {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]RestartStep(nil), l.steps...)
}

func (l *RestartLog) add(s RestartStep) {
	l.mu.Lock()
	l.steps = append(l.steps, s)
	l.mu.Unlock()
}

// RollingRestart is a deploy: every worker of the fleet in turn gets
// SIGTERM, exits, and is started again in place (same id, same network
// namespace), and the next one goes only once the group has taken it back.
// Each turn waits, with its own bound, for the exit (Exit), for the group to
// be stable without the worker with every one of the Partitions owned once
// (Settle), and for the restarted worker to own partitions again (Rejoin);
// a turn that misses a bound ends Inject with an error. Log receives every
// turn for the spec's assertions (exit code 0, graceful reassignment).
//
// It bites when every restarted worker is a member again under a new member
// id. Heal starts any of the workers that is not running (a roll cut short);
// it is a no-op after a complete roll.
type RollingRestart struct {
	Ws                   []Restartable
	G                    GroupView
	Partitions           int32
	Exit, Settle, Rejoin time.Duration
	Log                  *RestartLog
	before               *[]string
}

// NewRollingRestart returns the fault with its log.
func NewRollingRestart(ws []Restartable, g GroupView, partitions int32, exit, settle, rejoin time.Duration) RollingRestart {
	return RollingRestart{Ws: ws, G: g, Partitions: partitions, Exit: exit, Settle: settle, Rejoin: rejoin, Log: &RestartLog{}, before: new([]string)}
}

func (r RollingRestart) Name() string { return "rolling-restart" }

func (r RollingRestart) Target() string {
	var ids []string
	for _, w := range r.Ws {
		ids = append(ids, w.ID())
	}
	return strings.Join(ids, ",")
}

func (r RollingRestart) Inject(ctx context.Context) error {
	if r.Log == nil || r.before == nil {
		return errors.New("rolling restart not built with NewRollingRestart")
	}
	*r.before, _ = memberIDs(r.G, time.Now())
	for _, w := range r.Ws {
		if err := r.turn(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

func (r RollingRestart) turn(ctx context.Context, w Restartable) error {
	id := w.ID()
	step := RestartStep{Worker: id, TermAt: time.Now(), ExitCode: -1}
	defer func() { r.Log.add(step) }()
	if err := w.Signal(ctx, "TERM"); err != nil {
		return fmt.Errorf("SIGTERM %s: %w", id, err)
	}
	code, err := w.WaitExit(ctx, r.Exit)
	if err != nil {
		return fmt.Errorf("%s did not exit after SIGTERM: %w", id, err)
	}
	step.ExitCode, step.Exited = code, time.Since(step.TermAt)
	err = waitGroup(ctx, r.G, r.Settle, step.TermAt, func(s history.GroupSnapshot) bool {
		return !isMember(s, id) && settledOnce(s, r.Partitions)
	}, "the group stable without "+id)
	if err != nil {
		return fmt.Errorf("rolling restart of %s: %w", id, err)
	}
	step.Settled = time.Since(step.TermAt)
	started := time.Now()
	if err := w.Start(ctx); err != nil {
		return fmt.Errorf("start %s again: %w", id, err)
	}
	err = waitGroup(ctx, r.G, r.Rejoin, started, func(s history.GroupSnapshot) bool {
		for _, m := range s.Members {
			if m.Worker == id && len(m.Partitions) > 0 {
				return settledOnce(s, r.Partitions)
			}
		}
		return false
	}, id+" owning partitions again")
	if err != nil {
		return fmt.Errorf("rolling restart of %s: %w", id, err)
	}
	step.Rejoined = time.Since(started)
	return nil
}

// settledOnce reports a Stable group in which every partition 0..n-1 is
// owned by exactly one member.
func settledOnce(s history.GroupSnapshot, n int32) bool {
	if !strings.EqualFold(s.State, "Stable") {
		return false
	}
	owners := map[int32]int{}
	for _, m := range s.Members {
		for _, p := range m.Partitions {
			owners[p]++
		}
	}
	for p := int32(0); p < n; p++ {
		if owners[p] != 1 {
			return false
		}
	}
	return true
}

func (r RollingRestart) Heal(ctx context.Context) error {
	var errs []error
	for _, w := range r.Ws {
		if !w.Running(ctx) {
			if err := w.Start(ctx); err != nil {
				errs = append(errs, fmt.Errorf("start %s: %w", w.ID(), err))
			}
		}
	}
	return errors.Join(errs...)
}

// Bit waits until every member is one that joined after the roll began.
func (r RollingRestart) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	var before []string
	if r.before != nil {
		before = *r.before
	}
	return Rejoined{Before: before}.Await(ctx, g, injected, within)
}
