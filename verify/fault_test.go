package verify

import (
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestFaultBit(t *testing.T) {
	h := ht.New(6).Fault(10*s, "sigkill", "w2", history.PhaseInject).
		Fault(16*s, "sigkill", "w2", history.PhaseBit).
		Fault(20*s, "sigkill", "w2", history.PhaseHeal).History()
	r := FaultBit(h, "sigkill")
	wantPass(t, r)
	if r.Measured != 6*s {
		t.Errorf("measured %v", r.Measured)
	}
}

func TestFaultNoBite(t *testing.T) {
	// The bit mark before the inject does not count.
	h := ht.New(6).Fault(5*s, "pause", "w1", history.PhaseBit).
		Fault(10*s, "pause", "w1", history.PhaseInject).
		Fault(20*s, "pause", "w1", history.PhaseHeal).History()
	r := FaultBit(h, "pause")
	wantFail(t, r, ClassNoBite, "pause on w1 injected at +10s never bit", "healed at +20s", "1 of 1 injections")
	if !r.FirstAt.Equal(ht.At(10 * s)) {
		t.Errorf("first %v", r.FirstAt)
	}
}

func TestFaultBitEachInjection(t *testing.T) {
	h := ht.New(6).
		Fault(1*s, "cut", "w1", history.PhaseInject).Fault(2*s, "cut", "w1", history.PhaseBit).
		Fault(5*s, "cut", "w1", history.PhaseInject).
		Fault(6*s, "cut", "w2", history.PhaseBit). // another target's bite
		Fault(9*s, "cut", "w1", history.PhaseInject).Fault(9500*ms, "cut", "w1", history.PhaseBit).History()
	wantFail(t, FaultBit(h, "cut"), ClassNoBite, "cut on w1 injected at +5s never bit", "1 of 3 injections")
}

func TestFaultNeverInjected(t *testing.T) {
	h := ht.New(6).Fault(1*s, "other", "", history.PhaseInject).History()
	wantFail(t, FaultBit(h, "sigkill"), ClassNoBite, `fault "sigkill"`, "never injected")
}

func TestMemberLeftAndHasPartitions(t *testing.T) {
	h := ht.New(6).Stable(0, 10*s, s, 1, fleet()...).
		SnapshotErr(11*s, "x"). // an observer error is not "left"
		Snapshot(12*s, "PreparingRebalance", 2, ht.M("w1", 0, 1), ht.M("w3", 4, 5)).
		Snapshot(13*s, "Stable", 2, ht.M("w1", 0, 1, 2), ht.M("w3", 3, 4, 5)).
		Snapshot(20*s, "PreparingRebalance", 3, ht.M("w1", 0, 1, 2), ht.M("w3", 3, 4, 5), ht.M("w2")).
		Snapshot(21*s, "Stable", 3, fleet()...).History()

	at, ok := MemberLeft(h, "w2", ht.At(10*s), 5*s)
	if !ok || !at.Equal(ht.At(12*s)) {
		t.Errorf("MemberLeft = %v %v", at, ok)
	}
	if _, ok := MemberLeft(h, "w2", ht.At(10*s), 1500*ms); ok {
		t.Error("MemberLeft within 1.5s should be false")
	}
	if at, ok := MemberLeft(h, "w2-m", ht.At(10*s), 0); !ok || !at.Equal(ht.At(12*s)) {
		t.Errorf("by member id: %v %v", at, ok)
	}
	// Rejoined with no partitions at +20s, with partitions at +21s.
	if at, ok := MemberHasPartitions(h, "w2", ht.At(13*s)); !ok || !at.Equal(ht.At(21*s)) {
		t.Errorf("MemberHasPartitions = %v %v", at, ok)
	}
	if _, ok := MemberHasPartitions(h, "w9", time.Time{}); ok {
		t.Error("unknown worker has partitions")
	}
}

// A bit mark without a target is not the bite of a targeted injection.
func TestFaultBitNeedsTheSameTarget(t *testing.T) {
	h := ht.New(6).Fault(1*s, "pause", "w1", history.PhaseInject).
		Fault(2*s, "pause", "", history.PhaseBit).History()
	wantFail(t, FaultBit(h, "pause"), ClassNoBite, "pause on w1 injected at +1s never bit")
}
