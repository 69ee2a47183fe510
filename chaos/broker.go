package chaos

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// BrokerProcess is the broker container. fixtures.Broker implements it.
type BrokerProcess interface {
	Stop(ctx context.Context) error
	Start(ctx context.Context) error
	Running(ctx context.Context) bool
}

// BrokerRestart restarts the broker process (all brokers of the kfake
// cluster): SIGTERM, which persists its data dir, then start again. Every
// connection drops; the broker comes back with its topics, records and
// committed offsets, and — like Kafka, whose coordinator reloads the group
// from __consumer_offsets — with the members whose sessions have not run
// out, so a quick restart need not rebalance at all. Nothing the broker
// acknowledged may be lost. Inject returns once the broker is ready again.
//
// It bites when, between the stop and the start, the observer (G) could no
// longer reach the broker: the restart was real. Heal starts the broker if
// a restart was cut short; it is a no-op when the broker runs.
type BrokerRestart struct {
	B BrokerProcess
	G GroupView
	// Down bounds the wait, between stop and start, for the observer to
	// lose the broker (default 5s).
	Down time.Duration
	seen *bool
}

// NewBrokerRestart returns the fault; g is watched while the broker is
// down.
func NewBrokerRestart(b BrokerProcess, g GroupView) BrokerRestart {
	return BrokerRestart{B: b, G: g, Down: 5 * time.Second, seen: new(bool)}
}

func (r BrokerRestart) Name() string   { return "broker-restart" }
func (r BrokerRestart) Target() string { return "broker" }

func (r BrokerRestart) Inject(ctx context.Context) error {
	if r.seen == nil {
		return errors.New("broker restart not built with NewBrokerRestart")
	}
	stopped := time.Now()
	if err := r.B.Stop(ctx); err != nil {
		return fmt.Errorf("restart broker: %w", err)
	}
	down := Unobservable{}.Await(ctx, r.G, stopped, r.Down)
	*r.seen = down == nil
	if err := r.B.Start(ctx); err != nil {
		return fmt.Errorf("restart broker: %w", err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

func (r BrokerRestart) Heal(ctx context.Context) error { return startBroker(ctx, r.B) }

// Bit reports whether the observer lost the broker during the restart.
func (r BrokerRestart) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	if r.seen == nil || !*r.seen {
		return fmt.Errorf("%w: the observer never lost the broker while it was stopped", ErrNoBite)
	}
	return nil
}

func startBroker(ctx context.Context, b BrokerProcess) error {
	if b.Running(ctx) {
		return nil
	}
	if err := b.Start(ctx); err != nil {
		return fmt.Errorf("start broker: %w", err)
	}
	return nil
}

// BrokerStop stops the broker process (SIGTERM; it persists its data dir)
// and leaves it down until Heal: for longer than the session timeout every
// client, worker and harness alike, sees connection refused, and no group
// exists. It bites when the observer can no longer reach the broker. Heal
// starts it again and waits until it is ready; it is a no-op when the
// broker runs.
type BrokerStop struct{ B BrokerProcess }

func (s BrokerStop) Name() string                     { return "broker-stop" }
func (s BrokerStop) Target() string                   { return "broker" }
func (s BrokerStop) Inject(ctx context.Context) error { return s.B.Stop(ctx) }
func (s BrokerStop) Heal(ctx context.Context) error   { return startBroker(ctx, s.B) }

// Bit waits until the observer's requests fail.
func (s BrokerStop) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return Unobservable{}.Await(ctx, g, injected, within)
}

// BrokerFaulter installs request faults in the broker itself (its control
// API). fixtures.Broker implements it through an adapter in the suites'
// kit, so that this package does not import fixtures.
type BrokerFaulter interface {
	AddFault(ctx context.Context, keys []string, group, kafkaErr string) (id string, err error)
	RemoveFault(ctx context.Context, id string) (hits int64, err error)
}

// CoordinatorRefuses makes the group coordinator answer the group's
// membership and commit requests (classic JoinGroup, SyncGroup, Heartbeat,
// OffsetCommit; KIP-848 ConsumerGroupHeartbeat) with
// COORDINATOR_NOT_AVAILABLE, as a coordinator does while it loads or moves:
// the broker is up and serves fetches and produce requests, but no member
// can keep or renew its membership or commit. The harness's own describe
// and offset-fetch requests are untouched. It bites when the group has no
// member left. Heal removes the fault (a restarted broker has forgotten it:
// not an error).
type CoordinatorRefuses struct {
	B     BrokerFaulter
	Group string

	mu *sync.Mutex
	id *string
}

// NewCoordinatorRefuses returns the fault for group.
func NewCoordinatorRefuses(b BrokerFaulter, group string) CoordinatorRefuses {
	return CoordinatorRefuses{B: b, Group: group, mu: &sync.Mutex{}, id: new(string)}
}

// CoordinatorRequests are the request kinds CoordinatorRefuses fails.
var CoordinatorRequests = []string{"JoinGroup", "SyncGroup", "Heartbeat", "OffsetCommit", "ConsumerGroupHeartbeat"}

func (c CoordinatorRefuses) Name() string   { return "coordinator-refuses" }
func (c CoordinatorRefuses) Target() string { return "coordinator of " + c.Group }

func (c CoordinatorRefuses) Inject(ctx context.Context) error {
	if c.mu == nil {
		return errors.New("fault not built with NewCoordinatorRefuses")
	}
	id, err := c.B.AddFault(ctx, CoordinatorRequests, c.Group, "COORDINATOR_NOT_AVAILABLE")
	if err != nil {
		return err
	}
	c.mu.Lock()
	*c.id = id
	c.mu.Unlock()
	return nil
}

func (c CoordinatorRefuses) Heal(ctx context.Context) error {
	if c.mu == nil {
		return nil
	}
	c.mu.Lock()
	id := *c.id
	*c.id = ""
	c.mu.Unlock()
	if id == "" {
		return nil
	}
	if _, err := c.B.RemoveFault(ctx, id); err != nil {
		return fmt.Errorf("remove broker fault %s: %w", id, err)
	}
	return nil
}

// Bit waits until the group has no member.
func (c CoordinatorRefuses) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return Leaves{}.Await(ctx, g, injected, within)
}
