package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
)

// MinLatencySamples is the fewest update latencies a partition must have in
// a window for its p99 to be judged: with fewer, the p99 is one of the
// last few samples and says little. LatencyConsistent fails with
// "no-observations" when a partition of the posts topic has fewer.
const MinLatencySamples = 100

// PartitionLatency is the end-to-end latency of the feed updates of one
// source partition (Partition -1: of all partitions together).
type PartitionLatency struct {
	Partition int32         `json:"partition"`
	Count     int           `json:"count"`    // latencies: updates seen, plus the censored ones
	Censored  int           `json:"censored"` // expected updates never seen, counted as h.End minus the post's timestamp
	P50       time.Duration `json:"p50_ns"`
	P99       time.Duration `json:"p99_ns"`
	Max       time.Duration `json:"max_ns"`
	// MaxPost and MaxFollower name the slowest update.
	MaxPost     string `json:"max_post,omitempty"`
	MaxFollower int    `json:"max_follower,omitempty"`
}

// Latency is the latency of every feed update whose post was stamped in a
// window, per source partition and overall, and how far the worst
// partition's p99 is from the median partition's.
type Latency struct {
	Partitions []PartitionLatency `json:"partitions"` // ascending; only partitions with at least one latency
	All        PartitionLatency   `json:"all"`
	// Spread is the worst partition's p99 over the median partition's p99,
	// among the partitions with at least MinLatencySamples latencies (the
	// lower median of an even count, so the larger ratio); 0 when fewer
	// than two partitions qualify. A p99 under the timestamps' resolution
	// (1 ms) counts as 1 ms, so that two instant partitions do not divide
	// by zero.
	Spread float64 `json:"spread"`
	Worst  int32   `json:"worst_partition"`  // -1 when Spread is 0
	Median int32   `json:"median_partition"` // -1 when Spread is 0
	// Untimed counts the posts in the window and the updates of those posts
	// that carry no record timestamp (histories recorded before it was
	// kept): they are left out, not guessed.
	Untimed int `json:"untimed"`
}

// Latencies measures the end-to-end latency of each feed update whose post
// has its record timestamp in [from, to] (a zero bound is open): the
// update record's timestamp minus its post record's timestamp. Both are
// CreateTime timestamps (see history.PostAck.Timestamp and
// history.UpdateSeen.Timestamp): the harness producer's clock when the post
// was produced, and the worker's when it produced the update, which is the
// host's clock in a local container. A latency therefore includes the
// post's produce round trip and the worker's fetch, processing and batching
// wait, but not the update's own produce round trip; it is meaningful only
// while the two clocks are the same.
//
// A (post, follower) update seen more than once (an at-least-once
// redelivery) counts once, with its earliest timestamp: that is when the
// follower had it. With a graph, every update the graph expects and the
// history never saw counts too, as h.End minus the post's timestamp (a
// lower bound, counted in Censored), so a stalled partition cannot look
// fast by producing nothing; with a nil graph only seen updates count.
//
// Percentiles are nearest-rank: p of n sorted latencies is the
// ceil(p*n/100)-th.
func Latencies(h history.History, g *graph.Graph, from, to time.Time) Latency {
	type key struct {
		post     string
		follower int
	}
	posts := map[string]history.PostAck{}
	out := Latency{Worst: -1, Median: -1}
	for _, a := range h.Posts {
		if _, dup := posts[a.PostID]; dup {
			continue
		}
		if a.Timestamp.IsZero() {
			if inWindow(a.At, from, to) {
				out.Untimed++
			}
			continue
		}
		if inWindow(a.Timestamp, from, to) {
			posts[a.PostID] = a
		}
	}
	first := map[key]time.Time{}
	for _, u := range h.Updates {
		if _, ok := posts[u.PostID]; !ok {
			continue
		}
		if u.Timestamp.IsZero() {
			out.Untimed++
			continue
		}
		k := key{u.PostID, u.Follower}
		if t, ok := first[k]; !ok || u.Timestamp.Before(t) {
			first[k] = u.Timestamp
		}
	}
	type sample struct {
		d        time.Duration
		post     string
		follower int
	}
	byPart := map[int32][]sample{}
	censored := map[int32]int{}
	for k, t := range first {
		a := posts[k.post]
		byPart[a.Partition] = append(byPart[a.Partition], sample{t.Sub(a.Timestamp), k.post, k.follower})
	}
	if g != nil {
		for id, a := range posts {
			fs, _ := g.Followers(a.Author)
			for _, f := range fs {
				if _, ok := first[key{id, f}]; !ok {
					byPart[a.Partition] = append(byPart[a.Partition], sample{h.End.Sub(a.Timestamp), id, f})
					censored[a.Partition]++
				}
			}
		}
	}
	summarise := func(p int32, ss []sample) PartitionLatency {
		sort.Slice(ss, func(i, j int) bool {
			if ss[i].d != ss[j].d {
				return ss[i].d < ss[j].d
			}
			if ss[i].post != ss[j].post {
				return ss[i].post < ss[j].post
			}
			return ss[i].follower < ss[j].follower
		})
		n := len(ss)
		pl := PartitionLatency{Partition: p, Count: n}
		if n == 0 {
			return pl
		}
		pl.P50, pl.P99 = ss[rank(50, n)].d, ss[rank(99, n)].d
		last := ss[n-1]
		pl.Max, pl.MaxPost, pl.MaxFollower = last.d, last.post, last.follower
		return pl
	}
	var all []sample
	for p, ss := range byPart {
		all = append(all, ss...)
		pl := summarise(p, ss)
		pl.Censored = censored[p]
		out.Partitions = append(out.Partitions, pl)
		out.All.Censored += censored[p]
	}
	sort.Slice(out.Partitions, func(i, j int) bool { return out.Partitions[i].Partition < out.Partitions[j].Partition })
	censoredAll := out.All.Censored
	out.All = summarise(-1, all)
	out.All.Censored = censoredAll
	var judged []PartitionLatency
	for _, pl := range out.Partitions {
		if pl.Count >= MinLatencySamples {
			judged = append(judged, pl)
		}
	}
	if len(judged) >= 2 {
		sort.SliceStable(judged, func(i, j int) bool { return judged[i].P99 < judged[j].P99 })
		med, worst := judged[(len(judged)-1)/2], judged[len(judged)-1]
		out.Spread = float64(atLeastMS(worst.P99)) / float64(atLeastMS(med.P99))
		out.Worst, out.Median = worst.Partition, med.Partition
	}
	return out
}

// Partition returns the latency of partition p (Count 0 when it has none).
func (l Latency) Partition(p int32) PartitionLatency {
	for _, pl := range l.Partitions {
		if pl.Partition == p {
			return pl
		}
	}
	return PartitionLatency{Partition: p}
}

// rank is the 0-based index of the nearest-rank p-th percentile of n.
func rank(p, n int) int {
	i := (p*n + 99) / 100
	if i < 1 {
		i = 1
	}
	return i - 1
}

func atLeastMS(d time.Duration) time.Duration {
	return max(d, time.Millisecond)
}

// String is one line: overall p50/p99/max and the spread.
func (l Latency) String() string {
	s := fmt.Sprintf("%d latencies: p50 %s, p99 %s, max %s", l.All.Count, ms3(l.All.P50), ms3(l.All.P99), ms3(l.All.Max))
	if l.Spread > 0 {
		s += fmt.Sprintf("; spread %.2f (partition %d's p99 %s over partition %d's %s)", l.Spread,
			l.Worst, ms3(l.Partition(l.Worst).P99), l.Median, ms3(l.Partition(l.Median).P99))
	}
	return s
}

// String is one line: the partition's count, p50, p99, max (without the
// "partition N: " prefix for the overall figures, Partition -1).
func (pl PartitionLatency) String() string {
	s := fmt.Sprintf("%d latencies, p50 %s, p99 %s, max %s", pl.Count, ms3(pl.P50), ms3(pl.P99), ms3(pl.Max))
	if pl.Partition >= 0 {
		s = fmt.Sprintf("partition %d: %s", pl.Partition, s)
	}
	if pl.Censored > 0 {
		s += fmt.Sprintf(" (%d never seen)", pl.Censored)
	}
	if pl.MaxPost != "" {
		s += fmt.Sprintf(", slowest post %s -> follower %d", pl.MaxPost, pl.MaxFollower)
	}
	return s
}

// ms3 prints a duration at millisecond precision.
func ms3(d time.Duration) string { return d.Round(time.Millisecond).String() }
