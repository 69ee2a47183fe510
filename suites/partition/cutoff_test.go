package partition

import (
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

var _ = Describe("a worker cut off from Kafka through its own proxy", Ordered, ContinueOnFailure, Label("partition"), func() {
	var (
		st          *fixtures.Stage
		victim      string
		all         []string
		cut, healed time.Time
		proxied     map[string]map[string]int
		h           history.History
	)

	BeforeAll(func(ctx SpecContext) {
		st = kit.NewStage(ctx, kit.StageConfig())
		all = st.Fleet.IDs()
		kit.AwaitStable(ctx, st, all, kit.B.Stable)
		loadStart := kit.StartLoad(ctx, st)
		kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

		// Evidence for the topology: every worker's connections to every
		// broker were accepted by its own sidecar's proxies.
		proxied = map[string]map[string]int{}
		for _, w := range st.Fleet.Workers() {
			n, err := w.Sidecar.AcceptedConnections(ctx)
			Expect(err).NotTo(HaveOccurred())
			proxied[w.ID()] = n
		}

		victim = kit.Owner(st, 0)
		w, _ := st.Fleet.Get(victim)
		fault := chaos.CutOff{Worker: victim, L: w.Sidecar}
		cut = kit.Inject(ctx, st, fault, 2*kit.B.Reassign)
		kit.AwaitStable(ctx, st, kit.Without(all, victim), 2*kit.B.Reassign)
		healed = kit.Heal(ctx, st, fault)
		kit.AwaitStable(ctx, st, all, kit.B.Stable)
		kit.AwaitLagUnder(ctx, st, 2*kit.B.Recovery)
		h = kit.Drain(ctx, st)
	}, NodeTimeout(5*time.Minute))

	It("routes every worker's connections to every broker through that worker's own proxy", func() {
		for _, id := range all {
			for b := range st.Broker.Ports() {
				name := fmt.Sprintf("broker-%d", b)
				Expect(proxied[id]).To(HaveKeyWithValue(name, BeNumerically(">", 0)),
					"worker %s made no connection to %s through its proxy (accepted: %v)", id, name, proxied[id])
			}
		}
	})

	It("drops the cut-off worker from the group (the fault bit)", func() {
		kit.Check(st, "cut-off", verify.FaultBit(h, "cut-off"))
	})

	It("gives its partitions to the other workers within the session timeout plus slack", func() {
		kit.Check(st, "cut-off", verify.Reassigned(h, cut, []string{victim}, kit.B.Reassign))
	})

	It("lets the worker rejoin and own partitions again after the link heals", func() {
		at, ok := verify.MemberHasPartitions(h, victim, healed)
		Expect(ok).To(BeTrue(), "%s never owned a partition again after the heal", victim)
		kit.Measured("rejoin after heal", "cut-off", at.Sub(healed), kit.B.Stable)
	})

	It("never lets two members own one partition", func() {
		kit.Check(st, "cut-off", verify.ExclusiveOwnership(h, time.Time{}, time.Time{}))
	})

	It("loses no feed update", func() {
		kit.Check(st, "cut-off", verify.NoLostUpdates(h, st.Graph))
	})

	It("never moves a committed offset backwards", func() {
		kit.Check(st, "cut-off", verify.CommittedMonotonic(h))
	})

	It("brings lag back under its threshold within the recovery bound after the heal", func() {
		kit.Check(st, "cut-off", verify.LagRecovered(h, healed, kit.B.LagThreshold, kit.B.Recovery))
	})
})
