package feed

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics are the worker's counters. Counters are atomics updated by the poll
// goroutine; the HTTP goroutine reads them. Rendered by hand in the
// Prometheus text exposition format (version 0.0.4).
type Metrics struct {
	Consumed    atomic.Int64 // post records consumed (including poison ones)
	Produced    atomic.Int64 // feed updates acknowledged by the broker
	DeadLetters atomic.Int64 // dead letters acknowledged by the broker
	Assigned    atomic.Int64 // rebalance events by kind
	Revoked     atomic.Int64
	Lost        atomic.Int64
	// CommitFailures counts offset commits that failed (and were retried).
	CommitFailures atomic.Int64

	commit histogram // commit latency in seconds
}

// ObserveCommit records one commit's latency.
func (m *Metrics) ObserveCommit(d time.Duration) { m.commit.observe(d.Seconds()) }

// commitBuckets are the upper bounds (seconds) of the commit latency histogram.
var commitBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	mu     sync.Mutex
	counts []uint64 // per bucket, non-cumulative; len(commitBuckets)+1 with +Inf
	sum    float64
	n      uint64
}

func (h *histogram) observe(v float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.counts == nil {
		h.counts = make([]uint64, len(commitBuckets)+1)
	}
	i := 0
	for i < len(commitBuckets) && v > commitBuckets[i] {
		i++
	}
	h.counts[i]++
	h.sum += v
	h.n++
}

// Gauges are the point-in-time values rendered with the counters.
type Gauges struct {
	AssignedPartitions int
	Lag                map[int32]int64 // partition -> high watermark - position
}

// Render writes all metrics in the Prometheus text format.
func (m *Metrics) Render(w io.Writer, g Gauges) {
	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	counter("feedworker_records_consumed_total", "Post records consumed.", m.Consumed.Load())
	counter("feedworker_feed_updates_produced_total", "Feed updates acknowledged by the broker.", m.Produced.Load())
	counter("feedworker_dead_letters_total", "Poison posts sent to the dead-letter topic.", m.DeadLetters.Load())
	counter("feedworker_commit_failures_total", "Offset commits that failed and were retried (e.g. during a rebalance).", m.CommitFailures.Load())

	fmt.Fprintf(w, "# HELP feedworker_rebalances_total Rebalance callbacks by kind.\n# TYPE feedworker_rebalances_total counter\n")
	fmt.Fprintf(w, "feedworker_rebalances_total{kind=\"assigned\"} %d\n", m.Assigned.Load())
	fmt.Fprintf(w, "feedworker_rebalances_total{kind=\"revoked\"} %d\n", m.Revoked.Load())
	fmt.Fprintf(w, "feedworker_rebalances_total{kind=\"lost\"} %d\n", m.Lost.Load())

	fmt.Fprintf(w, "# HELP feedworker_assigned_partitions Partitions currently assigned.\n# TYPE feedworker_assigned_partitions gauge\nfeedworker_assigned_partitions %d\n", g.AssignedPartitions)

	h := &m.commit
	h.mu.Lock()
	counts := append([]uint64(nil), h.counts...)
	sum, n := h.sum, h.n
	h.mu.Unlock()
	if counts == nil {
		counts = make([]uint64, len(commitBuckets)+1)
	}
	fmt.Fprintf(w, "# HELP feedworker_commit_latency_seconds Latency of offset commits (or transaction commits).\n# TYPE feedworker_commit_latency_seconds histogram\n")
	var cum uint64
	for i, b := range commitBuckets {
		cum += counts[i]
		fmt.Fprintf(w, "feedworker_commit_latency_seconds_bucket{le=\"%s\"} %d\n", strconv.FormatFloat(b, 'g', -1, 64), cum)
	}
	cum += counts[len(commitBuckets)]
	fmt.Fprintf(w, "feedworker_commit_latency_seconds_bucket{le=\"+Inf\"} %d\n", cum)
	fmt.Fprintf(w, "feedworker_commit_latency_seconds_sum %s\n", strconv.FormatFloat(sum, 'g', -1, 64))
	fmt.Fprintf(w, "feedworker_commit_latency_seconds_count %d\n", n)

	fmt.Fprintf(w, "# HELP feedworker_partition_lag Records behind the high watermark, per assigned partition (consumer's view).\n# TYPE feedworker_partition_lag gauge\n")
	for _, p := range sortedPartitions(g.Lag) {
		fmt.Fprintf(w, "feedworker_partition_lag{partition=\"%d\"} %d\n", p, g.Lag[p])
	}
}
