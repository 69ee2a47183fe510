package bench

import (
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

const ms = time.Millisecond

func testGraph(t *testing.T) *graph.Graph {
	t.Helper()
	g, err := graph.New(7, 100)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// authors returns n authors with at least one follower.
func authors(t *testing.T, g *graph.Graph, n int) []int {
	t.Helper()
	var out []int
	for a := 0; a < g.Users() && len(out) < n; a++ {
		if g.FollowerCount(a) > 0 {
			out = append(out, a)
		}
	}
	if len(out) < n {
		t.Fatalf("only %d authors with followers", len(out))
	}
	return out
}

func TestThroughputCountsPostsDoneInTheWindow(t *testing.T) {
	g := testGraph(t)
	as := authors(t, g, 3)
	b := ht.New(2)
	// p0 done before the window, p1 and p2 inside it, p3 half done.
	b.Post(0, "p0", as[0], 0, 0).FanOut(100*ms, g, "w1")
	b.Post(time.Second, "p1", as[1], 0, 1).Post(time.Second, "p2", as[2], 1, 0).FanOut(1500*ms, g, "w1")
	fs, _ := g.Followers(as[0])
	b.Post(1600*ms, "p3", as[0], 1, 1).Update(1700*ms, "p3", fs[0], "w1", 1, 1)
	h := b.History()
	posts, updates := Throughput(h, g, ht.At(time.Second), ht.At(3*time.Second))
	if posts != 1 { // p1 and p2 over 2 s
		t.Errorf("posts/s %v, want 1", posts)
	}
	want := float64(g.FollowerCount(as[1])+g.FollowerCount(as[2])+1) / 2
	if updates != want {
		t.Errorf("updates/s %v, want %v", updates, want)
	}
	if p, u := Throughput(h, g, ht.At(time.Second), ht.At(time.Second)); p != 0 || u != 0 {
		t.Errorf("empty window: %v %v", p, u)
	}
}

func TestRateBetweenLeavesOutStartAndTail(t *testing.T) {
	t0 := ht.T0
	// Slow start (0..1s: 0), then 1000 records/s with 10 updates each.
	var ps []Progress
	for i := 0; i <= 12; i++ {
		c := int64(max(0, i-1)) * 1000
		ps = append(ps, Progress{At: t0.Add(time.Duration(i) * time.Second), Committed: min(c, 10000), Produced: min(c, 10000) * 10})
	}
	posts, updates, from, to, ok := RateBetween(ps, 10000, 0.1, 0.9)
	if !ok || math.Abs(posts-1000) > 1e-6 || math.Abs(updates-10000) > 1e-6 {
		t.Fatalf("rate %v %v ok %v", posts, updates, ok)
	}
	if !from.Equal(t0.Add(2*time.Second)) || !to.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("window %s .. %s", from.Sub(t0), to.Sub(t0))
	}
	if _, _, _, _, ok := RateBetween(ps[:5], 10000, 0.1, 0.9); ok {
		t.Fatal("never reached 90%: want !ok")
	}
}

func TestSummarize(t *testing.T) {
	idle := []Usage{{Role: "worker", Cores: 0.01, Mem: 10}, {Role: "worker", Cores: 0.03, Mem: 12}, {Role: "proxy", Cores: 0.5}}
	busy := []Usage{{Role: "worker", Cores: 0.2, Mem: 20, RSS: 10}, {Role: "worker", Cores: 0.4, Mem: 30, RSS: 20}, {Role: "proxy", Cores: 0.1, Mem: 5}}
	w := Summarize("worker", idle, busy)
	if w.N != 2 || math.Abs(w.IdleMean-0.02) > 1e-9 || math.Abs(w.BusyMean-0.3) > 1e-9 || w.BusyMax != 0.4 || w.MemTotal != 50 || w.MemMax != 30 || w.MemMean != 25 || w.RSSMean != 15 {
		t.Fatalf("%+v", w)
	}
	if p := Summarize("proxy", idle, nil); p.N != 1 || p.IdleMean != 0.5 || p.BusyMean != 0 {
		t.Fatalf("no busy window: %+v", p)
	}
}

// A join under an eager assignor: every partition is revoked, the kept
// ones pause as long as the moved ones, and some move between members that
// stay. Cost must show the stall, the moves and the settle time.
func TestCostOfAnEagerJoin(t *testing.T) {
	g := testGraph(t)
	as := authors(t, g, 1)
	fs, _ := g.Followers(as[0])
	b := ht.New(4).
		Stable(0, 2*time.Second, 250*ms, 1, ht.M("w1", 0, 1), ht.M("w2", 2, 3)).
		Event(2100*ms, "w3", "started").
		Snapshot(2250*ms, "PreparingRebalance", 1, ht.M("w1", 0, 1), ht.M("w2", 2, 3), ht.M("w3")).
		Stable(3*time.Second, 4*time.Second, 250*ms, 2, ht.M("w1", 0), ht.M("w2", 1, 3), ht.M("w3", 2)).
		Event(2300*ms, "w1", "error")
	// Partition 0 (kept by w1) has a post waiting from 2.2 s to 3.2 s.
	b.Post(1*time.Second, "a", as[0], 0, 0).Update(1010*ms, "a", fs[0], "w1", 0, 0).
		Post(2200*ms, "b", as[0], 0, 1).Update(3200*ms, "b", fs[0], "w1", 0, 1).
		Post(2300*ms, "c", as[0], 1, 0).Update(3300*ms, "c", fs[0], "w2", 1, 0)
	h := b.History()
	h.Events[1].Error = "commit: Broker: Specified group generation id is not valid"
	rb := Cost(h, g, Change{Kind: "join", From: 2, To: 3, At: ht.At(2100 * ms), Began: ht.At(2 * time.Second), Started: ht.At(2050 * ms),
		Members: []string{"w1", "w2", "w3"}, Changed: []string{"w3"}})
	if !rb.Settled || rb.Settle != 900*ms || rb.Start != 50*ms {
		t.Fatalf("settle %+v", rb)
	}
	if rb.Moved != 2 || rb.Between != 1 || rb.Kept != 2 || rb.Needed != 1 {
		t.Fatalf("moves %+v", rb)
	}
	if rb.StallKept != time.Second || rb.StallMoved != time.Second || rb.StallBaseline != 10*ms {
		t.Fatalf("stalls %+v", rb)
	}
	if rb.CommitErrors != 1 {
		t.Fatalf("commit errors %d", rb.CommitErrors)
	}
	// A leave needs what the leaver held.
	lv := Cost(h, g, Change{Kind: "leave", From: 2, To: 3, At: ht.At(2100 * ms), Began: ht.At(2 * time.Second), Members: []string{"w1", "w2", "w3"}, Changed: []string{"w2"}})
	if lv.Needed != 2 {
		t.Fatalf("leave needed %d, want w2's 2", lv.Needed)
	}
	// Never settled.
	ns := Cost(h, g, Change{Kind: "join", Began: ht.At(2 * time.Second), Members: []string{"w1", "w9"}})
	if ns.Settled {
		t.Fatal("w9 never joined: want unsettled")
	}
}

func sampleReport() Report {
	mk := func(name, assignor string, between int, stall time.Duration) ComboResult {
		c := ComboResult{Name: name, Assignor: assignor, Protocol: "classic", LostPass: true, Lost: "ok", Wall: 3 * time.Minute}
		for i, n := range []int{1, 10, 100} {
			c.Sizes = append(c.Sizes, SizeResult{Workers: n, PostsPerSec: float64(1000 * (i + 1)), UpdatesPerSec: float64(10000 * (i + 1)),
				Worker: ResourceStats{N: n, BusyMean: 0.01, MemMean: 20 << 20, MemTotal: uint64(n) * 20 << 20},
				Proxy:  ResourceStats{N: n, BusyMean: 0.005, MemMean: 5 << 20, MemTotal: uint64(n) * 5 << 20},
				Latency: SteadyLatency{Window: 3 * time.Second, Updates: 1500, P50: 12 * ms, P99: 40 * ms, Max: 61 * ms,
					WorstPartition: 3, WorstP99: time.Duration(45+i) * ms, MedianP99: 25 * ms, Spread: 1.8}})
			if i > 0 {
				c.Rebalances = append(c.Rebalances, Rebalance{Kind: "grow", From: []int{1, 10}[i-1], To: n, Start: time.Duration(n) * 300 * ms, Settle: 2 * time.Second, Settled: true})
			}
			c.Rebalances = append(c.Rebalances,
				Rebalance{Kind: "join", From: n, To: n + 1, Settle: time.Second, Settled: true, Moved: 1 + between, Needed: 1, Between: between, StallKept: stall, StallBaseline: 100 * ms},
				Rebalance{Kind: "leave", From: n + 1, To: n, Settle: 700 * ms, Settled: true, Moved: 1, Needed: 1})
		}
		return c
	}
	return Report{
		Machine: Machine{CPUs: 2, MemoryBytes: 24 << 30, Kernel: "6.1.0", Docker: "20.10.24", Go: "go1.26.8", Date: ht.T0},
		Config:  Config{Sizes: []int{1, 10, 100}, Partitions: 120, PostRate: 200, Burst: 6000, StartLimit: 16, CommandLine: "go run ./cmd/bench"},
		Combos:  []ComboResult{mk("classic range", "range", 40, 3*time.Second), mk("classic cooperative-sticky", "cooperative-sticky", 0, 150*ms)},
		Bare: &BareResult{Posts: 1000, Partitions: 12, Goal: 0.8, Ratio: 0.9, RatioMedian: 0.85, RoundRatios: []float64{0.8, 0.9},
			Worker: BareRun{Name: "feedworker", PostsPerSec: 900}, Bare: BareRun{Name: "bareloop", PostsPerSec: 1000}},
		Started: ht.T0, Finished: ht.T0.Add(20 * time.Minute),
	}
}

func TestGoals(t *testing.T) {
	r := sampleReport()
	ladder := &LadderRun{Combination: "classic cooperative-sticky", Ladder: []int{1, 100}, WallS: 420, TopMemoryBytes: 3 << 30}
	gs := Goals(r, ladder)
	byName := map[string]Goal{}
	for _, g := range gs {
		byName[g.Name] = g
	}
	check := func(prefix string, known, met bool) {
		t.Helper()
		for n, g := range byName {
			if strings.HasPrefix(n, prefix) {
				if g.Known != known || g.Met != met {
					t.Errorf("%s: known %v met %v (%s), want %v %v", n, g.Known, g.Met, g.Measured, known, met)
				}
				return
			}
		}
		t.Errorf("no goal %q", prefix)
	}
	check("1 → 100 ladder", true, true)
	check("memory of 100", true, true) // 100 × 25 MiB
	check("cooperative-sticky join at 100", true, true)
	check("cooperative-sticky join: unmoved", true, true)
	check("one worker vs bare", true, true)
	check("fleet start-up", true, true)

	// A bad run: the cooperative join reshuffles and stalls; the worker is slow.
	r.Combos[1].Rebalances[len(r.Combos[1].Rebalances)-2].Between = 3
	r.Combos[1].Rebalances[len(r.Combos[1].Rebalances)-2].StallKept = 2 * time.Second
	r.Bare.RatioMedian = 0.5
	for _, g := range Goals(r, nil) {
		switch {
		case strings.HasPrefix(g.Name, "cooperative-sticky"), strings.HasPrefix(g.Name, "one worker"):
			if g.Met {
				t.Errorf("%s should not be met: %s", g.Name, g.Measured)
			}
		case strings.HasPrefix(g.Name, "1 → 100"):
			if g.Known {
				t.Errorf("no ladder run: %s should be unknown", g.Name)
			}
		}
	}
}

func TestMarkdownHasTheMainTableAndTheMachine(t *testing.T) {
	r := sampleReport()
	r.Goals = Goals(r, nil)
	md := Markdown(r)
	for _, want := range []string{
		"from 2030-01-02 03:04 to 03:24 UTC", "2 CPUs (nproc)", "24.00 GiB memory", "kernel 6.1.0", "Docker 20.10.24", "go1.26.8",
		"| classic range | 100 | 1.00 s | 41 (1, 40) | 3.00 s (0.10 s) | 0.70 s | 1 (1) | 3000 | 30000 |",
		"| classic cooperative-sticky | 100 | 1.00 s | 1 (1, 0) | 0.15 s (0.10 s) |",
		"30.0 s for 90", "## Goals", "**85%** median", "![settle](bench-settle.svg)", "![latency](bench-latency.svg)",
		"| 100 | 3.00 s | 1500 | 12ms | 40ms | 61ms | 47ms (p3) | 25ms | 1.80 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(md)
	}
}

func TestChartsAreWellFormedSVG(t *testing.T) {
	charts := Charts(sampleReport())
	if len(charts) != len(chartFiles) {
		t.Fatalf("%d charts, want %d", len(charts), len(chartFiles))
	}
	for name, svg := range charts {
		dec := xml.NewDecoder(strings.NewReader(svg))
		for {
			_, err := dec.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("%s: %v", name, err)
				}
				break
			}
		}
		if !strings.Contains(svg, "<polyline") || !strings.Contains(svg, "classic range") {
			t.Errorf("%s: no line or legend", name)
		}
	}
	// NaN values break the line instead of drawing it.
	svg := LineChart("t", "x", "y", []string{"1", "2", "3"}, []Series{{Name: "s", Values: []float64{1, math.NaN(), 3}}})
	if strings.Contains(svg, "<polyline") || strings.Count(svg, "<circle") != 2 {
		t.Errorf("NaN handling: %s", svg)
	}
}

func TestWriteWritesEverything(t *testing.T) {
	dir := t.TempDir()
	paths, err := Write(dir, sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2+len(chartFiles) {
		t.Fatalf("wrote %v", paths)
	}
	b, err := os.ReadFile(filepath.Join(dir, FileJSON))
	if err != nil || !strings.Contains(string(b), `"posts_per_sec"`) {
		t.Fatalf("json: %v %.200s", err, b)
	}
}

func TestParseLadderRun(t *testing.T) {
	l, err := ParseLadderRun([]byte(`{"combination":"classic cooperative-sticky","ladder":[1,2],"wall_s":12.5,"top_memory_bytes":100,"steps":[{"step":"join 1->2","start_s":1,"settle_s":2}]}`))
	if err != nil || l.WallS != 12.5 || len(l.Steps) != 1 || l.Steps[0].SettleS != 2 {
		t.Fatalf("%+v %v", l, err)
	}
	if _, err := ParseLadderRun([]byte("{")); err == nil {
		t.Fatal("want an error")
	}
}

func TestMedians(t *testing.T) {
	if Median([]time.Duration{3, 1, 2}) != 2 || Median([]time.Duration{1, 2, 3, 4}) != 2 || Median(nil) != 0 {
		t.Fatal("Median")
	}
	if MedianFloat([]float64{0.5, 0.9, 0.7}) != 0.7 || MedianFloat(nil) != 0 {
		t.Fatal("MedianFloat")
	}
}

func TestLatencyOfNamesTheWorstAndMedianPartition(t *testing.T) {
	b := ht.New(3)
	for i := 0; i < 120; i++ {
		at := time.Duration(i) * 10 * time.Millisecond
		for p := int32(0); p < 3; p++ {
			id := fmt.Sprintf("p%d-%d", p, i)
			b.Post(at, id, 7, p, int64(i)).Update(at+time.Duration(10+20*int(p))*time.Millisecond, id, 1, "w1", p, int64(i))
		}
	}
	l := LatencyOf(b.History(), nil, ht.At(0), ht.At(2*time.Second))
	if l.Updates != 360 || l.WorstPartition != 2 || l.WorstP99 != 50*time.Millisecond || l.MedianP99 != 30*time.Millisecond || l.Max != 50*time.Millisecond {
		t.Fatalf("%+v", l)
	}
	if l.Spread < 1.66 || l.Spread > 1.67 || l.PartitionP99[0] != 10*time.Millisecond {
		t.Errorf("spread %.3f, per partition %v", l.Spread, l.PartitionP99)
	}
}
