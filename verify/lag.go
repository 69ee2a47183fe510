package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// LagWindow says where a fault's effect on lag is judged.
type LagWindow struct {
	// Fault is when the fault was injected. With Rise, lag must climb above
	// the threshold at or after it: the spec claims the fault set the
	// fleet back, so a recovery from nothing proves nothing.
	Fault time.Time
	// From is where recovery is measured from: the heal, or the moment
	// the group settled (a permanent fault).
	From time.Time
	// Until ends the window: lag must be under the threshold from the
	// recovery until then. Zero means the history's LoadStopped (after the
	// load stops lag falls by itself, so later samples prove nothing), or
	// h.End when the load never stopped.
	Until time.Time
	// Hold is how long lag must have stayed under the threshold before
	// Until for "it stays down" to have been seen at all.
	Hold time.Duration
	// Rise requires lag above the threshold at or after Fault. Faults
	// whose effect on lag depends on the host (a graceful leave, a short
	// pause) leave it false: the check then only says lag is back under
	// the threshold within the bound and stays there.
	Rise bool
}

// LagRecovered checks that consumer lag, set back by a fault, comes back
// under threshold within bound of w.From and stays there (class
// "lag-not-recovered"). Lag is LagSample.Lag: end minus committed, summed
// over partitions, nothing committed counting as 0.
//
// The recovery is the first sample of the last run of samples at or under
// the threshold that reaches the end of the window (w.Until, else
// h.LoadStopped): lag that dips and then spikes again (the victim's rejoin
// rebalancing the group once more) recovers only after the spike. Measured
// is the recovery's time − w.From (0 when lag was already down at From),
// and it passes when Measured <= bound and that last run lasted at least
// w.Hold.
//
// It fails with "no-bite" when w.Rise is set and no sample at or after
// w.Fault had lag above the threshold, and with "no-observations" when the
// window has no sample, or lag stayed down for less than w.Hold before the
// window ended (the spec did not watch long enough to say it stays down).
// The failure's counter-examples are the worst partitions of the sample
// that broke it.
//
// Not checked: that the records behind the committed offsets were really
// fanned out (NoLostUpdates).
func LagRecovered(h history.History, w LagWindow, threshold int64, bound time.Duration) Result {
	const check = CheckLagRecovered
	until := w.Until
	if until.IsZero() {
		until = h.LoadStopped
	}
	if until.IsZero() {
		until = h.End
	}
	samples := lagSorted(h)
	expect := fmt.Sprintf("total lag should be <= %d records within %s of %s and stay there", threshold, bound, rel(h.Start, w.From))
	if w.Hold > 0 {
		expect += fmt.Sprintf(" (at least %s)", w.Hold)
	}
	deadline := w.From.Add(bound)

	// The rise.
	var peak *history.LagSample
	for i := range samples {
		s := &samples[i]
		if s.At.Before(w.Fault) || (!until.IsZero() && s.At.After(until)) {
			continue
		}
		if peak == nil || s.Lag() > peak.Lag() {
			peak = s
		}
	}
	if w.Rise && (peak == nil || peak.Lag() <= threshold) {
		msg := fmt.Sprintf("the fault injected at %s should set lag back above %d records and it should recover; ", rel(h.Start, w.Fault), threshold)
		if peak == nil {
			msg += "there is no lag sample after it."
			return fail(check, ClassNoObservations, msg, w.Fault, nil, 0)
		}
		msg += fmt.Sprintf("lag never rose above the threshold (at most %d at %s), so its recovery shows nothing.", peak.Lag(), rel(h.Start, peak.At))
		return fail(check, ClassNoBite, msg, w.Fault, nil, 0)
	}

	// The samples of the window.
	var win []history.LagSample
	for _, s := range samples {
		if !s.At.Before(w.From) && (until.IsZero() || !s.At.After(until)) {
			win = append(win, s)
		}
	}
	if len(win) == 0 {
		r := fail(check, ClassNoObservations, fmt.Sprintf("%s; there is no lag sample between %s and %s (%d samples in all).", expect, rel(h.Start, w.From), rel(h.Start, until), len(samples)), deadline, nil, 0)
		r.Bound = bound
		return r
	}
	peakNote := ""
	if peak != nil {
		peakNote = fmt.Sprintf(" (peak %d at %s)", peak.Lag(), rel(h.Start, peak.At))
	}
	last := win[len(win)-1]
	if last.Lag() > threshold {
		// Not down at the end of the window: find the worst sample after
		// the deadline to show.
		msg := fmt.Sprintf("%s; lag was %d at %s, the end of the window%s", expect, last.Lag(), rel(h.Start, last.At), peakNote)
		if d := firstUnder(win, threshold); d != nil {
			msg += fmt.Sprintf("; it was under the threshold at %s (%d) but rose again", rel(h.Start, d.At), d.Lag())
		} else {
			msg += "; it never came back under the threshold"
		}
		ex := worstPartitions(last)
		r := fail(check, ClassLagNotRecovered, msg+". The counter-examples are the most lagging partitions at its end.", deadline, ex, len(ex))
		r.Bound = bound
		return r
	}
	// The last run under the threshold.
	start := len(win) - 1
	for start > 0 && win[start-1].Lag() <= threshold {
		start--
	}
	rec := win[start]
	measured := max(rec.At.Sub(w.From), 0)
	if start == 0 {
		// Down already at From only if the last sample before From says
		// so; a gap in the samples must not hide a late recovery.
		var prev *history.LagSample
		for i := range samples {
			if samples[i].At.Before(w.From) {
				prev = &samples[i]
			}
		}
		if prev != nil && !prev.At.Before(w.Fault) && prev.Lag() <= threshold {
			measured = 0
		}
	}
	held := last.At.Sub(rec.At)
	if measured > bound {
		if start == 0 {
			// No sample between the heal and this one: the recovery was
			// not seen within the bound.
			r := fail(check, ClassLagNotRecovered, fmt.Sprintf("%s; the first lag sample after %s is at %s (%d), %s later%s: no sample shows lag back within the bound.",
				expect, rel(h.Start, w.From), rel(h.Start, rec.At), rec.Lag(), measured, peakNote), deadline, nil, 0)
			r.Measured, r.Bound = measured, bound
			return r
		}
		spike := win[start-1]
		msg := fmt.Sprintf("%s; lag was back under it for good only at %s (%d), %s after %s%s; the last sample above it was %d at %s",
			expect, rel(h.Start, rec.At), rec.Lag(), measured, rel(h.Start, w.From), peakNote, spike.Lag(), rel(h.Start, spike.At))
		if d := firstUnder(win, threshold); d != nil && d.At.Before(spike.At) {
			msg += fmt.Sprintf(" (it had dipped under at %s and rose again)", rel(h.Start, d.At))
		}
		ex := worstPartitions(spike)
		r := fail(check, ClassLagNotRecovered, msg+". The counter-examples are the most lagging partitions then.", deadline, ex, len(ex))
		r.Measured, r.Bound = measured, bound
		return r
	}
	if held < w.Hold {
		r := fail(check, ClassNoObservations, fmt.Sprintf("%s; lag was under it from %s, but the window ended at %s, %s later: too soon to say it stays down.",
			expect, rel(h.Start, rec.At), rel(h.Start, last.At), held), last.At, nil, 0)
		r.Measured, r.Bound = measured, bound
		return r
	}
	r := pass(check, fmt.Sprintf("%s; back under it at %s (%d), %s after %s%s, and held for %s until %s.",
		expect, rel(h.Start, rec.At), rec.Lag(), measured, rel(h.Start, w.From), peakNote, held, rel(h.Start, last.At)))
	r.Measured, r.Bound = measured, bound
	return r
}

func lagSorted(h history.History) []history.LagSample {
	samples := append([]history.LagSample(nil), h.Lag...)
	sort.SliceStable(samples, func(i, j int) bool { return samples[i].At.Before(samples[j].At) })
	return samples
}

func firstUnder(samples []history.LagSample, threshold int64) *history.LagSample {
	for i := range samples {
		if samples[i].Lag() <= threshold {
			return &samples[i]
		}
	}
	return nil
}

// worstPartitions lists the partitions of s with lag, most lagging first.
func worstPartitions(s history.LagSample) []string {
	type pl struct {
		p        int32
		end, com int64
		lag      int64
	}
	var ls []pl
	for p, end := range s.End {
		c, ok := s.Committed[p]
		if !ok {
			c = -1
		}
		base := max(c, 0)
		if end > base {
			ls = append(ls, pl{p, end, c, end - base})
		}
	}
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].lag != ls[j].lag {
			return ls[i].lag > ls[j].lag
		}
		return ls[i].p < ls[j].p
	})
	var out []string
	for _, l := range ls {
		out = append(out, fmt.Sprintf("partition %d lag %d (end %d, committed %d)", l.p, l.lag, l.end, l.com))
	}
	return out
}
