package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
)

// CheckLatencyConsistent names LatencyConsistent; ClassInconsistentLatency
// is its anomaly class.
const (
	CheckLatencyConsistent   = "latency-consistent"
	ClassInconsistentLatency = "inconsistent-latency"
)

// LatencyConsistent checks StreamSocial's promise that no follower waits
// much longer than the others for the same kind of content: over the
// posts stamped in [from, to], the worst source partition's p99 end-to-end
// feed-update latency is at most maxSpread times the median partition's
// p99 (see Latencies for what a latency is and how never-seen updates
// count), class "inconsistent-latency". Every partition of the posts topic
// (h.Partitions) must have at least MinLatencySamples latencies in the
// window, else it fails with "no-observations" naming the short ones: a
// partition that is not measured cannot be judged consistent.
//
// slack keeps the ratio from judging noise: the bound is the larger of
// maxSpread times the median partition's p99 and that p99 plus slack. At
// a median p99 of 50 ms, one 100 ms scheduling hiccup on a loaded 2-core
// host doubles a partition's p99 (its few slowest updates) without any
// follower waiting noticeably longer; a partition stalled for seconds
// exceeds both.
//
// Measured is the worst partition's p99 and Bound is the bound, so the
// summary shows both as times. The
// counter-examples are the partitions over the bound, slowest first, with
// their p50, p99, max and slowest update.
//
// Not checked: the absolute latency (a uniformly slow fleet passes; lag
// and stall checks judge that), and anything outside the window.
func LatencyConsistent(h history.History, g *graph.Graph, from, to time.Time, maxSpread float64, slack time.Duration) Result {
	const check = CheckLatencyConsistent
	l := Latencies(h, g, from, to)
	expect := fmt.Sprintf("the worst partition's p99 feed-update latency should be <= %.2f x the median partition's (or it plus %s), for posts stamped in %s", maxSpread, slack, window(h.Start, from, to))
	var short []string
	var shortParts []int32
	for p := int32(0); p < h.Partitions; p++ {
		if n := l.Partition(p).Count; n < MinLatencySamples {
			shortParts = append(shortParts, p)
			short = append(short, fmt.Sprintf("partition %d has %d", p, n))
		}
	}
	if h.Partitions == 0 || len(shortParts) > 0 || l.Spread == 0 {
		msg := fmt.Sprintf("%s; every partition needs >= %d latencies, but partitions %s have fewer (%d posts and their updates untimed).", expect, MinLatencySamples, parts(shortParts), l.Untimed)
		if h.Partitions == 0 {
			msg = expect + "; the history names no partition of the posts topic."
		}
		return fail(check, ClassNoObservations, msg, from, short, len(short))
	}
	med := l.Partition(l.Median)
	worst := l.Partition(l.Worst)
	bound := max(time.Duration(maxSpread*float64(atLeastMS(med.P99))), med.P99+slack)
	res := Result{}
	if worst.P99 <= bound {
		res = pass(check, fmt.Sprintf("%s; it was %.2f x: partition %d's p99 %s over partition %d's %s (all partitions: %s).", expect, l.Spread, worst.Partition, ms3(worst.P99), med.Partition, ms3(med.P99), l.All))
	} else {
		var over []PartitionLatency
		for _, pl := range l.Partitions {
			if pl.Count >= MinLatencySamples && pl.P99 > bound {
				over = append(over, pl)
			}
		}
		sort.SliceStable(over, func(i, j int) bool { return over[i].P99 > over[j].P99 })
		ex := make([]string, len(over))
		for i, pl := range over {
			ex[i] = pl.String()
		}
		msg := fmt.Sprintf("%s; it was %.2f x: partition %d's p99 %s over partition %d's %s; %d partitions over %s (all partitions: %s).", expect, l.Spread, worst.Partition, ms3(worst.P99), med.Partition, ms3(med.P99), len(over), ms3(bound), l.All)
		res = fail(check, ClassInconsistentLatency, msg, time.Time{}, ex, len(ex))
	}
	res.Measured, res.Bound = worst.P99, bound
	return res
}
