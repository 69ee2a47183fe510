package verify

import (
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestCommittedMonotonicPasses(t *testing.T) {
	end := map[int32]int64{0: 500, 1: 500}
	h := ht.New(2).
		Lag(1*s, map[int32]int64{0: -1, 1: -1}, end).
		Lag(2*s, map[int32]int64{0: 10, 1: -1}, end).
		Lag(3*s, map[int32]int64{0: 10, 1: 5}, end).
		Lag(4*s, map[int32]int64{0: -1, 1: 7}, end). // -1 ignored
		Lag(5*s, map[int32]int64{0: 12, 1: 7}, end).History()
	wantPass(t, CommittedMonotonic(h))
}

func TestCommittedMonotonicGoesBack(t *testing.T) {
	end := map[int32]int64{0: 500, 1: 500}
	h := ht.New(2).
		Lag(2*s, map[int32]int64{0: 10, 1: 120}, end).
		Lag(2250*ms, map[int32]int64{0: 11, 1: -1}, end).
		Lag(3*s, map[int32]int64{0: 12, 1: 100}, end).
		Lag(4*s, map[int32]int64{0: 13, 1: 101}, end).History()
	r := CommittedMonotonic(h)
	wantFail(t, r, ClassNonmonotonicCommit, "partition 1 committed 120 at +2s, then 100 at +3s (back 20)", "1 decreases on partitions 1")
	if len(r.Examples) != 1 || !r.FirstAt.Equal(ht.At(3*s)) {
		t.Errorf("examples %q first %v", r.Examples, r.FirstAt)
	}
}

func TestCommittedMonotonicOrdersByTime(t *testing.T) {
	// Recorded out of order; by time the offsets only grow.
	end := map[int32]int64{0: 500}
	h := ht.New(1).Lag(3*s, map[int32]int64{0: 30}, end).Lag(1*s, map[int32]int64{0: 10}, end).History()
	wantPass(t, CommittedMonotonic(h))
}

func TestCommittedMonotonicNoSamples(t *testing.T) {
	wantFail(t, CommittedMonotonic(ht.New(1).History()), ClassNoObservations)
}

// A group that never committed anything gives the check nothing to judge.
func TestCommittedMonotonicNothingCommitted(t *testing.T) {
	end := map[int32]int64{0: 500, 1: 20}
	h := ht.New(2).Lag(1*s, map[int32]int64{0: -1, 1: -1}, end).Lag(2*s, map[int32]int64{0: -1, 1: -1}, end).History()
	wantFail(t, CommittedMonotonic(h), ClassNoObservations, "no sample shows a committed offset")
}
