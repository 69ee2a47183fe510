package verify

import (
	"testing"
	"time"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

// A partition that processes each post 50 ms after its ack, with a natural
// 3 s gap in the load, has no stall longer than 50 ms: gaps without work do
// not count.
func TestStallsIgnoreGapsWithoutWork(t *testing.T) {
	b := ht.New(2)
	for i, at := range []time.Duration{0, 500 * ms, 3500 * ms, 4 * s} {
		id := "p" + string(rune('a'+i))
		b.Post(at, id, 1, 0, int64(i)).Update(at+50*ms, id, 2, "w1", 0, int64(i))
	}
	h := b.History()
	st := Stalls(h, nil, []int32{0}, ht.At(0), ht.At(5*s))
	if len(st) != 1 || st[0].Length != 50*ms {
		t.Fatalf("stalls %+v, want one of 50ms", st)
	}
}

// A bad history: partition 1 stops for 2 s with a post waiting (a pause
// during a rebalance); its stall is 2 s from the ack to the update, while
// partition 0 keeps going.
func TestStallsFindAPause(t *testing.T) {
	h := ht.New(2).
		Post(0, "a", 1, 0, 0).Update(20*ms, "a", 2, "w1", 0, 0).
		Post(100*ms, "b", 1, 1, 0).Update(120*ms, "b", 2, "w2", 1, 0).
		Post(1*s, "c", 1, 1, 1).Update(3*s, "c", 2, "w2", 1, 1).         // waited 2 s
		Post(1200*ms, "d", 1, 1, 2).Update(3010*ms, "d", 2, "w2", 1, 2). // queued behind c: 10 ms after c
		Post(1500*ms, "e", 1, 0, 1).Update(1530*ms, "e", 2, "w1", 0, 1).
		History()
	st := Stalls(h, nil, AllPartitions(2), ht.At(0), ht.At(4*s))
	if st[0].Partition != 1 || st[0].Length != 2*s || st[0].PostID != "c" || !st[0].From.Equal(ht.At(s)) {
		t.Fatalf("longest %+v, want partition 1 for 2s on post c", st[0])
	}
	if st[1].Partition != 0 || st[1].Length != 30*ms {
		t.Fatalf("second %+v, want partition 0 with 30ms", st[1])
	}
	// Only the partitions asked for; a window after the pause sees none of it.
	if l := LongestStall(h, nil, []int32{0}, ht.At(0), ht.At(4*s)); l.Partition != 0 || l.Length != 30*ms {
		t.Fatalf("partition 0 alone: %+v", l)
	}
	if l := LongestStall(h, nil, []int32{1}, ht.At(3500*ms), ht.At(4*s)); l.Length != 0 {
		t.Fatalf("after the pause: %+v", l)
	}
	if l := LongestStall(h, nil, nil, ht.At(0), ht.At(4*s)); l.Partition != -1 {
		t.Fatalf("no partitions: %+v", l)
	}
}

// A post never processed stalls its partition to the end of the history.
func TestStallsCountAnUnprocessedPostToTheEnd(t *testing.T) {
	h := ht.New(1).
		Post(0, "a", 1, 0, 0).Update(10*ms, "a", 2, "w1", 0, 0).
		Post(1*s, "b", 1, 0, 1).
		Snapshot(6*s, "Stable", 1, ht.M("w1", 0)).
		History()
	l := LongestStall(h, nil, []int32{0}, ht.At(0), ht.At(2*s))
	if l.Length != 5*s || l.PostID != "b" {
		t.Fatalf("%+v, want 5s on b", l)
	}
}

// Posts of an author with no follower produce nothing and must not look
// like a stall.
func TestStallsSkipAuthorsWithoutFollowers(t *testing.T) {
	g := testGraph(t)
	lonely := -1
	for a := 0; a < g.Users(); a++ {
		if g.FollowerCount(a) == 0 {
			lonely = a
			break
		}
	}
	if lonely < 0 {
		t.Skip("graph has no author without followers")
	}
	author, fs := authorWith(t, g, 1)
	h := ht.New(1).
		Post(0, "a", author, 0, 0).Update(10*ms, "a", fs[0], "w1", 0, 0).
		Post(1*s, "lonely", lonely, 0, 1).
		Snapshot(6*s, "Stable", 1, ht.M("w1", 0)).
		History()
	if l := LongestStall(h, g, []int32{0}, ht.At(0), ht.At(2*s)); l.Length != 10*ms {
		t.Fatalf("%+v, want the 10ms of post a only", l)
	}
}
