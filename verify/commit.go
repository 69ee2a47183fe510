package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// CommittedMonotonic checks that, across the observer's lag samples in time
// order, the group's committed offset of each partition never decreases
// (class "nonmonotonic-commit"). A committed offset of -1 (nothing
// committed) is ignored: it neither counts as a decrease nor resets the
// partition. Each drop is one counter-example (partition, the offset before
// and its time, the offset after and its time); the next comparison starts
// from the lower offset, so one rewind is reported once.
//
// Not checked: the workers' own "committed" events. Across a rebalance an
// at-least-once worker may legitimately re-commit an offset its predecessor
// already committed, so the strict rule applies to the group's committed
// offsets as the observer reads them. It fails with "no-observations" when
// there is no lag sample, or when no sample shows any partition committed:
// a group that never committed cannot be said to commit monotonically.
//
// Sampled, it misses a rewind that the owner overwrites before the next
// sample; the broker's audit (where the broker keeps one) judges every
// commit.
func CommittedMonotonic(h history.History) Result {
	const check = CheckCommittedMonotonic
	if len(h.Lag) == 0 {
		return fail(check, ClassNoObservations, "no lag sample was recorded, so committed offsets cannot be judged.", time.Time{}, nil, 0)
	}
	samples := append([]history.LagSample(nil), h.Lag...)
	sort.SliceStable(samples, func(i, j int) bool { return samples[i].At.Before(samples[j].At) })
	type seen struct {
		off int64
		at  time.Time
	}
	last := map[int32]seen{}
	type drop struct {
		p        int32
		from, to seen
	}
	var drops []drop
	for _, s := range samples {
		ps := make([]int32, 0, len(s.Committed))
		for p := range s.Committed {
			ps = append(ps, p)
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
		for _, p := range ps {
			c := s.Committed[p]
			if c < 0 {
				continue
			}
			if l, ok := last[p]; ok && c < l.off {
				drops = append(drops, drop{p, l, seen{c, s.At}})
			}
			last[p] = seen{c, s.At}
		}
	}
	summary := fmt.Sprintf("committed offsets should never decrease; %d lag samples over %d partitions checked", len(samples), len(last))
	if len(last) == 0 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%s: no sample shows a committed offset, so there is nothing to judge.", summary), time.Time{}, nil, 0)
	}
	if len(drops) == 0 {
		return pass(check, summary+", none went back.")
	}
	var ex []string
	var pl []int32
	for _, d := range drops {
		pl = append(pl, d.p)
		if len(ex) < MaxExamples {
			ex = append(ex, fmt.Sprintf("partition %d committed %d at %s, then %d at %s (back %d)",
				d.p, d.from.off, rel(h.Start, d.from.at), d.to.off, rel(h.Start, d.to.at), d.from.off-d.to.off))
		}
	}
	msg := fmt.Sprintf("%s; %d decreases on partitions %s.", summary, len(drops), parts(pl))
	return fail(check, ClassNonmonotonicCommit, msg, drops[0].to.at, ex, len(drops))
}
