package scale

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
	"github.com/streamsocial/feedchaos/suites/internal/specs"
	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// IdleInput is a fleet with more workers than partitions.
type IdleInput struct {
	Combo      specs.Combination
	Workers    int   // default 6
	Partitions int32 // default 4
	Labels     []string
}

// IdleSpec registers "a fleet with more workers than partitions": the
// extra members own nothing while every partition is owned once; when an
// owner is killed, its partition goes to a member that was idle within the
// session timeout plus slack, and nothing is lost.
func IdleSpec(input func() IdleInput) bool {
	in := input()
	if in.Workers == 0 {
		in.Workers = 6
	}
	if in.Partitions == 0 {
		in.Partitions = 4
	}
	labels := append(append([]string{"scale", "idle"}, in.Labels...), in.Combo.Labels()...)
	text := fmt.Sprintf("a fleet of %d workers on %d partitions (%s)", in.Workers, in.Partitions, in.Combo)
	return Describe(text, Ordered, ContinueOnFailure, Label(labels...), func() {
		var (
			st             *fixtures.Stage
			all, idle      []string
			victim         string
			stable, killed time.Time
			settledAfter   time.Time
			before, after  history.GroupSnapshot
			h              history.History
		)

		BeforeAll(func(ctx SpecContext) {
			cfg := in.Combo.StageConfig()
			cfg.Workers, cfg.Partitions = in.Workers, in.Partitions
			st = kit.NewStage(ctx, cfg)
			all = st.Fleet.IDs()
			stable = kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			snap, ok := st.Rec.LastSnapshot()
			Expect(ok).To(BeTrue())
			for _, m := range snap.Members {
				if len(m.Partitions) == 0 {
					idle = append(idle, m.Worker)
				}
			}
			GinkgoWriter.Printf("idle members before the kill: %v\n", idle)
			victim = kit.Owner(st, 0)
			killed = kit.Inject(ctx, st, chaos.Kill{P: kit.Worker(st, victim)}, 2*kit.B.Reassign)
			settledAfter = kit.AwaitStable(ctx, st, kit.Without(all, victim), 2*kit.B.Reassign)
			kit.AwaitLagHeld(ctx, st, settledAfter, 2*kit.B.Recovery)
			h = kit.Drain(ctx, st)
			before, _ = verify.LastSettled(h, killed)
			after, _ = verify.FirstSettledWith(h, killed, kit.Without(all, victim))
		}, NodeTimeout(5*time.Minute))

		It(fmt.Sprintf("leaves %d members idle while every partition is owned by exactly one member", in.Workers-int(in.Partitions)), func() {
			kit.Check(st, "none", verify.Balanced(h, stable, killed, 1))
			Expect(before.Members).To(HaveLen(in.Workers), "no settled assignment of the whole fleet before the kill")
			var owners int
			for _, m := range before.Members {
				if len(m.Partitions) > 0 {
					owners++
				}
			}
			Expect(owners).To(Equal(int(in.Partitions)), "members owning a partition in %v", before.Members)
			Expect(idle).To(HaveLen(in.Workers-int(in.Partitions)), "idle members")
		})

		It("reassigns the dead owner's partition within the session timeout plus slack", func() {
			kit.Check(st, "sigkill", verify.Reassigned(h, killed, []string{victim}, kit.B.Reassign))
		})

		It("hands the dead owner's partition to a member that was idle", func() {
			Expect(after.Members).NotTo(BeEmpty(), "no settled assignment after the kill")
			var tookOver []string
			for _, m := range after.Members {
				if len(m.Partitions) > 0 && slices.Contains(idle, m.Worker) {
					tookOver = append(tookOver, m.Worker)
				}
			}
			Expect(tookOver).NotTo(BeEmpty(), "no idle member owns a partition after %s died: %v", victim, after.Members)
			GinkgoWriter.Printf("%s died; %v, idle before, own partitions now\n", victim, tookOver)
		})

		if in.Combo.Assignor == contract.AssignorCooperativeSticky {
			It("moves only the dead owner's partition", func() {
				kit.Check(st, "sigkill", verify.StickyMoves(h, killed, kit.Without(all, victim)))
			})
		}

		It("never lets two members own one partition", func() {
			kit.Check(st, "sigkill", verify.ExclusiveOwnership(h, time.Time{}, time.Time{}))
		})

		It("loses no feed update", func() {
			kit.Check(st, "sigkill", verify.NoLostUpdates(h, st.Graph))
		})

		It("has lag under its threshold within the recovery bound of the group settling, and keeps it there", func() {
			kit.Check(st, "sigkill", verify.LagRecovered(h, kit.LagWindow(killed, settledAfter, false), kit.B.LagThreshold, kit.B.Recovery))
		})

		kit.DrainsToZero(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: "sigkill"} })
	})
}

var (
	_ = IdleSpec(func() IdleInput { return IdleInput{Combo: specs.ClassicRange} })
	_ = IdleSpec(func() IdleInput { return IdleInput{Combo: specs.ClassicCoopSticky} })
	_ = IdleSpec(func() IdleInput { return IdleInput{Combo: specs.Consumer848} })
)
