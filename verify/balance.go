package verify

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Check names and anomaly classes of the scale checkers.
const (
	CheckSettled     = "settled"
	CheckBalanced    = "balanced"
	CheckStickyMoves = "sticky-moves"

	ClassUnsettled    = "unsettled"     // the group did not reach the expected membership with every partition owned once within the bound
	ClassUnbalanced   = "unbalanced"    // a settled assignment's max − min partitions per member exceeds what the assignor promises
	ClassNeedlessMove = "needless-move" // a partition moved between two members that were there before and after a join
)

// Settled reports whether s is a settled assignment of a topic with
// partitions partitions: error-free, state Stable (any case), and every
// partition 0..partitions-1 owned by exactly one member (none by two, none
// outside the range).
func Settled(s history.GroupSnapshot, partitions int32) bool {
	if s.Err != "" || !strings.EqualFold(s.State, "Stable") {
		return false
	}
	seen := make(map[int32]int, partitions)
	for _, m := range s.Members {
		for _, p := range m.Partitions {
			if p < 0 || p >= partitions {
				return false
			}
			seen[p]++
			if seen[p] > 1 {
				return false
			}
		}
	}
	return int32(len(seen)) == partitions
}

// sameMembers reports whether s lists exactly the workers in want (by
// worker id or member id), each once.
func sameMembers(s history.GroupSnapshot, want []string) bool {
	if len(s.Members) != len(want) {
		return false
	}
	left := make(map[string]int, len(want))
	for _, w := range want {
		left[w]++
	}
	for _, m := range s.Members {
		switch {
		case left[m.Worker] > 0:
			left[m.Worker]--
		case left[m.MemberID] > 0:
			left[m.MemberID]--
		default:
			return false
		}
	}
	return true
}

// SettledWith checks that after since (a join or a leave) the group settles
// within bound into exactly the given members, state Stable and every
// partition owned by exactly one of them (class "unsettled"). Measured is
// the time from since to the first such snapshot; it passes when Measured
// <= bound.
//
// On failure the message describes the last error-free snapshot at or
// before since+bound: its state, missing and unexpected members, and how
// many partitions were unowned or owned twice. Measured is 0 when the group
// never settled. FirstAt is since+bound. It fails with "no-observations"
// when the history has no partition count.
func SettledWith(h history.History, since time.Time, members []string, bound time.Duration) Result {
	const check = CheckSettled
	if h.Partitions <= 0 {
		return fail(check, ClassNoObservations, "the history has no partition count, so ownership cannot be judged.", time.Time{}, nil, 0)
	}
	deadline := since.Add(bound)
	expect := fmt.Sprintf("after %s the group should settle within %s into exactly %d members with every partition 0-%d owned once",
		rel(h.Start, since), bound, len(members), h.Partitions-1)
	var ref *history.GroupSnapshot
	n := 0
	snaps := validSnapshots(h)
	for i := range snaps {
		s := &snaps[i]
		if !s.At.After(since) {
			continue
		}
		n++
		if Settled(*s, h.Partitions) && sameMembers(*s, members) {
			measured := s.At.Sub(since)
			if measured <= bound {
				r := pass(check, fmt.Sprintf("%s; settled at %s (generation %d) after %s.", expect, rel(h.Start, s.At), s.Generation, measured))
				r.Measured, r.Bound = measured, bound
				return r
			}
			probs := settleProblems(h, ref, members)
			r := fail(check, ClassUnsettled, fmt.Sprintf("%s; it settled only at %s, after %s; the counter-examples describe the last snapshot within the bound.", expect, rel(h.Start, s.At), measured), deadline, probs, len(probs))
			r.Measured, r.Bound = measured, bound
			return r
		}
		if !s.At.After(deadline) || ref == nil {
			ref = s
		}
	}
	if n == 0 {
		r := fail(check, ClassNoObservations, fmt.Sprintf("%s; there is no error-free snapshot after it (%d snapshots).", expect, len(h.Snapshots)), deadline, nil, 0)
		r.Bound = bound
		return r
	}
	probs := settleProblems(h, ref, members)
	r := fail(check, ClassUnsettled, fmt.Sprintf("%s; it never did (%d snapshots after it); the counter-examples describe the snapshot at %s.", expect, n, rel(h.Start, ref.At)), deadline, probs, len(probs))
	r.Bound = bound
	return r
}

// settleProblems explains why s is not the expected settled assignment.
func settleProblems(h history.History, s *history.GroupSnapshot, members []string) []string {
	if s == nil {
		return []string{"no snapshot within the bound"}
	}
	at := rel(h.Start, s.At)
	var probs []string
	if !strings.EqualFold(s.State, "Stable") {
		probs = append(probs, fmt.Sprintf("group state %q at %s (generation %d)", s.State, at, s.Generation))
	}
	want := map[string]bool{}
	for _, w := range members {
		want[w] = true
	}
	got := map[string]bool{}
	var extra []string
	for _, m := range s.Members {
		got[m.Worker], got[m.MemberID] = true, true
		if !want[m.Worker] && !want[m.MemberID] {
			extra = append(extra, memberName(m))
		}
	}
	var missing []string
	for _, w := range members {
		if !got[w] {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		probs = append(probs, fmt.Sprintf("%d expected members missing at %s: %s", len(missing), at, abbrev(missing, 8)))
	}
	if len(extra) > 0 {
		probs = append(probs, fmt.Sprintf("%d unexpected members at %s: %s", len(extra), at, abbrev(extra, 8)))
	}
	own := Ownership(*s, h.Partitions)
	var unowned, twice []int32
	for p := int32(0); p < h.Partitions; p++ {
		switch len(own[p]) {
		case 0:
			unowned = append(unowned, p)
		case 1:
		default:
			twice = append(twice, p)
		}
	}
	if len(unowned) > 0 {
		probs = append(probs, fmt.Sprintf("partitions %s unowned at %s", parts(unowned), at))
	}
	if len(twice) > 0 {
		probs = append(probs, fmt.Sprintf("partitions %s owned twice at %s", parts(twice), at))
	}
	if len(probs) == 0 {
		probs = append(probs, fmt.Sprintf("snapshot at %s looks settled but came after the bound", at))
	}
	return probs
}

func abbrev(ss []string, n int) string {
	sort.Slice(ss, func(i, j int) bool { return workerLess(ss[i], ss[j]) })
	if len(ss) <= n {
		return strings.Join(ss, " ")
	}
	return strings.Join(ss[:n], " ") + fmt.Sprintf(" (and %d more)", len(ss)-n)
}

// workerLess orders worker ids w2 before w10.
func workerLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// Spread returns max − min of the partition counts per member of s
// (members with no partition count as 0), with the members holding the most
// and the fewest (the first in worker order on ties). A snapshot without
// members has spread 0.
func Spread(s history.GroupSnapshot) (spread int, most, least history.Member) {
	if len(s.Members) == 0 {
		return 0, most, least
	}
	ms := slices.Clone(s.Members)
	sort.SliceStable(ms, func(i, j int) bool { return workerLess(memberName(ms[i]), memberName(ms[j])) })
	most, least = ms[0], ms[0]
	for _, m := range ms[1:] {
		if len(m.Partitions) > len(most.Partitions) {
			most = m
		}
		if len(m.Partitions) < len(least.Partitions) {
			least = m
		}
	}
	return len(most.Partitions) - len(least.Partitions), most, least
}

// PromisedSpread returns the largest max − min partitions per member that
// an assignor promises for a group consuming one topic, once the group is
// settled: 1 for range (with one topic it deals out P/N, the first P mod N
// members one more), roundrobin, cooperative-sticky (balanced, then as
// sticky as balance allows), and the KIP-848 uniform assignor; ok is false
// for an assignor it does not know ("" means the default: range for the
// classic protocol).
func PromisedSpread(assignor string) (spread int, ok bool) {
	switch assignor {
	case "", "range", "roundrobin", "cooperative-sticky", "uniform":
		return 1, true
	}
	return 0, false
}

// Balanced checks that every settled assignment (Settled: Stable, every
// partition owned once) the observer saw in [from, to] spreads partitions
// over members with max − min <= maxSpread (class "unbalanced"). Judging
// every settled snapshot, not only the last one, also catches a fleet that
// settles unbalanced for a while before it converges.
//
// Counter-examples name the snapshot, the member count, the most and least
// loaded members and their counts. It fails with "no-observations" when the
// window holds no settled snapshot. A zero from or to is unbounded.
func Balanced(h history.History, from, to time.Time, maxSpread int) Result {
	const check = CheckBalanced
	win := window(h.Start, from, to)
	expect := fmt.Sprintf("every settled assignment in %s should give each member the same number of partitions give or take %d", win, maxSpread)
	if h.Partitions <= 0 {
		return fail(check, ClassNoObservations, "the history has no partition count, so no assignment can be judged settled.", time.Time{}, nil, 0)
	}
	var (
		n, bad int
		ex     []string
		first  time.Time
		worst  int
		sizes  = map[int]bool{}
	)
	for _, s := range validSnapshots(h) {
		if !inWindow(s.At, from, to) || !Settled(s, h.Partitions) {
			continue
		}
		n++
		sizes[len(s.Members)] = true
		sp, most, least := Spread(s)
		worst = max(worst, sp)
		if sp <= maxSpread {
			continue
		}
		bad++
		if first.IsZero() {
			first = s.At
		}
		if len(ex) < MaxExamples {
			ex = append(ex, fmt.Sprintf("at %s (generation %d, %d members) %s holds %d partitions and %s holds %d: spread %d",
				rel(h.Start, s.At), s.Generation, len(s.Members), memberName(most), len(most.Partitions), memberName(least), len(least.Partitions), sp))
		}
	}
	if n == 0 {
		return fail(check, ClassNoObservations, expect+"; the window holds no settled snapshot.", time.Time{}, nil, 0)
	}
	var fleet []int
	for k := range sizes {
		fleet = append(fleet, k)
	}
	sort.Ints(fleet)
	summary := fmt.Sprintf("%s; %d settled snapshots (fleet sizes %v), largest spread %d", expect, n, fleet, worst)
	if bad == 0 {
		return pass(check, summary+".")
	}
	return fail(check, ClassUnbalanced, fmt.Sprintf("%s: %d of them unbalanced.", summary, bad), first, ex, bad)
}

// Moves is how a rebalance changed the owners of a topic's partitions,
// from one assignment (Before) to the next (After).
type Moves struct {
	Kept  []int32 // owned by the same member before and after
	Moved []int32 // owned before and after, by different members
	// Between are the moved partitions whose old owner is still a member
	// after and whose new owner was already a member before: a move a
	// sticky assignor avoids when members only join or only leave.
	Between []int32
	// Gained lists, per member after, the partitions it did not own before.
	Gained map[string][]int32
	// From names each moved partition's old and new owner: "w3 -> w8".
	From map[int32]string
}

// CompareAssignments returns the moves from before to after. Members are
// matched by worker id (else member id); a partition owned by several
// members (never in a settled snapshot) counts with its first owner.
func CompareAssignments(before, after history.GroupSnapshot) Moves {
	owner := func(s history.GroupSnapshot) map[int32]string {
		o := map[int32]string{}
		for _, m := range s.Members {
			for _, p := range m.Partitions {
				if _, ok := o[p]; !ok {
					o[p] = memberName(m)
				}
			}
		}
		return o
	}
	names := func(s history.GroupSnapshot) map[string]bool {
		n := map[string]bool{}
		for _, m := range s.Members {
			n[memberName(m)] = true
		}
		return n
	}
	ob, oa := owner(before), owner(after)
	nb, na := names(before), names(after)
	mv := Moves{Gained: map[string][]int32{}, From: map[int32]string{}}
	for p, a := range oa {
		b, ok := ob[p]
		if !ok || b != a {
			mv.Gained[a] = append(mv.Gained[a], p)
		}
		if !ok {
			continue
		}
		if b == a {
			mv.Kept = append(mv.Kept, p)
			continue
		}
		mv.Moved = append(mv.Moved, p)
		mv.From[p] = b + " -> " + a
		if na[b] && nb[a] {
			mv.Between = append(mv.Between, p)
		}
	}
	slices.Sort(mv.Kept)
	slices.Sort(mv.Moved)
	slices.Sort(mv.Between)
	for k := range mv.Gained {
		slices.Sort(mv.Gained[k])
	}
	return mv
}

// LastSettled returns the last settled snapshot (Settled) at or before t.
func LastSettled(h history.History, t time.Time) (history.GroupSnapshot, bool) {
	snaps := validSnapshots(h)
	for i := len(snaps) - 1; i >= 0; i-- {
		if !snaps[i].At.After(t) && Settled(snaps[i], h.Partitions) {
			return snaps[i], true
		}
	}
	return history.GroupSnapshot{}, false
}

// FirstSettledWith returns the first settled snapshot after t whose members
// are exactly members.
func FirstSettledWith(h history.History, t time.Time, members []string) (history.GroupSnapshot, bool) {
	for _, s := range validSnapshots(h) {
		if s.At.After(t) && Settled(s, h.Partitions) && sameMembers(s, members) {
			return s, true
		}
	}
	return history.GroupSnapshot{}, false
}

// StickyMoves checks a join (or a leave) at since under a sticky assignor:
// comparing the last settled assignment at or before since with the first
// settled one after it with exactly members, no partition may move between
// two members that were there both before and after (class
// "needless-move"). On a join every moved partition then goes to a new
// member, so the join moves at most the partitions the new members get; on
// a leave only the leavers' partitions move.
//
// It fails with "no-observations" when either assignment is missing. The
// message counts kept, moved and needlessly moved partitions; the
// counter-examples name each needless move, old owner -> new owner.
func StickyMoves(h history.History, since time.Time, members []string) Result {
	const check = CheckStickyMoves
	before, ok1 := LastSettled(h, since)
	after, ok2 := FirstSettledWith(h, since, members)
	expect := fmt.Sprintf("the rebalance at %s should move partitions only to members that joined or away from members that left", rel(h.Start, since))
	if !ok1 {
		return fail(check, ClassNoObservations, expect+"; there is no settled assignment before it to compare.", time.Time{}, nil, 0)
	}
	if !ok2 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%s; there is no settled assignment after it with the %d expected members to compare.", expect, len(members)), time.Time{}, nil, 0)
	}
	mv := CompareAssignments(before, after)
	summary := fmt.Sprintf("%s; from %s (%d members) to %s (%d members): %d partitions kept, %d moved, %d of them between members that stayed",
		expect, rel(h.Start, before.At), len(before.Members), rel(h.Start, after.At), len(after.Members), len(mv.Kept), len(mv.Moved), len(mv.Between))
	if len(mv.Between) == 0 {
		return pass(check, summary+".")
	}
	var ex []string
	for _, p := range mv.Between {
		ex = append(ex, fmt.Sprintf("partition %d %s", p, mv.From[p]))
	}
	return fail(check, ClassNeedlessMove, summary+".", after.At, ex, len(ex))
}
