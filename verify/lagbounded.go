package verify

import (
	"fmt"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// CheckLagBounded names LagBounded; ClassLagExceeded is its anomaly class.
const (
	CheckLagBounded  = "lag-bounded"
	ClassLagExceeded = "lag-exceeded"
)

// LagBounded checks that total lag stays at or under ceiling in every lag
// sample in [from, to], class "lag-exceeded": the control's claim that a
// healthy fleet keeps up with the load. It fails with "no-observations"
// when the window holds no sample. The counter-examples are the worst
// sample's most lagging partitions; FirstAt is the first sample over the
// ceiling.
//
// Not checked: anything outside the window (use LagRecovered after a fault).
func LagBounded(h history.History, from, to time.Time, ceiling int64) Result {
	const check = CheckLagBounded
	var n int
	var first, worst *history.LagSample
	for i := range h.Lag {
		s := &h.Lag[i]
		if !inWindow(s.At, from, to) {
			continue
		}
		n++
		if s.Lag() > ceiling {
			if first == nil {
				first = s
			}
			if worst == nil || s.Lag() > worst.Lag() {
				worst = s
			}
		}
	}
	expect := fmt.Sprintf("total lag should stay <= %d records %s", ceiling, window(h.Start, from, to))
	if n == 0 {
		return fail(check, ClassNoObservations, expect+"; there is no lag sample in the window.", from, nil, 0)
	}
	if first == nil {
		return pass(check, fmt.Sprintf("%s; it did in all %d samples.", expect, n))
	}
	msg := fmt.Sprintf("%s; it was %d at %s first, and %d at worst at %s.", expect, first.Lag(), rel(h.Start, first.At), worst.Lag(), rel(h.Start, worst.At))
	ex := worstPartitions(*worst)
	return fail(check, ClassLagExceeded, msg, first.At, ex, len(ex))
}
