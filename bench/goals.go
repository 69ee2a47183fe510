package bench

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Issue goals for this machine class.
const (
	GoalLadderWall   = 10 * time.Minute
	GoalMemory       = uint64(6) << 30
	GoalBareRatio    = 0.8
	GoalFleet        = 100
	GoalStallSlack   = 500 * time.Millisecond // "~0": at most this much above the baseline
	CooperativeLabel = "cooperative-sticky"
)

// LadderRun is what the scale suite's ladder wrote
// (reports/scale-ladder-<combination>.json): the bench reports it because
// the suite's ladder, not the bench's, is the one with the 10-minute goal.
type LadderRun struct {
	Combination    string  `json:"combination"`
	Ladder         []int   `json:"ladder"`
	WallS          float64 `json:"wall_s"`
	TopContainers  int     `json:"top_containers"`
	TopMemoryBytes uint64  `json:"top_memory_bytes"`
	TopCPUCores    float64 `json:"top_cpu_cores"`
	Steps          []struct {
		Step    string  `json:"step"`
		StartS  float64 `json:"start_s"`
		SettleS float64 `json:"settle_s"`
	} `json:"steps"`
	File    string    `json:"-"`
	ModTime time.Time `json:"-"`
}

// ParseLadderRun reads a scale suite ladder report.
func ParseLadderRun(b []byte) (LadderRun, error) {
	var l LadderRun
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("ladder report: %w", err)
	}
	return l, nil
}

// Goals evaluates the goals against the report (and the scale
// suite's ladder run, when there is one).
func Goals(r Report, ladder *LadderRun) []Goal {
	var gs []Goal

	// 1. The 1 -> 100 ladder in under 10 minutes (the scale suite's).
	g := Goal{Name: "1 → 100 ladder wall time", Target: "< " + GoalLadderWall.String()}
	if ladder != nil && len(ladder.Ladder) > 0 {
		wall := time.Duration(ladder.WallS * float64(time.Second))
		g.Known = ladder.Ladder[len(ladder.Ladder)-1] >= GoalFleet
		g.Met = wall < GoalLadderWall
		g.Measured = fmt.Sprintf("%s (scale suite, %s, ladder %v up and down, %s)", wall.Round(time.Second), ladder.Combination, ladder.Ladder, ladder.ModTime.UTC().Format("2006-01-02 15:04"))
	} else {
		g.Measured = "run `make scale` first: the scale suite's ladder report is not in the output directory"
	}
	gs = append(gs, g)

	// 2. 100 workers plus their proxies under 6 GiB.
	g = Goal{Name: fmt.Sprintf("memory of %d workers + proxies", GoalFleet), Target: "< " + gib(GoalMemory)}
	var worst uint64
	var where string
	for _, c := range r.Combos {
		if s, ok := c.Size(GoalFleet); ok {
			if m := s.Worker.MemTotal + s.Proxy.MemTotal; m > worst {
				worst, where = m, c.Name
			}
		}
	}
	if where != "" {
		g.Known, g.Met = true, worst < GoalMemory
		g.Measured = fmt.Sprintf("%s (largest, %s)", gib(worst), where)
	} else if ladder != nil && ladder.TopMemoryBytes > 0 {
		g.Known, g.Met = true, ladder.TopMemoryBytes < GoalMemory
		g.Measured = fmt.Sprintf("%s (scale suite, %d containers)", gib(ladder.TopMemoryBytes), ladder.TopContainers)
	} else {
		g.Measured = fmt.Sprintf("no fleet of %d in this run", GoalFleet)
	}
	gs = append(gs, g)

	// 3 and 4. A cooperative-sticky join at 100 members.
	move := Goal{Name: fmt.Sprintf("cooperative-sticky join at %d members: moves only what the new member gets", GoalFleet), Target: "moved ≤ needed, none between staying members"}
	stall := Goal{Name: "cooperative-sticky join: unmoved partitions keep processing", Target: fmt.Sprintf("stall ≤ baseline + %s", GoalStallSlack)}
	for _, c := range r.Combos {
		if c.Assignor != CooperativeLabel {
			continue
		}
		top := c.Top()
		rb, ok := c.Probe("join", top)
		if !ok || !rb.Settled {
			move.Measured, stall.Measured = "no settled join probe", "no settled join probe"
			break
		}
		move.Known, stall.Known = top >= GoalFleet, top >= GoalFleet
		move.Met = rb.Moved <= rb.Needed && rb.Between == 0
		move.Measured = fmt.Sprintf("at %d: moved %d, the new member got %d, %d between staying members", top, rb.Moved, rb.Needed, rb.Between)
		stall.Met = rb.StallKept <= rb.StallBaseline+GoalStallSlack
		stall.Measured = fmt.Sprintf("at %d: %s on unmoved partitions (baseline %s, moved ones %s)", top, secs(rb.StallKept), secs(rb.StallBaseline), secs(rb.StallMoved))
		break
	}
	if move.Measured == "" {
		move.Measured, stall.Measured = "cooperative-sticky not in this run", "cooperative-sticky not in this run"
	}
	gs = append(gs, move, stall)

	// 5. One worker keeps 80% of the bare loop.
	g = Goal{Name: "one worker vs bare consume → produce loop (at-least-once)", Target: fmt.Sprintf("≥ %.0f%%", 100*GoalBareRatio)}
	if r.Bare != nil && r.Bare.Bare.PostsPerSec > 0 {
		g.Known, g.Met = true, r.Bare.RatioMedian >= GoalBareRatio
		g.Measured = fmt.Sprintf("%.0f%% median of %d paired rounds (%s); best against best %.0f%% (%s vs %s posts/s)",
			100*r.Bare.RatioMedian, len(r.Bare.RoundRatios), percents(r.Bare.RoundRatios), 100*r.Bare.Ratio, num(r.Bare.Worker.PostsPerSec), num(r.Bare.Bare.PostsPerSec))
	} else {
		g.Measured = "not run"
	}
	gs = append(gs, g)

	// 6. Start-up of the largest step (reported, no numeric goal).
	g = Goal{Name: "fleet start-up (containers created and started concurrently)", Target: "reported"}
	for _, c := range r.Combos {
		if rb, ok := c.Grow(c.Top()); ok && rb.Start > 0 {
			g.Known, g.Met = true, true
			g.Measured = fmt.Sprintf("%d workers + proxies in %s (%s per worker, %d at once; %s)", rb.To-rb.From, secs(rb.Start), secs(rb.Start/time.Duration(max(1, rb.To-rb.From))), r.Config.StartLimit, c.Name)
			break
		}
	}
	if !g.Known {
		g.Measured = "no ladder step"
	}
	gs = append(gs, g)
	return gs
}

func percents(fs []float64) string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%.0f%%", 100*f))
	}
	return strings.Join(out, ", ")
}
