package verify

import (
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
)

// Stall is the longest time one source partition had an acked post waiting
// and produced no feed update for it: how long processing of that
// partition paused. It is measured from the verifier's history alone.
type Stall struct {
	Partition int32
	Length    time.Duration
	From, To  time.Time // the stalled interval
	PostID    string    // the post that waited
}

// Stalls measures, for each source partition in partitions (none when it is
// empty; AllPartitions(h.Partitions) for all), the longest processing stall that
// overlaps [from, to], and returns them longest first (ties by partition).
//
// For the posts of a partition in offset order, post i is available at its
// ack time a(i) and done when its first feed update is seen, f(i). The
// partition was stalled on post i from max(a(i), f(prev)) to f(i), where
// prev is the post before it that produced updates: the partition had work
// and emitted nothing. Natural gaps in the load (no post waiting) do not
// count, so a slow partition is not mistaken for a paused one. A post with
// no update at all stalls its partition until h.End. Posts whose author has
// no follower in g produce nothing and are skipped (all posts count when g
// is nil). A partition with no stall overlapping the window has Length 0.
//
// What a stall includes besides a pause: the worker's batching, the
// produce round trip and the verifier's read latency, tens of milliseconds
// on an idle machine. Compare with the same measure over a quiet window.
func Stalls(h history.History, g *graph.Graph, partitions []int32, from, to time.Time) []Stall {
	first := make(map[string]time.Time, len(h.Posts))
	for _, u := range h.Updates {
		if t, ok := first[u.PostID]; !ok || u.At.Before(t) {
			first[u.PostID] = u.At
		}
	}
	byPart := map[int32][]history.PostAck{}
	seen := make(map[string]bool, len(h.Posts))
	for _, a := range h.Posts {
		if seen[a.PostID] {
			continue
		}
		seen[a.PostID] = true
		if g != nil && g.FollowerCount(a.Author) == 0 {
			continue
		}
		byPart[a.Partition] = append(byPart[a.Partition], a)
	}
	end := h.End
	out := make([]Stall, 0, len(partitions))
	for _, p := range partitions {
		posts := byPart[p]
		sort.Slice(posts, func(i, j int) bool { return posts[i].Offset < posts[j].Offset })
		best := Stall{Partition: p}
		var prev time.Time
		for _, a := range posts {
			done, ok := first[a.PostID]
			if !ok {
				done = end
			}
			start := a.At
			if prev.After(start) {
				start = prev
			}
			if done.After(start) && start.Before(to) && done.After(from) {
				if l := done.Sub(start); l > best.Length {
					best = Stall{Partition: p, Length: l, From: start, To: done, PostID: a.PostID}
				}
			}
			if ok && done.After(prev) {
				prev = done
			}
		}
		out = append(out, best)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Length != out[j].Length {
			return out[i].Length > out[j].Length
		}
		return out[i].Partition < out[j].Partition
	})
	return out
}

// LongestStall returns the longest of Stalls (a zero Stall when there are
// no partitions).
func LongestStall(h history.History, g *graph.Graph, partitions []int32, from, to time.Time) Stall {
	st := Stalls(h, g, partitions, from, to)
	if len(st) == 0 {
		return Stall{Partition: -1}
	}
	return st[0]
}

// AllPartitions returns 0..n-1.
func AllPartitions(n int32) []int32 {
	ps := make([]int32, max(n, 0))
	for i := range ps {
		ps[i] = int32(i)
	}
	return ps
}
