package verify

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Check names and anomaly classes of the assignor-layout checkers. They
// judge one settled assignment (see Settled, LastSettled, FirstSettledWith
// in balance.go) or the step between two of them; Balanced and StickyMoves
// (balance.go) judge balance and needless moves.
const (
	CheckRangeAssignment      = "range-assignment"
	CheckRoundRobinAssignment = "roundrobin-assignment"
	CheckMinimalMoves         = "minimal-moves"

	ClassNotRange      = "not-range"      // a member's partitions are not its range (contiguous, sizes within one, in member order)
	ClassNotRoundRobin = "not-roundrobin" // partition p not with the (p mod n)-th member in member order
	ClassExcessMoves   = "excess-moves"   // more (or fewer) partitions changed owner than the membership change forces
)

// MinMoves is the fewest partitions that must change owner to go from the
// assignment in before to any balanced assignment (every partition of
// 0..partitions-1 owned once, counts within one) over the members of
// after. Every partition of a member that is gone, or of nobody, must move,
// and a member that stays keeps at most its share; the shares that keep
// the most give the one-extra partitions (partitions mod n of them) to the
// members that already hold the most.
//
// With n-1 members holding P partitions evenly and one joining, that is
// P/n (12 partitions, 3 → 4 members: 3); with one of n leaving, exactly
// the leaver's partitions (12, 4 → 3: 3).
func MinMoves(before, after history.GroupSnapshot, partitions int32) int {
	n := len(after.Members)
	if n == 0 {
		return int(partitions)
	}
	held := map[string]int{}
	for p, owners := range Ownership(before, partitions) {
		if p < 0 || p >= partitions || len(owners) != 1 {
			continue
		}
		held[owners[0]]++
	}
	counts := make([]int, 0, n)
	for _, m := range after.Members {
		counts = append(counts, held[memberName(m)])
	}
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	q, r := int(partitions)/n, int(partitions)%n
	kept := 0
	for i, c := range counts {
		share := q
		if i < r {
			share++
		}
		kept += min(c, share)
	}
	return int(partitions) - kept
}

// FormatMoves renders the moved partitions of mv as "3 w1 -> w4, 7 w2 ->
// w4" in partition order ("none" when nothing moved).
func FormatMoves(mv Moves) string {
	if len(mv.Moved) == 0 {
		return "none"
	}
	s := make([]string, len(mv.Moved))
	for i, p := range mv.Moved {
		s[i] = fmt.Sprintf("%d %s", p, mv.From[p])
	}
	return strings.Join(s, ", ")
}

// MinimalMoves checks that going from the settled assignment before to
// the settled assignment after changed the owner of exactly MinMoves
// partitions (class "excess-moves"): at a join of one member to n-1 that
// hold P evenly, P/n; at a leave, exactly the leaver's partitions (they
// must move, so nothing else may). That is what cooperative-sticky
// promises (KIP-429) and what a sticky server-side assignor (KIP-848
// uniform) does. Fewer moves than that fail too: the result cannot then be
// balanced. what names the change in the message ("the join of w4").
//
// The message lists the assignments before and after and every move (old
// owner -> new owner). It fails with "no-observations" when either
// snapshot is missing or empty.
func MinimalMoves(h history.History, what string, before, after history.GroupSnapshot) Result {
	const check = CheckMinimalMoves
	partitions := h.Partitions
	if before.Err != "" || after.Err != "" || len(before.Members) == 0 || len(after.Members) == 0 || partitions <= 0 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%s: two settled assignments are needed to count moves (before at %s with %d members, after at %s with %d members, %d partitions).",
			what, rel(h.Start, before.At), len(before.Members), rel(h.Start, after.At), len(after.Members), partitions), time.Time{}, nil, 0)
	}
	mv := CompareAssignments(before, after)
	need := MinMoves(before, after, partitions)
	var forced []string
	for _, m := range before.Members {
		if !hasMember(after, memberName(m)) {
			forced = append(forced, fmt.Sprintf("%s left holding %s", memberName(m), parts(m.Partitions)))
		}
	}
	note := ""
	if len(forced) > 0 {
		note = " (" + strings.Join(forced, "; ") + ")"
	}
	summary := fmt.Sprintf("%s, from %s at %s to %s at %s, should move exactly the minimum, %d partitions%s; %d moved: %s",
		what, describeAssignment(byMemberID(before)), rel(h.Start, before.At), describeAssignment(byMemberID(after)), rel(h.Start, after.At),
		need, note, len(mv.Moved), FormatMoves(mv))
	if len(mv.Moved) == need {
		return pass(check, summary+".")
	}
	var ex []string
	for _, p := range mv.Moved {
		from := strings.SplitN(mv.From[p], " -> ", 2)[0]
		stay := ""
		if hasMember(after, from) {
			stay = fmt.Sprintf(" (%s is still a member)", from)
		}
		ex = append(ex, fmt.Sprintf("partition %d %s%s", p, mv.From[p], stay))
	}
	how := fmt.Sprintf("%d more than needed", len(mv.Moved)-need)
	if len(mv.Moved) < need {
		how = fmt.Sprintf("%d fewer than a balanced result needs", need-len(mv.Moved))
	}
	return fail(check, ClassExcessMoves, summary+"; "+how+".", after.At, ex, len(ex))
}

func hasMember(s history.GroupSnapshot, name string) bool {
	for _, m := range s.Members {
		if memberName(m) == name {
			return true
		}
	}
	return false
}

// byMemberID returns s's members sorted by member id (worker id when the
// member id is empty), the order in which librdkafka's range and
// roundrobin assignors lay members out (rd_kafka_group_member_cmp: the
// member id for dynamic members; group.instance.id when both are static,
// which kfake and Kafka put at the front of the member id, so the order is
// the same).
func byMemberID(s history.GroupSnapshot) []history.Member {
	ms := slices.Clone(s.Members)
	key := func(m history.Member) string {
		if m.MemberID != "" {
			return m.MemberID
		}
		return m.Worker
	}
	sort.SliceStable(ms, func(i, j int) bool { return key(ms[i]) < key(ms[j]) })
	return ms
}

// layoutBasics fails when s cannot be judged: an observer error, no
// members, or a history without a partition count.
func layoutBasics(check string, h history.History, s history.GroupSnapshot) (Result, bool) {
	if s.Err == "" && len(s.Members) > 0 && h.Partitions > 0 {
		return Result{}, true
	}
	why := "it has no members"
	if s.Err != "" {
		why = "the observer failed: " + s.Err
	}
	if h.Partitions <= 0 {
		why = "the history has no partition count"
	}
	return fail(check, ClassNoObservations, fmt.Sprintf("an assignment should be judged in the snapshot at %s; %s.", rel(h.Start, s.At), why), time.Time{}, nil, 0), false
}

// describeAssignment renders "w1 0-3, w2 4-7" in the given member order.
func describeAssignment(ms []history.Member) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = memberName(m) + " " + parts(m.Partitions)
	}
	return strings.Join(s, ", ")
}

// RangeAssigned checks that s is the range assignor's layout of the
// history's one topic of P partitions (class "not-range"): with the n
// members in member-id order (see byMemberID), member i owns the
// contiguous range starting at i*q + min(i, r), of q+1 partitions if i < r
// and q otherwise (q = P/n, r = P mod n). So each member's partitions are
// contiguous, the ranges ascend in member order, and sizes differ by at
// most one. This is librdkafka's rd_kafka_range_assignor_assign_cb (and
// Kafka's RangeAssignor, and kfake's server-side "range" for KIP-848).
// The counter-examples name every member whose partitions are not its
// range, and whether they are contiguous.
//
// Not checked: that the group is stable or that s is the final assignment
// (the spec picks a settled snapshot).
func RangeAssigned(h history.History, s history.GroupSnapshot) Result {
	const check = CheckRangeAssignment
	if r, ok := layoutBasics(check, h, s); !ok {
		return r
	}
	ms := byMemberID(s)
	n := int32(len(ms))
	q, r := h.Partitions/n, h.Partitions%n
	var ex, want []string
	for i, m := range ms {
		i := int32(i)
		start := q*i + min(i, r)
		size := q
		if i < r {
			size++
		}
		exp := make([]int32, 0, size)
		for p := start; p < start+size; p++ {
			exp = append(exp, p)
		}
		want = append(want, memberName(m)+" "+parts(exp))
		got := slices.Clone(m.Partitions)
		slices.Sort(got)
		got = slices.Compact(got)
		if !slices.Equal(got, exp) {
			shape := "contiguous"
			if !contiguous(got) {
				shape = "not contiguous"
			}
			ex = append(ex, fmt.Sprintf("%s holds %s (%d, %s), its range is %s (%d)", memberName(m), parts(got), len(got), shape, parts(exp), len(exp)))
		}
	}
	summary := fmt.Sprintf("range over %d partitions and %d members in member-id order expects %s; at %s the group had %s",
		h.Partitions, n, strings.Join(want, ", "), rel(h.Start, s.At), describeAssignment(ms))
	if len(ex) == 0 {
		return pass(check, summary+".")
	}
	return fail(check, ClassNotRange, summary+fmt.Sprintf("; %d members differ.", len(ex)), s.At, ex, len(ex))
}

func contiguous(ps []int32) bool {
	for i := 1; i < len(ps); i++ {
		if ps[i] != ps[i-1]+1 {
			return false
		}
	}
	return true
}

// RoundRobinAssigned checks that s is the roundrobin assignor's layout of
// the history's one topic (class "not-roundrobin"): with the n members in
// member-id order (see byMemberID), partition p is owned by member p mod n
// and by no other. This is librdkafka's
// rd_kafka_roundrobin_assignor_assign_cb when every member subscribes to
// the one topic (and Kafka's RoundRobinAssignor); counts then differ by at
// most one. The counter-examples name each partition that is elsewhere,
// smallest first.
func RoundRobinAssigned(h history.History, s history.GroupSnapshot) Result {
	const check = CheckRoundRobinAssignment
	if r, ok := layoutBasics(check, h, s); !ok {
		return r
	}
	ms := byMemberID(s)
	own := Ownership(s, h.Partitions)
	var ex, order []string
	for p := int32(0); p < h.Partitions; p++ {
		want := memberName(ms[int(p)%len(ms)])
		if got := own[p]; len(got) != 1 || got[0] != want {
			ex = append(ex, fmt.Sprintf("partition %d owned by %s, should be %s (member %d of %d)", p, orNobody(strings.Join(got, "+")), want, int(p)%len(ms), len(ms)))
		}
	}
	for _, m := range ms {
		order = append(order, memberName(m))
	}
	summary := fmt.Sprintf("roundrobin over %d partitions gives partition p to member p mod %d in member-id order [%s]; at %s the group had %s",
		h.Partitions, len(ms), strings.Join(order, " "), rel(h.Start, s.At), describeAssignment(ms))
	if len(ex) == 0 {
		return pass(check, summary+".")
	}
	return fail(check, ClassNotRoundRobin, summary+fmt.Sprintf("; %d partitions elsewhere.", len(ex)), s.At, ex, len(ex))
}

func orNobody(s string) string {
	if s == "" {
		return "nobody"
	}
	return s
}
