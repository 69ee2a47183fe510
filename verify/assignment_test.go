package verify

import (
	"strings"
	"testing"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func snap(ms ...history.Member) history.GroupSnapshot {
	return history.GroupSnapshot{At: ht.At(s), State: "Stable", Members: ms}
}

// mid is a member whose member id (which orders it) differs from its
// worker id's order.
func mid(worker, memberID string, ps ...int32) history.Member {
	return history.Member{Worker: worker, MemberID: memberID, Partitions: ps}
}

func TestRangeAssignedExactLayout(t *testing.T) {
	h := ht.New(12).History()
	wantPass(t, RangeAssigned(h, snap(ht.M("w1", 0, 1, 2, 3), ht.M("w2", 4, 5, 6, 7), ht.M("w3", 8, 9, 10, 11))))
	wantPass(t, RangeAssigned(h, snap(ht.M("w1", 0, 1, 2), ht.M("w2", 3, 4, 5), ht.M("w3", 6, 7, 8), ht.M("w4", 9, 10, 11))))
	// 12 over 5: the first two members get one extra.
	wantPass(t, RangeAssigned(h, snap(ht.M("a", 0, 1, 2), ht.M("b", 3, 4, 5), ht.M("c", 6, 7), ht.M("d", 8, 9), ht.M("e", 10, 11))))
	// Member order is the member id's, not the worker id's.
	wantPass(t, RangeAssigned(h, snap(mid("w1", "z-1", 8, 9, 10, 11), mid("w2", "a-2", 0, 1, 2, 3), mid("w3", "m-3", 4, 5, 6, 7))))
}

func TestRangeAssignedFailsNonContiguousUnevenOrWrongOrder(t *testing.T) {
	h := ht.New(12).History()
	// Balanced but not contiguous: roundrobin's layout.
	wantFail(t, RangeAssigned(h, snap(ht.M("w1", 0, 3, 6, 9), ht.M("w2", 1, 4, 7, 10), ht.M("w3", 2, 5, 8, 11))),
		ClassNotRange, "w1 holds 0,3,6,9 (4, not contiguous), its range is 0-3 (4)", "3 members differ")
	// Contiguous but sizes 5/4/3.
	wantFail(t, RangeAssigned(h, snap(ht.M("w1", 0, 1, 2, 3, 4), ht.M("w2", 5, 6, 7, 8), ht.M("w3", 9, 10, 11))),
		ClassNotRange, "w1 holds 0-4 (5, contiguous), its range is 0-3 (4)", "w3 holds 9-11 (3, contiguous), its range is 8-11 (4)")
	// Contiguous and even, but in the wrong member order.
	wantFail(t, RangeAssigned(h, snap(ht.M("w1", 4, 5, 6, 7), ht.M("w2", 0, 1, 2, 3), ht.M("w3", 8, 9, 10, 11))),
		ClassNotRange, "w1 holds 4-7", "its range is 0-3")
	// A partition owned by nobody.
	wantFail(t, RangeAssigned(h, snap(ht.M("w1", 0, 1, 2, 3), ht.M("w2", 4, 5, 6), ht.M("w3", 8, 9, 10, 11))), ClassNotRange, "w2 holds 4-6")
	// Nothing to judge.
	wantFail(t, RangeAssigned(h, history.GroupSnapshot{At: ht.At(s), Err: "timeout"}), ClassNoObservations, "observer failed")
	wantFail(t, RangeAssigned(h, snap()), ClassNoObservations, "no members")
}

func TestRoundRobinAssigned(t *testing.T) {
	h := ht.New(12).History()
	wantPass(t, RoundRobinAssigned(h, snap(ht.M("w1", 0, 3, 6, 9), ht.M("w2", 1, 4, 7, 10), ht.M("w3", 2, 5, 8, 11))))
	wantPass(t, RoundRobinAssigned(h, snap(ht.M("w1", 0, 4, 8), ht.M("w2", 1, 5, 9), ht.M("w3", 2, 6, 10), ht.M("w4", 3, 7, 11))))
	// Range's layout is balanced but not roundrobin.
	wantFail(t, RoundRobinAssigned(h, snap(ht.M("w1", 0, 1, 2, 3), ht.M("w2", 4, 5, 6, 7), ht.M("w3", 8, 9, 10, 11))),
		ClassNotRoundRobin, "partition 1 owned by w1, should be w2 (member 1 of 3)", "6 partitions elsewhere")
	// Right shape, members in the wrong order (member ids order w2 first).
	r := RoundRobinAssigned(h, snap(mid("w1", "b", 0, 3, 6, 9), mid("w2", "a", 1, 4, 7, 10), mid("w3", "c", 2, 5, 8, 11)))
	wantFail(t, r, ClassNotRoundRobin, "member-id order [w2 w1 w3]", "partition 0 owned by w1, should be w2")
	// Unowned and double-owned partitions.
	wantFail(t, RoundRobinAssigned(h, snap(ht.M("w1", 0, 3, 6, 9, 1), ht.M("w2", 1, 4, 7), ht.M("w3", 2, 5, 8, 11))),
		ClassNotRoundRobin, "partition 1 owned by w1+w2", "partition 10 owned by nobody")
}

func TestMinMoves(t *testing.T) {
	three := snap(ht.M("w1", 0, 1, 2, 3), ht.M("w2", 4, 5, 6, 7), ht.M("w3", 8, 9, 10, 11))
	four := snap(ht.M("w1", 0, 1, 2), ht.M("w2", 4, 5, 6), ht.M("w3", 8, 9, 10), ht.M("w4", 3, 7, 11))
	if n := MinMoves(three, four, 12); n != 3 {
		t.Errorf("join 3 -> 4 of 12: %d, want 3", n)
	}
	left := snap(ht.M("w1", 0, 1, 2, 3), ht.M("w3", 8, 9, 10, 4), ht.M("w4", 3, 7, 11, 5))
	if n := MinMoves(four, left, 12); n != 3 {
		t.Errorf("leave of w2 (3 partitions): %d, want 3", n)
	}
	// 10 over 3 -> 4: shares 3,3,2,2; the two biggest keep 3.
	a := snap(ht.M("w1", 0, 1, 2, 3), ht.M("w2", 4, 5, 6), ht.M("w3", 7, 8, 9))
	b := snap(ht.M("w1"), ht.M("w2"), ht.M("w3"), ht.M("w4"))
	if n := MinMoves(a, b, 10); n != 10-(3+3+2) {
		t.Errorf("10 over 3 -> 4: %d, want 2", n)
	}
}

func TestMinimalMoves(t *testing.T) {
	h := ht.New(12).History()
	three := snap(ht.M("w1", 0, 1, 2, 3), ht.M("w2", 4, 5, 6, 7), ht.M("w3", 8, 9, 10, 11))
	sticky := snap(ht.M("w1", 0, 1, 2), ht.M("w2", 4, 5, 6), ht.M("w3", 8, 9, 10), ht.M("w4", 3, 7, 11))
	r := MinimalMoves(h, "the join of w4", three, sticky)
	wantPass(t, r)
	if want := "3 moved: 3 w1 -> w4, 7 w2 -> w4, 11 w3 -> w4"; !strings.Contains(r.Message, want) {
		t.Errorf("message should list the moves %q: %s", want, r.Message)
	}
	// Eager range re-lays everything out: 6 move.
	rng := snap(ht.M("w1", 0, 1, 2), ht.M("w2", 3, 4, 5), ht.M("w3", 6, 7, 8), ht.M("w4", 9, 10, 11))
	wantFail(t, MinimalMoves(h, "the join of w4", three, rng), ClassExcessMoves,
		"should move exactly the minimum, 3 partitions", "6 moved", "3 more than needed", "partition 3 w1 -> w2 (w1 is still a member)")
	// A leave that moves more than the leaver's partitions.
	leave := snap(ht.M("w1", 0, 1, 2, 3), ht.M("w3", 4, 5, 6, 7), ht.M("w4", 8, 9, 10, 11))
	wantFail(t, MinimalMoves(h, "the leave of w2", rng, leave), ClassExcessMoves, "w2 left holding 3-5", "minimum, 3 partitions", "4 moved")
	// The leaver's partitions only: passes.
	wantPass(t, MinimalMoves(h, "the leave of w2", sticky, snap(ht.M("w1", 0, 1, 2, 4), ht.M("w3", 8, 9, 10, 5), ht.M("w4", 3, 7, 11, 6))))
	// Too few moves: the joiner got only one partition.
	wantFail(t, MinimalMoves(h, "the join of w4", three, snap(ht.M("w1", 0, 1, 2, 3), ht.M("w2", 4, 5, 6, 7), ht.M("w3", 8, 9, 10), ht.M("w4", 11))),
		ClassExcessMoves, "2 fewer than a balanced result needs")
	wantFail(t, MinimalMoves(h, "x", history.GroupSnapshot{}, sticky), ClassNoObservations)
}
