package scale

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/bench"
	"github.com/streamsocial/feedchaos/bounds"
	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// LadderInput is one run of the ladder: how the fleet consumes. The sizes,
// load and bounds come from bounds.Scale (CHAOS_SCALE_*), read inside the spec.
type LadderInput struct {
	Combo  specs.Combination
	Labels []string
}

// step is one rung of the ladder as it happened.
type step struct {
	Kind    string    `json:"kind"`  // join, kill, leave
	Probe   bool      `json:"probe"` // one member joining (or leaving) the largest fleet
	From    int       `json:"from"`
	To      int       `json:"to"`
	Changed []string  `json:"changed"` // workers that joined, died or left
	Members []string  `json:"-"`       // the fleet after the step
	Began   time.Time `json:"began"`   // first container start / signal
	Acted   time.Time `json:"acted"`   // last container running / signals sent
	Settled time.Time `json:"settled"` // stable group of Members observed (zero: never)
}

func (s step) label() string {
	if s.Probe {
		return fmt.Sprintf("one member's %s %d->%d", s.Kind, s.From, s.To)
	}
	return fmt.Sprintf("%s %d->%d", s.Kind, s.From, s.To)
}

// LadderSpec registers the ladder for one combination: a posts topic with
// bounds.Scale.Partitions partitions under steady load; the fleet grows
// through bounds.Scale.Ladder (1 -> 2 -> 5 -> 10 -> 25 -> 50 -> 100 by
// default), loses bounds.Scale.Kill workers at once at the top (SIGKILL), and
// shrinks back through the same sizes by SIGTERM. At every step the group
// must settle with every partition owned once, stay as balanced as the
// assignor promises, and recover its lag; over the whole ladder nothing may
// be lost. One It per invariant.
func LadderSpec(input func() LadderInput) bool {
	in := input()
	labels := append(append([]string{"scale", "ladder"}, in.Labels...), in.Combo.Labels()...)
	text := fmt.Sprintf("a fleet scaled from one worker to a hundred and back under steady load (%s)", in.Combo)
	return Describe(text, Ordered, ContinueOnFailure, Serial, Label(labels...), func() {
		var (
			sc        bounds.Scale
			st        *fixtures.Stage
			steps     []step
			victims   []string
			killedAt  time.Time
			ladder    time.Duration
			topUsage  []fixtures.Usage
			topSample []fixtures.ContainerSample
			h         history.History
			stopped   time.Time
			host      bounds.Host                 // what the ladder measured of this machine
			fitted    bounds.Fitted[bounds.Scale] // the ladder as fitted to its memory
		)

		BeforeAll(func(ctx SpecContext) {
			sc = kit.LoadScale()
			fitted = bounds.Fitted[bounds.Scale]{Value: sc, Why: "the ladder as configured (memory not measured)"}
			if eng, err := fixtures.EngineInfo(ctx); err == nil {
				host.MemTotal = eng.MemTotal
				GinkgoWriter.Printf("Docker engine: %d CPUs, %s of memory\n", eng.CPUs, bounds.FormatBytes(eng.MemTotal))
			} else {
				GinkgoWriter.Printf("docker info failed, the ladder is not fitted to memory: %v\n", err)
			}
			cfg := in.Combo.StageConfig()
			cfg.Workers, cfg.Partitions, cfg.PostRate, cfg.StartLimit = sc.Ladder[0], sc.Partitions, sc.PostRate, sc.StartLimit
			st = kit.NewStage(ctx, cfg)
			kit.AwaitStable(ctx, st, st.Fleet.IDs(), kit.B.Stable)
			kit.StartLoad(ctx, st)
			start := time.Now()
			settled := true

			// Up: each step adds the difference at once. Before the top,
			// the fleet's memory per member is sampled and the ladder cut
			// to what the engine's memory holds (bounds.FitLadder).
			for i := 1; i < len(sc.Ladder); i++ {
				size := sc.Ladder[i]
				if i == len(sc.Ladder)-1 && i >= 2 {
					fitted = fitToMemory(ctx, st, sc, &host)
					sc = fitted.Value
					if size > sc.Top() {
						break
					}
				}
				from := len(st.Fleet.IDs())
				ids, began, started := kit.Grow(ctx, st, size-from)
				s := step{Kind: "join", From: from, To: size, Changed: ids, Members: st.Fleet.IDs(), Began: began, Acted: started}
				s.Settled, _ = kit.SettleWithin(ctx, st, s.Members, 2*sc.StepSettle)
				steps = append(steps, s)
				if s.Settled.IsZero() {
					settled = false
					break
				}
				kit.AwaitLagHeld(ctx, st, s.Settled, 2*kit.B.Recovery)
			}

			// The top: what the largest fleet costs, then a zone going down.
			if settled {
				By(fmt.Sprintf("sampling docker stats of %d workers and their proxies", len(st.Fleet.IDs())))
				before, err := fixtures.SampleContainers(ctx, st.Fleet.Containers(), 32)
				Expect(err).NotTo(HaveOccurred())
				kit.SteadyFor(ctx, st, time.Now(), 5*time.Second)
				topSample, err = fixtures.SampleContainers(ctx, st.Fleet.Containers(), 32)
				Expect(err).NotTo(HaveOccurred())
				topUsage = fixtures.UsageBetween(before, topSample)
				printUsage(topUsage)

				// One member joins the largest fleet, and leaves again.
				from := len(st.Fleet.IDs())
				ids, began, started := kit.Grow(ctx, st, 1)
				s := step{Kind: "join", Probe: true, From: from, To: from + 1, Changed: ids, Members: st.Fleet.IDs(), Began: began, Acted: started}
				s.Settled, _ = kit.SettleWithin(ctx, st, s.Members, 2*sc.StepSettle)
				steps = append(steps, s)
				settled = !s.Settled.IsZero()
				if settled {
					kit.AwaitLagHeld(ctx, st, s.Settled, 2*kit.B.Recovery)
					began, signalled := kit.Shrink(ctx, st, ids, sc.StepSettle)
					s := step{Kind: "leave", Probe: true, From: from + 1, To: from, Changed: ids, Members: st.Fleet.IDs(), Began: began, Acted: signalled}
					s.Settled, _ = kit.SettleWithin(ctx, st, s.Members, 2*sc.StepSettle)
					steps = append(steps, s)
					settled = !s.Settled.IsZero()
					if settled {
						kit.AwaitLagHeld(ctx, st, s.Settled, 2*kit.B.Recovery)
					}
				}
			}
			if settled && sc.Kill > 0 {
				all := st.Fleet.IDs()
				victims = spread(st.Fleet.Workers(), sc.Kill)
				var ps []chaos.Process
				for _, v := range victims {
					ps = append(ps, kit.Worker(st, v))
				}
				from := len(all)
				killedAt = kit.Inject(ctx, st, chaos.KillMany{Ps: ps}, 2*kit.B.Reassign)
				s := step{Kind: "kill", From: from, To: from - len(victims), Changed: victims, Members: kit.Without(all, victims...), Began: killedAt, Acted: killedAt}
				s.Settled, _ = kit.SettleWithin(ctx, st, s.Members, 2*kit.B.Reassign)
				steps = append(steps, s)
				settled = !s.Settled.IsZero()
				// The dead stay dead: remove their containers and sidecars.
				_, err := st.Fleet.Retire(ctx, kit.B.Shutdown, victims...)
				Expect(err).NotTo(HaveOccurred(), "removing the killed workers")
				if settled {
					kit.AwaitLagHeld(ctx, st, s.Settled, 2*kit.B.Recovery)
				}
			}

			// Down: retire the newest workers first, by SIGTERM.
			for i := len(sc.Ladder) - 2; i >= 0 && settled; i-- {
				ws := st.Fleet.Workers()
				size := sc.Ladder[i]
				if len(ws) <= size {
					continue
				}
				var gone []string
				for _, w := range ws[size:] {
					gone = append(gone, w.ID())
				}
				began, signalled := kit.Shrink(ctx, st, gone, sc.StepSettle)
				s := step{Kind: "leave", From: len(ws), To: size, Changed: gone, Members: st.Fleet.IDs(), Began: began, Acted: signalled}
				s.Settled, _ = kit.SettleWithin(ctx, st, s.Members, 2*sc.StepSettle)
				steps = append(steps, s)
				if s.Settled.IsZero() {
					break
				}
				kit.AwaitLagHeld(ctx, st, s.Settled, 2*kit.B.Recovery)
			}
			ladder = time.Since(start)
			GinkgoWriter.Printf("ladder of %d steps in %s\n", len(steps), ladder.Round(time.Second))
			h, stopped = kit.DrainRead(ctx, st)
			writeLadderReport(in.Combo, sc, steps, ladder, topUsage, h)
		}, NodeTimeout(30*time.Minute))

		It("settles every step into a stable group of exactly the new fleet, every partition owned by one member", func() {
			var labels []string
			var rs []verify.Result
			for _, s := range steps {
				if s.Kind == "kill" {
					continue // judged by the reassignment bound below
				}
				labels = append(labels, "settled "+s.label())
				rs = append(rs, verify.SettledWith(h, s.Acted, s.Members, sc.StepSettle))
			}
			kit.Counted("fleet size at the top of the ladder", "scale", sc.Top(), fitted.Why)
			Expect(len(steps)).To(BeNumerically(">=", 2*(len(sc.Ladder)-1)), "the ladder stopped early: %d steps", len(steps))
			kit.CheckEach(st, "scale", labels, rs)
		})

		spreadMax, promised := verify.PromisedSpread(in.Combo.Assignor)
		if promised {
			It(fmt.Sprintf("keeps every settled assignment balanced as %s promises (max - min partitions per member <= %d)", or(in.Combo.Assignor, "range"), spreadMax), func() {
				kit.Check(st, "scale", verify.Balanced(h, time.Time{}, time.Time{}, spreadMax))
			})
		}

		if in.Combo.Assignor == contract.AssignorCooperativeSticky {
			It("moves partitions on every join only to the members that joined", func() {
				var labels []string
				var rs []verify.Result
				for _, s := range steps {
					if s.Kind == "join" {
						labels = append(labels, s.label())
						rs = append(rs, verify.StickyMoves(h, s.Began, s.Members))
					}
				}
				kit.CheckEach(st, "scale", labels, rs)
			})

			It("keeps processing the partitions that do not move when one member joins the largest fleet", func() {
				// Every join is measured; the single member's join at the top
				// is judged. A ladder step starts tens of containers on the
				// same machine, which stalls every partition alike (the
				// baseline printed next to it shows it).
				judged := false
				var fails []string
				for _, s := range steps {
					if s.Kind != "join" || s.Settled.IsZero() {
						continue
					}
					c := bench.Cost(h, st.Graph, bench.Change{Kind: "join", From: s.From, To: s.To, At: lastStarted(h, s.Changed, s.Acted),
						Began: s.Began, Started: s.Acted, Members: s.Members, Changed: s.Changed})
					GinkgoWriter.Printf("%s: %d partitions kept, %d moved; longest stall of a kept partition %s (baseline before the step %s), of a moved one %s\n",
						s.label(), c.Kept, c.Moved, c.StallKept.Round(time.Millisecond), c.StallBaseline.Round(time.Millisecond), c.StallMoved.Round(time.Millisecond))
					if !s.Probe {
						continue
					}
					judged = true
					// The bound is the stated one unless this host stalls
					// partitions longer without any join (bounds.StallBound).
					host.QuietStall = c.StallBaseline
					bound := sc.StallBound(host)
					kit.Measured("stall of unmoved partitions, "+s.label(), "scale", c.StallKept, bound.Value)
					// The stall's context, in the report beside it: how many
					// partitions kept their owner, the longest stall of any
					// partition in the quiet window before the join, the bound.
					kit.Counted("partitions kept, "+s.label(), "scale", c.Kept,
						fmt.Sprintf("%d moved; quiet baseline stall before the join %s; bound %s", c.Moved, c.StallBaseline.Round(time.Millisecond), bound.Why))
					if c.Kept == 0 || c.StallKept > bound.Value {
						fails = append(fails, fmt.Sprintf("%s: of %d partitions that kept their owner one waited %s with a post pending (baseline before the join %s; bound %s; %d commit errors printed meanwhile)",
							s.label(), c.Kept, c.StallKept.Round(time.Millisecond), c.StallBaseline.Round(time.Millisecond), bound.Why, c.CommitErrors))
					}
				}
				if len(fails) > 0 {
					kit.WriteTimeline(st)
				}
				Expect(fails).To(BeEmpty(), "processing stalls longer than the bound on partitions that did not move")
				Expect(judged).To(BeTrue(), "the ladder never reached its top: no single join to judge")
			})
		}

		It("has lag under its threshold within the recovery bound after every step, and keeps it there until the next", func() {
			var labels []string
			var rs []verify.Result
			for i, s := range steps {
				since := s.Settled
				if since.IsZero() {
					since = s.Acted
				}
				w := kit.LagWindow(s.Began, since, false)
				if i+1 < len(steps) {
					w.Until = steps[i+1].Began
				}
				labels = append(labels, "lag "+s.label())
				rs = append(rs, verify.LagRecovered(h, w, kit.B.LagThreshold, kit.B.Recovery))
			}
			kit.CheckEach(st, "scale", labels, rs)
		})

		It("reassigns the partitions of the workers killed at once at the top within the session timeout plus slack", func() {
			if sc.Kill == 0 {
				Skip("CHAOS_SCALE_KILL=0")
			}
			Expect(victims).To(HaveLen(sc.Kill), "the kill did not happen")
			// The stated bound, unless a rebalance of the whole fleet (one
			// member's leave at the top, measured) is slower on this host
			// than the bound's slack allows (bounds.KillBound).
			for _, s := range steps {
				if s.Probe && s.Kind == "leave" {
					if after, ok := verify.FirstSettledWith(h, s.Began, s.Members); ok {
						host.FleetSettle = max(after.At.Sub(s.Acted), 0)
					}
				}
			}
			bound := bounds.KillBound(kit.B.Reassign, kit.B.SessionTimeout, host)
			kit.Counted("workers killed at once at the top", "scale", len(victims), "reassignment bound "+bound.Why)
			kit.Check(st, "sigkill-many", verify.Reassigned(h, killedAt, victims, bound.Value))
		})

		kit.KeepsTheData(func() kit.Scene { return kit.Scene{St: st, H: h, Fault: "scale"} })

		It("commits every post once the load stops (lag back to zero)", func() {
			kit.Check(st, "scale", verify.LagRecovered(h, verify.LagWindow{Fault: stopped, From: stopped, Until: h.End}, 0, kit.B.Drain))
		})

		It("runs the largest fleet's workers and proxies within the memory budget", func() {
			Expect(topUsage).NotTo(BeEmpty(), "the top of the ladder was not sampled")
			var total uint64
			var cores float64
			for _, u := range topUsage {
				total += u.Mem
				cores += u.Cores
			}
			GinkgoWriter.Printf("memory of %d containers at the top: %s (budget %s)\n", len(topUsage), bounds.FormatBytes(total), bounds.FormatBytes(sc.Memory))
			kit.Counted("containers at the top (workers and proxies)", "scale", len(topUsage),
				fmt.Sprintf("%s and %.2f cores at steady load; memory budget %s", bounds.FormatBytes(total), cores, bounds.FormatBytes(sc.Memory)))
			Expect(total).To(BeNumerically("<=", sc.Memory), "workers and proxies at the top use %s", bounds.FormatBytes(total))
		})

		It("runs the whole ladder within its wall-time budget", func() {
			Expect(ladder).To(BeNumerically(">", 0))
			kit.Measured("ladder wall time", "scale", ladder, sc.LadderWall)
			Expect(ladder).To(BeNumerically("<=", sc.LadderWall))
		})
	})
}

// The ladder runs once, with cooperative-sticky: the assignor whose promise
// (balanced, and sticky through joins) is the strongest to hold at a
// hundred members. The other assignors and KIP-848 are compared at every
// size by `make bench`.
var _ = LadderSpec(func() LadderInput { return LadderInput{Combo: specs.ClassicCoopSticky} })

// lastStarted returns the latest "started" event of the given workers
// (when the last of them subscribed), or def.
func lastStarted(h history.History, workers []string, def time.Time) time.Time {
	var at time.Time
	for _, w := range workers {
		for _, e := range kit.Events(h, w, time.Time{}) {
			if e.Event == "started" && e.TS.After(at) {
				at = e.TS
			}
		}
	}
	if at.IsZero() {
		return def
	}
	return at
}

// spread picks n workers evenly over the fleet in start order (w10, w20,
// ... of a hundred): a zone going down takes old and new members alike.
func spread(ws []*fixtures.Worker, n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, ws[i*len(ws)/n-1].ID())
	}
	return out
}

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// printUsage prints per-role totals and means of the sampled containers.
func printUsage(us []fixtures.Usage) {
	type agg struct {
		n     int
		mem   uint64
		cores float64
	}
	by := map[string]*agg{}
	for _, u := range us {
		a := by[u.Role]
		if a == nil {
			a = &agg{}
			by[u.Role] = a
		}
		a.n++
		a.mem += u.Mem
		a.cores += u.Cores
	}
	for _, r := range []string{fixtures.RoleWorker, fixtures.RoleProxy} {
		if a := by[r]; a != nil {
			GinkgoWriter.Printf("%-6s x%d: memory %s (mean %s), CPU %.2f cores (mean %.3f)\n", r, a.n,
				bounds.FormatBytes(a.mem), bounds.FormatBytes(a.mem/uint64(a.n)), a.cores, a.cores/float64(a.n))
		}
	}
}

// writeLadderReport writes reports/scale-ladder-<combo>-<top>.json: every step's
// timings relative to the stage's start, the wall time and the top's
// resource use, for the lead's report.
func writeLadderReport(c specs.Combination, sc bounds.Scale, steps []step, wall time.Duration, top []fixtures.Usage, h history.History) {
	start := h.Start
	type row struct {
		Step     string  `json:"step"`
		StartS   float64 `json:"start_s"`     // containers/signals: first to last
		SettleS  float64 `json:"settle_s"`    // last container running (or last signal) -> first settled snapshot (-1: never)
		AtS      float64 `json:"at_s"`        // step began, relative to the stage's start
		Changed  int     `json:"changed"`     // workers that joined, died or left
		FleetNow int     `json:"fleet_after"` // members after the step
	}
	var rows []row
	for _, s := range steps {
		r := row{Step: s.label(), StartS: s.Acted.Sub(s.Began).Seconds(), SettleS: -1, AtS: s.Began.Sub(start).Seconds(), Changed: len(s.Changed), FleetNow: len(s.Members)}
		// From the history (the observer's first settled snapshot), not
		// from when the step's wait returned: a shrink's wait starts only
		// after its containers are removed.
		if after, ok := verify.FirstSettledWith(h, s.Began, s.Members); ok {
			r.SettleS = max(after.At.Sub(s.Acted), 0).Seconds()
		}
		rows = append(rows, r)
	}
	var mem uint64
	var cores float64
	for _, u := range top {
		mem += u.Mem
		cores += u.Cores
	}
	out := map[string]any{
		"combination": c.String(), "ladder": sc.Ladder, "partitions": sc.Partitions, "post_rate": sc.PostRate,
		"start_limit": sc.StartLimit, "wall_s": wall.Seconds(), "steps": rows,
		"top_containers": len(top), "top_memory_bytes": mem, "top_cpu_cores": cores,
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	dir := kit.ReportsRoot()
	_ = os.MkdirAll(dir, 0o755)
	// Named by the top of the ladder, so a short run (CHAOS_SCALE_LADDER=1,2,5)
	// does not overwrite the full one's report.
	name := fmt.Sprintf("scale-ladder-%s-%d.json", strings.NewReplacer(" ", "-", ",", "", "(", "", ")", "").Replace(c.String()), sc.Top())
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		GinkgoWriter.Printf("writing %s: %v\n", name, err)
		return
	}
	GinkgoWriter.Printf("ladder report: %s\n", filepath.Join(dir, name))
}

// fitToMemory samples the fleet's workers and proxies (docker stats), sets
// host.MemPerMember to their mean per worker, and returns the ladder cut to
// what the engine's memory holds, printing why.
func fitToMemory(ctx SpecContext, st *fixtures.Stage, sc bounds.Scale, host *bounds.Host) bounds.Fitted[bounds.Scale] {
	GinkgoHelper()
	By(fmt.Sprintf("sampling the memory of %d workers and their proxies before the top", len(st.Fleet.IDs())))
	samples, err := fixtures.SampleContainers(ctx, st.Fleet.Containers(), 32)
	Expect(err).NotTo(HaveOccurred(), "docker stats of the fleet")
	var total uint64
	for _, s := range samples {
		total += s.Mem
	}
	if n := len(st.Fleet.IDs()); n > 0 {
		host.MemPerMember = total / uint64(n)
	}
	f := sc.FitLadder(*host, len(st.Fleet.IDs()))
	GinkgoWriter.Printf("ladder fitted to this machine: %s\n", f.Why)
	return f
}
