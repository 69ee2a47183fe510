package timeline

import (
	"fmt"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/verify/historytest"
)

// The two recorded failures the browser test renders (and the unit tests
// check without a browser). Both are built with verify/historytest and
// judged by the real checkers, so the verdicts carry the checkers' own
// messages and counter-examples.

const fixtureUsers = 30

func fixtureGraph() *graph.Graph {
	g, err := graph.New(7, fixtureUsers)
	if err != nil {
		panic(err)
	}
	return g
}

func sec(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// steadyLoad acks a post every 100 ms in [from, to) round-robin over
// partitions, and returns them in ack order.
func steadyLoad(b *historytest.Builder, from, to float64, partitions int32) []history.PostAck {
	var out []history.PostAck
	n := 0
	for s := from; s < to; s += 0.1 {
		p := int32(n % int(partitions))
		id := fmt.Sprintf("p%d", n)
		b.Post(sec(s), id, n%fixtureUsers, p, int64(n/int(partitions)))
		out = append(out, history.PostAck{At: historytest.At(sec(s)), PostID: id, Author: n % fixtureUsers, Partition: p, Offset: int64(n / int(partitions))})
		n++
	}
	return out
}

// lagSamples records a lag sample every 500 ms over partitions 0..n-1, with
// lag(p, s) records behind.
func lagSamples(b *historytest.Builder, to float64, n int32, lag func(p int32, s float64) int64) {
	for s := 0.0; s <= to; s += 0.5 {
		c, e := map[int32]int64{}, map[int32]int64{}
		for p := int32(0); p < n; p++ {
			end := int64(s * 2)
			e[p], c[p] = end, end-lag(p, s)
		}
		b.Lag(sec(s), c, e)
	}
}

func judged(h history.History, results ...verify.Result) history.History {
	for _, r := range results {
		v := r.Verdict()
		v.At = h.End
		h.Verdicts = append(h.Verdicts, v)
	}
	return h
}

// lostUpdateHistory: three workers over six partitions. w2 is killed with
// SIGKILL at +8s after committing p2's offsets for posts it had not fanned
// out yet (the bug); the group notices at +14s, gives p2 to w1 and p3 to w3
// (generation 2), and w2 comes back at +18.5s (generation 3). The posts on
// p2 acked in [+7.2s, +8s) have no feed update: the lost-update checker
// names them, owned by w2.
func lostUpdateHistory() history.History {
	g := fixtureGraph()
	b := historytest.New(6)
	gen1 := []history.Member{historytest.M("w1", 0, 1), historytest.M("w2", 2, 3), historytest.M("w3", 4, 5)}
	gen2 := []history.Member{historytest.M("w1", 0, 1, 2), historytest.M("w3", 3, 4, 5)}
	b.Stable(sec(0.5), sec(13.75), sec(0.25), 1, gen1...)
	b.Snapshot(sec(14), "PreparingRebalance", 1, gen1...)
	b.Snapshot(sec(14.25), "CompletingRebalance", 2)
	b.Stable(sec(14.5), sec(19.25), sec(0.25), 2, gen2...)
	b.Stable(sec(19.5), sec(26), sec(0.25), 3, gen1...)
	for i, w := range []string{"w1", "w2", "w3"} {
		b.Event(sec(0.2), w, "started")
		b.Event(sec(0.5), w, "assigned", int32(2*i), int32(2*i+1))
	}
	b.Fault(sec(8), "kill -9", "w2", history.PhaseInject)
	b.Fault(sec(8.2), "kill -9", "w2", history.PhaseBit)
	b.Fault(sec(18), "kill -9", "w2", history.PhaseHeal)
	b.Event(sec(14.5), "w1", "assigned", 2)
	b.Event(sec(14.5), "w3", "assigned", 3)
	b.Event(sec(18.5), "w2", "started")
	b.Event(sec(19.5), "w1", "revoked", 2)
	b.Event(sec(19.5), "w3", "revoked", 3)
	b.Event(sec(19.6), "w2", "assigned", 2, 3)

	posts := steadyLoad(b, 1, 24, 6)
	owner := func(p int32) string { return []string{"w1", "w1", "w2", "w2", "w3", "w3"}[p] }
	for _, p := range posts {
		s := p.At.Sub(historytest.T0).Seconds()
		fs, _ := g.Followers(p.Author)
		switch {
		case p.Partition == 2 && s >= 7.2 && s < 8:
			continue // committed by w2, never fanned out
		case (p.Partition == 2 || p.Partition == 3) && s >= 8 && s < 14.5:
			// nobody consumes w2's partitions until the rebalance
			w := "w1"
			if p.Partition == 3 {
				w = "w3"
			}
			for _, f := range fs {
				b.Update(sec(15+(s-8)/10), p.PostID, f, w, p.Partition, p.Offset)
			}
			continue
		}
		for _, f := range fs {
			b.Update(sec(s+0.04), p.PostID, f, owner(p.Partition), p.Partition, p.Offset)
		}
	}
	lagSamples(b, 26, 6, func(p int32, s float64) int64 {
		if p != 2 && p != 3 {
			return 1
		}
		switch {
		case s >= 8 && s < 14.5:
			return int64((s - 8) * 10)
		case s >= 14.5 && s < 16:
			return int64((16 - s) * 40)
		}
		return 1
	})
	h := b.History()
	h.Suite, h.Spec = "crash", "a worker killed with SIGKILL after committing loses no feed update"
	h.Notes = append(h.Notes, history.Note{At: historytest.At(sec(1)), Text: "load started at 10 posts/s"})
	return judged(h,
		verify.NoLostUpdates(h, g),
		verify.Reassigned(h, historytest.At(sec(8)), []string{"w2"}, 9*time.Second),
		verify.ExclusiveOwnership(h, time.Time{}, time.Time{}),
	)
}

// ownedTwiceHistory: three workers over six partitions; w3 is cut off from
// the broker (proxy disabled) from +6s to +16s. The coordinator hands p5 to
// w1 at +11s while still listing w3 with it until +13s: p5 is owned twice
// for two seconds. w3 leaves at +13s (generation 3) and rejoins at +17s
// (generation 4).
func ownedTwiceHistory() history.History {
	g := fixtureGraph()
	b := historytest.New(6)
	gen1 := []history.Member{historytest.M("w1", 0, 1), historytest.M("w2", 2, 3), historytest.M("w3", 4, 5)}
	gen2 := []history.Member{historytest.M("w1", 0, 1, 5), historytest.M("w2", 2, 3), historytest.M("w3", 4, 5)}
	gen3 := []history.Member{historytest.M("w1", 0, 1, 5), historytest.M("w2", 2, 3, 4)}
	b.Stable(sec(0.5), sec(10.75), sec(0.25), 1, gen1...)
	b.Stable(sec(11), sec(12.75), sec(0.25), 2, gen2...)
	b.Stable(sec(13), sec(16.75), sec(0.25), 3, gen3...)
	b.Stable(sec(17), sec(24), sec(0.25), 4, gen1...)
	for i, w := range []string{"w1", "w2", "w3"} {
		b.Event(sec(0.2), w, "started")
		b.Event(sec(0.5), w, "assigned", int32(2*i), int32(2*i+1))
	}
	b.Fault(sec(6), "proxy-disable", "w3", history.PhaseInject)
	b.Fault(sec(6.1), "proxy-disable", "w3", history.PhaseBit)
	b.Fault(sec(16), "proxy-disable", "w3", history.PhaseHeal)
	b.Event(sec(11.1), "w1", "assigned", 5)
	b.Event(sec(13.1), "w2", "assigned", 4)
	b.Event(sec(12.5), "w3", "lost", 4, 5)
	b.Event(sec(17.1), "w1", "revoked", 5)
	b.Event(sec(17.1), "w2", "revoked", 4)
	b.Event(sec(17.2), "w3", "assigned", 4, 5)
	for _, p := range steadyLoad(b, 1, 22, 6) {
		s := p.At.Sub(historytest.T0).Seconds()
		w, at := []string{"w1", "w1", "w2", "w2", "w3", "w3"}[p.Partition], s+0.04
		if p.Partition >= 4 && s >= 6 && s < 17 {
			// w3 is cut off: p5 waits for w1 (+11s), p4 for w2 (+13s)
			w, at = "w1", max(at, 11.2+(s-6)/20)
			if p.Partition == 4 {
				w, at = "w2", max(at, 13.2+(s-6)/20)
			}
		}
		fs, _ := g.Followers(p.Author)
		for _, f := range fs {
			b.Update(sec(at), p.PostID, f, w, p.Partition, p.Offset)
		}
	}
	lagSamples(b, 24, 6, func(p int32, s float64) int64 {
		if (p == 4 || p == 5) && s >= 6 && s < 17.5 {
			return int64((s - 6) * 4)
		}
		return 1
	})
	h := b.History()
	h.Suite, h.Spec = "partition", "a worker cut off from the broker never shares a partition"
	return judged(h,
		verify.ExclusiveOwnership(h, time.Time{}, time.Time{}),
		verify.NoLostUpdates(h, g),
	)
}
