package verify

import (
	"testing"
	"time"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func quiet() *ht.Builder {
	return ht.New(6).
		Event(1*s, "w1", "assigned", 0, 1). // startup, before the window
		Stable(2*s, 20*s, 250*ms, 5, fleet()...).
		Event(15*s, "w2", "committed")
}

func TestNoRebalancePasses(t *testing.T) {
	h := quiet().SnapshotErr(12*s, "timeout").History() // observer errors are ignored
	r := NoRebalance(h, ht.At(5*s), ht.At(15*s))
	wantPass(t, r)
}

func TestNoRebalanceGenerationAndMembers(t *testing.T) {
	h := quiet().
		Snapshot(12100*ms, "PreparingRebalance", 5, ht.M("w1", 0, 1), ht.M("w3", 4, 5)).
		Snapshot(12200*ms, "Stable", 6, ht.M("w1", 0, 1, 2), ht.M("w3", 3, 4, 5)).
		Event(12150*ms, "w1", "assigned", 2).History()
	r := NoRebalance(h, ht.At(5*s), ht.At(15*s))
	wantFail(t, r, ClassUnexpectedRebalance, "members changed at +12.1s: joined [], left [w2(w2-m)]", "state Stable -> PreparingRebalance at +12.1s",
		"w1 printed assigned partitions 2 at +12.15s", "generation 5 -> 6 at +12.2s")
	if !r.FirstAt.Equal(ht.At(12100 * ms)) {
		t.Errorf("first %v", r.FirstAt)
	}
}

func TestNoRebalanceWorkerEventOnly(t *testing.T) {
	h := quiet().Event(8*s, "w3", "lost", 4, 5).History()
	wantFail(t, NoRebalance(h, ht.At(5*s), ht.At(15*s)), ClassUnexpectedRebalance, "w3 printed lost partitions 4-5 at +8s")
	wantPass(t, NoRebalance(h, ht.At(9*s), ht.At(15*s)))
}

// franz-go prints assigned a few milliseconds after the observer has seen
// the group stable: an assigned naming what the worker already holds in the
// window's first snapshot moves nothing; one naming another partition, or
// any revoke, does.
func TestNoRebalanceLateAssignedReport(t *testing.T) {
	h := quiet().Event(2*s+8*ms, "w1", "assigned", 0, 1).Event(2*s+9*ms, "w3", "assigned", 4, 5).History()
	wantPass(t, NoRebalance(h, ht.At(2*s), ht.At(15*s)))
	h = quiet().Event(2*s+8*ms, "w1", "assigned", 0, 1, 2).History()
	wantFail(t, NoRebalance(h, ht.At(2*s), ht.At(15*s)), ClassUnexpectedRebalance, "w1 printed assigned partitions 0-2")
	h = quiet().Event(3*s, "w1", "revoked", 0, 1).Event(3*s+5*ms, "w1", "assigned", 0, 1).History()
	wantFail(t, NoRebalance(h, ht.At(2*s), ht.At(15*s)), ClassUnexpectedRebalance, "w1 printed revoked partitions 0-1", "1 of them worker assignment events")
}

func TestNoRebalanceTooFewSnapshots(t *testing.T) {
	h := quiet().History()
	wantFail(t, NoRebalance(h, ht.At(30*s), time.Time{}), ClassNoObservations)
}

// franz-go calls its revoke callback with nothing at the end of every
// cooperative session: an event with no partitions moves nothing.
func TestNoRebalanceIgnoresEmptyAssignmentEvents(t *testing.T) {
	h := quiet().Event(8*s, "w3", "revoked").Event(9*s, "w1", "assigned").Event(10*s, "w2", "lost").History()
	wantPass(t, NoRebalance(h, ht.At(5*s), ht.At(15*s)))
	h = quiet().Event(8*s, "w3", "revoked").Event(9*s, "w3", "revoked", 4).History()
	wantFail(t, NoRebalance(h, ht.At(5*s), ht.At(15*s)), ClassUnexpectedRebalance, "w3 printed revoked partitions 4 at +9s", "1 of them worker assignment events")
}
