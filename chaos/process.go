package chaos

import (
	"context"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Process is a worker's process as the catalogue sees it. fixtures.Worker
// implements it.
type Process interface {
	ID() string
	Kill(ctx context.Context) error
	Signal(ctx context.Context, sig string) error
}

// Kill is SIGKILL of a worker: no commit, no leave-group, in-flight work
// gone. The group notices only when the worker's session times out. It
// bites when the worker is no longer a member of the group. Heal does
// nothing: a killed process stays dead (restart it explicitly).
type Kill struct{ P Process }

func (k Kill) Name() string                     { return "sigkill" }
func (k Kill) Target() string                   { return k.P.ID() }
func (k Kill) Inject(ctx context.Context) error { return k.P.Kill(ctx) }
func (k Kill) Heal(ctx context.Context) error   { return nil }

// Bit waits until the killed worker has left the group.
func (k Kill) Bit(ctx context.Context, g GroupView, within time.Duration) error {
	return waitGroup(ctx, g, within, time.Now(), func(s history.GroupSnapshot) bool { return !isMember(s, k.P.ID()) }, k.P.ID()+" leaving the group")
}

// Terminate is SIGTERM of a worker: it should finish in-flight work,
// commit, leave the group and exit. It bites when the worker has left the
// group. Heal does nothing.
type Terminate struct{ P Process }

func (t Terminate) Name() string                     { return "sigterm" }
func (t Terminate) Target() string                   { return t.P.ID() }
func (t Terminate) Inject(ctx context.Context) error { return t.P.Signal(ctx, "TERM") }
func (t Terminate) Heal(ctx context.Context) error   { return nil }

// Bit waits until the stopped worker has left the group.
func (t Terminate) Bit(ctx context.Context, g GroupView, within time.Duration) error {
	return waitGroup(ctx, g, within, time.Now(), func(s history.GroupSnapshot) bool { return !isMember(s, t.P.ID()) }, t.P.ID()+" leaving the group")
}
