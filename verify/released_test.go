package verify

import (
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestNoWriteAfterRevoke(t *testing.T) {
	// A correct history: w1 writes from 0 and 1, revokes both (eager), is
	// given 0 back and writes from it again; w2 takes 1. A lost with no
	// partitions is a no-op; a restarted w3 writes only after assigned.
	good := ht.New(2).
		Event(0, "w1", "assigned", 0, 1).
		Update(1*s, "p1", 7, "w1", 0, 10).Update(1*s, "p2", 7, "w1", 1, 20).
		Event(2*s, "w1", "revoked", 0, 1).Event(2*s, "w1", "lost").
		Event(3*s, "w1", "assigned", 0).Event(3*s, "w2", "assigned", 1).
		Update(4*s, "p3", 7, "w1", 0, 11).Update(4*s, "p4", 7, "w2", 1, 21).
		Event(5*s, "w3", "lost", 2).Event(6*s, "w3", "started").Event(7*s, "w3", "assigned", 2).
		Update(8*s, "p5", 7, "w3", 2, 5).History()
	r := NoWriteAfterRevoke(good)
	wantPass(t, r)

	// zombie-buffered: w1 keeps the records it had buffered when 1 was
	// revoked and fans them out 40 ms later, before the rejoin; and after a
	// lost, 300 ms later.
	bad := ht.New(2).
		Event(0, "w1", "assigned", 0, 1).
		Update(1*s, "p1", 7, "w1", 1, 20).
		Event(2*s, "w1", "revoked", 0, 1).
		Update(2*s+40*ms, "p2", 7, "w1", 1, 21).Update(2*s+41*ms, "p2", 8, "w1", 1, 21).
		Event(3*s, "w1", "assigned", 0).
		Event(4*s, "w1", "lost", 0).
		Update(4*s+300*ms, "p3", 7, "w1", 0, 30).History()
	r = NoWriteAfterRevoke(bad)
	wantFail(t, r, ClassWriteAfterRevoke,
		"w1 printed revoked for partition 1 at +2s and was never assigned it again, but produced 2 feed updates of post p2 (offset 21) from +2.04s, 40ms after (e.g. -> follower 7)",
		"w1 printed lost for partition 0 at +4s",
		"3 (of 2 posts) produced after their partition was given up, partitions 0-1")
	if !r.FirstAt.Equal(ht.At(2*s + 40*ms)) {
		t.Errorf("first %v", r.FirstAt)
	}

	// Inside a gap that ended with a reassignment: caught, naming it.
	gap := ht.New(1).Event(0, "w1", "assigned", 0).Event(1*s, "w1", "revoked", 0).
		Update(1*s+500*ms, "p1", 7, "w1", 0, 3).Event(2*s, "w1", "assigned", 0).History()
	wantFail(t, NoWriteAfterRevoke(gap), ClassWriteAfterRevoke, "was assigned it again only at +2s")

	// Millisecond timestamps: an update stamped in the millisecond of the
	// next assigned may have been produced after it (not judged); one
	// stamped exactly at the revoke was produced before it.
	edge := ht.New(1).Event(0, "w1", "assigned", 0).Event(1*s, "w1", "revoked", 0).
		Update(1*s, "p1", 7, "w1", 0, 3).
		Event(2*s+700*time.Microsecond, "w1", "assigned", 0).
		Update(2*s, "p2", 7, "w1", 0, 4).History()
	wantPass(t, NoWriteAfterRevoke(edge))

	// No data, no pass: no release at all is not applicable; releases but
	// no record timestamp fails.
	wantNotApplicable(t, NoWriteAfterRevoke(ht.New(1).Event(0, "w1", "assigned", 0).Update(s, "p1", 7, "w1", 0, 1).History()), "no worker printed revoked or lost")
	h := ht.New(1).Event(0, "w1", "revoked", 0).History()
	h.Updates = append(h.Updates, history.UpdateSeen{At: ht.At(s), PostID: "p1", Follower: 7, Worker: "w1"})
	wantFail(t, NoWriteAfterRevoke(h), ClassNoObservations, "no feed update carries a record timestamp")
}
