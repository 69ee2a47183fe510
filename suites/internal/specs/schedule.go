package specs

import (
	"context"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/bounds"
	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/verify"
)

// scheduled is a fault kind a schedule may draw, with how to build it on
// the stage for a drawn target.
type scheduled struct {
	chaos.FaultKind
	build func(ctx context.Context, st *fixtures.Stage, target *fixtures.Worker) chaos.Fault
}

// ScheduleKinds is the catalogue a seeded schedule draws from, sized by the
// run's bounds for a fleet of workers: worker faults held from 2 s to past
// the session timeout (so a pause or cut-off sometimes evicts and sometimes
// does not), heartbeat latency under half the session timeout, and the
// broker restarted. Each worker fault's symptom is its target stalling
// (SIGTERM: leaving), which every hold in its range shows.
func ScheduleKinds(workers int) []scheduled {
	stall := func(w *fixtures.Worker) chaos.Symptom { return chaos.Stalls{Worker: w.ID(), MinLag: kit.B.BiteLag} }
	long := kit.B.SessionTimeout + 3*time.Second
	return []scheduled{
		{chaos.FaultKind{Name: "sigkill-restart", MinHold: 2 * time.Second, MaxHold: 4 * time.Second, Weight: 2, Targets: workers},
			func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
				return stalling{chaos.KillRestart{P: w}, stall(w)}
			}},
		{chaos.FaultKind{Name: "sigterm-restart", MinHold: 2 * time.Second, MaxHold: 4 * time.Second, Targets: workers},
			func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
				return chaos.NewTermRestart(w, kit.B.Shutdown)
			}},
		{chaos.FaultKind{Name: "pause", MinHold: 2 * time.Second, MaxHold: long, Weight: 2, Targets: workers},
			func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
				return chaos.Pause{P: w, Shows: stall(w)}
			}},
		{chaos.FaultKind{Name: "cut-off", MinHold: 2 * time.Second, MaxHold: long, Weight: 2, Targets: workers},
			func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
				return stalling{chaos.CutOff{Worker: w.ID(), L: w.Sidecar}, stall(w)}
			}},
		{chaos.FaultKind{Name: "reset-peer", MinHold: 2 * time.Second, MaxHold: long, Targets: workers},
			func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
				f := chaos.ResetPeer(w.ID(), w.Sidecar)
				f.Shows = stall(w)
				return f
			}},
		{chaos.FaultKind{Name: "latency", MinHold: 3 * time.Second, MaxHold: 8 * time.Second, Targets: workers},
			func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
				f := chaos.Latency(w.ID(), w.Sidecar, kit.B.LatencyBelow, 0, chaos.Upstream, kit.Coordinator(ctx, st))
				f.Shows = stall(w)
				return f
			}},
		{chaos.FaultKind{Name: "broker-restart", MinHold: time.Second, MaxHold: time.Second, Targets: 0},
			func(ctx context.Context, st *fixtures.Stage, _ *fixtures.Worker) chaos.Fault {
				return chaos.NewBrokerRestart(kit.Embedded(st), st.Rec)
			}},
	}
}

// stalling gives a fault whose own Bit waits for something else (a member
// leaving) the stall symptom a schedule judges every worker fault by.
type stalling struct {
	chaos.Fault
	shows chaos.Symptom
}

func (s stalling) Bit(ctx context.Context, g chaos.GroupView, injected time.Time, within time.Duration) error {
	return s.shows.Await(ctx, g, injected, within)
}

// restarts reports whether a scheduled kind brings its target back as a
// new process (and so a new member) under the same worker id.
func restarts(kind string) bool { return kind == "sigkill-restart" || kind == "sigterm-restart" }

// memberOf returns worker's member id in the latest snapshot ("" if none).
func memberOf(st *fixtures.Stage, worker string) string {
	s, ok := st.Rec.LastSnapshot()
	if !ok {
		return ""
	}
	for _, m := range s.Members {
		if m.Worker == worker {
			return m.MemberID
		}
	}
	return ""
}

// awaitSettled waits until the group is stable with exactly the workers
// all, every partition owned once, and — when oldMember is set — target no
// longer under that member id (its restarted incarnation, not the dead
// one). It returns how long that took.
func awaitSettled(ctx context.Context, st *fixtures.Stage, all []string, target, oldMember string, within time.Duration) (time.Duration, error) {
	since := time.Now()
	return st.WaitUntil(ctx, within, "group settled with "+strings.Join(all, ","), func() (bool, string) {
		snap, ok := st.Rec.LastSnapshot()
		if !ok || snap.At.Before(since) {
			return false, "no snapshot yet"
		}
		if ok, why := fixtures.StableWith(snap, all, st.Cfg.Partitions); !ok {
			return false, why
		}
		if oldMember != "" {
			for _, m := range snap.Members {
				if m.MemberID == oldMember {
					return false, fmt.Sprintf("%s still listed under its killed incarnation %s", target, oldMember)
				}
			}
		}
		return true, ""
	})
}

// ScheduleInput is a seeded random schedule of faults on one stage.
type ScheduleInput struct {
	Describe string
	Labels   []string
	Combo    Combination
	// Duration and Quiet pick the schedule's length and minimum quiet time
	// from the run's bounds.
	Duration, Quiet func(bounds.Bounds) time.Duration
}

// stepRun is what happened to one step of a schedule.
type stepRun struct {
	step             chaos.Step
	fault            chaos.Fault
	target           string
	injected, healed time.Time
	bit              error
	settled          time.Duration // heal -> stable with every worker, each partition owned once (0: never)
}

// ScheduleSpec registers a spec that draws a schedule from CHAOS_SEED (or
// a fresh seed, printed), and runs it: before each step it waits for the
// quiet time and for a stable group with every worker, injects the step's
// fault on its target, waits for the symptom while the fault is held, and
// heals it. Afterwards it proves that every fault bit, that lag recovered
// after each heal, and that nothing was lost or went back over the whole
// run. A failing run is replayed with the printed CHAOS_SEED.
func ScheduleSpec(input func() ScheduleInput) bool {
	in := input()
	labels := append(append([]string{}, in.Labels...), in.Combo.Labels()...)
	return container(describe(in.Describe, in.Combo), labels, "", func() {
		var (
			st    *fixtures.Stage
			sched chaos.Schedule
			runs  []stepRun
			h     history.History
		)

		BeforeAll(func(ctx SpecContext) {
			run := input()
			seed, replayed, err := chaos.SeedFromEnv(nil)
			Expect(err).NotTo(HaveOccurred())
			st = kit.NewStage(ctx, run.Combo.StageConfig())
			all := st.Fleet.IDs()
			kinds := ScheduleKinds(len(all))
			var fk []chaos.FaultKind
			for _, k := range kinds {
				fk = append(fk, k.FaultKind)
			}
			sched, err = chaos.NewSchedule(seed, run.Duration(kit.B), run.Quiet(kit.B), fk)
			Expect(err).NotTo(HaveOccurred())
			Expect(sched.Validate(fk)).To(Succeed())
			how := "fresh seed"
			if replayed {
				how = "replayed from " + chaos.EnvSeed
			}
			GinkgoWriter.Printf("%s (%s)\n%s", "seeded schedule", how, sched)
			AddReportEntry("schedule", sched.String(), ReportEntryVisibilityAlways)
			kit.Seed(seed)
			st.Note("schedule seed %d (%s): %d faults in %s; replay with %s=%d", seed, how, len(sched.Steps), sched.Duration, chaos.EnvSeed, seed)

			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			start := kit.StartLoad(ctx, st)
			for i, step := range sched.Steps {
				kit.HoldFor(ctx, start, step.At)
				kit.AwaitStable(ctx, st, all, kit.B.Stable)
				var k scheduled
				for _, c := range kinds {
					if c.Name == step.Kind {
						k = c
					}
				}
				var target *fixtures.Worker
				name := "broker"
				if step.Target >= 0 {
					target = kit.Worker(st, all[step.Target])
					name = target.ID()
				}
				// A restarted worker comes back under its old worker id: until
				// its dead incarnation is evicted, a snapshot naming the right
				// workers can still hold the dead member. Remember which member
				// the target was, so that settling means the new one.
				oldMember := ""
				if target != nil && restarts(step.Kind) {
					oldMember = memberOf(st, target.ID())
				}
				f := chaos.WithSeed(k.build(ctx, st, target), seed)
				By(fmt.Sprintf("step %d/%d at +%s: %s on %s for %s", i+1, len(sched.Steps), step.At, step.Kind, name, step.Hold))
				r := stepRun{step: step, fault: f, target: name, injected: time.Now()}
				DeferCleanup(func(ctx SpecContext) { _ = chaos.Heal(ctx, st.Rec, f) }, NodeTimeout(time.Minute))
				Expect(chaos.Inject(ctx, st.Rec, f)).To(Succeed())
				_, r.bit = chaos.AwaitBite(ctx, st.Rec, st.Rec, f, r.injected, max(step.Hold-time.Since(r.injected), time.Second))
				kit.HoldFor(ctx, r.injected, step.Hold)
				Expect(chaos.Heal(ctx, st.Rec, f)).To(Succeed())
				r.healed = time.Now()
				if d, err := awaitSettled(ctx, st, all, name, oldMember, kit.B.Stable); err == nil {
					r.settled = d
				} else {
					GinkgoWriter.Printf("step %d: %v\n", i+1, err)
				}
				runs = append(runs, r)
			}
			kit.AwaitStable(ctx, st, all, kit.B.Stable)
			if n := len(runs); n > 0 {
				kit.AwaitLagHeld(ctx, st, runs[n-1].healed, 2*kit.B.Recovery)
			}
			h = kit.Drain(ctx, st)
		}, NodeTimeout(in.timeout()))

		It("sees every fault of the schedule bite", func() {
			var bad []string
			for i, r := range runs {
				if r.bit != nil {
					bad = append(bad, fmt.Sprintf("step %d (%s on %s, held %s): %v", i+1, r.step.Kind, r.target, r.step.Hold, r.bit))
				}
			}
			var results []verify.Result
			seen := map[string]bool{}
			for _, r := range runs {
				if !seen[r.fault.Name()] {
					seen[r.fault.Name()] = true
					results = append(results, verify.FaultBit(h, r.fault.Name()))
				}
			}
			kit.Check(st, "schedule", results...)
			Expect(bad).To(BeEmpty(), "faults that did not bite (replay: %s=%d):\n%s", chaos.EnvSeed, sched.Seed, strings.Join(bad, "\n"))
		})

		It("has every worker back and every partition owned once within the rejoin bound after every heal", func() {
			var late []string
			for i, r := range runs {
				kit.Measured(fmt.Sprintf("settled after %s on %s", r.step.Kind, r.target), "schedule", r.settled, kit.B.Rejoin)
				if r.settled == 0 || r.settled > kit.B.Rejoin {
					late = append(late, fmt.Sprintf("step %d (%s on %s, held %s): settled after %s", i+1, r.step.Kind, r.target, r.step.Hold, r.settled))
				}
			}
			Expect(late).To(BeEmpty(), "the group did not settle in time (0 = not within %s; replay: %s=%d):\n%s", kit.B.Stable, chaos.EnvSeed, sched.Seed, strings.Join(late, "\n"))
		})

		It("has lag under its threshold within the recovery bound after every heal, before the next fault, and held after the last", func() {
			var results []verify.Result
			for i, r := range runs {
				w := kit.LagWindow(r.injected, r.healed, false)
				if i+1 < len(runs) {
					w.Until, w.Hold = runs[i+1].injected, 0
				}
				res := verify.LagRecovered(h, w, kit.B.LagThreshold, kit.B.Recovery)
				res.Check = fmt.Sprintf("%s after %s on %s", res.Check, r.step.Kind, r.target)
				results = append(results, res)
			}
			kit.Check(st, "schedule", results...)
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: "schedule"} })

		kit.DeliversOnce(in.Combo.ExactlyOnce(), func() kit.Scene { return kit.Scene{St: st, H: h, Fault: "schedule"} })
	})
}

// timeout is the setup's node timeout: the schedule's length plus time to
// build, settle between steps and drain. It is fixed when the tree is
// built, before the suite loads kit.B, so it reads the bounds from the
// environment itself (a bad environment fails the suite's setup anyway).
func (in ScheduleInput) timeout() time.Duration {
	b, err := bounds.FromEnv(nil)
	if err != nil {
		return time.Hour
	}
	return in.Duration(b) + 5*time.Minute + in.Duration(b)/2
}
