package verify

import (
	"testing"
	"time"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestExclusiveOwnershipPasses(t *testing.T) {
	h := ht.New(6).Stable(0, 5*s, s, 1, fleet()...).History()
	wantPass(t, ExclusiveOwnership(h, time.Time{}, time.Time{}))
}

func TestExclusiveOwnershipDoubleOwned(t *testing.T) {
	h := ht.New(6).Stable(0, 2*s, s, 1, fleet()...).
		Stable(3*s, 5*s, s, 2, ht.M("w1", 0, 1, 2), ht.M("w2", 2, 3), ht.M("w3", 4, 5)).
		Stable(6*s, 7*s, s, 3, fleet()...).History()
	r := ExclusiveOwnership(h, time.Time{}, time.Time{})
	wantFail(t, r, ClassDoubleOwned, "partition 2 owned by w1 and w2 from +3s to +5s (3 snapshots)", "generation 2", "partitions 2")
	if len(r.Examples) != 1 || !r.FirstAt.Equal(ht.At(3*s)) {
		t.Errorf("examples %q first %v", r.Examples, r.FirstAt)
	}
	// Outside the window it is not this check's concern.
	wantPass(t, ExclusiveOwnership(h, ht.At(6*s), ht.At(7*s)))
	// A window holding one bad snapshot.
	wantFail(t, ExclusiveOwnership(h, ht.At(5*s), ht.At(7*s)), ClassDoubleOwned, "partition 2 owned by w1 and w2 at +5s")
}

func TestExclusiveOwnershipNoSnapshots(t *testing.T) {
	h := ht.New(6).SnapshotErr(s, "x").History()
	wantFail(t, ExclusiveOwnership(h, time.Time{}, time.Time{}), ClassNoObservations)
}
