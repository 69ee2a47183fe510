package chaos

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// HoldFaulter delays one client's requests in the broker itself (its
// control API, POST /holds; see cmd/kfakebroker/holds.go). fixtures.Broker
// implements it through an adapter in the suites' kit.
type HoldFaulter interface {
	// AddHold delays each request of the kinds keys that client sends
	// (client matches a client id equal to it or starting with it and
	// "-") by hold, until removed.
	AddHold(ctx context.Context, client string, keys []string, hold time.Duration) (id string, err error)
	// HoldHits is how many requests hold id has held (-1 if gone).
	HoldHits(ctx context.Context, id string) (int64, error)
	// RemoveHold removes hold id, releasing what it holds, and returns its
	// hits (-1 if gone).
	RemoveHold(ctx context.Context, id string) (hits int64, err error)
}

// CommittedRequests are the request kinds CommitsHeld delays.
var CommittedRequests = []string{"OffsetCommit", "TxnOffsetCommit"}

// CommitsHeld makes the broker hold back each offset commit of one worker
// for Hold before serving it (accepted, as a slow coordinator would), while
// its fetches and produce requests and every other worker go on at full
// speed. The worker keeps processing while a commit is in flight, so it
// always has acknowledged posts that are not committed yet: the window in
// which a worker that gives its partitions up without committing them (on
// revoke, at shutdown) hands its successor an old offset. The held
// connection also carries the worker's heartbeats, so Hold must stay well
// below the session timeout (bounds.CommitHold).
//
// It bites when the broker has held one of the worker's commits. Heal
// removes the hold (a restarted broker has forgotten it: not an error);
// Held reports the count at heal.
type CommitsHeld struct {
	B      HoldFaulter
	Worker string
	Hold   time.Duration

	st *countedState
}

// countedState is an installed broker-side fault's id and the count it
// reported.
type countedState struct {
	mu    sync.Mutex
	id    string
	count int64
}

func (s *countedState) setID(id string) {
	s.mu.Lock()
	s.id = id
	s.mu.Unlock()
}

// remove takes the installed id and removes it with del, keeping its final
// count; nothing installed is a no-op (Heal is idempotent). A failed
// removal keeps the id, so a later Heal tries again.
func (s *countedState) remove(ctx context.Context, what string, del func(context.Context, string) (int64, error)) error {
	id := s.takeID()
	if id == "" {
		return nil
	}
	hits, err := del(ctx, id)
	if err != nil {
		s.setID(id) // still installed
		return fmt.Errorf("remove %s %s: %w", what, id, err)
	}
	s.saw(hits)
	return nil
}

// takeID returns the id and forgets it (Heal runs once; a Heal whose
// removal failed puts it back with setID).
func (s *countedState) takeID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id
	s.id = ""
	return id
}

func (s *countedState) currentID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

func (s *countedState) saw(n int64) {
	s.mu.Lock()
	s.count = max(s.count, n)
	s.mu.Unlock()
}

func (s *countedState) counted() int64 {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// awaitCounted polls count until it is above zero or within passes.
func (s *countedState) awaitCounted(ctx context.Context, within time.Duration, what string, count func(context.Context, string) (int64, error)) error {
	id := s.currentID()
	if id == "" {
		return errors.New("not injected")
	}
	deadline := time.Now().Add(within)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		n, err := count(ctx, id)
		if err == nil && n > 0 {
			s.saw(n)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s within %s (last: count %d, err %v)", ErrNoBite, what, within, n, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// NewCommitsHeld returns the fault for worker's commits.
func NewCommitsHeld(b HoldFaulter, worker string, hold time.Duration) CommitsHeld {
	return CommitsHeld{B: b, Worker: worker, Hold: hold, st: &countedState{}}
}

func (c CommitsHeld) Name() string   { return "commits-held" }
func (c CommitsHeld) Target() string { return c.Worker }

func (c CommitsHeld) Inject(ctx context.Context) error {
	if c.st == nil {
		return errors.New("fault not built with NewCommitsHeld")
	}
	if c.Worker == "" || c.Hold <= 0 {
		return errors.New("commits-held: worker and a positive hold must be set")
	}
	id, err := c.B.AddHold(ctx, c.Worker, CommittedRequests, c.Hold)
	if err != nil {
		return err
	}
	c.st.setID(id)
	return nil
}

func (c CommitsHeld) Heal(ctx context.Context) error {
	if c.st == nil {
		return nil
	}
	return c.st.remove(ctx, "broker hold", c.B.RemoveHold)
}

// Held is how many commits the broker held: the count at heal (or at the
// bite), 0 before.
func (c CommitsHeld) Held() int64 { return c.st.counted() }

// Bit waits until the broker has held one of the worker's commits.
func (c CommitsHeld) Bit(ctx context.Context, _ GroupView, _ time.Time, within time.Duration) error {
	if c.st == nil {
		return errors.New("fault not built with NewCommitsHeld")
	}
	return c.st.awaitCounted(ctx, within, "no commit of "+c.Worker+" held", c.B.HoldHits)
}
