package verify

import (
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

// w1 owns 0 and 1 and fans out offsets 0..9 of each before leaving at +10s;
// w2 takes them over.
func leaverHistory(w2From int64) *ht.Builder {
	b := ht.New(6).Stable(0, 10*s, s, 1, fleet()...)
	for o := int64(0); o < 10; o++ {
		b.Update(timeMS(1000+o*100), "p", 1, "w1", 0, o).Update(timeMS(1000+o*100), "q", 1, "w1", 1, o)
	}
	for o := w2From; o < 15; o++ {
		b.Update(timeMS(11000+o*100), "p", 1, "w2", 0, o)
	}
	return b
}

func TestLeaverCommittedPassesWhenTheSuccessorStartsAfterIt(t *testing.T) {
	wantPass(t, LeaverCommitted(leaverHistory(10).History(), "w1", ht.At(10*s)))
}

// A leaver that skipped its final commit: the successor starts from the
// last periodic commit (offset 6) and fans out 6..9 again.
func TestLeaverCommittedFailsOnAReplayedHandoff(t *testing.T) {
	r := LeaverCommitted(leaverHistory(6).History(), "w1", ht.At(10*s))
	wantFail(t, r, ClassReplayedHandoff, "4 posts were, on partitions 0", "partition 0: w2 fanned out 4 posts at offsets 6..9 again", "w1 had fanned out up to 9")
}

func TestLeaverCommittedNoObservations(t *testing.T) {
	// w9 owned nothing.
	wantFail(t, LeaverCommitted(leaverHistory(10).History(), "w9", ht.At(10*s)), ClassNoObservations, "owned no partition")
	// w3 owned 4 and 5 but fanned out nothing from them.
	wantFail(t, LeaverCommitted(leaverHistory(10).History(), "w3", ht.At(10*s)), ClassNoObservations, "fanned out nothing")
	// No snapshot before the leave.
	wantFail(t, LeaverCommitted(ht.New(6).History(), "w1", ht.At(10*s)), ClassNoObservations)
}

// A partition that moved away and came back: what the other owner did in
// between is not the leaver's, so it is no replay.
func TestLeaverCommittedJudgesTheLeaversOwnOffsetsNotASpan(t *testing.T) {
	b := ht.New(6).Stable(0, 10*s, s, 1, fleet()...)
	for o := int64(0); o < 10; o++ {
		b.Update(timeMS(1000+o*100), "p", 1, "w1", 0, o)
	}
	for o := int64(10); o < 20; o++ {
		b.Update(timeMS(11000+o*100), "p", 1, "w2", 0, o) // w2 owns 0 after the join
	}
	for o := int64(20); o < 30; o++ {
		b.Update(timeMS(14000+o*100), "p", 1, "w1", 0, o) // and w1 again after the leave
	}
	wantPass(t, LeaverCommitted(b.History(), "w1", ht.At(10*s)))
}
