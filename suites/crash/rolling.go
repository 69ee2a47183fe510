package crash

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// A deploy: every worker in turn stopped with SIGTERM and started again in
// place, the next one only once the group has taken the previous one back.
// Cooperative-sticky, the assignor a rolling deploy is usually run with.
var _ = Describe("the whole fleet restarted one worker at a time (a rolling deploy) under steady load", Ordered, ContinueOnFailure,
	Label(append([]string{"crash", "rolling"}, specs.ClassicCoopSticky.Labels()...)...), func() {
		var (
			st         *fixtures.Stage
			roll       chaos.RollingRestart
			began, end time.Time
			h          history.History
		)

		BeforeAll(func(ctx SpecContext) {
			st = kit.NewStage(ctx, specs.ClassicCoopSticky.StageConfig())
			all := st.Fleet.IDs()
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			roll = chaos.NewRollingRestart(kit.Restartables(st), st.Rec, st.Cfg.Partitions, kit.B.Shutdown, kit.B.Reassign, kit.B.Stable)
			began = kit.Inject(ctx, st, roll, kit.B.Stable)
			end = kit.Heal(ctx, st, roll)
			for _, s := range roll.Log.Steps() {
				GinkgoWriter.Printf("%s: exit %d after %s, group settled without it after %s, back with partitions %s after its start\n",
					s.Worker, s.ExitCode, s.Exited.Round(10*time.Millisecond), s.Settled.Round(10*time.Millisecond), s.Rejoined.Round(10*time.Millisecond))
			}
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			kit.AwaitLagHeld(ctx, st, end, 2*kit.B.Recovery)
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("has every worker exit with code 0 within the shutdown bound", func() {
			for _, s := range roll.Log.Steps() {
				kit.Measured(fmt.Sprintf("%s exit after SIGTERM", s.Worker), roll.Name(), s.Exited, kit.B.Shutdown)
				Expect(s.ExitCode).To(BeEquivalentTo(contract.ExitOK), "exit code of %s", s.Worker)
				Expect(s.Exited).To(BeNumerically("<=", kit.B.Shutdown), "%s took %s to exit", s.Worker, s.Exited)
			}
		})

		It("moves each stopped worker's partitions to the others within the graceful bound", func() {
			var results []verify.Result
			for _, s := range roll.Log.Steps() {
				results = append(results, verify.Reassigned(h, s.TermAt, []string{s.Worker}, kit.B.ReassignGraceful))
			}
			kit.Check(st, roll.Name(), results...)
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: roll.Name()} })

		It("finishes the deploy within the shutdown bound plus the session timeout plus slack per worker", func() {
			bound := time.Duration(len(roll.Log.Steps())) * (kit.B.Shutdown + kit.B.Reassign)
			kit.Measured("rolling deploy", roll.Name(), end.Sub(began), bound)
			Expect(end.Sub(began)).To(BeNumerically("<=", bound), "the deploy took %s", end.Sub(began))
		})

		It("has lag under its threshold within the recovery bound after the deploy, and keeps it there", func() {
			kit.Check(st, roll.Name(), verify.LagRecovered(h, kit.LagWindow(began, end, false), kit.B.LagThreshold, kit.B.Recovery))
		})
	})
