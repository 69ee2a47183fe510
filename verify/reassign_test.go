package verify

import (
	"reflect"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestOwnership(t *testing.T) {
	snap := history.GroupSnapshot{Members: []history.Member{ht.M("w1", 0, 1, 1), ht.M("w3", 1, 7), {MemberID: "m9", Partitions: []int32{2}}}}
	got := Ownership(snap, 4)
	want := map[int32][]string{0: {"w1"}, 1: {"w1", "w3"}, 2: {"m9"}, 3: nil, 7: {"w3"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

// w2 is killed at +10s; the group rebalances and settles at settle.
func killW2(settleAt int) *ht.Builder {
	b := ht.New(6).Stable(0, 10*s, s, 1, fleet()...).
		Snapshot(10250*ms, "Stable", 1, fleet()...). // not yet noticed
		SnapshotErr(11*s, "coordinator not available").
		Snapshot(12*s, "PreparingRebalance", 1, fleet()...)
	for t := 13; t < settleAt; t++ {
		b.Snapshot(timeS(t), "Stable", 2, ht.M("w1", 0, 1), ht.M("w3", 4, 5)) // 2-3 orphaned
	}
	return b.Snapshot(timeS(settleAt), "Stable", 3, ht.M("w1", 0, 1, 2), ht.M("w3", 3, 4, 5))
}

func timeS(n int) time.Duration { return time.Duration(n) * s }

func TestReassignedWithinBound(t *testing.T) {
	h := killW2(15).History()
	r := Reassigned(h, ht.At(10*s), []string{"w2"}, 9*s)
	wantPass(t, r)
	if r.Measured != 5*s || r.Bound != 9*s {
		t.Errorf("measured %v bound %v", r.Measured, r.Bound)
	}
}

func TestReassignedExactlyAtBoundPasses(t *testing.T) {
	r := Reassigned(killW2(19).History(), ht.At(10*s), []string{"w2"}, 9*s)
	wantPass(t, r)
}

func TestReassignedUnownedPastBound(t *testing.T) {
	r := Reassigned(killW2(20).History(), ht.At(10*s), []string{"w2"}, 9*s)
	wantFail(t, r, ClassSlowReassignment, "settled only at +20s, after 10s", "partitions 2-3 unowned at +19s (held by w2 before the fault)")
	if r.Measured != 10*s || !r.FirstAt.Equal(ht.At(19*s)) {
		t.Errorf("measured %v first %v", r.Measured, r.FirstAt)
	}
}

func TestReassignedNeverPartitionsUnowned(t *testing.T) {
	// killW2(60) settles at +60s; cut the history before it.
	h := killW2(60).History()
	h.Snapshots = h.Snapshots[:len(h.Snapshots)-1]
	r := Reassigned(h, ht.At(10*s), []string{"w2"}, 9*s)
	wantFail(t, r, ClassSlowReassignment, "never settled", "partitions 2-3 unowned", "held by w2")
	if r.Measured != 0 {
		t.Errorf("measured %v", r.Measured)
	}
}

func TestReassignedDeadMemberStillListed(t *testing.T) {
	h := ht.New(6).Stable(0, 30*s, s, 1, fleet()...).History()
	wantFail(t, Reassigned(h, ht.At(10*s), []string{"w2"}, 9*s), ClassSlowReassignment, "gone member w2 (member id w2-m) still listed with partitions 2-3")
}

func TestReassignedDoubleOwnedNotSettled(t *testing.T) {
	h := ht.New(6).Stable(0, 10*s, s, 1, fleet()...).
		Stable(12*s, 30*s, s, 2, ht.M("w1", 0, 1, 2), ht.M("w3", 2, 3, 4, 5)).History()
	wantFail(t, Reassigned(h, ht.At(10*s), []string{"w2"}, 9*s), ClassSlowReassignment, "partition 2 owned by w1 and w3")
}

func TestReassignedNoSnapshotAfterFault(t *testing.T) {
	h := ht.New(6).Stable(0, 10*s, s, 1, fleet()...).SnapshotErr(12*s, "boom").History()
	wantFail(t, Reassigned(h, ht.At(10*s), []string{"w2"}, 9*s), ClassSlowReassignment, "no error-free snapshot after the fault")
}

func TestReassignedNoPartitionCount(t *testing.T) {
	wantFail(t, Reassigned(ht.New(0).History(), ht.At(0), nil, s), ClassNoObservations)
}

func TestReassignedUnknownStateWithMembersCounts(t *testing.T) {
	// KIP-848 or an observer that reports no state: members and no pending rebalance.
	h := ht.New(2).Snapshot(1*s, "", 4, ht.M("w1", 0), ht.M("w2", 1)).History()
	wantPass(t, Reassigned(h, ht.At(0), nil, 2*s))
	h = ht.New(2).Snapshot(1*s, "Reconciling", 4, ht.M("w1", 0), ht.M("w2", 1)).History()
	wantFail(t, Reassigned(h, ht.At(0), nil, 2*s), ClassSlowReassignment, `group state "Reconciling"`)
}
