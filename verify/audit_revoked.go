package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// CheckRevokedWhileOwned is the check of the contract's line between a
// revoked and a lost partition.
const CheckRevokedWhileOwned = "revoked-while-owned"

// RevokeClockSlack is the slack RevokedWhileOwned allows between a revoked
// event's time (the worker's clock) and an assignment's (the broker's).
// Both are the harness host's clock, and a clean revoke is printed before
// the worker sends the request (JoinGroup, or the KIP-848 heartbeat that
// acknowledges the revocation) without which the coordinator cannot give
// the partition away, so the slack only absorbs timestamp rounding. It
// must stay small: a worker thawed just after the group moved on prints
// its wrong revoked within a few hundred milliseconds of the move (175 ms
// in one long-pause run).
const RevokeClockSlack = 10 * time.Millisecond

// ClassRevokedAfterTaken: a worker printed revoked (a clean handover, its
// work committed) for a partition the coordinator had already given to
// another member.
const ClassRevokedAfterTaken = "revoked-after-taken"

// RevokedWhileOwned checks that a worker prints revoked only for partitions
// the coordinator has not yet given to another member (class
// "revoked-after-taken"). The contract's revoked means given back cleanly,
// work committed; a partition taken from a worker while it was away
// (session expired, cut off, frozen, fenced) is lost: its next owner may
// already be processing it, so the worker must drop what it holds of it,
// commit nothing and print lost. A clean revoke always precedes the
// reassignment under the protocols the suite runs: eager revokes before the
// member rejoins, cooperative revokes before the rejoin whose generation
// gives the partition away, and a KIP-848 coordinator gives it to another
// member only once its owner has acknowledged the revocation.
//
// Ownership is replayed from the audit's accepted assignments as in
// NoZombieWrites; each revoked event with partitions (worker clock, the
// harness host's: the contract's ts) is judged against the assignments the
// broker accepted more than slack before it. A partition that belonged to
// another worker then is a counter-example naming the worker, the
// partition, the event's time, and who had it since when (generation or
// member epoch). It is not applicable without a usable audit and fails
// with "no-observations" when there was no assignment or no revoked event
// naming a partition.
func RevokedWhileOwned(h history.History, slack time.Duration) Result {
	const check = CheckRevokedWhileOwned
	if why := auditGap(h); why != "" {
		return auditUnusable(check, h, why)
	}
	asg := acceptedAssignments(entries(h))
	var revs []history.WorkerEvent
	for _, e := range h.Events {
		if contract.EventKind(e.Event) == contract.EventRevoked && len(e.Partitions) > 0 {
			revs = append(revs, e)
		}
	}
	if len(asg) == 0 {
		return fail(check, ClassNoObservations, "the broker accepted no assignment, so no revoked partition can be judged.", time.Time{}, nil, 0)
	}
	if len(revs) == 0 {
		return fail(check, ClassNoObservations, "no worker printed revoked naming a partition, so nothing can be judged.", time.Time{}, nil, 0)
	}
	sort.SliceStable(revs, func(i, j int) bool { return revs[i].TS.Before(revs[j].TS) })

	var own owners
	var ex []string
	var first time.Time
	var pl []int32
	bad, judged, ai := 0, 0, 0
	for _, ev := range revs {
		for ai < len(asg) && !asg[ai].At.After(ev.TS.Add(-slack)) {
			own.apply(asg[ai])
			ai++
		}
		for _, p := range ev.Partitions {
			judged++
			// Judged in whichever group holds p: the worker's own hold
			// anywhere clears it, another member's hold is the finding.
			hs := own.holdersOf(p)
			var other *holding
			var group string
			for _, g := range sortedGroups(hs) {
				hd := hs[g]
				if hd.client == ev.Worker {
					other = nil
					break
				}
				if other == nil {
					other, group = &hd, g
				}
			}
			if other == nil {
				continue
			}
			hd := *other
			bad++
			pl = append(pl, p)
			if first.IsZero() {
				first = ev.TS
			}
			if len(ex) < MaxExamples {
				ex = append(ex, fmt.Sprintf("%s printed revoked for partition %d at %s, but the coordinator had given it to %s (group %s, generation %d) at %s, %s before: a partition taken while its worker was away is lost",
					ev.Worker, p, rel(h.Start, ev.TS), hd.client, group, hd.gen, rel(h.Start, hd.since), ev.TS.Sub(hd.since).Round(time.Millisecond)))
			}
		}
	}
	summary := fmt.Sprintf("a worker should print revoked only for partitions no other member has been given yet (else lost); %d revoked partitions in %d events judged against %d assignments", judged, len(revs), len(asg))
	if bad == 0 {
		return pass(check, summary+", none taken before.")
	}
	return fail(check, ClassRevokedAfterTaken, fmt.Sprintf("%s; %d revoked after another member had them, partitions %s.", summary, bad, parts(pl)), first, ex, bad)
}
