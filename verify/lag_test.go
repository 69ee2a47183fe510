package verify

import (
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

// The fault at +5s, heal at +10s, bound 15s, threshold 50, hold 5s, load
// stopped at +40s. Lag is low before the fault (must not count), high
// after it, then falls under 50 at recoverAt and stays there.
func lagHistory(recoverAt int64 /* ms */) *ht.Builder {
	b := ht.New(1).LagTotal(4*s, 0).LagTotal(9*s, 10)
	for t := int64(10000); t < recoverAt; t += 250 {
		b.LagTotal(timeMS(t), 900-(t-10000)/40)
	}
	for t := recoverAt; t <= 40000; t += 1000 {
		b.LagTotal(timeMS(t), 40)
	}
	return b.LoadStopped(40*s).LagTotal(41*s, 0)
}

var lagWin = LagWindow{Fault: ht.At(5 * s), From: ht.At(10 * s), Hold: 5 * s, Rise: true}

func TestLagRecoveredJustInside(t *testing.T) {
	r := LagRecovered(lagHistory(24750).History(), lagWin, 50, 15*s)
	wantPass(t, r)
	if r.Measured != 14750*ms || r.Bound != 15*s {
		t.Errorf("measured %v", r.Measured)
	}
	wantPass(t, LagRecovered(lagHistory(25000).History(), lagWin, 50, 15*s)) // exactly at the bound
}

func TestLagRecoveredJustOutside(t *testing.T) {
	r := LagRecovered(lagHistory(25250).History(), lagWin, 50, 15*s)
	wantFail(t, r, ClassLagNotRecovered, "back under it for good only at +25.25s (40), 15.25s after +10s", "peak 900 at +10s", "the last sample above it was 525 at +25s", "partition 0 lag 525 (end 1525, committed 1000)")
	if r.Measured != 15250*ms || !r.FirstAt.Equal(ht.At(25*s)) {
		t.Errorf("measured %v first %v", r.Measured, r.FirstAt)
	}
}

// Low, then a spike: the first dip does not count as the recovery.
func TestLagThatDipsAndSpikesAgainRecoversOnlyAfterTheSpike(t *testing.T) {
	b := ht.New(1).LagTotal(4*s, 0).LagTotal(11*s, 300).LagTotal(12*s, 20)
	for t := int64(13); t <= 30; t++ {
		b.LagTotal(timeMS(t*1000), 400) // the rejoin rebalance
	}
	for t := int64(31); t <= 40; t++ {
		b.LagTotal(timeMS(t*1000), 10)
	}
	r := LagRecovered(b.LoadStopped(40*s).History(), lagWin, 50, 15*s)
	wantFail(t, r, ClassLagNotRecovered, "for good only at +31s", "it had dipped under at +12s and rose again")
}

// Lag that is above the threshold when the lagWin ends never recovered.
func TestLagStillHighAtTheEnd(t *testing.T) {
	b := ht.New(3).LagTotal(4*s, 0)
	for t := int64(10); t <= 40; t++ {
		b.Lag(timeMS(t*1000), map[int32]int64{0: 100, 1: -1, 2: 5}, map[int32]int64{0: 100, 1: 300 + t, 2: 80})
	}
	r := LagRecovered(b.LoadStopped(40*s).History(), lagWin, 50, 15*s)
	wantFail(t, r, ClassLagNotRecovered, "lag was 415 at +40s, the end of the window", "never came back under the threshold",
		"partition 1 lag 340 (end 340, committed -1)", "partition 2 lag 75 (end 80, committed 5)")
}

// A fault that never set lag back above the threshold shows no recovery.
func TestLagThatNeverRoseIsNoBite(t *testing.T) {
	b := ht.New(1).LagTotal(4*s, 0)
	for t := int64(5); t <= 40; t++ {
		b.LagTotal(timeMS(t*1000), 30)
	}
	h := b.LoadStopped(40 * s).History()
	wantFail(t, LagRecovered(h, lagWin, 50, 15*s), ClassNoBite, "never rose above the threshold (at most 30 at +5s)")
	// Without Rise the same history passes: lag is down and stays down.
	w := lagWin
	w.Rise = false
	r := LagRecovered(h, w, 50, 15*s)
	wantPass(t, r)
	if r.Measured != 0 {
		t.Errorf("already down at the heal: measured %v", r.Measured)
	}
}

// A recovery seen for less than the hold proves nothing about staying down.
func TestLagRecoveredButNotWatchedForTheHold(t *testing.T) {
	b := ht.New(1).LagTotal(4*s, 0).LagTotal(10*s, 500).LagTotal(12*s, 30).LagTotal(13*s, 20)
	wantFail(t, LagRecovered(b.LoadStopped(13*s).History(), lagWin, 50, 15*s), ClassNoObservations, "too soon to say it stays down")
}

// Samples after the load stopped do not count: lag falls by itself then.
func TestLagAfterTheLoadStoppedDoesNotCount(t *testing.T) {
	b := ht.New(1).LagTotal(4*s, 0)
	for t := int64(10); t <= 40; t++ {
		b.LagTotal(timeMS(t*1000), 700)
	}
	for t := int64(41); t <= 60; t++ {
		b.LagTotal(timeMS(t*1000), 0)
	}
	wantFail(t, LagRecovered(b.LoadStopped(40*s).History(), lagWin, 50, 60*s), ClassLagNotRecovered, "lag was 700 at +40s")
}

func TestLagNoSampleAfterSince(t *testing.T) {
	h := ht.New(1).LagTotal(1*s, 0).LagTotal(6*s, 100).LoadStopped(8 * s).History()
	wantFail(t, LagRecovered(h, lagWin, 50, 15*s), ClassNoObservations, "no lag sample between +10s and +8s")
}

// A gap in the samples must not hide a late recovery: the first sample of
// the window is under the threshold, but 40 s after the heal.
func TestLagRecoveredAfterAGapIsMeasuredFromTheHeal(t *testing.T) {
	b := ht.New(1).LagTotal(4*s, 0).LagTotal(8*s, 900)
	for t := int64(50); t <= 60; t++ {
		b.LagTotal(timeMS(t*1000), 10)
	}
	r := LagRecovered(b.LoadStopped(60*s).History(), lagWin, 50, 15*s)
	wantFail(t, r, ClassLagNotRecovered)
	if r.Measured != 40*s {
		t.Errorf("measured %v, want 40s", r.Measured)
	}
}
