package verify

import (
	"slices"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestSettledNeedsStableAndEveryPartitionOnce(t *testing.T) {
	ok := history.GroupSnapshot{State: "Stable", Members: []history.Member{ht.M("w1", 0, 1), ht.M("w2", 2)}}
	if !Settled(ok, 3) {
		t.Fatal("stable, all owned once: should be settled")
	}
	for name, s := range map[string]history.GroupSnapshot{
		"rebalancing": {State: "PreparingRebalance", Members: ok.Members},
		"unowned":     {State: "Stable", Members: []history.Member{ht.M("w1", 0, 1), ht.M("w2")}},
		"twice":       {State: "Stable", Members: []history.Member{ht.M("w1", 0, 1), ht.M("w2", 1, 2)}},
		"outside":     {State: "Stable", Members: []history.Member{ht.M("w1", 0, 1, 2, 3)}},
		"error":       {State: "Stable", Members: ok.Members, Err: "boom"},
	} {
		if Settled(s, 3) {
			t.Errorf("%s: should not be settled", name)
		}
	}
}

func TestSettledWithMeasuresJoinToStable(t *testing.T) {
	h := ht.New(4).
		Stable(0, 2*s, 250*ms, 1, ht.M("w1", 0, 1, 2, 3)).
		Snapshot(2500*ms, "PreparingRebalance", 1, ht.M("w1", 0, 1, 2, 3), ht.M("w2")).
		// Stable, but the new member is not in yet: not the step's end.
		Snapshot(2750*ms, "Stable", 2, ht.M("w1", 0, 1, 2, 3)).
		Snapshot(3*s, "Stable", 3, ht.M("w1", 0, 1), ht.M("w2", 2, 3)).
		History()
	r := SettledWith(h, ht.At(2*s), []string{"w1", "w2"}, 5*s)
	wantPass(t, r)
	if r.Measured != time.Second {
		t.Errorf("measured %s, want 1s", r.Measured)
	}
}

func TestSettledWithFailsWhenAMemberNeverJoins(t *testing.T) {
	h := ht.New(4).
		Stable(0, 10*s, 500*ms, 1, ht.M("w1", 0, 1, 2, 3)).
		History()
	r := SettledWith(h, ht.At(2*s), []string{"w1", "w2"}, 5*s)
	wantFail(t, r, ClassUnsettled, "never did", "missing", "w2")
	if r.Measured != 0 {
		t.Errorf("measured %s, want 0", r.Measured)
	}
}

func TestSettledWithFailsWhenLate(t *testing.T) {
	h := ht.New(2).
		Stable(0, time.Second, 500*ms, 1, ht.M("w1", 0, 1)).
		Stable(1500*ms, 8*s, 500*ms, 2, ht.M("w1", 0, 1), ht.M("w2")). // w2 in, owning nothing: unbalanced but settled? no: still settled
		Snapshot(9*s, "Stable", 3, ht.M("w1", 0), ht.M("w2", 1)).
		History()
	// The expected members are there from 1.5s, but the step is judged by
	// the members alone; owning nothing is the balance checker's business.
	wantPass(t, SettledWith(h, ht.At(time.Second), []string{"w1", "w2"}, 2*s))

	h2 := ht.New(2).
		Stable(0, time.Second, 500*ms, 1, ht.M("w1", 0, 1)).
		Snapshot(2*s, "PreparingRebalance", 2, ht.M("w1"), ht.M("w2")).
		Snapshot(9*s, "Stable", 3, ht.M("w1", 0), ht.M("w2", 1)).
		History()
	r := SettledWith(h2, ht.At(time.Second), []string{"w1", "w2"}, 5*s)
	wantFail(t, r, ClassUnsettled, "settled only at +9s", "PreparingRebalance", "partitions 0-1 unowned")
	if r.Measured != 8*s {
		t.Errorf("measured %s, want 8s", r.Measured)
	}
}

func TestSpread(t *testing.T) {
	sp, most, least := Spread(history.GroupSnapshot{Members: []history.Member{ht.M("w10", 0, 1, 2), ht.M("w2", 3), ht.M("w3")}})
	if sp != 3 || most.Worker != "w10" || least.Worker != "w3" {
		t.Fatalf("spread %d most %s least %s", sp, most.Worker, least.Worker)
	}
	if sp, _, _ := Spread(history.GroupSnapshot{}); sp != 0 {
		t.Fatalf("empty group spread %d", sp)
	}
}

func TestPromisedSpread(t *testing.T) {
	for _, a := range []string{"", "range", "roundrobin", "cooperative-sticky", "uniform"} {
		if sp, ok := PromisedSpread(a); !ok || sp != 1 {
			t.Errorf("%q: %d %v", a, sp, ok)
		}
	}
	if _, ok := PromisedSpread("custom"); ok {
		t.Error("unknown assignor should not promise")
	}
}

func TestBalancedPassesOnEvenAssignments(t *testing.T) {
	h := ht.New(5).
		Stable(0, s, 500*ms, 1, ht.M("w1", 0, 1, 2, 3, 4)).
		Snapshot(1500*ms, "CompletingRebalance", 2, ht.M("w1", 0, 1, 2, 3, 4), ht.M("w2")). // not settled: not judged
		Stable(2*s, 3*s, 500*ms, 2, ht.M("w1", 0, 1, 2), ht.M("w2", 3, 4)).
		History()
	r := Balanced(h, time.Time{}, time.Time{}, 1)
	wantPass(t, r)
}

// A bad history: a settled group where one member holds 4 partitions and
// another 1 must fail, naming both members and the spread.
func TestBalancedFailsOnAnUnevenSettledAssignment(t *testing.T) {
	h := ht.New(6).
		Stable(0, s, 500*ms, 1, ht.M("w1", 0, 1, 2), ht.M("w2", 3, 4, 5)).
		Stable(2*s, 3*s, 500*ms, 2, ht.M("w1", 0, 1, 2, 3), ht.M("w2", 4), ht.M("w3", 5)).
		History()
	r := Balanced(h, time.Time{}, time.Time{}, 1)
	wantFail(t, r, ClassUnbalanced, "w1 holds 4", "w2 holds 1", "spread 3", "3 members")
	if !r.FirstAt.Equal(ht.At(2 * s)) {
		t.Errorf("first at %s", r.FirstAt)
	}
	// The window before the bad assignment passes.
	wantPass(t, Balanced(h, time.Time{}, ht.At(s), 1))
}

func TestBalancedNeedsASettledSnapshot(t *testing.T) {
	h := ht.New(2).Snapshot(s, "PreparingRebalance", 1, ht.M("w1")).History()
	wantFail(t, Balanced(h, time.Time{}, time.Time{}, 1), ClassNoObservations)
}

func TestCompareAssignmentsCountsMoves(t *testing.T) {
	before := history.GroupSnapshot{Members: []history.Member{ht.M("w1", 0, 1, 2), ht.M("w2", 3, 4, 5)}}
	after := history.GroupSnapshot{Members: []history.Member{ht.M("w1", 0, 1), ht.M("w2", 3, 4), ht.M("w3", 2, 5)}}
	mv := CompareAssignments(before, after)
	if !slices.Equal(mv.Kept, []int32{0, 1, 3, 4}) || !slices.Equal(mv.Moved, []int32{2, 5}) || len(mv.Between) != 0 {
		t.Fatalf("sticky join: %+v", mv)
	}
	if !slices.Equal(mv.Gained["w3"], []int32{2, 5}) || len(mv.Gained["w1"]) != 0 {
		t.Fatalf("gained: %v", mv.Gained)
	}
	// An eager reshuffle: w1 and w2 swap a partition as well.
	after2 := history.GroupSnapshot{Members: []history.Member{ht.M("w1", 0, 3), ht.M("w2", 1, 4), ht.M("w3", 2, 5)}}
	mv = CompareAssignments(before, after2)
	if !slices.Equal(mv.Between, []int32{1, 3}) || mv.From[1] != "w1 -> w2" || mv.From[3] != "w2 -> w1" {
		t.Fatalf("reshuffle: %+v", mv)
	}
	// A leave: the leaver's partitions move, and that is not "between".
	after3 := history.GroupSnapshot{Members: []history.Member{ht.M("w1", 0, 1, 2, 3), ht.M("w3", 4, 5)}}
	before3 := history.GroupSnapshot{Members: []history.Member{ht.M("w1", 0, 1), ht.M("w2", 2, 3), ht.M("w3", 4, 5)}}
	mv = CompareAssignments(before3, after3)
	if !slices.Equal(mv.Moved, []int32{2, 3}) || len(mv.Between) != 0 {
		t.Fatalf("leave: %+v", mv)
	}
}

func TestStickyMovesPassesOnASmallJoin(t *testing.T) {
	h := ht.New(6).
		Stable(0, s, 500*ms, 1, ht.M("w1", 0, 1, 2), ht.M("w2", 3, 4, 5)).
		Snapshot(2*s, "Stable", 2, ht.M("w1", 0, 1), ht.M("w2", 3, 4), ht.M("w3")). // cooperative: revoked first
		Snapshot(2500*ms, "Stable", 3, ht.M("w1", 0, 1), ht.M("w2", 3, 4), ht.M("w3", 2, 5)).
		History()
	wantPass(t, StickyMoves(h, ht.At(1500*ms), []string{"w1", "w2", "w3"}))
}

// A bad history: a join after which two old members swap partitions must
// fail, naming the needless moves.
func TestStickyMovesFailsOnAReshuffle(t *testing.T) {
	h := ht.New(6).
		Stable(0, s, 500*ms, 1, ht.M("w1", 0, 1, 2), ht.M("w2", 3, 4, 5)).
		Snapshot(2*s, "Stable", 2, ht.M("w1", 0, 3), ht.M("w2", 1, 4), ht.M("w3", 2, 5)).
		History()
	r := StickyMoves(h, ht.At(1500*ms), []string{"w1", "w2", "w3"})
	wantFail(t, r, ClassNeedlessMove, "partition 1 w1 -> w2", "partition 3 w2 -> w1", "2 of them between members that stayed")
}

func TestStickyMovesNeedsBothAssignments(t *testing.T) {
	h := ht.New(2).Stable(0, s, 500*ms, 1, ht.M("w1", 0, 1)).History()
	wantFail(t, StickyMoves(h, ht.At(500*ms), []string{"w1", "w2"}), ClassNoObservations, "after it")
	wantFail(t, StickyMoves(h, ht.At(-s), []string{"w1"}), ClassNoObservations, "before it")
}
