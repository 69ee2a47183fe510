package specs

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
)

// OutageInput is a fault that hits the whole group at once — the broker
// restarted or down, the coordinator refusing or cut off for everyone —
// after which the group must re-form with every partition owned once,
// within a bound, lose nothing acknowledged, never move a committed offset
// back, and recover its lag.
type OutageInput struct {
	Describe string
	Labels   []string
	Combo    Combination

	// Fault builds the fault (read in the spec).
	Fault func(ctx context.Context, st *fixtures.Stage) chaos.Fault
	// BiteWithin bounds the wait for the fault's symptom (default the
	// reassignment bound).
	BiteWithin func() time.Duration
	// Hold keeps the fault this long after its inject before the heal
	// (nil or 0: heal as soon as it bit).
	Hold func() time.Duration
	// FromInjectEnd measures the re-forming from the moment Inject
	// returned rather than from the heal: for a fault that is over when
	// Inject returns (a broker restart).
	FromInjectEnd bool
	// Reform bounds the re-forming (default kit.B.Reassign); ReformText
	// says what it is in the spec's sentence.
	Reform     func() time.Duration
	ReformText string

	// Pending, when set, registers the spec Pending with this reason (what
	// in the broker or client makes it impossible today).
	Pending string
}

// OutageSpec registers the spec for in. Scenario, in BeforeAll: a stable
// fleet under steady load; the fault injected and seen to bite; held;
// healed; the group stable with every worker again; lag back under its
// threshold; drained.
func OutageSpec(input func() OutageInput) bool {
	in := input()
	labels := append(append([]string{}, in.Labels...), in.Combo.Labels()...)
	from := "the heal"
	if in.FromInjectEnd {
		from = "the broker being back"
	}
	return container(describe(in.Describe, in.Combo), labels, in.Pending, func() {
		var (
			st                 *fixtures.Stage
			run                OutageInput
			fault              chaos.Fault
			injected, heal, up time.Time
			h                  history.History
		)
		reform := func() time.Duration {
			if run.Reform != nil {
				return run.Reform()
			}
			return kit.B.Reassign
		}

		BeforeAll(func(ctx SpecContext) {
			run = input()
			st = kit.NewStage(ctx, run.Combo.StageConfig())
			all := st.Fleet.IDs()
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			fault = run.Fault(ctx, st)
			within := kit.B.Reassign
			if run.BiteWithin != nil {
				within = run.BiteWithin()
			}
			var injectEnd time.Time
			injected, injectEnd = kit.InjectTimed(ctx, st, fault, within)
			if run.Hold != nil {
				kit.HoldFor(ctx, injected, run.Hold())
			}
			heal = kit.Heal(ctx, st, fault)
			up = heal
			if run.FromInjectEnd {
				up = injectEnd
			}
			GinkgoWriter.Printf("%s held for %s\n", fault.Name(), heal.Sub(injected).Round(10*time.Millisecond))
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			kit.AwaitLagHeld(ctx, st, heal, 2*kit.B.Recovery)
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It(fmt.Sprintf("re-forms the group with every partition owned once within %s of %s", or(in.ReformText, "the session timeout plus slack"), from), func() {
			kit.Check(st, fault.Name(), verify.Reassigned(h, up, nil, reform()))
		})

		It(fmt.Sprintf("has live workers commit every partition again within the recovery bound of %s", from), func() {
			kit.Check(st, fault.Name(), verify.CommittingAgain(h, up, kit.B.Recovery))
		})

		// A member cut from the group by the outage may go on writing from
		// what it had fetched until it learns, at the latest a session
		// timeout after the broker is back: appends held up by the outage
		// land that late. Exactly-once fences them (DeliversOnce).
		kit.KeepsTheData(func() kit.Scene {
			return kit.Scene{St: st, H: h, Fault: fault.Name(), ZombieGrace: kit.B.SessionTimeout + up.Sub(injected)}
		})

		kit.DeliversOnce(in.Combo.ExactlyOnce(), func() kit.Scene { return kit.Scene{St: st, H: h, Fault: fault.Name()} })

		It(fmt.Sprintf("has lag under its threshold within the recovery bound after %s, and keeps it there", from), func() {
			kit.Check(st, fault.Name(), verify.LagRecovered(h, kit.LagWindow(injected, up, false), kit.B.LagThreshold, kit.B.Recovery))
		})
	})
}
