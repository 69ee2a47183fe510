package verify

import (
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

// heal at +10s, bound 15s, threshold 50. Lag is low before the fault (must
// not count), high after it, then falls under 50 at recoverAt.
func lagHistory(recoverAt int64 /* ms */) *ht.Builder {
	b := ht.New(1).LagTotal(9*s, 0)
	for t := int64(10000); t < recoverAt; t += 250 {
		b.LagTotal(timeMS(t), 900-(t-10000)/40)
	}
	return b.LagTotal(timeMS(recoverAt), 40)
}

func TestLagRecoveredJustInside(t *testing.T) {
	r := LagRecovered(lagHistory(24750).History(), ht.At(10*s), 50, 15*s)
	wantPass(t, r)
	if r.Measured != 14750*ms || r.Bound != 15*s {
		t.Errorf("measured %v", r.Measured)
	}
	wantPass(t, LagRecovered(lagHistory(25000).History(), ht.At(10*s), 50, 15*s)) // exactly at the bound
}

func TestLagRecoveredJustOutside(t *testing.T) {
	r := LagRecovered(lagHistory(25250).History(), ht.At(10*s), 50, 15*s)
	wantFail(t, r, ClassLagNotRecovered, "lag was 525 at +25s", "max lag after +10s 900 at +10s", "back under the threshold only at +25.25s (40) after 15.25s", "partition 0 lag 525 (end 1525, committed 1000)")
	if r.Measured != 15250*ms || !r.FirstAt.Equal(ht.At(25*s)) {
		t.Errorf("measured %v first %v", r.Measured, r.FirstAt)
	}
}

func TestLagNeverRecovers(t *testing.T) {
	b := ht.New(3).LagTotal(9*s, 0)
	for t := int64(10); t <= 40; t++ {
		b.Lag(timeMS(t*1000), map[int32]int64{0: 100, 1: -1, 2: 5}, map[int32]int64{0: 100, 1: 300 + t, 2: 80})
	}
	r := LagRecovered(b.History(), ht.At(10*s), 50, 15*s)
	wantFail(t, r, ClassLagNotRecovered, "lag was 400 at +25s", "max lag after +10s 415 at +40s", "never back under the threshold",
		"partition 1 lag 325 (end 325, committed -1)", "partition 2 lag 75 (end 80, committed 5)")
	if r.Measured != 0 || len(r.Examples) != 2 {
		t.Errorf("measured %v examples %q", r.Measured, r.Examples)
	}
}

func TestLagNoSampleAfterSince(t *testing.T) {
	h := ht.New(1).LagTotal(1*s, 0).History()
	wantFail(t, LagRecovered(h, ht.At(10*s), 50, 15*s), ClassLagNotRecovered, "no lag sample at or after")
}
