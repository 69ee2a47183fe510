package chaos

import (
	"context"
	"fmt"
	"time"
)

// Link is a worker's own network path to the brokers (its toxiproxy
// sidecar: one proxy per broker, named broker-i). fixtures.Sidecar
// implements it.
type Link interface {
	Disable(ctx context.Context) error
	Enable(ctx context.Context) error
}

// BrokerLink is a Link whose proxies can be closed one broker at a time.
// fixtures.Sidecar implements it.
type BrokerLink interface {
	Link
	DisableBroker(ctx context.Context, i int) error
}

// CutOff cuts one worker off from every broker by disabling all the
// proxies in its sidecar (existing connections are closed, new ones
// refused). The other workers and the harness are untouched. It bites when
// the worker is no longer a member of the group (its session expired at
// the coordinator). Heal enables the proxies again; the worker should
// rejoin by itself.
type CutOff struct {
	Worker string
	L      Link
}

func (c CutOff) Name() string                     { return "cut-off" }
func (c CutOff) Target() string                   { return c.Worker }
func (c CutOff) Inject(ctx context.Context) error { return c.L.Disable(ctx) }
func (c CutOff) Heal(ctx context.Context) error {
	return retry(ctx, func() error { return c.L.Enable(ctx) })
}

// Bit waits until the cut-off worker has dropped out of the group.
func (c CutOff) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return Leaves{c.Worker}.Await(ctx, g, injected, within)
}

// CutFromCoordinator closes only the worker's proxy to the broker that
// coordinates its group (Coordinator is that broker's index, from
// fixtures.Broker.Coordinator): it still fetches from and produces to the
// other brokers, but can neither heartbeat nor commit, nor (classic) rejoin.
// It bites when the worker has dropped out of the group. Heal enables every
// proxy of the worker again.
type CutFromCoordinator struct {
	Worker      string
	L           BrokerLink
	Coordinator int
}

func (c CutFromCoordinator) Name() string { return "cut-from-coordinator" }
func (c CutFromCoordinator) Target() string {
	return fmt.Sprintf("%s->broker-%d", c.Worker, c.Coordinator)
}
func (c CutFromCoordinator) Inject(ctx context.Context) error {
	return c.L.DisableBroker(ctx, c.Coordinator)
}
func (c CutFromCoordinator) Heal(ctx context.Context) error {
	return retry(ctx, func() error { return c.L.Enable(ctx) })
}

// Bit waits until the worker has dropped out of the group.
func (c CutFromCoordinator) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return Leaves{c.Worker}.Await(ctx, g, injected, within)
}
