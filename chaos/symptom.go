package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// A Symptom is what a fault's bite looks like from outside the target: the
// member left the group, its partitions stopped committing. Faults whose
// visible effect depends on their size (a pause shorter or longer than the
// session timeout, a latency below or above it) take the symptom their spec
// expects; the others have a fixed one. since is when the fault was
// injected: Await judges the symptom against the group as it was just
// before since (a worker that was no member cannot leave; a partition
// already behind did not stall because of the fault), returns nil once the
// symptom shows in an observation taken at or after since, and an error
// wrapping ErrNoBite when it did not show within within of the call.
type Symptom interface {
	Describe() string
	Await(ctx context.Context, g GroupView, since time.Time, within time.Duration) error
}

// bite runs s (or def when s is nil) for a fault injected at injected.
func bite(ctx context.Context, s, def Symptom, g GroupView, injected time.Time, within time.Duration) error {
	if s == nil {
		s = def
	}
	return s.Await(ctx, g, injected, within)
}

// Leaves is the symptom of a fault that ends a membership: every listed
// worker, each a member in the last error-free snapshot taken before the
// injection, is absent from one and the same error-free snapshot taken
// after it (an Empty group counts). A listed worker that was no member
// when the fault was injected fails at once: its absence would prove
// nothing. With no worker listed, the group must have had members before
// and have none after.
type Leaves []string

func (l Leaves) Describe() string {
	if len(l) == 0 {
		return "every member leaving the group"
	}
	return strings.Join(l, ", ") + " leaving the group"
}

func (l Leaves) Await(ctx context.Context, g GroupView, since time.Time, within time.Duration) error {
	before, ok := g.SnapshotBefore(since)
	if !ok {
		return fmt.Errorf("%w: no group snapshot before the injection, so %s cannot be told", ErrNoBite, l.Describe())
	}
	if len(l) == 0 && len(before.Members) == 0 {
		return fmt.Errorf("%w: the group had no member when the fault was injected", ErrNoBite)
	}
	for _, w := range l {
		if !isMember(before, w) {
			return fmt.Errorf("%w: %s was not a member when the fault was injected (snapshot %s before it)", ErrNoBite, w, since.Sub(before.At).Round(time.Millisecond))
		}
	}
	return waitGroup(ctx, g, within, since, func(s history.GroupSnapshot) bool {
		if len(l) == 0 {
			return len(s.Members) == 0
		}
		for _, w := range l {
			if isMember(s, w) {
				return false
			}
		}
		return true
	}, l.Describe())
}

// Stalls is the symptom of a fault that slows a worker without ending its
// membership: the partitions Worker owned when the fault was injected fall
// at least MinLag records further behind (end offset minus committed
// offset, summed) than they were in the last lag sample before the
// injection (the baseline), in one lag sample taken after it. With Worker
// empty it watches every partition of the topic: the whole group stalls.
// The baseline keeps a loaded host, where a healthy worker is already some
// records behind, from passing a fault that did nothing; with no sample
// before the injection the baseline is 0.
type Stalls struct {
	Worker string
	MinLag int64
}

func (s Stalls) Describe() string {
	who := "the group's partitions"
	if s.Worker != "" {
		who = s.Worker + "'s partitions"
	}
	return fmt.Sprintf("%s falling %d records behind", who, s.MinLag)
}

func (s Stalls) Await(ctx context.Context, g GroupView, since time.Time, within time.Duration) error {
	var parts []int32
	if s.Worker != "" {
		snap, ok := g.SnapshotBefore(since)
		if !ok {
			return fmt.Errorf("%w: no group snapshot to find %s's partitions", ErrNoBite, s.Worker)
		}
		for _, m := range snap.Members {
			if m.Worker == s.Worker {
				parts = append(parts, m.Partitions...)
			}
		}
		if len(parts) == 0 {
			return fmt.Errorf("%w: %s owns no partition, so it cannot stall", ErrNoBite, s.Worker)
		}
	}
	var baseline int64
	if l, ok := g.LagBefore(since); ok {
		baseline = lagOf(l, parts)
	}
	deadline := time.Now().Add(within)
	var worst int64
	for {
		if l, ok := g.LastLag(); ok && !l.At.Before(since) {
			lag := lagOf(l, parts)
			worst = max(worst, lag)
			if lag-baseline >= s.MinLag {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s not seen within %s (at most %d behind, %d before the fault)", ErrNoBite, s.Describe(), within, worst, baseline)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lagOf sums end minus committed over parts (every partition when parts is
// empty); nothing committed counts as 0.
func lagOf(l history.LagSample, parts []int32) int64 {
	if len(parts) == 0 {
		return l.Lag()
	}
	var total int64
	for _, p := range parts {
		c := l.Committed[p]
		if c < 0 {
			c = 0
		}
		if e := l.End[p]; e > c {
			total += e - c
		}
	}
	return total
}

// Unobservable is the symptom of a fault that takes the broker away: the
// observer's own requests to it fail (a snapshot with an error).
type Unobservable struct{}

func (Unobservable) Describe() string { return "the observer losing the broker" }

func (Unobservable) Await(ctx context.Context, g GroupView, since time.Time, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		if s, ok := g.LastSnapshot(); ok && !s.At.Before(since) && s.Err != "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: the observer still reached the broker %s later", ErrNoBite, within)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Rejoined is the symptom of a fault that forces every member to join the
// group anew (a broker restart forgets members): a snapshot with members
// none of whose member ids is in Before, or whose generation differs from
// BeforeGeneration when the observer reports one.
type Rejoined struct {
	Before           []string // member ids before the fault
	BeforeGeneration int32
}

func (r Rejoined) Describe() string { return "every member joining the group anew" }

func (r Rejoined) Await(ctx context.Context, g GroupView, since time.Time, within time.Duration) error {
	return waitGroup(ctx, g, within, since, func(s history.GroupSnapshot) bool {
		if len(s.Members) == 0 {
			return false
		}
		if r.BeforeGeneration != 0 && s.Generation != 0 && s.Generation != r.BeforeGeneration {
			return true
		}
		for _, m := range s.Members {
			if slices.Contains(r.Before, m.MemberID) {
				return false
			}
		}
		return true
	}, r.Describe())
}

// memberIDs returns the member ids and generation of the last error-free
// snapshot before t.
func memberIDs(g GroupView, t time.Time) ([]string, int32) {
	s, ok := g.SnapshotBefore(t)
	if !ok {
		return nil, 0
	}
	var ids []string
	for _, m := range s.Members {
		ids = append(ids, m.MemberID)
	}
	return ids, s.Generation
}
