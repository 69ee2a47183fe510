package bench

import (
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
)

// SteadyLatency is the end-to-end feed-update latency (verify.Latencies:
// update record timestamp minus post record timestamp) of the posts
// stamped in a window of steady load at one fleet size.
type SteadyLatency struct {
	Window  time.Duration `json:"window_ns"`
	Updates int           `json:"updates"`
	P50     time.Duration `json:"p50_ns"`
	P99     time.Duration `json:"p99_ns"`
	Max     time.Duration `json:"max_ns"`
	// WorstPartition has the largest p99 (WorstP99); MedianP99 is the
	// lower median of the partitions' p99s, over every partition with a
	// latency in the window.
	WorstPartition int32         `json:"worst_partition"`
	WorstP99       time.Duration `json:"worst_p99_ns"`
	MedianP99      time.Duration `json:"median_p99_ns"`
	// Spread is verify's: worst p99 over median p99 among the partitions
	// with at least verify.MinLatencySamples latencies; 0 when fewer than
	// two had that many (a short window over many partitions).
	Spread float64 `json:"spread"`
	// PartitionP99 is every partition's p99.
	PartitionP99 map[int32]time.Duration `json:"partition_p99_ns"`
}

// LatencyOf measures SteadyLatency over the posts stamped in [from, to].
func LatencyOf(h history.History, g *graph.Graph, from, to time.Time) SteadyLatency {
	l := verify.Latencies(h, g, from, to)
	out := SteadyLatency{Window: to.Sub(from), Updates: l.All.Count, P50: l.All.P50, P99: l.All.P99, Max: l.All.Max,
		WorstPartition: -1, Spread: l.Spread, PartitionP99: map[int32]time.Duration{}}
	var p99s []time.Duration
	for _, pl := range l.Partitions {
		out.PartitionP99[pl.Partition] = pl.P99
		p99s = append(p99s, pl.P99)
		if pl.P99 > out.WorstP99 || out.WorstPartition < 0 {
			out.WorstPartition, out.WorstP99 = pl.Partition, pl.P99
		}
	}
	if len(p99s) > 0 {
		sort.Slice(p99s, func(i, j int) bool { return p99s[i] < p99s[j] })
		out.MedianP99 = p99s[(len(p99s)-1)/2]
	}
	return out
}
