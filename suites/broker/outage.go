package broker

import (
	"context"
	"time"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

var (
	// A broker restart: every connection drops, the broker comes back from
	// its data dir, and the group must be re-formed by live workers.
	// Measured from the broker being ready again. With exactly-once
	// workers, the transactions open when the broker went down are aborted
	// or committed whole, never twice.
	_ = brokerRestarted(specs.ClassicRange)
	_ = brokerRestarted(specs.ClassicRangeEOS)

	// The broker stopped for longer than the session timeout
	// (kit.B.Outage), then started again.
	_ = brokerStopped(specs.ClassicCoopSticky, "")
	_ = brokerStopped(specs.Consumer848, kip848RestoreBug)

	// The coordinator answers every membership and commit request of the
	// group with COORDINATOR_NOT_AVAILABLE (the broker's own fault hook)
	// until every member has timed out; then it serves again.
	_ = specs.OutageSpec(func() specs.OutageInput {
		return specs.OutageInput{
			Describe: "the group coordinator refusing the group's requests until every member has timed out",
			Labels:   []string{"broker", kit.Needs(kit.EmbeddedBroker)},
			Combo:    specs.ClassicRange,
			Fault: func(ctx context.Context, st *fixtures.Stage) chaos.Fault {
				return chaos.NewCoordinatorRefuses(kit.BrokerFaults(st), st.Group)
			},
		}
	})

	// Every worker's proxy to the coordinator closed until every member has
	// timed out; the other brokers stay reachable.
	_ = specs.OutageSpec(func() specs.OutageInput {
		return specs.OutageInput{
			Describe: "the group coordinator cut off from every worker until every member has timed out",
			Labels:   []string{"broker"},
			Combo:    specs.ClassicRange,
			Fault: func(ctx context.Context, st *fixtures.Stage) chaos.Fault {
				coord := kit.Coordinator(ctx, st)
				var fs []chaos.Fault
				for _, w := range st.Fleet.Workers() {
					fs = append(fs, chaos.CutFromCoordinator{Worker: w.ID(), L: w.Sidecar, Coordinator: coord})
				}
				return chaos.All{Kind: "coordinator-cut-for-all", Label: "every worker->coordinator", Faults: fs, Shows: chaos.Leaves{}}
			},
			// The workers reconnect to the coordinator with librdkafka's
			// backoff (up to reconnect.backoff.max.ms, 10 s).
			Reform:     func() time.Duration { return kit.B.Rejoin },
			ReformText: "the rejoin bound",
		}
	})

	// Every worker's requests to the coordinator delayed by less than half
	// the session timeout: the whole group commits late, and nothing
	// rebalances.
	_ = specs.QuietSpec(func() specs.QuietInput {
		return specs.QuietInput{
			Describe: "the group coordinator slow for every worker, by less than half the session timeout",
			Labels:   []string{"broker"},
			Combo:    specs.ClassicRange,
			Fault: func(ctx context.Context, st *fixtures.Stage, _ *fixtures.Worker) chaos.Fault {
				coord := kit.Coordinator(ctx, st)
				var fs []chaos.Fault
				for _, w := range st.Fleet.Workers() {
					fs = append(fs, chaos.Latency(w.ID(), w.Sidecar, kit.B.LatencyBelow, 0, chaos.Upstream, coord))
				}
				return chaos.All{Kind: "coordinator-slow-for-all", Label: "every worker->coordinator", Faults: fs,
					Shows: chaos.Stalls{MinLag: 3 * kit.B.BiteLag}}
			},
			Hold: func() time.Duration { return kit.B.NoRebalanceWindow },
		}
	})
)

// kip848RestoreBug is why the KIP-848 broker outage is pending: kfake
// (v0.0.0-20260918054303-01f206a7e32c, groups.go restoreConsumerMembers)
// restores a consumer group's partition epochs from its session file even
// when every member's session expired during the outage and no member is
// restored, so the partitions stay owned by members that no longer exist:
// the rejoining members are never assigned them and the group stays
// Reconciling with 0 partitions assigned (seen for more than 50 s). Classic
// groups (restoreClassicMembers) recover.
const kip848RestoreBug = "kfake restores a KIP-848 group's partition epochs without its expired members, so no partition is ever assigned again"

func brokerRestarted(c specs.Combination) bool {
	return specs.OutageSpec(func() specs.OutageInput {
		return specs.OutageInput{
			Describe: "the broker restarted under steady load",
			Labels:   []string{"broker", kit.Needs(kit.EmbeddedBroker)},
			Combo:    c,
			Fault: func(ctx context.Context, st *fixtures.Stage) chaos.Fault {
				return chaos.NewBrokerRestart(kit.Embedded(st), st.Rec)
			},
			FromInjectEnd: true,
		}
	})
}

func brokerStopped(c specs.Combination, pending string) bool {
	return specs.OutageSpec(func() specs.OutageInput {
		return specs.OutageInput{
			Pending:  pending,
			Describe: "the broker stopped for longer than the session timeout, then started again",
			Labels:   []string{"broker", kit.Needs(kit.EmbeddedBroker)},
			Combo:    c,
			Fault: func(ctx context.Context, st *fixtures.Stage) chaos.Fault {
				return chaos.BrokerStop{B: kit.Embedded(st)}
			},
			BiteWithin: func() time.Duration { return kit.B.Outage },
			Hold:       func() time.Duration { return kit.B.Outage },
		}
	})
}
