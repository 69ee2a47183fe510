package verify

import (
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestLagBoundedPassesWhenLagStaysLow(t *testing.T) {
	b := ht.New(1)
	for i := int64(0); i < 20; i++ {
		b.LagTotal(timeMS(i*500), 10+i%5)
	}
	wantPass(t, LagBounded(b.History(), ht.At(0), ht.At(10*s), 50))
}

func TestLagBoundedFailsOnASpike(t *testing.T) {
	b := ht.New(1)
	for i := int64(0); i < 20; i++ {
		lag := int64(10)
		if i == 7 || i == 8 {
			lag = 400 + i
		}
		b.LagTotal(timeMS(i*500), lag)
	}
	r := LagBounded(b.History(), ht.At(0), ht.At(10*s), 50)
	wantFail(t, r, ClassLagExceeded, "407 at +3.5s first", "408 at worst at +4s")
	if !r.FirstAt.Equal(ht.At(3500 * ms)) {
		t.Errorf("first at %v", r.FirstAt)
	}
}

func TestLagBoundedIgnoresSpikesOutsideTheWindow(t *testing.T) {
	b := ht.New(1).LagTotal(1*s, 900).LagTotal(3*s, 5).LagTotal(9*s, 900)
	wantPass(t, LagBounded(b.History(), ht.At(2*s), ht.At(8*s), 50))
}

func TestLagBoundedWithoutSamplesCannotPass(t *testing.T) {
	r := LagBounded(ht.New(1).LagTotal(1*s, 0).History(), ht.At(2*s), ht.At(8*s), 50)
	wantFail(t, r, ClassNoObservations)
}
