package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// CommittingAgain checks that after since (a broker restarted, the
// coordinator back) every partition that kept receiving posts is committed
// again within bound: its committed offset, in some lag sample in
// (since, since+bound], is above the one in the last sample at or before
// since (class "not-resumed"). A group re-formed on paper (a restarted
// broker restores its members and their assignment from its data dir) but
// whose members are gone commits nothing, so this is what says the group
// was re-formed by live workers. Measured is the slowest partition's first
// advance after since.
//
// It fails with "no-observations" when there is no sample before or after
// since, or when no partition received a post after since (nothing to
// commit proves nothing).
func CommittingAgain(h history.History, since time.Time, bound time.Duration) Result {
	const check = CheckCommittingAgain
	samples := lagSorted(h)
	var before *history.LagSample
	var after []history.LagSample
	for i := range samples {
		s := samples[i]
		if !s.At.After(since) {
			before = &samples[i]
		} else {
			after = append(after, s)
		}
	}
	expect := fmt.Sprintf("every partition that received posts after %s should be committed again within %s", rel(h.Start, since), bound)
	if before == nil || len(after) == 0 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%s; there is no lag sample on both sides of it (%d samples).", expect, len(samples)), since, nil, 0)
	}
	deadline := since.Add(bound)
	// The partitions judged are those that received posts by the
	// deadline: one whose first post comes later cannot be committed by
	// it.
	last := after[0]
	for _, s := range after {
		if !s.At.After(deadline) {
			last = s
		}
	}
	var ps []int32
	for p, end := range last.End {
		if end > before.End[p] {
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	if len(ps) == 0 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%s; no partition received a post after it.", expect), since, nil, 0)
	}
	var slowest time.Duration
	var stuck []int32
	var ex []string
	for _, p := range ps {
		base := before.Committed[p]
		found := false
		for _, s := range after {
			if s.At.After(deadline) {
				break
			}
			if c, ok := s.Committed[p]; ok && c > base {
				slowest = max(slowest, s.At.Sub(since))
				found = true
				break
			}
		}
		if !found {
			stuck = append(stuck, p)
			if len(ex) < MaxExamples {
				ex = append(ex, fmt.Sprintf("partition %d committed %d before, end %d -> %d, committed %d at %s", p, base, before.End[p], last.End[p], last.Committed[p], rel(h.Start, last.At)))
			}
		}
	}
	if len(stuck) > 0 {
		r := fail(check, ClassNotResumed, fmt.Sprintf("%s; %d of %d partitions were not: %s.", expect, len(stuck), len(ps), parts(stuck)), deadline, ex, len(stuck))
		r.Bound = bound
		return r
	}
	r := pass(check, fmt.Sprintf("%s; all %d were, the slowest after %s.", expect, len(ps), slowest))
	r.Measured, r.Bound = slowest, bound
	return r
}
