package specs

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// DeadLetterInput is a combination that is fed poison posts.
type DeadLetterInput struct {
	Combo  Combination
	Labels []string
}

// DeadLetterSpec registers "poison posts among steady load" for one
// combination. Scenario, in BeforeAll: a stable fleet under steady load;
// eight poison records written among the posts (not JSON, truncated JSON,
// well-formed posts by authors the graph does not know), two of each
// kind; waited for until every one is read back from the dead-letter
// topic; the load kept on for two more seconds, so the partitions that
// held poison carry good posts after it; drained. One It per invariant:
// every poison record dead-lettered with its reason, source partition and
// offset, and committed past; every worker still running (no crash, no
// restart, no error, no error exit); no rebalance; no feed update lost (a
// dead letter excuses only real poison); offsets never go back.
func DeadLetterSpec(input func() DeadLetterInput) bool {
	in := input()
	labels := append(append([]string{"delivery", "dlq"}, in.Labels...), in.Combo.Labels()...)
	return Describe(describe("poison posts (unparseable, unknown author) among steady load", in.Combo), Ordered, ContinueOnFailure, Label(labels...), func() {
		var (
			st            *fixtures.Stage
			poison        []verify.Poison
			stable, quiet time.Time
			h             history.History
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			st = kit.NewStage(ctx, run.Combo.StageConfig())
			stable = kit.AwaitStable(ctx, st, st.Fleet.IDs(), kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)
			var at time.Time
			poison, at = kit.ProducePoison(ctx, st, kit.PoisonRecords(st.Cfg.GraphUsers))
			d := kit.AwaitDeadLettered(ctx, st, poison, kit.B.Recovery)
			GinkgoWriter.Printf("every poison record dead-lettered %s after it was produced\n", d.Round(10*time.Millisecond))
			kit.SteadyFor(ctx, st, at, 2*time.Second)
			quiet = time.Now()
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("dead-letters every poison record with its reason, source partition and offset, and commits past it", func() {
			kit.Counted("poison records produced", kit.FaultPoison, len(poison), "reported")
			kit.Counted("dead letters read", kit.FaultPoison, len(h.DeadLetters), ">= one per poison record")
			r := verify.PoisonDeadLettered(h, poison)
			GinkgoWriter.Println(r.Message)
			kit.Check(st, kit.FaultPoison, r)
		})

		It("keeps every worker running: no crash, no restart, no error event, no exit", func(ctx SpecContext) {
			started, dead := map[string]int{}, 0
			for _, e := range h.Events {
				switch contract.EventKind(e.Event) {
				case contract.EventStarted:
					started[e.Worker]++
				case contract.EventDeadLetter:
					dead++
				case contract.EventError, contract.EventStopping, contract.EventStopped:
					Fail("worker " + e.Worker + " printed " + e.Event + ": " + e.Error)
				}
			}
			for _, w := range st.Fleet.Workers() {
				s, err := w.State(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(s.Running).To(BeTrue(), "%s is not running (exit code %d, error %q)", w.ID(), s.ExitCode, s.Error)
				Expect(s.Restarting).To(BeFalse(), "%s is restarting", w.ID())
				Expect(started[w.ID()]).To(Equal(1), "%s printed started %d times: it restarted", w.ID(), started[w.ID()])
			}
			Expect(dead).To(BeNumerically(">=", len(poison)), "the workers printed %d dead_letter events for %d poison records", dead, len(poison))
		})

		It("does not rebalance: a poison record costs no worker its membership", func() {
			kit.Check(st, kit.FaultPoison, verify.NoRebalance(h, stable, quiet))
		})

		It("loses no feed update (a dead letter excuses only a poison record)", func() {
			kit.ReportLatency(st, h, "whole run", kit.FaultPoison, time.Time{}, time.Time{})
			kit.Check(st, kit.FaultPoison, verify.NoLostUpdates(h, st.Graph))
		})

		It("never moves a committed offset backwards", func() {
			kit.Check(st, kit.FaultPoison, verify.CommittedMonotonic(h))
		})
	})
}
