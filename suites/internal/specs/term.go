package specs

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// TermInput is SIGTERM of one worker (the owner of partition 0) under a
// combination.
type TermInput struct {
	Combo  Combination
	Labels []string
}

// TermSpec registers "a worker stopped with SIGTERM under steady load" for
// one combination: the worker finishes its in-flight work, commits, leaves
// the group and exits 0 within the shutdown bound, and because it leaves
// instead of timing out its partitions move within the graceful bound
// (kit.B.ReassignGraceful), far below the session timeout.
func TermSpec(input func() TermInput) bool {
	in := input()
	labels := append(append([]string{"crash"}, in.Labels...), in.Combo.Labels()...)
	return Describe(describe("a worker stopped with SIGTERM under steady load", in.Combo), Ordered, ContinueOnFailure, Label(labels...), func() {
		var (
			st               *fixtures.Stage
			victim           string
			injected, exited time.Time
			code             int64
			exitErr          error
			h                history.History
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			st = kit.NewStage(ctx, run.Combo.StageConfig())
			all := st.Fleet.IDs()
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			w := kit.OwnerOf(st, 0)
			victim = w.ID()
			injected = kit.Inject(ctx, st, chaos.Terminate{P: w}, kit.B.Shutdown)
			code, exitErr = w.WaitExit(ctx, time.Until(injected.Add(kit.B.Shutdown)))
			exited = time.Now()
			kit.AwaitStable(ctx, st, kit.Without(all, victim), kit.B.Reassign)
			kit.AwaitLagHeld(ctx, st, exited, 2*kit.B.Recovery)
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("exits with code 0 within the shutdown bound", func() {
			Expect(exitErr).NotTo(HaveOccurred())
			kit.Measured("exit after SIGTERM", "sigterm", exited.Sub(injected), kit.B.Shutdown)
			Expect(code).To(BeEquivalentTo(contract.ExitOK), "exit code of %s", victim)
			Expect(exited.Sub(injected)).To(BeNumerically("<=", kit.B.Shutdown))
		})

		It("leaves cleanly: prints stopping, revoked and stopped, and never lost", func() {
			seen := map[string]bool{}
			for _, e := range kit.Events(h, victim, injected) {
				seen[e.Event] = true
			}
			for _, want := range []contract.EventKind{contract.EventStopping, contract.EventRevoked, contract.EventStopped} {
				Expect(seen).To(HaveKey(string(want)), "%s did not print %s after SIGTERM", victim, want)
			}
			Expect(seen).NotTo(HaveKey(string(contract.EventLost)), "%s lost its partitions instead of giving them back", victim)
		})

		It("commits every post it fanned out before it leaves: its successors fan out none of them again", func() {
			kit.Check(st, "sigterm", verify.LeaverCommitted(h, victim, injected))
		})

		It("gives its partitions to the others within the graceful bound", func() {
			kit.Check(st, "sigterm", verify.Reassigned(h, injected, []string{victim}, kit.B.ReassignGraceful))
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: "sigterm"} })

		It("has lag under its threshold within the recovery bound after the exit, and keeps it there", func() {
			kit.Check(st, "sigterm", verify.LagRecovered(h, kit.LagWindow(injected, exited, false), kit.B.LagThreshold, kit.B.Recovery))
		})

		kit.DeliversOnce(in.Combo.ExactlyOnce(), func() kit.Scene { return kit.Scene{St: st, H: h, Fault: "sigterm"} })
	})
}
