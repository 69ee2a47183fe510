package specs

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
)

// QuietInput is a fault below the group's tolerance — a pause shorter than
// the session timeout, a heartbeat delay under half of it, a thin link —
// that must slow a worker down and nothing more: no rebalance while it
// lasts or after it heals, nothing lost, no committed offset going back,
// and lag recovered after the heal. Its symptom must be chaos.Stalls (the
// worker's partitions fall behind): a quiet fault that slows nothing did
// not bite.
type QuietInput struct {
	Describe string
	Labels   []string
	Combo    Combination

	// Fault builds the fault for the victim (the owner of partition 0).
	Fault func(ctx context.Context, st *fixtures.Stage, victim *fixtures.Worker) chaos.Fault
	// Hold is how long the fault stays, from its inject (read in the spec).
	Hold func() time.Duration

	// Pending, when set, registers the spec Pending with this reason (what
	// in the broker or client makes it impossible today).
	Pending string
}

// QuietSpec registers the spec for in. Scenario, in BeforeAll: a stable
// fleet under steady load; the fault injected and seen to bite (the
// victim's partitions fall behind) within its hold; held; healed; then
// watched for one more session timeout, in which a late eviction the fault
// caused would show; lag back under its threshold; drained.
func QuietSpec(input func() QuietInput) bool {
	in := input()
	labels := append(append([]string{}, in.Labels...), in.Combo.Labels()...)
	return container(describe(in.Describe, in.Combo), labels, in.Pending, func() {
		var (
			st                     *fixtures.Stage
			fault                  chaos.Fault
			stable, injected, heal time.Time
			watched                time.Time
			h                      history.History
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			st = kit.NewStage(ctx, run.Combo.StageConfig())
			stable = kit.AwaitStable(ctx, st, st.Fleet.IDs(), kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			victim := kit.OwnerOf(st, 0)
			fault = run.Fault(ctx, st, victim)
			hold := run.Hold()
			injected = kit.Inject(ctx, st, fault, hold)
			kit.HoldFor(ctx, injected, hold)
			heal = kit.Heal(ctx, st, fault)
			GinkgoWriter.Printf("%s held for %s\n", fault.Name(), heal.Sub(injected).Round(10*time.Millisecond))
			kit.Watch(ctx, st, heal, kit.B.SessionTimeout)
			watched = time.Now()
			kit.AwaitLagHeld(ctx, st, heal, 2*kit.B.Recovery)
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("does not rebalance while the fault lasts, nor for a session timeout after it heals", func() {
			kit.Check(st, fault.Name(), verify.NoRebalance(h, stable, watched))
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: fault.Name()} })

		It("has lag under its threshold within the recovery bound after the heal, and keeps it there", func() {
			kit.Check(st, fault.Name(), verify.LagRecovered(h, kit.LagWindow(injected, heal, false), kit.B.LagThreshold, kit.B.Recovery))
		})

		kit.DeliversOnce(in.Combo.ExactlyOnce(), func() kit.Scene { return kit.Scene{St: st, H: h, Fault: fault.Name()} })
	})
}
