package specs

import (
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
)

// LatencyInput is one assignor and protocol whose feed latency is judged
// under steady load.
type LatencyInput struct {
	Combo  Combination
	Labels []string
}

// latencyWarmUp is left out at the start of the load: the fleet's first
// fetches of a new topic, not its steady state.
const latencyWarmUp = time.Second

// LatencySpec registers "a fleet under steady load with a skewed follow
// graph" for one combination: StreamSocial's promise that no follower
// waits much longer than another for the same kind of content. Scenario,
// in BeforeAll: the default fleet (three workers, 12 partitions, the
// default graph, whose hot authors of 200 followers hash to four of the
// partitions, so those partitions fan out more) stable under steady load
// for the warm-up plus the control's quiet window (NoRebalanceWindow);
// drained. Then one It per invariant: the worst partition's p99
// end-to-end feed-update latency, over the posts stamped in the window
// after the warm-up, stays within LatencySpread times the median
// partition's (verify.LatencyConsistent, at least
// verify.MinLatencySamples per partition); the group does not rebalance
// (a rebalance would make it a fault spec); no feed update is lost. The
// window's latency per partition is reported in the summary.
func LatencySpec(input func() LatencyInput) bool {
	in := input()
	labels := append(append([]string{"latency"}, in.Labels...), in.Combo.Labels()...)
	return container(describe("a fleet under steady load with a skewed follow graph", in.Combo), labels, "", func() {
		var (
			st                  *fixtures.Stage
			stable, from, quiet time.Time
			h                   history.History
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			st = kit.NewStage(ctx, run.Combo.StageConfig())
			stable = kit.AwaitStable(ctx, st, st.Fleet.IDs(), kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			from = loadStart.Add(latencyWarmUp)
			kit.SteadyFor(ctx, st, loadStart, latencyWarmUp+kit.B.NoRebalanceWindow)
			quiet = time.Now()
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("keeps feed latency consistent across partitions", func() {
			kit.ReportLatency(st, h, "steady load", "none", from, quiet)
			kit.Check(st, "none", verify.LatencyConsistent(h, st.Graph, from, quiet, kit.B.LatencySpread, kit.B.LatencySlack))
		})

		It("does not rebalance once the group is stable", func() {
			kit.Check(st, "none", verify.NoRebalance(h, stable, quiet))
		})

		It("loses no feed update", func() {
			kit.Check(st, "none", verify.NoLostUpdates(h, st.Graph))
		})

		kit.DrainsToZero(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: "none"} })
	})
}
