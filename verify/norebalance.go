package verify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// NoRebalance checks that nothing rebalanced in [from, to] (class
// "unexpected-rebalance"), for the no-fault control spec: between
// consecutive error-free snapshots in the window the generation does not
// change, the set of members (by member id, else worker id) does not
// change, and the state does not enter a rebalancing state; and no worker
// printed an "assigned", "revoked" or "lost" event naming at least one
// partition with a timestamp in the window (an empty list moves nothing
// and is a no-op, as README's contract states). An assigned event that
// names only partitions its worker holds in the window's first snapshot
// reports, late, the assignment already in force when the window opened
// (franz-go prints it a few milliseconds after the group is seen stable);
// it moves nothing either, and a real rebalance in the window still shows
// as a revoke, a generation change or partitions the worker did not hold.
// Snapshots with Err set are ignored. A zero from or to is unbounded.
//
// Counter-examples are ordered by time and name the change (generation a ->
// b, members joined/left, the state, the worker event and its partitions).
// It fails with "no-observations" when the window holds fewer than two
// error-free snapshots, since no change could then be seen.
//
// Not checked: assignment changes within one generation (a coordinator bug
// rather than a rebalance; ExclusiveOwnership sees overlaps), or a group
// that was unsettled before from.
func NoRebalance(h history.History, from, to time.Time) Result {
	const check = CheckNoRebalance
	snaps := snapshotsIn(h, from, to)
	win := window(h.Start, from, to)
	if len(snaps) < 2 {
		return fail(check, ClassNoObservations, fmt.Sprintf("the group should not rebalance in %s; only %d error-free snapshots there (%d recorded), too few to see a change.", win, len(snaps), len(h.Snapshots)), time.Time{}, nil, 0)
	}
	var cxs []timedExample
	for i := 1; i < len(snaps); i++ {
		a, b := snaps[i-1], snaps[i]
		at := rel(h.Start, b.At)
		if a.Generation != b.Generation {
			cxs = append(cxs, timedExample{b.At, fmt.Sprintf("generation %d -> %d at %s (state %s)", a.Generation, b.Generation, at, b.State)})
		}
		joined, left := memberDiff(a, b)
		if len(joined)+len(left) > 0 {
			cxs = append(cxs, timedExample{b.At, fmt.Sprintf("members changed at %s: joined [%s], left [%s]", at, strings.Join(joined, " "), strings.Join(left, " "))})
		}
		if rebalancing[strings.ToLower(b.State)] && !rebalancing[strings.ToLower(a.State)] {
			cxs = append(cxs, timedExample{b.At, fmt.Sprintf("state %s -> %s at %s", a.State, b.State, at)})
		}
	}
	// alreadyHeld: the event's worker held every partition it names in the
	// window's first snapshot.
	alreadyHeld := func(e history.WorkerEvent) bool {
		held := map[int32]bool{}
		for _, m := range snaps[0].Members {
			if isMember(m, e.Worker) {
				for _, p := range m.Partitions {
					held[p] = true
				}
			}
		}
		for _, p := range e.Partitions {
			if !held[p] {
				return false
			}
		}
		return true
	}
	events := 0
	for _, e := range h.Events {
		if !inWindow(e.TS, from, to) {
			continue
		}
		switch e.Event {
		case "assigned", "revoked", "lost":
			if len(e.Partitions) == 0 {
				continue // nothing moved (franz-go revokes nothing at the end of every cooperative session)
			}
			if e.Event == "assigned" && alreadyHeld(e) {
				continue // the assignment in force when the window opened, reported late
			}
			events++
			cxs = append(cxs, timedExample{e.TS, fmt.Sprintf("%s printed %s partitions %s at %s", e.Worker, e.Event, parts(e.Partitions), rel(h.Start, e.TS))})
		}
	}
	summary := fmt.Sprintf("the group should keep its generation and members in %s; %d snapshots from %s to %s (generation %d, %d members at first)",
		win, len(snaps), rel(h.Start, snaps[0].At), rel(h.Start, snaps[len(snaps)-1].At), snaps[0].Generation, len(snaps[0].Members))
	if len(cxs) == 0 {
		return pass(check, summary+", no change and no assignment event.")
	}
	ex := earliest(cxs)
	msg := fmt.Sprintf("%s; %d changes seen, %d of them worker assignment events.", summary, len(cxs), events)
	return fail(check, ClassUnexpectedRebalance, msg, cxs[0].at, ex, len(cxs))
}

// memberDiff names the members of b not in a (joined) and of a not in b
// (left), keyed by member id (worker id when the member id is empty).
func memberDiff(a, b history.GroupSnapshot) (joined, left []string) {
	key := func(m history.Member) string {
		if m.MemberID != "" {
			return m.MemberID
		}
		return m.Worker
	}
	label := func(m history.Member) string {
		if m.Worker != "" && m.MemberID != "" && m.Worker != m.MemberID {
			return m.Worker + "(" + m.MemberID + ")"
		}
		return memberName(m)
	}
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, m := range a.Members {
		inA[key(m)] = true
	}
	for _, m := range b.Members {
		inB[key(m)] = true
		if !inA[key(m)] {
			joined = append(joined, label(m))
		}
	}
	for _, m := range a.Members {
		if !inB[key(m)] {
			left = append(left, label(m))
		}
	}
	slices.Sort(joined)
	slices.Sort(left)
	return joined, left
}
