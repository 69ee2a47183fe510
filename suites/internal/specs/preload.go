package specs

import (
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
)

// PreloadInput is a combination whose group first joins with posts
// already waiting.
type PreloadInput struct {
	Combo Combination
	Posts int // published before the fleet starts (default 150: three seconds of load)
}

// FaultPreload names the scenario in reports: posts waiting, no commit.
const FaultPreload = "preload"

// PreloadSpec registers "posts published before the group first joins"
// for one combination. Scenario, in BeforeAll: in.Posts posts published
// and acknowledged before any worker starts, so the group's first members
// find posts in every partition and no committed offset; the fleet
// started and waited for until stable; the steady load for two seconds;
// drained. The worker contract says a partition the group has never
// committed is read from its earliest offset: every preloaded post must be
// fanned out (no-lost-updates, judged on the preloaded posts alone and
// then on the whole run). No fault is injected: the correct worker passes
// this spec, and it is the control of the mutant that starts at the end
// (auto.offset.reset=latest).
func PreloadSpec(input func() PreloadInput) bool {
	in := input()
	labels := append([]string{"delivery", "preload"}, in.Combo.Labels()...)
	return container(describe("posts published before the group first joins, with no committed offset", in.Combo), labels, "", func() {
		var (
			st      *fixtures.Stage
			h       history.History
			preload int
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			cfg := run.Combo.StageConfig()
			cfg.Preload = run.Posts
			if cfg.Preload == 0 {
				cfg.Preload = 150
			}
			st = kit.NewStage(ctx, cfg)
			preload = len(st.Rec.Snapshot().Posts)
			st.Note("%d posts published and acknowledged before the fleet started", preload)
			kit.AwaitStable(ctx, st, st.Fleet.IDs(), kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("fans out every post published before the group existed: a partition with no commit is read from its earliest offset", func() {
			kit.Counted("posts published before the fleet", FaultPreload, preload, "reported")
			early := h
			early.Posts = h.Posts[:min(preload, len(h.Posts))]
			kit.Check(st, FaultPreload, verify.NoLostUpdates(early, st.Graph))
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: FaultPreload} })
	})
}
