package partition

import (
	"context"
	"time"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// evictBy registers an eviction spec for a fault built from the victim
// alone (classic range).
func evictBy(text string, fault func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault) bool {
	return specs.EvictSpec(func() specs.EvictInput {
		return specs.EvictInput{
			Describe: text,
			Labels:   []string{"partition"},
			Combo:    specs.ClassicRange,
			Fault: func(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker) chaos.Fault {
				return fault(ctx, st, ws[0])
			},
		}
	})
}

// Faults that break one worker's link in a way that must end its
// membership: it can no longer heartbeat to its coordinator.
var (
	_ = evictBy("a worker cut off from its group coordinator only, still reaching the other brokers",
		func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
			return chaos.CutFromCoordinator{Worker: w.ID(), L: w.Sidecar, Coordinator: kit.Coordinator(ctx, st)}
		})
	_ = evictBy("a worker whose every connection is reset as soon as it sends",
		func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
			return chaos.ResetPeer(w.ID(), w.Sidecar)
		})
	_ = evictBy("a worker behind a blackhole that silently drops its traffic both ways",
		func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
			return chaos.Blackhole(w.ID(), w.Sidecar, chaos.Upstream, chaos.Downstream)
		})
	_ = evictBy("a worker whose requests are silently dropped while answers could still reach it (one-way, upstream)",
		func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
			return chaos.Blackhole(w.ID(), w.Sidecar, chaos.Upstream)
		})
	_ = evictBy("a worker whose requests reach the brokers but whose answers are silently dropped (one-way, downstream)",
		func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
			return chaos.Blackhole(w.ID(), w.Sidecar, chaos.Downstream)
		})
)

// quietBy registers a no-rebalance spec for a fault that must only slow
// the victim down, held for the no-rebalance window.
func quietBy(text string, fault func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault) bool {
	return specs.QuietSpec(func() specs.QuietInput {
		return specs.QuietInput{
			Describe: text,
			Labels:   []string{"partition"},
			Combo:    specs.ClassicRange,
			Fault:    fault,
			Hold:     func() time.Duration { return kit.B.NoRebalanceWindow },
		}
	})
}

// Faults that degrade one worker's link without ending its membership:
// it falls behind, and nothing else may happen.
var (
	_ = quietBy("a worker whose uploads are throttled to 4 KB/s per connection",
		func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
			f := chaos.Bandwidth(w.ID(), w.Sidecar, 4, chaos.Upstream)
			f.Shows = chaos.Stalls{Worker: w.ID(), MinLag: kit.B.BiteLag}
			return f
		})
	// Every response (fetches, produce acknowledgements, the coordinator's
	// answers) reaches the worker a few bytes at a time: librdkafka must
	// reassemble frames from many small reads, and its fetches trickle in
	// slower than posts arrive.
	_ = quietBy("a worker whose responses arrive in slices of a few bytes, 10 ms apart",
		func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
			f := chaos.Slicer(w.ID(), w.Sidecar, 8, 4, 10*time.Millisecond, chaos.Downstream)
			f.Shows = chaos.Stalls{Worker: w.ID(), MinLag: kit.B.BiteLag}
			return f
		})
)
