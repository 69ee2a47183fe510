package specs

import (
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

// What ends a produce-refused scenario.
const (
	// ProduceHealed: the refusal outlasts the worker's delivery timeout
	// (kit.B.ProduceRefused), then heals; the worker keeps running.
	ProduceHealed = ""
	// ProduceSIGTERM: the worker is stopped with SIGTERM while refused, and
	// the refusal heals only once it has exited.
	ProduceSIGTERM = "sigterm"
	// ProduceSIGKILL: the worker is killed while refused.
	ProduceSIGKILL = "sigkill"
)

// ProduceRefusedInput is the broker refusing the produce requests of one
// worker (the owner of partition 0) to feed-updates, while its fetches,
// heartbeats and commits go through, ended by Then.
type ProduceRefusedInput struct {
	Combo  Combination
	Then   string // ProduceHealed, ProduceSIGTERM or ProduceSIGKILL
	Labels []string
}

// ProduceRefusedSpec registers "a worker whose feed updates the broker
// refuses": its updates stay unacknowledged for as long as the fault lasts
// (and fail once they outlast its delivery timeout), so a worker that
// commits what is not acknowledged, counts a failed delivery as done, or
// drops its producer's queue at shutdown loses them. The correct worker
// loses nothing and commits no post whose updates are not appended.
func ProduceRefusedSpec(input func() ProduceRefusedInput) bool {
	in := input()
	text := "a worker whose feed updates the broker refuses past its delivery timeout"
	switch in.Then {
	case ProduceSIGTERM:
		text = "a worker stopped with SIGTERM while the broker refuses its feed updates"
	case ProduceSIGKILL:
		text = "a worker killed with SIGKILL while the broker refuses its feed updates"
	}
	labels := append(append([]string{"broker", "produce", orDefault(in.Then, "refused-long"), kit.Needs(kit.EmbeddedBroker)}, in.Labels...), in.Combo.Labels()...)
	return Describe(describe(text, in.Combo), Ordered, ContinueOnFailure, Label(labels...), func() {
		var (
			st             *fixtures.Stage
			victim         string
			fault          chaos.ProduceRefused
			injected, done time.Time
			code           int64
			exitErr        error
			h              history.History
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			cfg := run.Combo.StageConfig()
			if run.Then == ProduceHealed {
				// The poll loop waits for the batch's acknowledgements; it
				// must not be evicted for that while the fault lasts.
				cfg.MaxPollInterval = max(cfg.MaxPollInterval, kit.B.ProduceRefused+kit.B.Recovery)
			}
			st = kit.NewStage(ctx, cfg)
			all := st.Fleet.IDs()
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			loadStart := kit.StartLoad(ctx, st)
			kit.SteadyFor(ctx, st, loadStart, 2*time.Second)

			w := kit.OwnerOf(st, 0)
			victim = w.ID()
			fault = chaos.NewProduceRefused(kit.ClientFaults(st), victim, st.Topics.Feed)
			injected = kit.Inject(ctx, st, fault, kit.B.Recovery)
			switch run.Then {
			case ProduceSIGTERM:
				kit.Inject(ctx, st, chaos.Terminate{P: w}, kit.B.Shutdown)
				code, exitErr = w.WaitExit(ctx, kit.B.Shutdown)
				done = kit.Heal(ctx, st, fault)
				kit.AwaitStable(ctx, st, kit.Without(all, victim), kit.B.Reassign)
			case ProduceSIGKILL:
				kit.Inject(ctx, st, chaos.Kill{P: w}, kit.B.Reassign)
				done = kit.Heal(ctx, st, fault)
				kit.AwaitStable(ctx, st, kit.Without(all, victim), kit.B.Reassign)
			default:
				kit.HoldFor(ctx, injected, kit.B.ProduceRefused)
				done = kit.Heal(ctx, st, fault)
			}
			kit.AwaitLagHeld(ctx, st, done, 2*kit.B.Recovery)
			h = kit.Drain(ctx, st)
		}, NodeTimeout(5*time.Minute))

		It("refuses the worker's produce requests (the broker counted them)", func() {
			GinkgoWriter.Printf("broker refused %d produce requests of %s\n", fault.Refused(), victim)
			Expect(fault.Refused()).To(BeNumerically(">", 0))
		})

		if in.Then == ProduceSIGTERM {
			It("exits with code 0 within the shutdown bound though its updates are refused", func() {
				Expect(exitErr).NotTo(HaveOccurred())
				Expect(code).To(BeEquivalentTo(contract.ExitOK), "exit code of %s", victim)
			})
		}

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: fault.Name()} })

		It("has lag under its threshold within the recovery bound after the heal, and keeps it there", func() {
			kit.Check(st, fault.Name(), verify.LagRecovered(h, kit.LagWindow(injected, done, false), kit.B.LagThreshold, kit.B.Recovery))
		})
	})
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
