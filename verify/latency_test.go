package verify

import (
	"fmt"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

// latencyHistory builds n posts per partition, one every 10 ms, each with
// one update (follower 1) seen lat(p, i) after it.
func latencyHistory(partitions int32, n int, lat func(p int32, i int) time.Duration) *ht.Builder {
	b := ht.New(partitions)
	for p := int32(0); p < partitions; p++ {
		for i := 0; i < n; i++ {
			at := time.Duration(i) * 10 * ms
			id := fmt.Sprintf("p%d-%d", p, i)
			b.Post(at, id, 7, p, int64(i)).Update(at+lat(p, i), id, 1, "w1", p, int64(i))
		}
	}
	return b
}

func TestLatenciesPercentilesPerPartition(t *testing.T) {
	h := latencyHistory(2, 100, func(p int32, i int) time.Duration {
		return time.Duration(int(p)*100+i+1) * ms // partition 0: 1..100 ms, 1: 101..200 ms
	}).History()
	l := Latencies(h, nil, time.Time{}, time.Time{})
	if len(l.Partitions) != 2 {
		t.Fatalf("partitions: %+v", l.Partitions)
	}
	p0, p1 := l.Partition(0), l.Partition(1)
	if p0.Count != 100 || p0.P50 != 50*ms || p0.P99 != 99*ms || p0.Max != 100*ms || p0.MaxPost != "p0-99" {
		t.Errorf("partition 0: %+v", p0)
	}
	if p1.P50 != 150*ms || p1.P99 != 199*ms || p1.Max != 200*ms {
		t.Errorf("partition 1: %+v", p1)
	}
	if l.All.Count != 200 || l.All.P50 != 100*ms || l.All.Max != 200*ms {
		t.Errorf("all: %+v", l.All)
	}
	// Two partitions: the median is the lower one.
	if l.Worst != 1 || l.Median != 0 || l.Spread < 2.01 || l.Spread > 2.02 {
		t.Errorf("spread %.3f worst %d median %d", l.Spread, l.Worst, l.Median)
	}
}

func TestLatenciesCountTheFirstCopyOfARedeliveredUpdate(t *testing.T) {
	h := ht.New(1).Post(0, "p1", 7, 0, 0).Update(20*ms, "p1", 1, "w1", 0, 0).Update(900*ms, "p1", 1, "w2", 0, 0).History()
	l := Latencies(h, nil, time.Time{}, time.Time{})
	if l.All.Count != 1 || l.All.Max != 20*ms {
		t.Fatalf("want one latency of 20ms, got %+v", l.All)
	}
}

func TestLatenciesCountNeverSeenUpdatesUntilTheEnd(t *testing.T) {
	g := testGraph(t)
	author, fs := authorWith(t, g, 3)
	h := ht.New(1).Post(0, "p1", author, 0, 0).Update(10*ms, "p1", fs[0], "w1", 0, 0).
		Post(5*s, "p2", author, 0, 1).History() // End is +5s: p1 has len(fs)-1 followers never served
	l := Latencies(h, g, time.Time{}, ht.At(4*s))
	pl := l.Partition(0)
	if pl.Count != len(fs) || pl.Censored != len(fs)-1 || pl.Max != 5*s {
		t.Fatalf("want %d latencies, %d censored at 5s, got %+v", len(fs), len(fs)-1, pl)
	}
	if nil2 := Latencies(h, nil, time.Time{}, time.Time{}); nil2.All.Count != 1 {
		t.Errorf("without a graph only seen updates count: %+v", nil2.All)
	}
}

func TestLatenciesWindowIsByPostTimestamp(t *testing.T) {
	h := latencyHistory(1, 100, func(int32, int) time.Duration { return 5 * ms }).History()
	l := Latencies(h, nil, ht.At(500*ms), ht.At(599*ms))
	if l.All.Count != 10 {
		t.Fatalf("want the 10 posts stamped in [+0.5s, +0.599s], got %d", l.All.Count)
	}
}

func TestLatencyConsistentPassesWithinTheSpread(t *testing.T) {
	h := latencyHistory(3, 120, func(p int32, i int) time.Duration {
		return time.Duration(10+5*int(p)) * ms // 10, 15, 20 ms: worst/median = 20/15
	}).History()
	r := LatencyConsistent(h, nil, time.Time{}, time.Time{}, 2, 0)
	wantPass(t, r)
	if r.Measured != 20*ms || r.Bound != 30*ms {
		t.Errorf("measured %s bound %s", r.Measured, r.Bound)
	}
}

// A hot partition whose slowest 5% wait 10x longer than everyone else's.
func TestLatencyConsistentFailsOnASlowPartition(t *testing.T) {
	h := latencyHistory(4, 120, func(p int32, i int) time.Duration {
		if p == 2 && i%20 == 0 {
			return 400 * ms
		}
		return 40 * ms
	}).History()
	r := LatencyConsistent(h, nil, time.Time{}, time.Time{}, 2, 0)
	wantFail(t, r, ClassInconsistentLatency, "partition 2", "10.00 x", "p99 400ms", "1 partitions over 80ms")
	if r.Measured != 400*ms || r.Bound != 80*ms || len(r.Examples) != 1 {
		t.Errorf("measured %s bound %s examples %q", r.Measured, r.Bound, r.Examples)
	}
}

// A stalled partition produces no update: its posts count as waiting until
// the end and it fails, rather than drop out of the comparison.
func TestLatencyConsistentFailsOnAStalledPartition(t *testing.T) {
	g := testGraph(t)
	author, fs := authorWith(t, g, 1)
	b := ht.New(2)
	for i := 0; i < 150; i++ {
		at := time.Duration(i) * 10 * ms
		for p := int32(0); p < 2; p++ {
			id := fmt.Sprintf("p%d-%d", p, i)
			b.Post(at, id, author, p, int64(i))
			if p == 0 || i < 100 { // partition 1 stops after 100 posts
				for _, f := range fs {
					b.Update(at+20*ms, id, f, "w1", p, int64(i))
				}
			}
		}
	}
	b.Post(5*s, "late", author, 0, 999) // the history ends at +5s
	h := b.History()
	r := LatencyConsistent(h, g, time.Time{}, ht.At(2*s), 2, 0)
	wantFail(t, r, ClassInconsistentLatency, "partition 1", "never seen")
}

func TestLatencyConsistentNeedsEnoughSamplesOnEveryPartition(t *testing.T) {
	h := latencyHistory(3, 120, func(int32, int) time.Duration { return 10 * ms })
	h.Post(0, "x", 7, 3, 0) // nothing else on partition 3 ...
	hist := h.History()
	hist.Partitions = 4 // ... of four
	r := LatencyConsistent(hist, nil, time.Time{}, time.Time{}, 2, 0)
	wantFail(t, r, ClassNoObservations, "partitions 3", fmt.Sprint(MinLatencySamples))

	empty := ht.New(3).History()
	wantFail(t, LatencyConsistent(empty, nil, time.Time{}, time.Time{}, 2, 0), ClassNoObservations)
}

// Histories recorded before timestamps were kept are not guessed at.
func TestLatencyConsistentIgnoresUntimedRecords(t *testing.T) {
	h := latencyHistory(2, 120, func(int32, int) time.Duration { return 10 * ms }).History()
	for i := range h.Posts {
		h.Posts[i].Timestamp = time.Time{}
	}
	r := LatencyConsistent(h, nil, time.Time{}, time.Time{}, 2, 0)
	wantFail(t, r, ClassNoObservations, "240 posts and their updates untimed")
	var zero history.History
	if l := Latencies(zero, nil, time.Time{}, time.Time{}); l.Spread != 0 || l.Worst != -1 {
		t.Errorf("empty history: %+v", l)
	}
}

// Host noise: one partition's few slowest updates at 100 ms over a 47 ms
// median p99 is 2.1x, yet within the slack; a stalled partition is not.
func TestLatencyConsistentSlackAbsorbsNoiseNotStalls(t *testing.T) {
	noisy := latencyHistory(4, 120, func(p int32, i int) time.Duration {
		if p == 1 && i%20 == 0 {
			return 101 * ms
		}
		return 47 * ms
	}).History()
	wantFail(t, LatencyConsistent(noisy, nil, time.Time{}, time.Time{}, 2, 0), ClassInconsistentLatency)
	r := LatencyConsistent(noisy, nil, time.Time{}, time.Time{}, 2, 250*ms)
	wantPass(t, r)
	if r.Bound != 297*ms {
		t.Errorf("bound %s, want the median's 47ms plus 250ms", r.Bound)
	}
	stalled := latencyHistory(4, 120, func(p int32, i int) time.Duration {
		if p == 1 && i%20 == 0 {
			return 3 * time.Second
		}
		return 47 * ms
	}).History()
	wantFail(t, LatencyConsistent(stalled, nil, time.Time{}, time.Time{}, 2, 250*ms), ClassInconsistentLatency, "partition 1")
}
