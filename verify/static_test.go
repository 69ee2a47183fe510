package verify

import (
	"strings"
	"testing"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

// restart: w2 (partitions 2-3) is killed at +5s and rejoins as w2-new at
// +6s; the group keeps its members and owners throughout.
func restart() *ht.Builder {
	before := fleet()
	after := []history.Member{ht.M("w1", 0, 1), {Worker: "w2", MemberID: "w2-new", Partitions: []int32{2, 3}}, ht.M("w3", 4, 5)}
	return ht.New(6).
		Event(1*s, "w2", "started").Event(1500*ms, "w2", "assigned", 2, 3).
		Stable(2*s, 6*s, 250*ms, 0, before...).
		Event(5500*ms, "w2", "started").Event(5900*ms, "w2", "assigned", 3, 2).
		Stable(6250*ms, 15*s, 250*ms, 0, after...)
}

func TestStaticRejoinPasses(t *testing.T) {
	h := restart().Event(5*s, "w2", "revoked", 2, 3).History() // SIGTERM: gives its own partitions up locally
	r := StaticRejoin(h, "w2", ht.At(3*s), ht.At(15*s))
	wantPass(t, r)
	if want := "member ids w2-m -> w2-new"; !strings.Contains(r.Message, want) {
		t.Errorf("message should name the member ids: %s", r.Message)
	}
}

func TestStaticRejoinFailsOnRebalance(t *testing.T) {
	// The coordinator rebalanced: a state change, owners moved, the others
	// printed assignment events.
	h := restart().
		Snapshot(6100*ms, "PreparingRebalance", 0, fleet()...).
		Snapshot(6200*ms, "Stable", 0, ht.M("w1", 0, 1, 2), ht.M("w2", 3), ht.M("w3", 4, 5)).
		Event(6150*ms, "w1", "revoked", 0, 1).Event(6180*ms, "w1", "assigned", 0, 1, 2).History()
	wantFail(t, StaticRejoin(h, "w2", ht.At(3*s), ht.At(15*s)), ClassUnexpectedRebalance,
		"state PreparingRebalance at +6.1s", "partitions moved at +6.2s: 2 w2 -> w1", "w1 printed revoked partitions 0-1 at +6.15s")

	// Back with other partitions than it had.
	h = restart().Event(7*s, "w2", "assigned", 2).History()
	wantFail(t, StaticRejoin(h, "w2", ht.At(3*s), ht.At(15*s)), ClassUnexpectedRebalance, "w2 printed assigned partitions 2 at +7s")

	// Lost is never a clean static restart.
	h = restart().Event(5*s, "w2", "lost", 2, 3).History()
	wantFail(t, StaticRejoin(h, "w2", ht.At(3*s), ht.At(15*s)), ClassUnexpectedRebalance, "w2 printed lost partitions 2-3")

	// A dynamic rejoin: the worker left (its session expired) and came back.
	h = ht.New(6).Stable(2*s, 5*s, 250*ms, 0, fleet()...).
		Snapshot(6*s, "Stable", 0, ht.M("w1", 0, 1, 2), ht.M("w3", 3, 4, 5)).
		Stable(7*s, 9*s, 250*ms, 0, fleet()...).History()
	wantFail(t, StaticRejoin(h, "w2", ht.At(3*s), ht.At(15*s)), ClassUnexpectedRebalance, "members [w1 w3] at +6s, were [w1 w2 w3]")

	// KIP-848 reports the epoch: a bump is a rebalance.
	h = ht.New(6).Stable(2*s, 5*s, 250*ms, 4, fleet()...).Stable(5250*ms, 9*s, 250*ms, 5, fleet()...).History()
	wantFail(t, StaticRejoin(h, "w2", ht.At(3*s), ht.At(15*s)), ClassUnexpectedRebalance, "generation 4 -> 5 at +5.25s")
}

func TestStaticRejoinNoObservations(t *testing.T) {
	wantFail(t, StaticRejoin(restart().History(), "w2", ht.At(30*s), ht.At(40*s)), ClassNoObservations)
	wantFail(t, StaticRejoin(restart().History(), "w9", ht.At(3*s), ht.At(15*s)), ClassNoObservations, "not a member")
}

func TestMemberReplaced(t *testing.T) {
	r := MemberReplaced(restart().History(), "w2", ht.At(5*s), ht.At(15*s))
	wantPass(t, r)
	if r.Measured != 1250*ms {
		t.Errorf("measured %s, want 1.25s (first snapshot with the new member id)", r.Measured)
	}
	// Never restarted: same member id, no started event.
	h := ht.New(6).Stable(2*s, 15*s, 250*ms, 0, fleet()...).History()
	wantFail(t, MemberReplaced(h, "w2", ht.At(5*s), ht.At(15*s)), ClassNoBite, "never printed started", "member id never changed")
}

func TestMemberReplacedFasterThanTheObserver(t *testing.T) {
	// The restart lands between two samples: no snapshot in the window
	// shows the old id, the last one before it does.
	after := []history.Member{ht.M("w1", 0, 1), {Worker: "w2", MemberID: "w2-new", Partitions: []int32{2, 3}}, ht.M("w3", 4, 5)}
	h := ht.New(6).Event(1*s, "w2", "started").Stable(2*s, 5*s, 250*ms, 0, fleet()...).
		Event(5300*ms, "w2", "started").Stable(5400*ms, 15*s, 250*ms, 0, after...).History()
	r := MemberReplaced(h, "w2", ht.At(5200*ms), ht.At(15*s))
	wantPass(t, r)
	if !strings.Contains(r.Message, "w2-m -> w2-new") {
		t.Errorf("message should name both ids: %s", r.Message)
	}
	// Same id before and in the window: not replaced.
	h = ht.New(6).Event(1*s, "w2", "started").Stable(2*s, 5*s, 250*ms, 0, fleet()...).
		Event(5300*ms, "w2", "started").Stable(5400*ms, 15*s, 250*ms, 0, fleet()...).History()
	wantFail(t, MemberReplaced(h, "w2", ht.At(5200*ms), ht.At(15*s)), ClassNoBite, "member id never changed")
}

func TestRebalances(t *testing.T) {
	if n := Rebalances(restart().History(), ht.At(3*s), ht.At(15*s)); n != 0 {
		t.Errorf("static restart: %d rebalances, want 0", n)
	}
	h := restart().
		Snapshot(6100*ms, "PreparingRebalance", 0, fleet()...).
		Snapshot(6200*ms, "Stable", 0, ht.M("w1", 0, 1, 2), ht.M("w2", 3), ht.M("w3", 4, 5)).History()
	// Into PreparingRebalance (1), owners moved (2), and back to the old
	// owners in the snapshots after (3).
	if n := Rebalances(h, ht.At(3*s), ht.At(15*s)); n != 3 {
		t.Errorf("%d rebalance steps, want 3", n)
	}
}

func TestStaticRejoinIgnoresEmptyAssignmentEvents(t *testing.T) {
	h := restart().Event(7*s, "w1", "revoked").Event(8*s, "w2", "lost").Event(9*s, "w3", "assigned").History()
	wantPass(t, StaticRejoin(h, "w2", ht.At(3*s), ht.At(15*s)))
	h = restart().Event(7*s, "w1", "revoked").Event(8*s, "w1", "revoked", 0).History()
	wantFail(t, StaticRejoin(h, "w2", ht.At(3*s), ht.At(15*s)), ClassUnexpectedRebalance, "w1 printed revoked partitions 0 at +8s", "1 of them assignment events")
}
