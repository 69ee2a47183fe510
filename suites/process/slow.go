package process

import (
	"context"
	"strconv"
	"strings"
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

// A fourth worker whose handler takes kit.B.SlowDelay per post joins a
// healthy group with max.poll.interval.ms of kit.B.SlowMaxPoll: each time
// it gets partitions it stalls on its first post past the interval and is
// dropped, so its partitions go back to the healthy three.
var _ = Describe("a worker whose handler is slower than its max.poll.interval joins the group under steady load", Ordered, ContinueOnFailure,
	Label(append([]string{"slow"}, specs.ClassicRange.Labels()...)...), func() {
		var (
			st      *fixtures.Stage
			slow    chaos.SlowMember
			all     []string
			owned   time.Time
			ownedOK bool
			heal    time.Time
			began   time.Time
			h       history.History
		)

		BeforeAll(func(ctx SpecContext) {
			st = kit.NewStage(ctx, specs.ClassicRange.StageConfig())
			all = st.Fleet.IDs()
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			env := map[string]string{
				contract.EnvProcessDelayMS: strconv.FormatInt(kit.B.SlowDelay.Milliseconds(), 10),
				contract.EnvMaxPollMS:      strconv.FormatInt(kit.B.SlowMaxPoll.Milliseconds(), 10),
			}
			slow = chaos.NewSlowMember(st.Fleet.NextID(), func(ctx context.Context) (chaos.Process, error) {
				ws, err := st.Fleet.AddWithEnv(ctx, 1, env)
				if len(ws) == 0 || ws[0] == nil {
					return nil, err
				}
				return ws[0], err
			})
			injected := kit.Inject(ctx, st, slow, kit.B.Stable+kit.B.ReassignSlow)
			began = injected
			owned, ownedOK = verify.MemberHasPartitions(st.Rec.Snapshot(), slow.ID, injected)
			kit.AwaitStable(ctx, st, all, kit.B.ReassignSlow)
			// Let the slow post finish: only then does the worker poll again,
			// learn that it was dropped, and try to commit what it did for
			// partitions that are no longer its own — the part worth watching.
			_, _ = st.WaitUntil(ctx, kit.B.SlowDelay+kit.B.Reassign, "the slow worker reporting max.poll.interval", func() (bool, string) {
				return maxPollReported(kit.Events(st.Rec.Snapshot(), slow.ID, injected)), "no report yet"
			})
			// It then rejoins and is given partitions again, to stall on the
			// next post. Kill it only once it holds them: killed between its
			// JoinGroup and the answer, kfake would keep it as a member for
			// good (it arms a member's session timer only when that answer is
			// delivered), and the group would never take its partitions back.
			reported := time.Now()
			_, _ = st.WaitUntil(ctx, kit.B.Reassign, "the slow worker assigned partitions again", func() (bool, string) {
				for _, e := range kit.Events(st.Rec.Snapshot(), slow.ID, reported) {
					if e.Event == string(contract.EventAssigned) && len(e.Partitions) > 0 {
						return true, ""
					}
				}
				return false, "not assigned again yet"
			})
			heal = kit.Heal(ctx, st, slow)
			kit.AwaitStable(ctx, st, all, 2*kit.B.Reassign)
			kit.AwaitLagHeld(ctx, st, heal, 2*kit.B.Recovery)
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("hands its partitions back to the healthy workers within its max.poll.interval plus slack", func() {
			Expect(ownedOK).To(BeTrue(), "%s never owned a partition", slow.ID)
			kit.Check(st, slow.Name(), verify.Reassigned(h, owned, []string{slow.ID}, kit.B.ReassignSlow))
		})

		It("has the slow worker report that it exceeded max.poll.interval once its post is done", func() {
			evs := kit.Events(h, slow.ID, time.Time{})
			var errs []string
			for _, e := range evs {
				if e.Event == string(contract.EventError) || e.Event == string(contract.EventLost) {
					errs = append(errs, e.Event+": "+e.Error)
				}
			}
			Expect(maxPollReported(evs)).To(BeTrue(), "%s printed no max.poll error; its error and lost events:\n%s", slow.ID, strings.Join(errs, "\n"))
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: slow.Name(), ZombieGrace: kit.B.SlowDelay} })

		It("sets lag back, and brings it under its threshold within the recovery bound after the slow worker is gone, to stay", func() {
			kit.Check(st, slow.Name(), verify.LagRecovered(h, kit.LagWindow(began, heal, true), kit.B.LagThreshold, kit.B.Recovery))
		})
	})

// maxPollReported reports whether the events hold an error of kind
// max-poll-exceeded (README's contract; never the message's wording).
func maxPollReported(evs []history.WorkerEvent) bool {
	for _, e := range evs {
		if e.Event == string(contract.EventError) && e.Detail[contract.DetailKind] == contract.ErrorKindMaxPollExceeded {
			return true
		}
	}
	return false
}
