package specs

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
)

// EvictInput is a fault that must end one or more workers' membership: the
// group must give their partitions to the live workers within a bound, lose
// nothing, never move a committed offset back, and recover its lag after
// the heal. Every field but the bounds is read when the spec tree is built;
// the bound functions run inside the spec, where kit.B is loaded.
type EvictInput struct {
	// Describe is the scenario as a sentence ("a worker cut off from Kafka
	// through its own proxy"); the combination is appended.
	Describe string
	Labels   []string
	Combo    Combination

	// Victims picks the workers to hit (default: the owner of partition 0).
	Victims func(ctx context.Context, st *fixtures.Stage) []string
	// Fault builds the fault for the victims. Its bite must be their
	// leaving the group.
	Fault func(ctx context.Context, st *fixtures.Stage, victims []*fixtures.Worker) chaos.Fault

	// Reassign is the bound from the inject to every partition owned by a
	// live member (default kit.B.Reassign); ReassignText says what it is in
	// the spec's sentence (default "the session timeout plus slack").
	Reassign     func() time.Duration
	ReassignText string

	// Permanent faults leave the victims dead (SIGKILL): no rejoin after
	// the heal, and recovery counts from the group settling without them.
	Permanent bool

	// Extra registers further Its on the same scenario; stage returns the
	// spec's stage (alive until the last It ran).
	Extra func(stage func() *fixtures.Stage)

	// Pending, when set, registers the spec Pending with this reason (what
	// in the broker or client makes it impossible today).
	Pending string
	// Known registers single data Its Pending with the bug outside the
	// worker that fails them (see kit.Known).
	Known []kit.Known
}

func (in EvictInput) reassign() time.Duration {
	if in.Reassign != nil {
		return in.Reassign()
	}
	return kit.B.Reassign
}

// EvictSpec registers the spec for in (after Cluster API's e2e specs: one
// function, many registrations). Scenario, in BeforeAll: a stable fleet
// under steady load; the fault injected on the victims and seen to bite
// (they leave the group); the group settled without them; the fault
// healed; unless Permanent, the victims back as members; lag back under
// its threshold; load stopped and the fleet drained. One It per invariant.
func EvictSpec(input func() EvictInput) bool {
	in := input()
	labels := append(append([]string{}, in.Labels...), in.Combo.Labels()...)
	return container(describe(in.Describe, in.Combo), labels, in.Pending, func() {
		var (
			st             *fixtures.Stage
			run            EvictInput
			fault          chaos.Fault
			all, victims   []string
			injected, heal time.Time
			rejoinAt       time.Time
			rejoined       bool
			h              history.History
		)

		BeforeAll(func(ctx SpecContext) {
			run = input()
			in := run
			st = kit.NewStage(ctx, in.Combo.StageConfig())
			all = st.Fleet.IDs()
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			if in.Victims != nil {
				victims = in.Victims(ctx, st)
			} else {
				victims = []string{kit.Owner(st, 0)}
			}
			var ws []*fixtures.Worker
			for _, id := range victims {
				ws = append(ws, kit.Worker(st, id))
			}
			fault = in.Fault(ctx, st, ws)
			injected = kit.Inject(ctx, st, fault, 2*in.reassign())
			kit.AwaitStable(ctx, st, kit.Without(all, victims...), 2*in.reassign())
			heal = kit.Heal(ctx, st, fault)
			if !in.Permanent {
				kit.AwaitStable(ctx, st, all, kit.B.Stable)
				h = st.Rec.Snapshot()
				rejoined = true
				for _, v := range victims {
					at, ok := verify.MemberHasPartitions(h, v, heal)
					rejoined = rejoined && ok
					if at.After(rejoinAt) {
						rejoinAt = at
					}
				}
			}
			kit.AwaitLagHeld(ctx, st, heal, 2*kit.B.Recovery)
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It(fmt.Sprintf("reassigns their partitions to the live workers within %s", or(in.ReassignText, "the session timeout plus slack")), func() {
			kit.Check(st, fault.Name(), verify.Reassigned(h, injected, victims, run.reassign()))
		})

		if !in.Permanent {
			It("lets the workers rejoin and own partitions again within the rejoin bound of the heal", func() {
				Expect(rejoined).To(BeTrue(), "%v never owned a partition again after the heal", victims)
				kit.Measured("rejoin after heal", fault.Name(), rejoinAt.Sub(heal), kit.B.Rejoin)
				Expect(rejoinAt.Sub(heal)).To(BeNumerically("<=", kit.B.Rejoin), "%v owned partitions again only %s after the heal", victims, rejoinAt.Sub(heal))
			})
		}

		// At-least-once, a victim cut off or frozen writes what it handed
		// its producer before the fault once the fault heals and it has
		// reconnected, after the coordinator has moved its partitions: a
		// zombie write it cannot avoid, excused for as long as the fault
		// lasted plus the rejoin bound (librdkafka's reconnect backoff).
		// Exactly-once excuses nothing: such writes must be fenced.
		kit.KeepsTheData(func() kit.Scene {
			sc := kit.Scene{St: st, H: h, Fault: fault.Name()}
			if !run.Combo.ExactlyOnce() {
				sc.ZombieGrace = heal.Sub(injected) + kit.B.Rejoin
			}
			return sc
		}, in.Known...)

		// The victims come back to find their partitions given away: the
		// contract's lost, never revoked (a clean handover). The other
		// workers' revokes, when the victims rejoin, are judged too.
		if !in.Permanent {
			It("never has a worker print revoked for partitions given away while it was out (the contract's lost)", func() {
				kit.Check(st, fault.Name(), verify.RevokedWhileOwned(h, verify.RevokeClockSlack))
			})
		}

		It("sets lag back, and brings it under its threshold within the recovery bound after the heal, to stay", func() {
			kit.Check(st, fault.Name(), verify.LagRecovered(h, kit.LagWindow(injected, heal, true), kit.B.LagThreshold, kit.B.Recovery))
		})

		kit.DeliversOnce(in.Combo.ExactlyOnce(), func() kit.Scene { return kit.Scene{St: st, H: h, Fault: fault.Name()} })

		if in.Permanent {
			It("has the workers' processes dead, not restarted", func(ctx SpecContext) {
				for _, v := range victims {
					Expect(kit.Worker(st, v).Running(ctx)).To(BeFalse(), "%s runs again", v)
				}
			})
		}

		if in.Extra != nil {
			in.Extra(func() *fixtures.Stage { return st })
		}
	})
}

// KillInput is SIGKILL of one worker (the owner of partition 0) under a
// combination.
type KillInput struct {
	Combo  Combination
	Labels []string
	// Restart brings the killed worker back in place once the group has
	// settled without it, as a supervisor would. Exactly-once needs it: a
	// killed transactional producer's open transaction holds back every
	// read_committed reader until the same transactional.id initialises
	// again (or transaction.timeout.ms, 60 s, passes).
	Restart bool
}

// KillSpec registers "a worker killed with SIGKILL under steady load" for
// one combination: its partitions reassigned within the session timeout
// plus slack, nothing lost, offsets monotonic, lag recovered.
func KillSpec(input func() KillInput) bool {
	in := input()
	text := "a worker killed with SIGKILL under steady load"
	if in.Restart {
		text = "a worker killed with SIGKILL and restarted in place under steady load"
	}
	return EvictSpec(func() EvictInput {
		return EvictInput{
			Describe:  text,
			Labels:    append([]string{"crash"}, in.Labels...),
			Combo:     in.Combo,
			Permanent: !in.Restart,
			Fault: func(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker) chaos.Fault {
				if in.Restart {
					return chaos.KillRestart{P: ws[0]}
				}
				return chaos.Kill{P: ws[0]}
			},
		}
	})
}

// CutOffInput is one worker cut off from every broker (all its proxies
// disabled) under a combination.
type CutOffInput struct {
	Combo  Combination
	Labels []string
}

// CutOffSpec registers "a worker cut off from Kafka through its own proxy"
// for one combination: dropped from the group, its partitions reassigned
// within the session timeout plus slack, back after the heal, nothing lost.
func CutOffSpec(input func() CutOffInput) bool {
	in := input()
	return EvictSpec(func() EvictInput {
		return EvictInput{
			Describe: "a worker cut off from Kafka through its own proxy",
			Labels:   append([]string{"partition"}, in.Labels...),
			Combo:    in.Combo,
			Fault: func(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker) chaos.Fault {
				return chaos.CutOff{Worker: ws[0].ID(), L: ws[0].Sidecar}
			},
			Extra: func(stage func() *fixtures.Stage) {
				It("routes every worker's connections to every broker through that worker's own proxy", func(ctx SpecContext) {
					st := stage()
					for _, w := range st.Fleet.Workers() {
						n, err := w.Sidecar.AcceptedConnections(ctx)
						Expect(err).NotTo(HaveOccurred())
						for b := range st.BrokerCount() {
							name := fmt.Sprintf("broker-%d", b)
							Expect(n).To(HaveKeyWithValue(name, BeNumerically(">", 0)),
								"worker %s made no connection to %s through its proxy (accepted: %v)", w.ID(), name, n)
						}
					}
				})
			},
		}
	})
}
