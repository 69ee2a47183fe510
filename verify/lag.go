package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// LagRecovered checks that consumer lag comes back under threshold within
// bound after since (normally the fault's heal), class
// "lag-not-recovered". It takes the first lag sample at or after since
// whose total lag (LagSample.Lag: end minus committed, summed over
// partitions, nothing committed counting as 0) is <= threshold; Measured is
// its time − since, and it passes when Measured <= bound.
//
// On failure the message gives the lag of the last sample at or before
// since+bound, the maximum lag seen after since and when, and the
// counter-examples are that sample's worst partitions (end, committed,
// lag). Measured is 0 when lag never came under the threshold. FirstAt is
// since+bound.
//
// Not checked: that lag stays down afterwards, or that the records behind
// the committed offsets were really fanned out (NoLostUpdates).
func LagRecovered(h history.History, since time.Time, threshold int64, bound time.Duration) Result {
	const check = CheckLagRecovered
	var samples []history.LagSample
	for _, s := range h.Lag {
		if !s.At.Before(since) {
			samples = append(samples, s)
		}
	}
	sort.SliceStable(samples, func(i, j int) bool { return samples[i].At.Before(samples[j].At) })
	deadline := since.Add(bound)
	expect := fmt.Sprintf("total lag should be <= %d records within %s of %s", threshold, bound, rel(h.Start, since))
	if len(samples) == 0 {
		r := fail(check, ClassLagNotRecovered, fmt.Sprintf("%s; there is no lag sample at or after it (%d samples in all).", expect, len(h.Lag)), deadline, nil, 0)
		r.Bound = bound
		return r
	}
	var (
		found      *history.LagSample
		atDeadline *history.LagSample
		maxS       = samples[0]
	)
	for i := range samples {
		s := &samples[i]
		if !s.At.After(deadline) {
			atDeadline = s
		}
		if s.Lag() > maxS.Lag() {
			maxS = *s
		}
		if found == nil && s.Lag() <= threshold {
			found = s
		}
	}
	var measured time.Duration
	if found != nil {
		measured = found.At.Sub(since)
		if measured <= bound {
			r := pass(check, fmt.Sprintf("%s; lag was %d at %s, after %s (max lag after %s: %d).", expect, found.Lag(), rel(h.Start, found.At), measured, rel(h.Start, since), maxS.Lag()))
			r.Measured, r.Bound = measured, bound
			return r
		}
	}
	var msg string
	ref := atDeadline
	if ref == nil {
		msg = fmt.Sprintf("%s; there is no sample within the bound (first at %s with lag %d)", expect, rel(h.Start, samples[0].At), samples[0].Lag())
		ref = &samples[0]
	} else {
		msg = fmt.Sprintf("%s; lag was %d at %s, the last sample within the bound", expect, ref.Lag(), rel(h.Start, ref.At))
	}
	msg += fmt.Sprintf(", max lag after %s %d at %s", rel(h.Start, since), maxS.Lag(), rel(h.Start, maxS.At))
	if found != nil {
		msg += fmt.Sprintf(", back under the threshold only at %s (%d) after %s.", rel(h.Start, found.At), found.Lag(), measured)
	} else {
		msg += fmt.Sprintf(", never back under the threshold (last sample at %s with lag %d).", rel(h.Start, samples[len(samples)-1].At), samples[len(samples)-1].Lag())
	}
	msg += fmt.Sprintf(" The counter-examples are the most lagging partitions at %s.", rel(h.Start, ref.At))
	ex := worstPartitions(*ref)
	r := fail(check, ClassLagNotRecovered, msg, deadline, ex, len(ex))
	r.Measured, r.Bound = measured, bound
	return r
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
