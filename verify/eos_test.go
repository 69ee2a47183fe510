package verify

import (
	"strings"
	"testing"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func rec(p int32, o int64, post string, follower int, worker string, producedAt int64) FeedRecord {
	return FeedRecord{Partition: p, Offset: o, Update: history.UpdateSeen{At: ht.At(timeMS(producedAt)), PostID: post, Follower: follower, Worker: worker, SourcePartition: 3, SourceOffset: 40}}
}

// The log of a kill of w2 at +5s: w2's transaction wrote p9 -> 11 and 12 at
// offsets 1 and 2 of feed partition 0 and was aborted (marker at 3); w2,
// back, delivered both again at offsets 4-5 (marker at 6).
var (
	killed      = ht.At(5 * s)
	uncommitted = []FeedRecord{
		rec(0, 0, "p1", 7, "w1", 1000),
		rec(0, 1, "p9", 11, "w2", 4900), rec(0, 2, "p9", 12, "w2", 4900),
		rec(0, 4, "p9", 11, "w2", 7000), rec(0, 5, "p9", 12, "w2", 7000),
	}
)

func TestAbortedRedeliveredPasses(t *testing.T) {
	committed := []FeedRecord{uncommitted[0], uncommitted[3], uncommitted[4]}
	r := AbortedRedelivered(ht.T0, uncommitted, committed, "w2", ht.At(2*s), killed)
	wantPass(t, r)
	if want := "aborted by worker: [w2 2]; 2 aborted updates of w2 from 1 posts"; !strings.Contains(r.Message, want) {
		t.Errorf("message: %s", r.Message)
	}
}

func TestAbortedRedeliveredFails(t *testing.T) {
	// Lost: the aborted updates were never delivered again.
	wantFail(t, AbortedRedelivered(ht.T0, uncommitted[:3], uncommitted[:1], "w2", ht.At(2*s), killed), ClassLost,
		"post p9 -> follower 11 (from posts partition 3 offset 40, aborted at feed partition 0 offset 1) never committed", "2 of them never delivered")
	// Duplicate: delivered twice by committed transactions.
	dup := append(append([]FeedRecord{}, uncommitted...), rec(0, 7, "p9", 11, "w3", 8000))
	committed := []FeedRecord{dup[0], dup[3], dup[4], dup[5]}
	wantFail(t, AbortedRedelivered(ht.T0, dup, committed, "w2", ht.At(2*s), killed), ClassDuplicate, "post p9 -> follower 11", "committed 2 times")
	// No bite: nothing of w2 was aborted (the kill fell between transactions).
	all := []FeedRecord{uncommitted[0], uncommitted[3], uncommitted[4]}
	wantFail(t, AbortedRedelivered(ht.T0, all, all, "w2", ht.At(2*s), killed), ClassNoBite, "did not interrupt a transaction")
	// Aborted records of another worker, or of w2 before the window, do not count.
	wantFail(t, AbortedRedelivered(ht.T0, uncommitted, []FeedRecord{uncommitted[0], uncommitted[3], uncommitted[4]}, "w2", ht.At(4950*ms), killed), ClassNoBite, "aborted by worker: [w2 2]")
	// Reads that do not match.
	wantFail(t, AbortedRedelivered(ht.T0, uncommitted[:1], uncommitted, "w2", ht.At(2*s), killed), ClassNoObservations, "do not match")
	wantFail(t, AbortedRedelivered(ht.T0, nil, nil, "w2", ht.At(2*s), killed), ClassNoObservations)
}

func TestDuplicateCopies(t *testing.T) {
	if n := LogDuplicateCopies(uncommitted); n != 2 {
		t.Errorf("uncommitted log of the kill: %d extra copies, want 2", n)
	}
	if n := LogDuplicateCopies([]FeedRecord{uncommitted[0], uncommitted[3], uncommitted[4]}); n != 0 {
		t.Errorf("committed log: %d extra copies, want 0", n)
	}
}
