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

// CommitsHeldInput is the broker holding back every offset commit of one
// worker (the owner of partition 0) by kit.B.CommitHold, then that worker
// stopped with SIGTERM, under a combination.
type CommitsHeldInput struct {
	Combo  Combination
	Labels []string
}

// CommitsHeldSpec registers "a worker stopped with SIGTERM while the broker
// holds back its commits": with each commit in flight for CommitHold, the
// worker always has acknowledged posts not yet committed when it stops, so
// only the commit of its final revoke covers them. A worker that gives its
// partitions up without that commit hands its successors an old offset and
// they fan those posts out again (leaver-committed).
func CommitsHeldSpec(input func() CommitsHeldInput) bool {
	in := input()
	labels := append(append([]string{"broker", "commits-held", "sigterm", kit.Needs(kit.EmbeddedBroker)}, in.Labels...), in.Combo.Labels()...)
	return Describe(describe("a worker stopped with SIGTERM while the broker holds back its commits", in.Combo), Ordered, ContinueOnFailure, Label(labels...), func() {
		var (
			st             *fixtures.Stage
			victim         string
			held           chaos.CommitsHeld
			termAt, exited time.Time
			code           int64
			exitErr        error
			h              history.History
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
			held = chaos.NewCommitsHeld(kit.Holds(st), victim, kit.B.CommitHold)
			injected := kit.Inject(ctx, st, held, kit.B.Recovery)
			// Two and a half holds' worth: the worker has processed posts
			// while a held commit was in flight, and the SIGTERM lands in
			// the middle of a hold. Commits go one at a time, each held for
			// CommitHold, so at a whole number of holds the next commit has
			// just been sent with everything acknowledged and nothing waits
			// for the final revoke's commit (a worker that skips it then
			// passed: one make selftest run).
			kit.HoldFor(ctx, injected, 2*kit.B.CommitHold+kit.B.CommitHold/2)
			termAt = kit.Inject(ctx, st, chaos.Terminate{P: w}, kit.B.Shutdown)
			code, exitErr = w.WaitExit(ctx, time.Until(termAt.Add(kit.B.Shutdown)))
			exited = time.Now()
			kit.Heal(ctx, st, held)
			kit.AwaitStable(ctx, st, kit.Without(all, victim), kit.B.Reassign)
			kit.AwaitLagHeld(ctx, st, exited, 2*kit.B.Recovery)
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("holds the worker's commits (the broker counted them)", func() {
			GinkgoWriter.Printf("broker held %d commits of %s\n", held.Held(), victim)
			Expect(held.Held()).To(BeNumerically(">", 0))
		})

		It("exits with code 0 within the shutdown bound though its commits are slow", func() {
			Expect(exitErr).NotTo(HaveOccurred())
			kit.Measured("exit after SIGTERM", held.Name(), exited.Sub(termAt), kit.B.Shutdown)
			Expect(code).To(BeEquivalentTo(contract.ExitOK), "exit code of %s", victim)
		})

		It("commits every post it fanned out before it leaves: its successors fan out none of them again", func() {
			kit.Check(st, held.Name(), verify.LeaverCommitted(h, victim, termAt))
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: held.Name()} })
	})
}
