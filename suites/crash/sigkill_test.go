package crash

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
)

var _ = Describe("a worker killed with SIGKILL under steady load", Ordered, ContinueOnFailure, Label("crash", "smoke"), func() {
	var (
		st             *fixtures.Stage
		victim         string
		killed, healed time.Time
		h              history.History
	)

	BeforeAll(func(ctx SpecContext) {
		st = kit.NewStage(ctx, kit.StageConfig())
		all := st.Fleet.IDs()
		kit.AwaitStable(ctx, st, all, kit.B.Stable)
		loadStart := kit.StartLoad(ctx, st)
		kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

		victim = kit.Owner(st, 0)
		w, _ := st.Fleet.Get(victim)
		fault := chaos.Kill{P: w}
		killed = kit.Inject(ctx, st, fault, 2*kit.B.Reassign)
		healed = kit.Heal(ctx, st, fault) // a killed process stays dead: recovery counts from here
		kit.AwaitStable(ctx, st, kit.Without(all, victim), 2*kit.B.Reassign)
		kit.AwaitLagUnder(ctx, st, 2*kit.B.Recovery)
		h = kit.Drain(ctx, st)
	}, NodeTimeout(5*time.Minute))

	It("shows the worker leaving the group (the fault bit)", func() {
		kit.Check(st, "sigkill", verify.FaultBit(h, "sigkill"))
	})

	It("reassigns its partitions to the live workers within the session timeout plus slack", func() {
		kit.Check(st, "sigkill", verify.Reassigned(h, killed, []string{victim}, kit.B.Reassign))
	})

	It("never lets two members own one partition", func() {
		kit.Check(st, "sigkill", verify.ExclusiveOwnership(h, time.Time{}, time.Time{}))
	})

	It("loses no feed update", func() {
		kit.Check(st, "sigkill", verify.NoLostUpdates(h, st.Graph))
	})

	It("never moves a committed offset backwards", func() {
		kit.Check(st, "sigkill", verify.CommittedMonotonic(h))
	})

	It("brings lag back under its threshold within the recovery bound", func() {
		kit.Check(st, "sigkill", verify.LagRecovered(h, healed, kit.B.LagThreshold, kit.B.Recovery))
	})

	It("has the killed worker's process dead, not restarted", func(ctx SpecContext) {
		w, _ := st.Fleet.Get(victim)
		Expect(w.Running(ctx)).To(BeFalse())
	})
})
