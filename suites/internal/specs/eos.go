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

// KillMidTxnInput is an exactly-once combination whose worker is killed
// inside an open transaction.
type KillMidTxnInput struct {
	Combo  Combination // Delivery must be exactly-once
	Labels []string
}

// KillMidTransactionSpec registers "a worker killed with SIGKILL in the
// middle of a transaction, restarted in place" for one exactly-once
// combination. Scenario, in BeforeAll: a stable fleet under steady load;
// a worker killed at an instant when it has a transaction open that has
// already written feed updates (kit.KillMidTransaction stops the fleet
// with SIGSTOP, finds the transaction by the broker's last stable offsets,
// and kills its writer); started
// again in place at once, as a supervisor would (its transactional.id is
// the same, so initialising it aborts the open transaction and fences the
// dead instance); the group stable again with it under a new member id;
// drained; then the whole feed log read twice, read_uncommitted and
// read_committed. One It per invariant: the killed transaction's updates
// were written and aborted and every one of them delivered exactly once by
// a committed transaction; no duplicate reaches a read_committed reader;
// nothing is lost; the worker rejoined; no partition owned twice; offsets
// never go back. Counts: aborted updates, duplicates read_committed (0)
// and in the raw log.
func KillMidTransactionSpec(input func() KillMidTxnInput) bool {
	in := input()
	labels := append(append([]string{"delivery", "eos"}, in.Labels...), in.Combo.Labels()...)
	return Describe(describe("a worker killed with SIGKILL in the middle of a transaction and restarted in place, under steady load", in.Combo), Ordered, ContinueOnFailure, Label(labels...), func() {
		var (
			st                  *fixtures.Stage
			victim              string
			stable, killed, end time.Time
			h                   history.History
			uncommitted, comm   []verify.FeedRecord
			aborted             verify.Result
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			Expect(run.Combo.ExactlyOnce()).To(BeTrue(), "the spec needs DELIVERY=exactly-once")
			st = kit.NewStage(ctx, run.Combo.StageConfig())
			all := st.Fleet.IDs()
			stable = kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			members := map[string]string{}
			for _, id := range all {
				m, _ := kit.Member(st, id)
				members[id] = m.MemberID
			}
			w, at, _ := kit.KillMidTransaction(ctx, st, st.Fleet.Workers(), kit.B.Stable)
			victim, killed = w.ID(), at
			old := history.Member{Worker: victim, MemberID: members[victim]}
			_, err := w.WaitExit(ctx, kit.B.Shutdown)
			Expect(err).NotTo(HaveOccurred(), "%s still runs after SIGKILL", victim)
			By("starting it again in place (same transactional.id)")
			Expect(w.Start(ctx)).To(Succeed())
			st.Mark(kit.FaultKillMidTxn, victim, history.PhaseHeal, "started again in place")
			kit.AwaitRejoined(ctx, st, victim, old.MemberID, all, kit.B.Stable)
			h = kit.Drain(ctx, st)
			end = time.Now()
			uncommitted, comm = kit.ReadFeedLogs(ctx, st)
			aborted = verify.AbortedRedelivered(h.Start, uncommitted, comm, victim, stable, killed)
		}, NodeTimeout(5*time.Minute))

		It("kills it inside an open transaction whose feed updates are aborted, then each delivered exactly once by a committed one", func() {
			GinkgoWriter.Println(aborted.Message)
			kit.Check(st, kit.FaultKillMidTxn, aborted)
		})

		It("delivers every feed update exactly once to a read_committed reader (zero duplicates)", func() {
			kit.Counted("duplicate feed updates, read_committed", kit.FaultKillMidTxn, verify.DuplicateCopies(h), "= 0")
			kit.Counted("duplicate feed updates in the raw log (aborted copies)", kit.FaultKillMidTxn, verify.LogDuplicateCopies(uncommitted), "reported")
			kit.Counted("feed updates aborted in all", kit.FaultKillMidTxn, len(uncommitted)-len(comm), "> 0")
			kit.Check(st, kit.FaultKillMidTxn, verify.NoDuplicates(h))
		})

		It("commits each post's offset in the transaction that appends its feed updates, and appends none twice", func() {
			_, appended := verify.DuplicateAppends(h)
			kit.Check(st, kit.FaultKillMidTxn, verify.AtomicOffsets(h), appended)
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: kit.FaultKillMidTxn} })

		It("brings the worker back into the group under a new member id", func() {
			kit.Check(st, kit.FaultKillMidTxn, verify.MemberReplaced(h, victim, killed, end))
		})

	})
}
