package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// CheckNoWriteAfterRevoke is the check of the contract's promise that a
// partition a worker gave back (revoked) or lost is done with.
const CheckNoWriteAfterRevoke = "no-write-after-revoke"

// ClassWriteAfterRevoke: a worker produced a feed update from a partition
// after it had printed revoked or lost for it, before it was assigned the
// partition again.
const ClassWriteAfterRevoke = "write-after-revoke"

// NoWriteAfterRevoke checks that a worker produces no feed update from a
// posts partition after it printed revoked or lost naming the partition,
// until it prints assigned naming it again or starts again (a new
// incarnation holds nothing) (class "write-after-revoke"). The contract's
// revoked means "given back cleanly, work committed" and lost "drop what it
// holds": a worker that keeps records buffered when its partition goes and
// fans them out afterwards writes work no commit covers while the next
// owner processes the same posts (a duplicate in at-least-once, a zombie
// write in exactly-once). The coordinator's view cannot show it: under the
// eager protocol a member revokes everything before it rejoins, so its late
// writes land while the coordinator's last assignment still gives it the
// partition (NoZombieWrites excuses them).
//
// Both times are the worker's own clock, so no slack between clocks is
// needed: the event's ts, and the feed update's Kafka record timestamp,
// which the contract makes the time the worker produced it (the client
// stamps it when the record is handed over). The record timestamp has
// millisecond resolution, so an update is judged only when it was certainly
// produced inside the gap: its timestamp is after the revoke and at least a
// millisecond before the next assigned. Records handed to the client before
// the event and acknowledged after it are fine (their timestamps are
// earlier). Only visible updates count (an exactly-once zombie's aborted
// writes are not read); dead letters carry no producer time and are not
// judged.
//
// Counter-examples name the worker, the event, the partition, the post and
// how long after the event it was produced. It is not applicable when no
// worker printed revoked or lost naming a partition, and fails with
// "no-observations" when some did but no feed update carries a record
// timestamp.
func NoWriteAfterRevoke(h history.History) Result {
	const check = CheckNoWriteAfterRevoke
	type gap struct {
		kind     contract.EventKind
		from, to time.Time // to is zero while the partition stays away
	}
	type key struct {
		worker string
		p      int32
	}
	evs := append([]history.WorkerEvent(nil), h.Events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].TS.Before(evs[j].TS) })
	gaps := map[key][]gap{}
	open := map[key]int{} // index of the key's open gap, if any
	closeGap := func(k key, at time.Time) {
		if i, ok := open[k]; ok {
			gaps[k][i].to = at
			delete(open, k)
		}
	}
	released := 0
	for _, e := range evs {
		switch kind := contract.EventKind(e.Event); kind {
		case contract.EventStarted:
			for k := range open {
				if k.worker == e.Worker {
					closeGap(k, e.TS)
				}
			}
		case contract.EventAssigned:
			for _, p := range e.Partitions {
				closeGap(key{e.Worker, p}, e.TS)
			}
		case contract.EventRevoked, contract.EventLost:
			for _, p := range e.Partitions {
				k := key{e.Worker, p}
				if _, ok := open[k]; ok {
					continue // released twice: the first release stands
				}
				released++
				open[k] = len(gaps[k])
				gaps[k] = append(gaps[k], gap{kind: kind, from: e.TS})
			}
		}
	}
	if released == 0 {
		return notApplicable(check, "no worker printed revoked or lost naming a partition, so no write after one can be judged.")
	}
	stamped, judged, bad := 0, 0, 0
	var ex []string
	var first time.Time
	var pl []int32
	for _, u := range h.Updates {
		if u.Timestamp.IsZero() {
			continue
		}
		stamped++
		gs := gaps[key{u.Worker, u.SourcePartition}]
		if len(gs) == 0 {
			continue
		}
		judged++
		for _, g := range gs {
			after := u.Timestamp.After(g.from)
			before := g.to.IsZero() || !u.Timestamp.Add(time.Millisecond).After(g.to)
			if !after || !before {
				continue
			}
			bad++
			pl = append(pl, u.SourcePartition)
			if first.IsZero() || u.Timestamp.Before(first) {
				first = u.Timestamp
			}
			if len(ex) < MaxExamples {
				until := "was never assigned it again"
				if !g.to.IsZero() {
					until = "was assigned it again only at " + rel(h.Start, g.to)
				}
				ex = append(ex, fmt.Sprintf("%s printed %s for partition %d at %s and %s, but produced post %s -> follower %d (offset %d) at %s, %s after",
					u.Worker, g.kind, u.SourcePartition, rel(h.Start, g.from), until, u.PostID, u.Follower, u.SourceOffset,
					rel(h.Start, u.Timestamp), u.Timestamp.Sub(g.from).Round(time.Millisecond)))
			}
			break
		}
	}
	if stamped == 0 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%d partitions were revoked or lost, but no feed update carries a record timestamp, so no write can be judged.", released), time.Time{}, nil, 0)
	}
	summary := fmt.Sprintf("a worker should produce nothing from a partition after it printed revoked or lost for it, until it is assigned it again; %d releases, %d feed updates from partitions their worker released at some point judged by their record timestamps", released, judged)
	if bad == 0 {
		return pass(check, summary+", none produced inside a release.")
	}
	return fail(check, ClassWriteAfterRevoke, fmt.Sprintf("%s; %d produced after their partition was given up, partitions %s.", summary, bad, parts(pl)), first, ex, bad)
}
