package bench

import (
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
)

// Usage is one container's resource use over a window (the runner converts
// fixtures.Usage into it).
type Usage struct {
	Role  string  // worker, proxy, broker
	Cores float64 // CPU time in the window / the window
	Mem   uint64  // docker stats MEM USAGE at the end of the window
	RSS   uint64
}

// Summarize folds the usage of the containers of one role over an idle
// window (steady load) and a busy one (a burst) into ResourceStats. Memory
// is taken from the busy window (the larger), or the idle one when there is
// no busy window.
func Summarize(role string, idle, busy []Usage) ResourceStats {
	var rs ResourceStats
	var idleSum float64
	var idleN int
	for _, u := range idle {
		if u.Role == role {
			idleSum += u.Cores
			idleN++
		}
	}
	if idleN > 0 {
		rs.IdleMean = idleSum / float64(idleN)
	}
	mem := busy
	if len(busy) == 0 {
		mem = idle
	}
	var rssSum uint64
	for _, u := range mem {
		if u.Role != role {
			continue
		}
		rs.N++
		rs.MemTotal += u.Mem
		rs.MemMax = max(rs.MemMax, u.Mem)
		rssSum += u.RSS
	}
	if rs.N > 0 {
		rs.MemMean = rs.MemTotal / uint64(rs.N)
		rs.RSSMean = rssSum / uint64(rs.N)
	}
	var n int
	for _, u := range busy {
		if u.Role != role {
			continue
		}
		n++
		rs.BusySum += u.Cores
		rs.BusyMax = max(rs.BusyMax, u.Cores)
	}
	if n > 0 {
		rs.BusyMean = rs.BusySum / float64(n)
	}
	return rs
}

// Throughput returns the posts per second fanned out and the feed updates
// per second read in [from, to]: posts acked at or before to whose last
// expected update was seen in the window, and updates seen in the window,
// each divided by the window. A post is counted when its last update is
// seen, so a drain measured from a burst's start to its end counts each
// post of the burst once. Posts of authors without followers (nothing to
// see) are left out.
func Throughput(h history.History, g *graph.Graph, from, to time.Time) (postsPerSec, updatesPerSec float64) {
	win := to.Sub(from).Seconds()
	if win <= 0 {
		return 0, 0
	}
	last := map[string]time.Time{}
	seen := map[string]int{}
	var updates int
	for _, u := range h.Updates {
		if !u.At.Before(from) && !u.At.After(to) {
			updates++
		}
		seen[u.PostID]++
		if u.At.After(last[u.PostID]) {
			last[u.PostID] = u.At
		}
	}
	var posts int
	done := map[string]bool{}
	for _, a := range h.Posts {
		if done[a.PostID] || a.At.After(to) {
			continue
		}
		done[a.PostID] = true
		n := len(followersOf(g, a.Author))
		if n == 0 || seen[a.PostID] < n {
			continue
		}
		if t := last[a.PostID]; !t.Before(from) && !t.After(to) {
			posts++
		}
	}
	return float64(posts) / win, float64(updates) / win
}

func followersOf(g *graph.Graph, author int) []int {
	if g == nil {
		return nil
	}
	fs, _ := g.Followers(author)
	return fs
}

// RateBetween measures a drain of total records from its progress samples
// (sorted by time): the rate of commits and of produced records between
// the moments the committed count crossed lo×total and hi×total (linearly
// interpolated), leaving out the start-up and the tail. ok is false when
// the samples never reach hi×total.
func RateBetween(samples []Progress, total int64, lo, hi float64) (postsPerSec, updatesPerSec float64, from, to time.Time, ok bool) {
	if total <= 0 || len(samples) < 2 {
		return 0, 0, from, to, false
	}
	s := append([]Progress(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i].At.Before(s[j].At) })
	cross := func(level float64) (time.Time, float64, bool) {
		target := level * float64(total)
		for i := 1; i < len(s); i++ {
			a, b := s[i-1], s[i]
			if float64(b.Committed) < target {
				continue
			}
			if float64(a.Committed) >= target {
				return a.At, float64(a.Produced), true
			}
			f := (target - float64(a.Committed)) / float64(b.Committed-a.Committed)
			at := a.At.Add(time.Duration(f * float64(b.At.Sub(a.At))))
			prod := float64(a.Produced) + f*float64(b.Produced-a.Produced)
			return at, prod, true
		}
		return time.Time{}, 0, false
	}
	t1, p1, ok1 := cross(lo)
	t2, p2, ok2 := cross(hi)
	if !ok1 || !ok2 || !t2.After(t1) {
		return 0, 0, t1, t2, false
	}
	d := t2.Sub(t1).Seconds()
	return (hi - lo) * float64(total) / d, (p2 - p1) / d, t1, t2, true
}

// Change is one membership change to cost.
type Change struct {
	Kind    string    // grow, join, leave
	From    int       // members before
	To      int       // members after
	At      time.Time // the join (last new worker started) or the leave (SIGTERM)
	Began   time.Time // first container start (joins) or the SIGTERM (leaves)
	Started time.Time // last container running (joins); zero for leaves
	Members []string  // the fleet after the change
	Changed []string  // who joined or left
}

// Cost measures what a change cost from the recorded history: the time to
// the first settled assignment with exactly the new members, the moves
// between the settled assignments before and after, and the processing
// stalls of kept and moved partitions from the join (or leave) to a second
// after the settled assignment, against a baseline window of the same
// length just before the change began.
func Cost(h history.History, g *graph.Graph, c Change) Rebalance {
	r := Rebalance{Kind: c.Kind, From: c.From, To: c.To}
	if !c.Started.IsZero() {
		r.Start = c.Started.Sub(c.Began)
	}
	before, okB := verify.LastSettled(h, c.Began)
	after, okA := verify.FirstSettledWith(h, c.Began, c.Members)
	if !okA {
		return r
	}
	r.Settled = true
	r.Settle = max(after.At.Sub(c.At), 0)
	if !okB {
		return r
	}
	mv := verify.CompareAssignments(before, after)
	r.Moved, r.Between, r.Kept = len(mv.Moved), len(mv.Between), len(mv.Kept)
	changed := map[string]bool{}
	for _, w := range c.Changed {
		changed[w] = true
	}
	switch c.Kind {
	case "leave":
		for _, m := range before.Members {
			if changed[m.Worker] {
				r.Needed += len(m.Partitions)
			}
		}
	default:
		for w, ps := range mv.Gained {
			if changed[w] {
				r.Needed += len(ps)
			}
		}
	}
	// The rebalance runs from the join (or leave) to the settled
	// assignment; a second more lets the moved partitions' first updates
	// land. The baseline is as long and ends where the change began (before
	// any container start).
	from, to := c.At, after.At.Add(time.Second)
	if from.IsZero() || from.Before(c.Began) {
		from = c.Began
	}
	r.StallKept = verify.LongestStall(h, g, mv.Kept, from, to).Length
	r.StallMoved = verify.LongestStall(h, g, mv.Moved, from, to).Length
	r.StallBaseline = verify.LongestStall(h, g, mv.Kept, c.Began.Add(-to.Sub(from)), c.Began).Length
	for _, e := range h.Events {
		if e.Event == "error" && strings.HasPrefix(e.Error, "commit") && !e.TS.Before(from) && !e.TS.After(to) {
			r.CommitErrors++
		}
	}
	return r
}

// Median returns the median of ds (0 for none).
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// MedianFloat returns the median of fs (0 for none).
func MedianFloat(fs []float64) float64 {
	if len(fs) == 0 {
		return 0
	}
	s := append([]float64(nil), fs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
