package verify

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Check names of the static-membership checkers.
const (
	CheckStaticRejoin   = "static-rejoin"
	CheckMemberReplaced = "member-replaced"
)

// StaticRejoin checks that worker, a static member (group.instance.id)
// restarted in place within [from, to], came back as itself without a
// rebalance (class "unexpected-rebalance"). It is NoRebalance for a static
// restart: NoRebalance keys members by member id and counts every
// assignment event, but a static member that restarts does get a new
// member id from the coordinator (KIP-345 replaces the member, keeping its
// assignment) and does print its own assignment again. So here, over the
// error-free snapshots in the window:
//
//   - the members, by worker id, never change (only worker's member id may);
//   - the owner (worker id) of every partition never changes, so worker
//     has its same partitions back, and nobody else's moved;
//   - no snapshot is in a rebalancing state (PreparingRebalance,
//     CompletingRebalance, Assigning, Reconciling, Empty, Dead), and the
//     generation (reported for KIP-848 groups; 0 for classic ones) never
//     changes;
//   - no other worker prints assigned, revoked or lost, and worker prints
//     no lost, and assigned or revoked only with exactly the partitions it
//     held in the window's first snapshot (its own process giving its
//     assignment up on the way down and taking it back on the way up).
//
// It fails with "no-observations" when the window holds fewer than two
// error-free snapshots or worker is not a member in the first one.
func StaticRejoin(h history.History, worker string, from, to time.Time) Result {
	const check = CheckStaticRejoin
	snaps := snapshotsIn(h, from, to)
	win := window(h.Start, from, to)
	if len(snaps) < 2 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%s should rejoin without a rebalance in %s; only %d error-free snapshots there, too few to see a change.", worker, win, len(snaps)), time.Time{}, nil, 0)
	}
	first := snaps[0]
	var held []int32
	found := false
	for _, m := range first.Members {
		if m.Worker == worker {
			held, found = slices.Clone(m.Partitions), true
		}
	}
	if !found {
		return fail(check, ClassNoObservations, fmt.Sprintf("%s should rejoin without a rebalance in %s, but it is not a member at the window's start (%s).", worker, win, rel(h.Start, first.At)), time.Time{}, nil, 0)
	}
	slices.Sort(held)
	var cxs []timedExample
	workers := func(s history.GroupSnapshot) string {
		var ws []string
		for _, m := range s.Members {
			ws = append(ws, m.Worker)
		}
		sort.Strings(ws)
		return strings.Join(ws, " ")
	}
	want := workers(first)
	own0 := Ownership(first, h.Partitions)
	var ids []string // worker's member ids in order
	for _, s := range snaps {
		at := rel(h.Start, s.At)
		for _, m := range s.Members {
			if m.Worker == worker && (len(ids) == 0 || ids[len(ids)-1] != m.MemberID) {
				ids = append(ids, m.MemberID)
			}
		}
		if got := workers(s); got != want {
			cxs = append(cxs, timedExample{s.At, fmt.Sprintf("members [%s] at %s, were [%s]", got, at, want)})
		}
		if s.Generation != first.Generation {
			cxs = append(cxs, timedExample{s.At, fmt.Sprintf("generation %d -> %d at %s", first.Generation, s.Generation, at)})
		}
		if rebalancing[strings.ToLower(s.State)] {
			cxs = append(cxs, timedExample{s.At, fmt.Sprintf("state %s at %s", s.State, at)})
		}
		own := Ownership(s, h.Partitions)
		var moved []string
		for p := int32(0); p < h.Partitions; p++ {
			a, b := strings.Join(own0[p], "+"), strings.Join(own[p], "+")
			if a != b {
				moved = append(moved, fmt.Sprintf("%d %s -> %s", p, orNobody(a), orNobody(b)))
			}
		}
		if len(moved) > 0 {
			cxs = append(cxs, timedExample{s.At, fmt.Sprintf("partitions moved at %s: %s", at, strings.Join(moved, ", "))})
		}
	}
	events := 0
	for _, e := range h.Events {
		if !inWindow(e.TS, from, to) {
			continue
		}
		switch e.Event {
		case "assigned", "revoked", "lost":
		default:
			continue
		}
		if len(e.Partitions) == 0 {
			continue // an empty assignment event moves nothing: a no-op (README's contract)
		}
		ps := slices.Clone(e.Partitions)
		slices.Sort(ps)
		if e.Worker == worker && e.Event != "lost" && slices.Equal(ps, held) {
			continue // its own assignment, given up on the way down or taken back on the way up
		}
		events++
		cxs = append(cxs, timedExample{e.TS, fmt.Sprintf("%s printed %s partitions %s at %s", e.Worker, e.Event, parts(e.Partitions), rel(h.Start, e.TS))})
	}
	summary := fmt.Sprintf("static member %s (partitions %s) should come back as itself in %s with no rebalance: same members, same owners, no rebalancing state; %d snapshots from %s to %s, its member ids %s",
		worker, parts(held), win, len(snaps), rel(h.Start, snaps[0].At), rel(h.Start, snaps[len(snaps)-1].At), strings.Join(ids, " -> "))
	if len(cxs) == 0 {
		return pass(check, summary+"; no change.")
	}
	ex := earliest(cxs)
	return fail(check, ClassUnexpectedRebalance, fmt.Sprintf("%s; %d changes seen, %d of them assignment events.", summary, len(cxs), events), cxs[0].at, ex, len(cxs))
}

// MemberReplaced checks that worker's restart in [from, to] really
// happened and reached the group (class "no-bite"): the worker printed
// "started" in the window, and in the error-free snapshots of the window
// its member id differs at least once from the one it had in the last
// snapshot before the window (else the first in it): the coordinator
// replaced the old member with the new process. Measured is from from to
// the first snapshot with the new member id.
func MemberReplaced(h history.History, worker string, from, to time.Time) Result {
	const check = CheckMemberReplaced
	started := time.Time{}
	for _, e := range h.Events {
		if e.Worker == worker && e.Event == "started" && inWindow(e.TS, from, to) {
			started = e.TS
			break
		}
	}
	// The id to compare with is the one it had before the window: a
	// restart faster than the observer's interval shows only the new id
	// inside the window.
	var first string
	var changed time.Time
	var ids []string
	for _, s := range validSnapshots(h) {
		if !s.At.Before(from) {
			break
		}
		for _, m := range s.Members {
			if m.Worker == worker {
				first = m.MemberID
			}
		}
	}
	if first != "" {
		ids = append(ids, first)
	}
	for _, s := range validSnapshots(h) {
		if !inWindow(s.At, from, to) {
			continue
		}
		for _, m := range s.Members {
			if m.Worker != worker {
				continue
			}
			if first == "" {
				first = m.MemberID
			}
			if len(ids) == 0 || ids[len(ids)-1] != m.MemberID {
				ids = append(ids, m.MemberID)
			}
			if m.MemberID != first && changed.IsZero() {
				changed = s.At
			}
		}
	}
	summary := fmt.Sprintf("%s should restart in %s and rejoin under a new member id; started printed at %s, member ids seen: %s",
		worker, window(h.Start, from, to), rel(h.Start, started), orNobody(strings.Join(ids, " -> ")))
	if !started.IsZero() && !changed.IsZero() {
		r := pass(check, summary+".")
		r.Measured = changed.Sub(from)
		return r
	}
	var ex []string
	if started.IsZero() {
		ex = append(ex, worker+" never printed started in the window: its process did not start again")
	}
	if changed.IsZero() {
		ex = append(ex, worker+"'s member id never changed in the window: no new process joined as it")
	}
	return fail(check, ClassNoBite, summary+".", from, ex, len(ex))
}

// Rebalances counts the rebalances the observer saw in [from, to]: the
// consecutive error-free snapshots in the window between which the group
// entered a rebalancing state, changed generation, changed its set of
// workers, or moved a partition to another worker (each such step counts
// once). A member id changing under the same worker (a static member
// replaced) is not one. It is the count StaticRejoin and NoRebalance
// expect to be zero, for reports.
func Rebalances(h history.History, from, to time.Time) int {
	var prev *history.GroupSnapshot
	n := 0
	for _, s := range validSnapshots(h) {
		if !inWindow(s.At, from, to) {
			continue
		}
		if prev != nil {
			changed := s.Generation != prev.Generation ||
				(rebalancing[strings.ToLower(s.State)] && !rebalancing[strings.ToLower(prev.State)])
			a, b := Ownership(*prev, h.Partitions), Ownership(s, h.Partitions)
			for p, o := range b {
				if strings.Join(o, "+") != strings.Join(a[p], "+") {
					changed = true
				}
			}
			wa, wb := map[string]bool{}, map[string]bool{}
			for _, m := range prev.Members {
				wa[memberName(m)] = true
			}
			for _, m := range s.Members {
				wb[memberName(m)] = true
			}
			if len(wa) != len(wb) {
				changed = true
			}
			for w := range wb {
				if !wa[w] {
					changed = true
				}
			}
			if changed {
				n++
			}
		}
		s := s
		prev = &s
	}
	return n
}
