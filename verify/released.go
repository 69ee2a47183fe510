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
	// A violation is counted per feed update and shown per post: the
	// updates of one post were produced together.
	type post struct {
		worker string
		p      int32
		offset int64
		gap    int
	}
	type shown struct {
		g       gap
		id      string
		n       int
		at      time.Time
		example history.UpdateSeen
	}
	posts := map[post]*shown{}
	stamped, judged, bad := 0, 0, 0
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
		for i, g := range gs {
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
			k := post{u.Worker, u.SourcePartition, u.SourceOffset, i}
			sp := posts[k]
			if sp == nil {
				sp = &shown{g: g, id: u.PostID, at: u.Timestamp, example: u}
				posts[k] = sp
			}
			sp.n++
			if u.Timestamp.Before(sp.at) {
				sp.at, sp.example = u.Timestamp, u
			}
			break
		}
	}
	order := make([]post, 0, len(posts))
	for k := range posts {
		order = append(order, k)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := posts[order[i]], posts[order[j]]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return order[i].worker < order[j].worker || (order[i].worker == order[j].worker && order[i].offset < order[j].offset)
	})
	var ex []string
	for _, k := range order {
		if len(ex) >= MaxExamples {
			break
		}
		sp := posts[k]
		until := "was never assigned it again"
		if !sp.g.to.IsZero() {
			until = "was assigned it again only at " + rel(h.Start, sp.g.to)
		}
		ex = append(ex, fmt.Sprintf("%s printed %s for partition %d at %s and %s, but produced %d feed updates of post %s (offset %d) from %s, %s after (e.g. -> follower %d)",
			k.worker, sp.g.kind, k.p, rel(h.Start, sp.g.from), until, sp.n, sp.id, k.offset,
			rel(h.Start, sp.at), sp.at.Sub(sp.g.from).Round(time.Millisecond), sp.example.Follower))
	}
	if stamped == 0 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%d partitions were revoked or lost, but no feed update carries a record timestamp, so no write can be judged.", released), time.Time{}, nil, 0)
	}
	summary := fmt.Sprintf("a worker should produce nothing from a partition after it printed revoked or lost for it, until it is assigned it again; %d releases, %d feed updates from partitions their worker released at some point judged by their record timestamps", released, judged)
	if bad == 0 {
		return pass(check, summary+", none produced inside a release.")
	}
	return fail(check, ClassWriteAfterRevoke, fmt.Sprintf("%s; %d (of %d posts) produced after their partition was given up, partitions %s.", summary, bad, len(posts), parts(pl)), first, ex, bad)
}
