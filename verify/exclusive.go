package verify

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// ExclusiveOwnership checks that no partition is owned by two members in
// the same error-free snapshot with from <= At <= to (a zero from or to is
// unbounded), class "double-owned".
//
// Consecutive snapshots in which the same partition has the same owners are
// one counter-example ("from +a to +b, n snapshots"); counter-examples are
// ordered by their first snapshot, then partition, and name partition,
// owners, generation and state. FirstAt is the first such snapshot.
//
// Not checked: overlaps the coordinator never lists, such as a paused
// worker that still believes it owns partitions the group gave away (a
// zombie): those show as duplicates (NoDuplicates) or fencing errors, not
// here. Partitions nobody owns are Reassigned's business. It fails with
// "no-observations" when the window holds no error-free snapshot.
func ExclusiveOwnership(h history.History, from, to time.Time) Result {
	const check = CheckExclusiveOwnership
	snaps := snapshotsIn(h, from, to)
	win := window(h.Start, from, to)
	if len(snaps) == 0 {
		return fail(check, ClassNoObservations, fmt.Sprintf("no error-free group snapshot in %s (%d recorded), so ownership cannot be judged.", win, len(h.Snapshots)), time.Time{}, nil, 0)
	}
	type run struct {
		p           int32
		owners      string
		first, last history.GroupSnapshot
		n           int
	}
	open := map[int32]*run{}
	var runs []*run
	bad := 0
	for _, s := range snaps {
		own := Ownership(s, 0)
		now := map[int32]bool{}
		for p, os := range own {
			if len(os) < 2 {
				continue
			}
			now[p] = true
			key := strings.Join(os, " and ")
			if r, ok := open[p]; ok && r.owners == key {
				r.last, r.n = s, r.n+1
				continue
			}
			r := &run{p: p, owners: key, first: s, last: s, n: 1}
			open[p] = r
			runs = append(runs, r)
		}
		if len(now) > 0 {
			bad++
		}
		for p := range open {
			if !now[p] {
				delete(open, p)
			}
		}
	}
	summary := fmt.Sprintf("each partition should have at most one owner in every snapshot in %s; %d snapshots checked", win, len(snaps))
	if len(runs) == 0 {
		return pass(check, summary+", no partition owned twice.")
	}
	sort.SliceStable(runs, func(i, j int) bool {
		if !runs[i].first.At.Equal(runs[j].first.At) {
			return runs[i].first.At.Before(runs[j].first.At)
		}
		return runs[i].p < runs[j].p
	})
	var ex []string
	ps := map[int32]bool{}
	for _, r := range runs {
		ps[r.p] = true
		if len(ex) == MaxExamples {
			continue
		}
		span := "at " + rel(h.Start, r.first.At)
		if r.n > 1 {
			span = fmt.Sprintf("from %s to %s (%d snapshots)", rel(h.Start, r.first.At), rel(h.Start, r.last.At), r.n)
		}
		ex = append(ex, fmt.Sprintf("partition %d owned by %s %s (generation %d, state %s)", r.p, r.owners, span, r.first.Generation, r.first.State))
	}
	var pl []int32
	for p := range ps {
		pl = append(pl, p)
	}
	msg := fmt.Sprintf("%s, %d of them with partitions owned twice (partitions %s).", summary, bad, parts(pl))
	return fail(check, ClassDoubleOwned, msg, runs[0].first.At, ex, len(runs))
}
