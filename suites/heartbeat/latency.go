package heartbeat

import (
	"context"
	"time"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// coordinatorLatency delays what the worker sends to its coordinator by d
// (± jitter).
func coordinatorLatency(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker, d, jitter time.Duration) chaos.Toxic {
	return chaos.Latency(w.ID(), w.Sidecar, d, jitter, chaos.Upstream, kit.Coordinator(ctx, st))
}

var (
	// Below half the session timeout (kit.B.LatencyBelow, 45% of it): every
	// heartbeat arrives late, but always well within the session, so the
	// member stays; its commits to the coordinator slow down, which is the
	// bite.
	_ = specs.QuietSpec(func() specs.QuietInput {
		return specs.QuietInput{
			Describe: "a worker whose heartbeats reach the coordinator late, by less than half the session timeout",
			Labels:   []string{"heartbeat"},
			Combo:    specs.ClassicRange,
			Fault: func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
				f := coordinatorLatency(ctx, st, w, kit.B.LatencyBelow, 0)
				f.Shows = chaos.Stalls{Worker: w.ID(), MinLag: kit.B.BiteLag}
				return f
			},
			Hold: func() time.Duration { return kit.B.NoRebalanceWindow },
		}
	})

	// Jitter: the same path with a delay anywhere from 0 to kit.B.LatencyBelow
	// (half of it ± half of it), so heartbeats arrive unevenly: still no
	// rebalance.
	_ = specs.QuietSpec(func() specs.QuietInput {
		return specs.QuietInput{
			Describe: "a worker whose heartbeats reach the coordinator with jitter, up to less than half the session timeout",
			Labels:   []string{"heartbeat"},
			Combo:    specs.ClassicRange,
			Fault: func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
				f := coordinatorLatency(ctx, st, w, kit.B.LatencyBelow/2, kit.B.LatencyBelow/2)
				f.Shows = chaos.Stalls{Worker: w.ID(), MinLag: kit.B.BiteLag}
				return f
			},
			Hold: func() time.Duration { return kit.B.NoRebalanceWindow },
		}
	})

	// Above the session timeout (kit.B.LatencyAbove): the coordinator hears
	// the next heartbeat only after the session expired, evicts the member
	// and gives its partitions away.
	_ = specs.EvictSpec(func() specs.EvictInput {
		return specs.EvictInput{
			Describe: "a worker whose heartbeats reach the coordinator later than the session timeout",
			Labels:   []string{"heartbeat"},
			Combo:    specs.ClassicRange,
			Fault: func(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker) chaos.Fault {
				return coordinatorLatency(ctx, st, ws[0], kit.B.LatencyAbove, 0)
			},
		}
	})

	// The same eviction under KIP-848, where the session timeout is the
	// broker's group.consumer.session.timeout.ms.
	_ = specs.EvictSpec(func() specs.EvictInput {
		return specs.EvictInput{
			Describe: "a worker whose heartbeats reach the coordinator later than the session timeout",
			Labels:   []string{"heartbeat"},
			Combo:    specs.Consumer848,
			Fault: func(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker) chaos.Fault {
				return coordinatorLatency(ctx, st, ws[0], kit.B.LatencyAbove, 0)
			},
		}
	})
)
