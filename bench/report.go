package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Files the report writes into its directory.
const (
	FileMarkdown = "bench.md"
	FileJSON     = "bench.json"
)

// Chart files (SVG) next to the report.
var chartFiles = []string{"bench-settle.svg", "bench-moved.svg", "bench-stall.svg", "bench-throughput.svg", "bench-latency.svg", "bench-memory.svg"}

// Write renders r into dir: bench.md, bench.json and the SVG charts. It
// returns the paths written.
func Write(dir string, r Report) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	put := func(name, content string) error {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
		paths = append(paths, p)
		return nil
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := put(FileJSON, string(js)+"\n"); err != nil {
		return paths, err
	}
	for name, svg := range Charts(r) {
		if err := put(name, svg); err != nil {
			return paths, err
		}
	}
	if err := put(FileMarkdown, Markdown(r)); err != nil {
		return paths, err
	}
	return paths, nil
}

// Top returns the largest fleet size the combination reached.
func (c ComboResult) Top() int {
	top := 0
	for _, s := range c.Sizes {
		top = max(top, s.Workers)
	}
	return top
}

// Size returns the measurements at n workers.
func (c ComboResult) Size(n int) (SizeResult, bool) {
	for _, s := range c.Sizes {
		if s.Workers == n {
			return s, true
		}
	}
	return SizeResult{}, false
}

// Probe returns the single-member change of kind ("join" or "leave") made
// at fleet size n (a join from n, a leave back to n).
func (c ComboResult) Probe(kind string, n int) (Rebalance, bool) {
	for _, rb := range c.Rebalances {
		if rb.Kind != kind {
			continue
		}
		if (kind == "join" && rb.From == n) || (kind == "leave" && rb.To == n) {
			return rb, true
		}
	}
	return Rebalance{}, false
}

// Grow returns the ladder step that reached n workers.
func (c ComboResult) Grow(n int) (Rebalance, bool) {
	for _, rb := range c.Rebalances {
		if rb.Kind == "grow" && rb.To == n {
			return rb, true
		}
	}
	return Rebalance{}, false
}

// Markdown renders the report for people: the machine, the main table (one
// row per assignor × protocol at the largest fleet), the goals, the worker
// against the bare loop, then per combination the rebalances and the
// throughput and resources at every size, and the charts.
func Markdown(r Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Feed fleet bench\n\n")
	m := r.Machine
	fmt.Fprintf(&b, "Run from %s to %s UTC. Machine: %d CPUs (nproc), %s memory, kernel %s%s, Docker %s (%s storage, cgroup %s), %s, librdkafka %s.\n\n",
		r.Started.UTC().Format("2006-01-02 15:04"), r.Finished.UTC().Format("15:04"), m.CPUs, gib(m.MemoryBytes), m.Kernel,
		orEmpty(", "+m.OS, m.OS), m.Docker, orDash(m.DockerStorage), orDash(m.Cgroup), m.Go, orDash(m.Librdkafka))
	c := r.Config
	fmt.Fprintf(&b, "Ladder %v workers over %d partitions of `posts`, steady load %d posts/s (%.1f feed updates per post on average), throughput bursts of %d posts, %d containers started at once; session timeout %s, heartbeat %s. Command: `%s`%s.\n\n",
		c.Sizes, c.Partitions, c.PostRate, c.FollowersMean, c.Burst, c.StartLimit, c.SessionTimeout, c.Heartbeat, c.CommandLine, orEmpty(" at "+c.Commit, c.Commit))

	b.WriteString("## Main table\n\n")
	b.WriteString(MainTable(r))
	b.WriteString("\nJoin and leave are one member joining the fleet of the size shown (its `started` event, i.e. it subscribed) and leaving it again (SIGTERM), each timed to the first settled assignment (group Stable, every partition owned once, exactly the new members) the observer saw (250 ms sampling). *Moved* counts partitions whose owner changed; *needed* is what the new member got (the least a join can move); *between* are moves between members that stayed (what a sticky assignor avoids). *Stall* is the longest time a partition that kept its owner had an acked post waiting and produced no feed update (from the verifier's history), next to the same measure over an equally long window before the change. Throughput is draining a burst on top of the steady load.\n\n")

	if len(r.Goals) > 0 {
		b.WriteString("## Goals\n\n| goal | target | measured | met |\n|---|---|---|---|\n")
		for _, g := range r.Goals {
			met := "no"
			switch {
			case !g.Known:
				met = "not measured"
			case g.Met:
				met = "yes"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", g.Name, g.Target, g.Measured, met)
		}
		b.WriteString("\n")
		for _, g := range r.Goals {
			if g.Reason != "" {
				fmt.Fprintf(&b, "- **%s**: %s\n", g.Name, g.Reason)
			}
		}
		b.WriteString("\n")
	}

	if len(r.Notes) > 0 {
		b.WriteString("## Observations\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}

	if r.Bare != nil {
		b.WriteString(bareSection(*r.Bare))
	}

	for _, cr := range r.Combos {
		b.WriteString(comboSection(cr))
	}

	b.WriteString("## Charts\n\n")
	for _, f := range chartFiles {
		fmt.Fprintf(&b, "![%s](%s)\n\n", strings.TrimSuffix(strings.TrimPrefix(f, "bench-"), ".svg"), f)
	}
	return b.String()
}

// MainTable is one row per combination at its largest fleet.
func MainTable(r Report) string {
	var b strings.Builder
	b.WriteString("| assignor × protocol | fleet | join → stable | moved by a join (needed, between) | stall of unmoved partitions in a join (baseline) | leave → stable | moved by a leave (needed) | posts/s | feed updates/s | CPU per worker (busy) | mem per worker | CPU per proxy (busy) | mem per proxy | start of the last step |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range r.Combos {
		top := c.Top()
		if c.Error != "" && top == 0 {
			fmt.Fprintf(&b, "| %s | - | failed: %s | | | | | | | | | | | |\n", c.Name, oneLine(c.Error))
			continue
		}
		s, _ := c.Size(top)
		j, jok := c.Probe("join", top)
		l, lok := c.Probe("leave", top)
		g, gok := c.Grow(top)
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			c.Name, top,
			settleCell(j, jok), movedCell(j, jok), stallCell(j, jok),
			settleCell(l, lok), movedLeaveCell(l, lok),
			num(s.PostsPerSec), num(s.UpdatesPerSec),
			cores(s.Worker.BusyMean), mib(s.Worker.MemMean), cores(s.Proxy.BusyMean), mib(s.Proxy.MemMean),
			startCell(g, gok))
	}
	return b.String()
}

func bareSection(br BareResult) string {
	var b strings.Builder
	b.WriteString("## One worker against a bare consume → produce loop\n\n")
	if br.Error != "" {
		fmt.Fprintf(&b, "Failed: %s\n\n", oneLine(br.Error))
	}
	fmt.Fprintf(&b, "%d posts pre-loaded on %d partitions (%s, %.0f posts/s), fanning out to %d feed updates; each run drains them with a fresh group, %s, behind its own proxy, on the same broker, the runs taking turns. *bareloop* writes the same feed update records as the worker, appended byte by byte (the baseline); *bareloop-raw* writes the post's bytes as each update's value (the floor). The rate is taken between 10%% and 90%% of the drain; CPU over that window, memory at its end. Best run of each:\n\n",
		br.Posts, br.Partitions, br.Preload.Took.Round(time.Millisecond), br.Preload.Rate, br.Expected, br.Delivery)
	b.WriteString("| loop | posts/s | feed updates/s | drain | CPU (cores) | RSS | mem | proxy CPU |\n|---|---|---|---|---|---|---|---|\n")
	for _, run := range []BareRun{br.Worker, br.Bare, br.BareRaw} {
		if run.Name == "" {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %.2f | %s | %s | %.2f |\n", run.Name, num(run.PostsPerSec), num(run.UpdatesPerSec), run.Drain.Round(10*time.Millisecond), run.CPU, mib(run.RSS), mib(run.Mem), run.ProxyCPU)
	}
	fmt.Fprintf(&b, "\nWorker ÷ bare loop: **%.0f%%** median of the paired rounds (%s; goal ≥ %.0f%%), %.0f%% best against best; worker ÷ raw bare loop %.0f%%.\n\n",
		100*br.RatioMedian, percents(br.RoundRatios), 100*br.Goal, 100*br.Ratio, 100*br.RatioRaw)
	if len(br.Runs) > 2 {
		b.WriteString("All runs: ")
		var rs []string
		for _, run := range br.Runs {
			rs = append(rs, fmt.Sprintf("%s #%d %s posts/s", run.Name, run.Round, num(run.PostsPerSec)))
		}
		b.WriteString(strings.Join(rs, ", ") + ".\n\n")
	}
	for _, n := range br.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	if len(br.Notes) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

func comboSection(c ComboResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", c.Name)
	if c.Error != "" {
		fmt.Fprintf(&b, "**Error:** %s\n\n", oneLine(c.Error))
	}
	fmt.Fprintf(&b, "Ladder wall time %s. No lost updates: %s.", c.Wall.Round(time.Second), passFail(c.LostPass, c.Lost))
	if cs := c.Commits; cs.Workers > 0 && cs.Measured == 0 {
		fmt.Fprintf(&b, " Offset commit latency: not exposed by the %d workers alive at the end (feedworker_commit_latency_seconds is optional).", cs.Workers)
	} else if cs.Workers > 0 {
		fmt.Fprintf(&b, " Offset commits of the %d workers alive at the end (%d exposing the latency histogram): %d, of which %d took over 0.5 s, %d over 1 s, %d over 2.5 s.", cs.Workers, cs.Measured, cs.Commits, cs.Over500, cs.Over1s, cs.Over2500)
	}
	b.WriteString("\n\n")
	b.WriteString("| change | containers started in | → stable | moved | needed | between | kept | stall kept | stall moved | baseline | commit errors |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, rb := range c.Rebalances {
		st := "-"
		if rb.Start > 0 {
			st = secs(rb.Start)
		}
		settle := "never"
		if rb.Settled {
			settle = secs(rb.Settle)
		}
		fmt.Fprintf(&b, "| %s %d → %d | %s | %s | %d | %d | %d | %d | %s | %s | %s | %d |\n", rb.Kind, rb.From, rb.To, st, settle, rb.Moved, rb.Needed, rb.Between, rb.Kept, secs(rb.StallKept), secs(rb.StallMoved), secs(rb.StallBaseline), rb.CommitErrors)
	}
	b.WriteString("\n| workers | posts/s | updates/s | drain | host CPUs busy | worker CPU idle / busy (max) | worker mem (max) | proxy CPU idle / busy | proxy mem | broker CPU busy | workers + proxies mem |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range c.Sizes {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s / %s (%s) | %s (%s) | %s / %s | %s | %s | %s |\n", s.Workers, num(s.PostsPerSec), num(s.UpdatesPerSec), secs(s.Drain), pct(s.HostBusy),
			cores(s.Worker.IdleMean), cores(s.Worker.BusyMean), cores(s.Worker.BusyMax), mib(s.Worker.MemMean), mib(s.Worker.MemMax),
			cores(s.Proxy.IdleMean), cores(s.Proxy.BusyMean), mib(s.Proxy.MemMean), cores(s.Broker.BusyMean), gib(s.Worker.MemTotal+s.Proxy.MemTotal))
	}
	b.WriteString("\nFeed-update latency under the steady load (post record timestamp → update record timestamp, posts stamped in the window before the burst):\n\n")
	b.WriteString("| workers | window | updates | p50 | p99 | max | worst partition p99 | median partition p99 | spread |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range c.Sizes {
		l := s.Latency
		spread := "-"
		if l.Spread > 0 {
			spread = fmt.Sprintf("%.2f", l.Spread)
		}
		worst := "-"
		if l.WorstPartition >= 0 {
			worst = fmt.Sprintf("%s (p%d)", msecs(l.WorstP99), l.WorstPartition)
		}
		fmt.Fprintf(&b, "| %d | %s | %d | %s | %s | %s | %s | %s | %s |\n", s.Workers, secs(l.Window), l.Updates, msecs(l.P50), msecs(l.P99), msecs(l.Max), worst, msecs(l.MedianP99), spread)
	}
	b.WriteString("\n")
	return b.String()
}

// msecs prints a latency at millisecond precision ("-" for none).
func msecs(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return d.Round(time.Millisecond).String()
}

// Charts renders the SVG charts, keyed by file name: settle time of a
// join and a leave, partitions moved per join, stall of unmoved partitions,
// throughput, and memory of workers plus proxies, against fleet size.
func Charts(r Report) map[string]string {
	sizes := map[int]bool{}
	for _, c := range r.Combos {
		for _, s := range c.Sizes {
			sizes[s.Workers] = true
		}
	}
	var ns []int
	for n := range sizes {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	xs := make([]string, len(ns))
	for i, n := range ns {
		xs[i] = strconv.Itoa(n)
	}
	series := func(val func(c ComboResult, n int) float64, suffix string) []Series {
		var out []Series
		for i, c := range r.Combos {
			s := Series{Name: c.Name + suffix, Color: i + 1, Dashed: strings.Contains(suffix, "leave")}
			for _, n := range ns {
				s.Values = append(s.Values, val(c, n))
			}
			out = append(out, s)
		}
		return out
	}
	probe := func(kind string, f func(Rebalance) float64) func(c ComboResult, n int) float64 {
		return func(c ComboResult, n int) float64 {
			rb, ok := c.Probe(kind, n)
			if !ok || !rb.Settled {
				return math.NaN()
			}
			return f(rb)
		}
	}
	size := func(f func(SizeResult) float64) func(c ComboResult, n int) float64 {
		return func(c ComboResult, n int) float64 {
			s, ok := c.Size(n)
			if !ok {
				return math.NaN()
			}
			return f(s)
		}
	}
	settle := append(series(probe("join", func(rb Rebalance) float64 { return rb.Settle.Seconds() }), " (join)"),
		series(probe("leave", func(rb Rebalance) float64 { return rb.Settle.Seconds() }), " (leave)")...)
	ms := func(d time.Duration) float64 {
		if d == 0 {
			return math.NaN()
		}
		return float64(d) / float64(time.Millisecond)
	}
	latency := append(series(size(func(s SizeResult) float64 { return ms(s.Latency.WorstP99) }), " (worst partition p99)"),
		series(size(func(s SizeResult) float64 { return ms(s.Latency.MedianP99) }), " (median partition p99)")...)
	for i := len(latency) / 2; i < len(latency); i++ {
		latency[i].Dashed = true
	}
	return map[string]string{
		"bench-settle.svg": LineChart("Join / leave of one member → stable assignment", "fleet size (workers)", "seconds", xs, settle),
		"bench-moved.svg":  LineChart("Partitions moved by one member joining", "fleet size (workers)", "partitions", xs, series(probe("join", func(rb Rebalance) float64 { return float64(rb.Moved) }), "")),
		"bench-stall.svg":  LineChart("Longest stall of an unmoved partition during a join", "fleet size (workers)", "seconds", xs, series(probe("join", func(rb Rebalance) float64 { return rb.StallKept.Seconds() }), "")),
		"bench-throughput.svg": LineChart("Fleet throughput draining a burst", "fleet size (workers)", "posts/s", xs,
			series(size(func(s SizeResult) float64 { return s.PostsPerSec }), "")),
		"bench-latency.svg": LineChart("Feed-update p99 latency under steady load: worst partition (solid), median partition (dashed)", "fleet size (workers)", "ms", xs,
			latency),
		"bench-memory.svg": LineChart("Memory of workers plus their proxies", "fleet size (workers)", "MiB", xs,
			series(size(func(s SizeResult) float64 { return float64(s.Worker.MemTotal+s.Proxy.MemTotal) / (1 << 20) }), "")),
	}
}

func settleCell(rb Rebalance, ok bool) string {
	switch {
	case !ok:
		return "-"
	case !rb.Settled:
		return "never"
	}
	return secs(rb.Settle)
}

func movedCell(rb Rebalance, ok bool) string {
	if !ok || !rb.Settled {
		return "-"
	}
	return fmt.Sprintf("%d (%d, %d)", rb.Moved, rb.Needed, rb.Between)
}

func movedLeaveCell(rb Rebalance, ok bool) string {
	if !ok || !rb.Settled {
		return "-"
	}
	return fmt.Sprintf("%d (%d)", rb.Moved, rb.Needed)
}

func stallCell(rb Rebalance, ok bool) string {
	if !ok || !rb.Settled {
		return "-"
	}
	return fmt.Sprintf("%s (%s)", secs(rb.StallKept), secs(rb.StallBaseline))
}

func startCell(rb Rebalance, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%s for %d", secs(rb.Start), rb.To-rb.From)
}

func secs(d time.Duration) string {
	if d == 0 {
		return "0 s"
	}
	if d < 10*time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func num(f float64) string {
	switch {
	case f == 0:
		return "-"
	case f >= 100:
		return strconv.FormatFloat(math.Round(f), 'f', 0, 64)
	default:
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
}

func pct(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*f)
}

func cores(f float64) string {
	if f == 0 {
		return "-"
	}
	return strconv.FormatFloat(f, 'f', 3, 64)
}

func mib(n uint64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func gib(n uint64) string {
	if n < 1<<30 {
		return mib(n)
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func orEmpty(s, cond string) string {
	if cond == "" {
		return ""
	}
	return s
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", "/")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func passFail(ok bool, msg string) string {
	if ok {
		return "pass"
	}
	if msg == "" {
		return "not checked"
	}
	return "**FAIL** — " + oneLine(msg)
}
