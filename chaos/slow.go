package chaos

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// SlowMember is a member whose handler is slower than its own
// max.poll.interval.ms: it polls one post, spends longer on it than the
// interval allows, and librdkafka leaves the group on its behalf, so its
// partitions go to the others; when the post is done it polls again and
// rejoins, only to stall again. The worker reads its processing delay from
// its environment at start, so the fault is a new member started slow
// (Join, e.g. fixtures.Fleet.AddWithEnv with PROCESS_DELAY_MS and
// MAX_POLL_INTERVAL_MS) into a healthy group.
//
// It bites when the slow member, having owned partitions, is no longer a
// member. Heal kills the slow member (SIGKILL: its in-flight post must not
// be committed) and is a no-op when it was never started or is dead.
type SlowMember struct {
	ID   string // the id the new member will have
	Join func(ctx context.Context) (Process, error)

	mu *sync.Mutex
	p  *Process
}

// NewSlowMember returns the fault; id is the worker id Join will start.
func NewSlowMember(id string, join func(ctx context.Context) (Process, error)) SlowMember {
	return SlowMember{ID: id, Join: join, mu: &sync.Mutex{}, p: new(Process)}
}

func (s SlowMember) Name() string   { return "slow-handler" }
func (s SlowMember) Target() string { return s.ID }

func (s SlowMember) Inject(ctx context.Context) error {
	if s.Join == nil || s.mu == nil {
		return errors.New("slow member not built with NewSlowMember")
	}
	p, err := s.Join(ctx)
	s.mu.Lock()
	if p != nil {
		*s.p = p
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("start slow member %s: %w", s.ID, err)
	}
	if p.ID() != s.ID {
		return fmt.Errorf("slow member started as %s, want %s", p.ID(), s.ID)
	}
	return nil
}

func (s SlowMember) Heal(ctx context.Context) error {
	if s.mu == nil {
		return nil
	}
	s.mu.Lock()
	p := *s.p
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	if err := p.Kill(ctx); err != nil && !isNotRunning(err) {
		return fmt.Errorf("kill slow member %s: %w", s.ID, err)
	}
	return nil
}

// Bit waits until the slow member owned partitions and then dropped out of
// the group (max.poll.interval exceeded).
func (s SlowMember) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	owned := false
	return waitGroup(ctx, g, within, injected, func(snap history.GroupSnapshot) bool {
		for _, m := range snap.Members {
			if m.Worker == s.ID && len(m.Partitions) > 0 {
				owned = true
			}
		}
		return owned && !isMember(snap, s.ID)
	}, s.ID+" owning partitions and then being dropped for exceeding max.poll.interval")
}

func isNotRunning(err error) bool {
	return err != nil && (containsAny(err.Error(), "is not running", "No such container"))
}
