package specs

import (
	"fmt"
	"slices"
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

// Consumer848Range is the KIP-848 consumer protocol with the broker's
// server-side range assignor (group.remote.assignor=range).
var Consumer848Range = Combination{Assignor: contract.AssignorRange, Protocol: contract.ProtocolConsumer}

// AssignmentInput is one assignor and protocol whose assignments are
// judged across a join and a leave.
type AssignmentInput struct {
	Combo  Combination
	Labels []string
}

// layout is what the combination's assignor promises of one settled
// assignment, beyond balance: its exact layout (range, roundrobin), or
// nothing (the sticky assignors, judged by the moves instead).
func (in AssignmentInput) layout() (string, func(history.History, history.GroupSnapshot) verify.Result) {
	switch in.Combo.Assignor {
	case contract.AssignorRange, "":
		return "contiguous ranges in member order", verify.RangeAssigned
	case contract.AssignorRoundRobin:
		return "partition p with member p mod n in member order", verify.RoundRobinAssigned
	}
	return "", nil
}

// sticky reports whether the combination's assignor promises to move only
// what a membership change forces: cooperative-sticky (KIP-429), and the
// broker's uniform assignor under KIP-848 (kfake's assignUniform keeps
// every valid assignment and sheds only the excess; Kafka's uniform
// assignor is sticky too).
func (in AssignmentInput) sticky() bool {
	a := in.Combo.Assignor
	return a == contract.AssignorCooperativeSticky || (in.Combo.Protocol == contract.ProtocolConsumer && (a == contract.AssignorUniform || a == ""))
}

// AssignmentSpec registers "a fourth worker joining a fleet of three, then
// one leaving with SIGTERM, under steady load" for one combination. The
// scenario, in BeforeAll: three workers stable over 12 partitions under
// steady load; a fourth worker started (the join) and the group settled
// with four; steady load; the second worker stopped with SIGTERM (the
// leave) and the group settled with the other three; drained. Then one It
// per invariant: the group settles after each change within its bound;
// each settled assignment is balanced and, for range and roundrobin, the
// assignor's exact layout; a sticky assignor moves only what it must (3
// partitions at the join, exactly the leaver's at the leave), an eager one
// has its moves counted; nothing changes between the two; no partition is
// owned twice; no feed update is lost; committed offsets never go back.
// The partitions moved per rebalance are reported with kit.Counted.
func AssignmentSpec(input func() AssignmentInput) bool {
	in := input()
	labels := append(append([]string{"assignment"}, in.Labels...), in.Combo.Labels()...)
	layoutText, _ := in.layout()
	return Describe(describe("a fourth worker joining a fleet of three, then one leaving with SIGTERM, under steady load", in.Combo), Ordered, ContinueOnFailure, Label(labels...), func() {
		var (
			st                      *fixtures.Stage
			three, four, after      []string
			joiner, leaver          string
			joinAt, leaveAt         time.Time
			exitCode                int64
			exitErr                 error
			h                       history.History
			s3, s4, s4end, s3b      history.GroupSnapshot
			ok3, ok4, ok4end, ok3b  bool
			joinMoves, leaveMoves   verify.Moves
			joinWhat, leaveWhat     string
			joinSettle, leaveSettle verify.Result
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			st = kit.NewStage(ctx, run.Combo.StageConfig())
			three = st.Fleet.IDs()
			kit.AwaitStable(ctx, st, three, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			By("starting a fourth worker (the join)")
			joinAt = time.Now()
			st.Mark("join", "", history.PhaseInject, "a fourth worker starts")
			ws, err := st.Fleet.Add(ctx, 1)
			Expect(err).NotTo(HaveOccurred(), "starting the fourth worker")
			joiner = ws[0].ID()
			four = append(append([]string{}, three...), joiner)
			joinWhat = "the join of " + joiner
			settled := kit.AwaitStable(ctx, st, four, kit.B.Stable)
			st.Mark("join", joiner, history.PhaseBit, "group settled with "+joiner)
			kit.SteadyFor(ctx, st, settled, 2*time.Second)

			leaver = three[1]
			leaveWhat = "the leave of " + leaver + " (SIGTERM)"
			w := kit.Worker(st, leaver)
			leaveAt = kit.Inject(ctx, st, chaos.Terminate{P: w}, kit.B.Shutdown)
			exitCode, exitErr = w.WaitExit(ctx, time.Until(leaveAt.Add(kit.B.Shutdown)))
			after = kit.Without(four, leaver)
			settled = kit.AwaitStable(ctx, st, after, kit.B.Reassign)
			kit.SteadyFor(ctx, st, settled, time.Second)
			h = kit.Drain(ctx, st)

			s3, ok3 = verify.LastSettled(h, joinAt)
			s4, ok4 = verify.FirstSettledWith(h, joinAt, four)
			s4end, ok4end = verify.LastSettled(h, leaveAt)
			s3b, ok3b = verify.FirstSettledWith(h, leaveAt, after)
			joinMoves = verify.CompareAssignments(s3, s4)
			leaveMoves = verify.CompareAssignments(s4end, s3b)
			joinSettle = verify.SettledWith(h, joinAt, four, kit.B.Stable)
			leaveSettle = verify.SettledWith(h, leaveAt, after, kit.B.ReassignGraceful)
			GinkgoWriter.Printf("%s: %d partitions moved: %s\n", joinWhat, len(joinMoves.Moved), verify.FormatMoves(joinMoves))
			GinkgoWriter.Printf("%s: %d partitions moved: %s\n", leaveWhat, len(leaveMoves.Moved), verify.FormatMoves(leaveMoves))
		}, NodeTimeout(5*time.Minute))

		It("settles with every partition owned once within the stable bound after the join, and within the graceful bound after the leave", func() {
			kit.Check(st, "join", joinSettle)
			kit.Check(st, "sigterm", leaveSettle)
		})

		It("has the settled assignments to compare before and after each change", func() {
			Expect(ok3).To(BeTrue(), "no settled assignment of %v before the join", three)
			Expect(ok4).To(BeTrue(), "no settled assignment of %v after the join", four)
			Expect(ok4end).To(BeTrue(), "no settled assignment before the leave")
			Expect(ok3b).To(BeTrue(), "no settled assignment of %v after the leave", after)
		})

		It("keeps every settled assignment balanced (partitions per member within one)", func() {
			kit.Check(st, "assignor", verify.Balanced(h, time.Time{}, time.Time{}, 1))
		})

		if layoutText != "" {
			It(fmt.Sprintf("lays the partitions out as the %s assignor does (%s) with three, four and three members", in.Combo.Assignor, layoutText), func() {
				_, check := in.layout()
				rs := []verify.Result{check(h, s3), check(h, s4), check(h, s3b)}
				for _, r := range rs {
					GinkgoWriter.Println(r.Message)
				}
				kit.Check(st, "assignor", rs...)
				// Eager assignors may move more than the change forces: the
				// layout decides; report what it moved.
				kit.Counted("partitions moved", joinWhat, len(joinMoves.Moved), fmt.Sprintf("reported (minimum %d)", verify.MinMoves(s3, s4, h.Partitions)))
				kit.Counted("partitions moved", leaveWhat, len(leaveMoves.Moved), fmt.Sprintf("reported (minimum %d)", verify.MinMoves(s4end, s3b, h.Partitions)))
			})
		}

		if in.sticky() {
			It("moves only what it must: a fair share to the joiner at the join, exactly the leaver's partitions at the leave", func() {
				join := verify.MinimalMoves(h, joinWhat, s3, s4)
				leave := verify.MinimalMoves(h, leaveWhat, s4end, s3b)
				kit.Counted("partitions moved", joinWhat, len(joinMoves.Moved), fmt.Sprintf("= %d (minimum)", verify.MinMoves(s3, s4, h.Partitions)))
				kit.Counted("partitions moved", leaveWhat, len(leaveMoves.Moved), fmt.Sprintf("= %d (minimum)", verify.MinMoves(s4end, s3b, h.Partitions)))
				GinkgoWriter.Printf("%s\n%s\n", join.Message, leave.Message)
				reportJoinStall(st, h, joiner, joinAt, s4, joinMoves)
				kit.Check(st, "assignor", join, leave)
			})

			It("keeps the position of every partition that stays put through the join: none of their posts is fanned out twice", func() {
				Expect(ok3 && ok4 && ok4end).To(BeTrue(), "no settled assignments around the join to compare")
				kept := map[int32]string{}
				for _, m := range s4.Members {
					for _, p := range m.Partitions {
						if slices.Contains(joinMoves.Kept, p) {
							kept[p] = m.Worker
						}
					}
				}
				kit.Check(st, "join", verify.KeptNotReplayed(h, kept, joinAt, s4end.At))
			})
		}

		It("keeps the assignment it settled on after the join until the leave", func() {
			Expect(ok4 && ok4end).To(BeTrue(), "no settled assignment after the join (%v) or before the leave (%v) to compare", ok4, ok4end)
			mv := verify.CompareAssignments(s4, s4end)
			Expect(mv.Moved).To(BeEmpty(), "partitions moved between the join settling (%s) and the leave (%s) with no membership change: %s",
				s4.At.Sub(h.Start).Round(time.Millisecond), s4end.At.Sub(h.Start).Round(time.Millisecond), verify.FormatMoves(mv))
			// The same layout at both ends does not prove that nothing
			// happened between them: a rebalance back to the same layout
			// shows as a generation change or a rebalancing state.
			Expect(verify.Rebalances(h, s4.At, s4end.At)).To(BeZero(), "the group rebalanced between the join settling (%s) and the leave (%s) with no membership change",
				s4.At.Sub(h.Start).Round(time.Millisecond), s4end.At.Sub(h.Start).Round(time.Millisecond))
		})

		It("has every member that gives partitions up at the join commit its work first: their new owners fan out none of its posts again", func() {
			Expect(ok3 && ok4).To(BeTrue(), "no settled assignments around the join to compare")
			var rs []verify.Result
			for _, m := range s3.Members {
				gave := false
				for _, p := range m.Partitions {
					if joinMoves.From[p] != "" {
						gave = true
					}
				}
				if gave {
					rs = append(rs, verify.LeaverCommitted(h, m.Worker, joinAt))
				}
			}
			Expect(rs).NotTo(BeEmpty(), "no member gave a partition up at the join: %s", verify.FormatMoves(joinMoves))
			kit.Check(st, "join", rs...)
		})

		It("has the leaver commit every post it fanned out before it leaves: its successors fan out none of them again", func() {
			kit.Check(st, "sigterm", verify.LeaverCommitted(h, leaver, leaveAt))
		})

		It("lets the leaver exit with code 0 within the shutdown bound", func() {
			Expect(exitErr).NotTo(HaveOccurred())
			Expect(exitCode).To(BeEquivalentTo(contract.ExitOK), "exit code of %s", leaver)
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: "assignor"} })

		kit.DeliversOnce(in.Combo.ExactlyOnce(), func() kit.Scene { return kit.Scene{St: st, H: h, Fault: "assignor"} })

	})
}

// reportJoinStall reports (judging nothing) the goal for a sticky
// join: the longest processing stall (verify.LongestStall) of the
// partitions the join did not move, from the joiner's "started" event (it
// subscribed; joinAt if it printed none) to one second after the group
// settled with it, against the same measure over an equally long window of
// steady load just before joinAt, the quiet baseline; the goal is at most
// 1.5 times the baseline.
func reportJoinStall(st *fixtures.Stage, h history.History, joiner string, joinAt time.Time, settled history.GroupSnapshot, mv verify.Moves) {
	from := joinAt
	for _, e := range kit.Events(h, joiner, joinAt) {
		if e.Event == "started" {
			from = e.TS
			break
		}
	}
	to := settled.At.Add(time.Second)
	kept := verify.LongestStall(h, st.Graph, mv.Kept, from, to)
	base := verify.LongestStall(h, st.Graph, mv.Kept, joinAt.Add(-to.Sub(from)), joinAt)
	GinkgoWriter.Printf("join of %s: longest stall of the %d partitions it did not move %s (partition %d, +%s to +%s), baseline %s\n",
		joiner, len(mv.Kept), kept.Length.Round(time.Millisecond), kept.Partition, kept.From.Sub(h.Start).Round(time.Millisecond), kept.To.Sub(h.Start).Round(time.Millisecond), base.Length.Round(time.Millisecond))
	kit.Measured("stall of unmoved partitions at the join (goal 1.5x the quiet baseline)", "join", kept.Length, base.Length*3/2)
}
