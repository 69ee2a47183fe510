package specs

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
)

// FreezeMidTxnInput is an exactly-once combination whose worker is frozen
// inside an open transaction.
type FreezeMidTxnInput struct {
	Combo  Combination // Delivery must be exactly-once
	Labels []string
}

// FreezeMidTransactionSpec registers "a worker frozen inside an open
// transaction until the group has moved its partitions, then thawed (an
// exactly-once zombie)" for one exactly-once combination. Scenario, in
// BeforeAll: a stable fleet under steady load; one worker left stopped
// (SIGSTOP) at an instant when it has a transaction open that has already
// written feed updates (kit.FreezeMidTransaction); the group stable
// without it; kept frozen for the zombie grace past that, so that anything
// its transaction makes visible after the thaw is a zombie write no grace
// excuses; thawed (SIGCONT); the group stable with it again; drained. The
// thawed worker's transaction must be fenced (KIP-447: its offsets carry a
// generation the coordinator has moved past, so the transaction aborts),
// unless the freeze came after its offsets were staged under the checked
// generation, when it commits as the owner's work and its successor waits
// for it: no zombie write (judged at KIP-447's fencing point), offsets
// never back, exactly once, and the data invariants of every spec.
func FreezeMidTransactionSpec(input func() FreezeMidTxnInput) bool {
	in := input()
	labels := append(append([]string{"delivery", "eos", "zombie"}, in.Labels...), in.Combo.Labels()...)
	return container(describe("a worker frozen inside an open transaction until the group has moved its partitions, then thawed (an exactly-once zombie)", in.Combo), labels, "", func() {
		var (
			st *fixtures.Stage
			h  history.History
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			Expect(run.Combo.ExactlyOnce()).To(BeTrue(), "the spec needs DELIVERY=exactly-once")
			st = kit.NewStage(ctx, run.Combo.StageConfig())
			all := st.Fleet.IDs()
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)
			w, _, _ := kit.FreezeMidTransaction(ctx, st, st.Fleet.Workers(), kit.B.Stable)
			kit.AwaitStable(ctx, st, kit.Without(all, w.ID()), 2*kit.B.Reassign)
			// The fault's duration, not a wait for a condition: past the
			// grace, a write of the zombie's transaction cannot be excused.
			By("keeping it frozen for the zombie grace after its partitions moved")
			select {
			case <-ctx.Done():
				Fail("interrupted while the worker was frozen")
			case <-time.After(kit.B.ZombieGrace + time.Second):
			}
			By("thawing it (SIGCONT): its open transaction must not commit")
			Expect(w.Signal(ctx, "CONT")).To(Succeed())
			st.Mark(kit.FaultFreezeMidTxn, w.ID(), history.PhaseHeal, "SIGCONT")
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: kit.FaultFreezeMidTxn} })
		kit.DeliversOnce(true, func() kit.Scene { return kit.Scene{St: st, H: h, Fault: kit.FaultFreezeMidTxn} })
		It("never has a worker print revoked for partitions already given away (the contract's lost)", func() {
			kit.Check(st, kit.FaultFreezeMidTxn, verify.RevokedWhileOwned(h, verify.RevokeClockSlack))
		})
	})
}
