// Package specs holds specs shared by several suites, written once as
// functions (after Cluster API's e2e specs) and registered by each suite
// that needs them.
package specs

import (
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
)

// Control registers the no-fault control: the same fleet and load as the
// faulted specs, and nothing injected. It proves the checkers' baseline: a
// stable group does not rebalance, loses nothing, and keeps lag bounded,
// so a fault spec's failures are the fault's doing.
func Control(labels ...string) bool {
	return Describe("a fleet under steady load with no fault (control)", Ordered, ContinueOnFailure, Label(append([]string{"control"}, labels...)...), func() {
		var (
			st                *fixtures.Stage
			stable, loadStart time.Time
			quiet             time.Time
			h                 history.History
		)

		BeforeAll(func(ctx SpecContext) {
			st = kit.NewStage(ctx, kit.StageConfig())
			stable = kit.AwaitStable(ctx, st, st.Fleet.IDs(), kit.B.Stable)
			loadStart = kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, kit.B.NoRebalanceWindow)
			quiet = time.Now()
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("does not rebalance once the group is stable", func() {
			kit.Check(st, "none", verify.NoRebalance(h, stable, quiet))
		})

		It("loses no feed update", func() {
			kit.ReportLatency(st, h, "whole run", "none", time.Time{}, time.Time{})
			kit.Check(st, "none", verify.NoLostUpdates(h, st.Graph))
		})

		It("keeps lag under its threshold under steady load", func() {
			// The first second of load is the fleet's warm-up (first fetches).
			kit.Check(st, "none", verify.LagBounded(h, loadStart.Add(time.Second), quiet, kit.B.LagThreshold))
		})

		It("never moves a committed offset backwards", func() {
			kit.Check(st, "none", verify.CommittedMonotonic(h))
		})
	})
}
