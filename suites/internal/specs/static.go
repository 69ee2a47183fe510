package specs

import (
	"fmt"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// StaticRestartInput is a static member (GROUP_INSTANCE_ID = its worker
// id) stopped with Signal and started again in place.
type StaticRestartInput struct {
	Combo  Combination
	Signal string // "KILL" (SIGKILL) or "TERM" (SIGTERM)
	Labels []string
}

func (in StaticRestartInput) how() string {
	if in.Signal == "TERM" {
		return "stopped with SIGTERM"
	}
	return "killed with SIGKILL"
}

// FaultStaticRestart names the restart the static-membership spec injects.
const FaultStaticRestart = "static-restart"

// StaticRestartSpec registers "a static member killed (or stopped) and
// started again in place within the session timeout" for one
// combination. Scenario, in BeforeAll: a fleet of static members stable
// under steady load; the owner of partition 0 killed with SIGKILL (or
// stopped with SIGTERM, waited for) and started again in place at once;
// the group seen with the worker back under a new member id; watched
// until a session timeout plus slack after the kill, when the old session
// would have expired had the restart not replaced it; drained. One It per
// invariant: the restart happened and reached the group within the
// session timeout (the fault bit); no rebalance at all (verify.
// StaticRejoin: same members, same owners, no rebalancing state) and the
// worker has its same partitions back; nothing lost; no partition owned
// twice; offsets never go back; for SIGTERM, exit 0 in the bound. The
// rebalance count is reported.
func StaticRestartSpec(input func() StaticRestartInput) bool {
	in := input()
	labels := append(append([]string{"delivery", "static"}, in.Labels...), in.Combo.Labels()...)
	text := fmt.Sprintf("a static member (group.instance.id) %s and started again in place within the session timeout, under steady load", in.how())
	return Describe(describe(text, in.Combo), Ordered, ContinueOnFailure, Label(labels...), func() {
		var (
			st                                *fixtures.Stage
			victim                            string
			held                              []int32
			stable, injected, rejoined, watch time.Time
			code                              int64
			exitErr                           error
			took                              time.Duration
			h                                 history.History
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			cfg := run.Combo.StageConfig()
			cfg.StaticMembership = true
			st = kit.NewStage(ctx, cfg)
			all := st.Fleet.IDs()
			stable = kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			w := kit.OwnerOf(st, 0)
			victim = w.ID()
			old, ok := kit.Member(st, victim)
			Expect(ok).To(BeTrue())
			held = slices.Clone(old.Partitions)
			By(fmt.Sprintf("%s %s, then starting it again in place", run.how(), victim))
			injected = time.Now()
			st.Mark(FaultStaticRestart, victim, history.PhaseInject, run.how()+", then started again in place")
			if run.Signal == "TERM" {
				code, took, exitErr = w.Terminate(ctx, kit.B.Shutdown)
			} else {
				Expect(w.Kill(ctx)).To(Succeed())
				code, exitErr = w.WaitExit(ctx, kit.B.Shutdown)
				took = time.Since(injected)
			}
			Expect(exitErr).NotTo(HaveOccurred(), "%s did not exit", victim)
			Expect(w.Start(ctx)).To(Succeed())
			st.Mark(FaultStaticRestart, victim, history.PhaseHeal, "started again")
			rejoined = kit.AwaitRejoined(ctx, st, victim, old.MemberID, all, kit.B.Stable)
			st.Mark(FaultStaticRestart, victim, history.PhaseBit, "rejoined under a new member id")
			GinkgoWriter.Printf("%s exited (code %d) after %s and rejoined %s after the signal\n", victim, code, took.Round(10*time.Millisecond), rejoined.Sub(injected).Round(10*time.Millisecond))
			// Past the instant the old session would have expired.
			kit.Watch(ctx, st, injected, kit.B.Reassign)
			watch = time.Now()
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("restarts the worker and has it rejoin under a new member id within the session timeout (the fault bit)", func() {
			r := verify.MemberReplaced(h, victim, injected, watch)
			r.Bound = kit.B.SessionTimeout
			if r.Pass && r.Measured > r.Bound {
				r.Pass, r.Class = false, verify.ClassSlowReassignment
				r.Message += fmt.Sprintf(" It rejoined after %s, past the session timeout %s: the old session may have expired.", r.Measured, r.Bound)
			}
			kit.Check(st, FaultStaticRestart, r)
		})

		It("does not rebalance: same members and owners, no rebalancing state, through the restart and past the old session's expiry", func() {
			kit.Counted("rebalances seen by the observer", FaultStaticRestart, verify.Rebalances(h, stable, watch), "= 0")
			r := verify.StaticRejoin(h, victim, stable, watch)
			GinkgoWriter.Println(r.Message)
			// From the moment the restarted worker has its assignment back,
			// the plain control check applies as well: nothing changes up
			// to past the old session's expiry. (Across the restart itself
			// it does not: the member id is replaced and the worker prints
			// its own assignment again; StaticRejoin allows exactly that.)
			back := rejoined
			for _, e := range kit.Events(h, victim, injected) {
				if e.Event == string(contract.EventAssigned) {
					if e.TS.After(back) {
						back = e.TS
					}
					break
				}
			}
			kit.Check(st, FaultStaticRestart, r, verify.NoRebalance(h, back.Add(time.Millisecond), watch))
		})

		It("gives the worker its same partitions back", func() {
			s, ok := verify.LastSettled(h, watch)
			Expect(ok).To(BeTrue(), "no settled assignment after the restart")
			var got []int32
			for _, m := range s.Members {
				if m.Worker == victim {
					got = slices.Clone(m.Partitions)
				}
			}
			slices.Sort(got)
			slices.Sort(held)
			Expect(got).To(Equal(held), "%s held %v before the restart", victim, held)
		})

		if in.Signal == "TERM" {
			It("exits with code 0 within the shutdown bound", func() {
				kit.Measured("exit after SIGTERM", FaultStaticRestart, took, kit.B.Shutdown)
				Expect(code).To(BeEquivalentTo(contract.ExitOK))
				Expect(took).To(BeNumerically("<=", kit.B.Shutdown))
			})
		}

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: FaultStaticRestart} })

	})
}
