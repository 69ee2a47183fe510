package verify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Ownership returns who owns each partition in s: owner[p] lists the names
// (worker id, else member id) of every member whose assignment includes p,
// sorted, one entry per member (so a partition a zombie and its successor
// both list shows twice even under the same worker id). Every partition in
// 0..partitions-1 has an entry, empty when unowned; partitions outside that
// range appear only when a member lists them. partitions <= 0 lists only
// owned partitions.
func Ownership(s history.GroupSnapshot, partitions int32) (owner map[int32][]string) {
	owner = make(map[int32][]string, max(partitions, 0))
	for p := int32(0); p < partitions; p++ {
		owner[p] = nil
	}
	for _, m := range s.Members {
		ps := slices.Clone(m.Partitions)
		slices.Sort(ps)
		ps = slices.Compact(ps)
		for _, p := range ps {
			owner[p] = append(owner[p], memberName(m))
		}
	}
	for p := range owner {
		slices.Sort(owner[p])
	}
	return owner
}

// rebalancing lists group states (classic and KIP-848, compared without
// case) in which an assignment is in flux or absent.
var rebalancing = map[string]bool{
	"preparingrebalance":  true,
	"completingrebalance": true,
	"assigning":           true,
	"reconciling":         true,
	"empty":               true,
	"dead":                true,
}

// settledState reports whether s is Stable, or has members and a state that
// is not a rebalancing one (e.g. an unknown or empty state string).
func settledState(s history.GroupSnapshot) bool {
	if strings.EqualFold(s.State, "Stable") {
		return true
	}
	return len(s.Members) > 0 && !rebalancing[strings.ToLower(s.State)]
}

// ownershipProblems lists why s is not a settled reassignment: the state,
// gone workers still members, partitions in 0..partitions-1 owned by nobody
// (with who held them in prev, if known), partitions owned twice.
func ownershipProblems(h history.History, s history.GroupSnapshot, prev *history.GroupSnapshot, gone []string) []string {
	var probs []string
	at := rel(h.Start, s.At)
	if !settledState(s) {
		probs = append(probs, fmt.Sprintf("group state %q with %d members (generation %d) at %s", s.State, len(s.Members), s.Generation, at))
	}
	for _, g := range gone {
		for _, m := range s.Members {
			if isMember(m, g) {
				probs = append(probs, fmt.Sprintf("gone member %s (member id %s) still listed with partitions %s at %s", g, m.MemberID, parts(m.Partitions), at))
			}
		}
	}
	own := Ownership(s, h.Partitions)
	var prevOwn map[int32][]string
	if prev != nil {
		prevOwn = Ownership(*prev, h.Partitions)
	}
	// Unowned partitions, grouped by their previous holder.
	byHolder := map[string][]int32{}
	var holders []string
	for p := int32(0); p < h.Partitions; p++ {
		if len(own[p]) > 0 {
			continue
		}
		holder := "unknown (no snapshot before the fault)"
		if prevOwn != nil {
			holder = "nobody"
			if len(prevOwn[p]) > 0 {
				holder = strings.Join(prevOwn[p], "+")
			}
		}
		if _, ok := byHolder[holder]; !ok {
			holders = append(holders, holder)
		}
		byHolder[holder] = append(byHolder[holder], p)
	}
	for _, ho := range holders {
		probs = append(probs, fmt.Sprintf("partitions %s unowned at %s (held by %s before the fault)", parts(byHolder[ho]), at, ho))
	}
	for p := int32(0); p < h.Partitions; p++ {
		if len(own[p]) > 1 {
			probs = append(probs, fmt.Sprintf("partition %d owned by %s at %s", p, strings.Join(own[p], " and "), at))
		}
	}
	return probs
}

// Reassigned checks that after since (a member-killing fault) the group
// settles within bound (class "slow-reassignment"). It looks for the first
// error-free snapshot strictly after since where the group state is Stable
// (or it has members and no rebalance is pending), none of the gone workers
// (matched by worker id or member id) is a member, and every partition
// 0..h.Partitions-1 is owned by exactly one member. Measured is that
// snapshot's time − since; it passes when Measured <= bound.
//
// On failure the message and Examples describe the last snapshot at or
// before since+bound (or the last one at all if none is that early):
// unowned partitions with who held them in the last snapshot before since,
// gone members still listed, doubly owned partitions, the state. Measured is
// 0 when the group never settled. FirstAt is since+bound.
//
// Not checked: that live members keep their partitions (stickiness), that
// the new owners are healthy (see LagRecovered), ownership overlaps that the
// coordinator does not see (zombies; their effect shows as duplicates).
func Reassigned(h history.History, since time.Time, gone []string, bound time.Duration) Result {
	const check = CheckReassigned
	if h.Partitions <= 0 {
		return fail(check, ClassNoObservations, "the history has no partition count, so ownership cannot be judged.", time.Time{}, nil, 0)
	}
	snaps := validSnapshots(h)
	deadline := since.Add(bound)
	var prev, atDeadline, last *history.GroupSnapshot
	goneS := "none"
	if len(gone) > 0 {
		goneS = strings.Join(gone, ",")
	}
	expect := fmt.Sprintf("after the fault at %s (gone: %s) every partition 0-%d should be owned by exactly one live member of a stable group within %s",
		rel(h.Start, since), goneS, h.Partitions-1, bound)
	for i := range snaps {
		s := &snaps[i]
		if !s.At.After(since) {
			prev = s
			continue
		}
		last = s
		if !s.At.After(deadline) {
			atDeadline = s
		}
		if len(ownershipProblems(h, *s, prev, gone)) > 0 {
			continue
		}
		measured := s.At.Sub(since)
		if measured <= bound {
			r := pass(check, fmt.Sprintf("%s; settled at %s (generation %d, %d members) after %s.", expect, rel(h.Start, s.At), s.Generation, len(s.Members), measured))
			r.Measured, r.Bound = measured, bound
			return r
		}
		ref := atDeadline
		if ref == nil {
			ref = last
		}
		probs := ownershipProblems(h, *ref, prev, gone)
		if ref == s {
			probs = []string{"no snapshot between the fault and the bound"}
		}
		r := fail(check, ClassSlowReassignment, fmt.Sprintf("%s; it settled only at %s, after %s; the counter-examples describe the last snapshot within the bound.", expect, rel(h.Start, s.At), measured), deadline, probs, len(probs))
		r.Measured, r.Bound = measured, bound
		return r
	}
	var probs []string
	var where string
	switch {
	case last == nil:
		where = fmt.Sprintf("there is no error-free snapshot after the fault (%d snapshots, %d without error).", len(h.Snapshots), len(snaps))
	default:
		ref := atDeadline
		if ref == nil {
			ref = last
		}
		where = fmt.Sprintf("it never settled (last snapshot at %s); the counter-examples describe the snapshot at %s.", rel(h.Start, last.At), rel(h.Start, ref.At))
		probs = ownershipProblems(h, *ref, prev, gone)
	}
	r := fail(check, ClassSlowReassignment, expect+"; "+where, deadline, probs, len(probs))
	r.Bound = bound
	return r
}
