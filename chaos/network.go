package chaos

import (
	"context"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Link is a worker's own network path to the brokers (its toxiproxy
// sidecar). fixtures.Sidecar implements it.
type Link interface {
	Disable(ctx context.Context) error
	Enable(ctx context.Context) error
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
func (c CutOff) Heal(ctx context.Context) error   { return c.L.Enable(ctx) }

// Bit waits until the cut-off worker has dropped out of the group.
func (c CutOff) Bit(ctx context.Context, g GroupView, within time.Duration) error {
	return waitGroup(ctx, g, within, time.Now(), func(s history.GroupSnapshot) bool { return !isMember(s, c.Worker) }, c.Worker+" dropping out of the group")
}
