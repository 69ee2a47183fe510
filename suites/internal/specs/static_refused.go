package specs

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// FaultStaticRefused names the crash-and-restart the refused-rejoin spec
// injects.
const FaultStaticRefused = "static-kill-refused"

// StaticRefusedSpec registers "a static member killed with SIGKILL and
// started again at once under the KIP-848 protocol". The old incarnation
// sent no leave, so the coordinator refuses the new one with
// UNRELEASED_INSTANCE_ID until the old session expires (KIP-848), which
// librdkafka raises as a fatal consumer error. The worker must keep trying
// with a new consumer rather than exit, and own partitions again once the
// old session is gone. Scenario, in BeforeAll: a static KIP-848 fleet
// stable under steady load; the owner of partition 0 killed and started
// again in place; the group seen stable with the worker back under a new
// member id within RejoinRefused; drained. Its: the refusal happened (the
// fault bit: without it this is the plain restart spec) and the worker
// never exited; it rejoined within the bound; nothing lost; no partition
// owned twice; offsets never go back.
func StaticRefusedSpec() bool {
	combo := Consumer848
	labels := append([]string{"delivery", "static", "crash"}, combo.Labels()...)
	text := "a static member (group.instance.id) killed with SIGKILL and started again at once, while its old session still holds the instance id, under steady load"
	return Describe(describe(text, combo), Ordered, ContinueOnFailure, Label(labels...), func() {
		var (
			st                 *fixtures.Stage
			victim             *fixtures.Worker
			injected, rejoined time.Time
			stillRunning       bool
			h                  history.History
		)

		BeforeAll(func(ctx SpecContext) {
			cfg := combo.StageConfig()
			cfg.StaticMembership = true
			st = kit.NewStage(ctx, cfg)
			all := st.Fleet.IDs()
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			victim = kit.OwnerOf(st, 0)
			old, ok := kit.Member(st, victim.ID())
			Expect(ok).To(BeTrue())
			By(fmt.Sprintf("killing %s with SIGKILL, then starting it again in place at once", victim.ID()))
			injected = time.Now()
			st.Mark(FaultStaticRefused, victim.ID(), history.PhaseInject, "killed with SIGKILL, then started again in place")
			Expect(victim.Kill(ctx)).To(Succeed())
			_, err := victim.WaitExit(ctx, kit.B.Shutdown)
			Expect(err).NotTo(HaveOccurred(), "%s did not exit after SIGKILL", victim.ID())
			Expect(victim.Start(ctx)).To(Succeed())
			st.Mark(FaultStaticRefused, victim.ID(), history.PhaseHeal, "started again")
			rejoined = kit.AwaitRejoined(ctx, st, victim.ID(), old.MemberID, all, kit.B.RejoinRefused)
			st.Mark(FaultStaticRefused, victim.ID(), history.PhaseBit, "rejoined under a new member id")
			stillRunning = victim.Running(ctx)
			GinkgoWriter.Printf("%s rejoined %s after the SIGKILL\n", victim.ID(), rejoined.Sub(injected).Round(10*time.Millisecond))
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("is refused while the old session holds the instance id, and keeps trying instead of exiting (the fault bit)", func() {
			refusals := 0
			for _, e := range kit.Events(h, victim.ID(), injected) {
				if e.Event == string(contract.EventError) && e.Detail[contract.DetailKind] == contract.ErrorKindRejoinRefused {
					refusals++
				}
				Expect(e.Event).NotTo(Equal(string(contract.EventStopped)), "the restarted worker stopped: %s", e.Error)
			}
			kit.Counted("joins refused with UNRELEASED_INSTANCE_ID (error events with detail.kind rejoin-refused)", FaultStaticRefused, refusals, ">= 1")
			Expect(refusals).To(BeNumerically(">=", 1), "the coordinator never refused the restarted member: the fault did not bite")
			Expect(stillRunning).To(BeTrue(), "%s is not running after it rejoined", victim.ID())
		})

		It("owns partitions again once the old session has expired, within the bound", func() {
			kit.Measured("SIGKILL to rejoined", FaultStaticRefused, rejoined.Sub(injected), kit.B.RejoinRefused)
			Expect(rejoined.Sub(injected)).To(BeNumerically("<=", kit.B.RejoinRefused))
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: FaultStaticRefused} })

	})
}
