package verify

import (
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestCommittingAgainPasses(t *testing.T) {
	h := ht.New(2).
		Lag(9*s, map[int32]int64{0: 100, 1: 50}, map[int32]int64{0: 110, 1: 60}).
		Lag(12*s, map[int32]int64{0: 100, 1: 70}, map[int32]int64{0: 130, 1: 80}).
		Lag(14*s, map[int32]int64{0: 125, 1: 75}, map[int32]int64{0: 140, 1: 90}).History()
	r := CommittingAgain(h, ht.At(10*s), 15*s)
	wantPass(t, r)
	if r.Measured != 4*s {
		t.Errorf("measured %v", r.Measured)
	}
}

// A restored group whose owner of partition 1 is gone: posts arrive, no
// one commits them.
func TestCommittingAgainFailsOnAPartitionNoOneCommits(t *testing.T) {
	h := ht.New(2).
		Lag(9*s, map[int32]int64{0: 100, 1: 50}, map[int32]int64{0: 110, 1: 60}).
		Lag(14*s, map[int32]int64{0: 125, 1: 50}, map[int32]int64{0: 140, 1: 90}).
		Lag(30*s, map[int32]int64{0: 125, 1: 50}, map[int32]int64{0: 140, 1: 120}).History()
	wantFail(t, CommittingAgain(h, ht.At(10*s), 15*s), ClassNotResumed, "1 of 2 partitions were not: 1", "partition 1 committed 50 before, end 60 -> 90")
}

func TestCommittingAgainNoObservations(t *testing.T) {
	quiet := ht.New(1).Lag(9*s, map[int32]int64{0: 10}, map[int32]int64{0: 10}).Lag(12*s, map[int32]int64{0: 10}, map[int32]int64{0: 10}).History()
	wantFail(t, CommittingAgain(quiet, ht.At(10*s), 15*s), ClassNoObservations, "no partition received a post")
	wantFail(t, CommittingAgain(ht.New(1).History(), ht.At(10*s), 15*s), ClassNoObservations)
}

// A partition whose first post after the outage comes after the deadline
// cannot be committed by it, and is not judged.
func TestCommittingAgainJudgesOnlyPostsByTheDeadline(t *testing.T) {
	h := ht.New(2).
		Lag(9*s, map[int32]int64{0: 100, 1: 50}, map[int32]int64{0: 110, 1: 50}).
		Lag(14*s, map[int32]int64{0: 125, 1: 50}, map[int32]int64{0: 140, 1: 50}).
		Lag(30*s, map[int32]int64{0: 125, 1: 50}, map[int32]int64{0: 140, 1: 60}).History()
	wantPass(t, CommittingAgain(h, ht.At(10*s), 15*s))
}
