package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// LeaverCommitted checks that a worker that left gracefully at since (a
// SIGTERM, a scale-down) committed every post it had fanned out before it
// let its partitions go (class "replayed-handoff"): no other worker writes,
// after since, a feed update for a post of a partition the leaver owned at
// since, at an offset the leaver itself had fanned out. A leaver whose
// final commit is missing or stale hands its successor an old committed
// offset, and the successor fans out again what the leaver already did:
// a duplicate after a clean leave, which the contract's SIGTERM clause
// ("finish in-flight work, commit, leave") rules out.
//
// Judged from the data (the feed updates' worker and source partition and
// offset) and the observer's snapshot before since, not from the worker's
// events. It fails with "no-observations" when there is no snapshot before
// since, the leaver owned nothing then, or it fanned out nothing from the
// partitions it owned.
func LeaverCommitted(h history.History, leaver string, since time.Time) Result {
	const check = CheckLeaverCommitted
	var owned []int32
	s, found := snapshotAt(validSnapshots(h), since)
	for _, m := range s.Members {
		if isMember(m, leaver) {
			owned = append(owned, m.Partitions...)
		}
	}
	expect := fmt.Sprintf("no post %s fanned out from the partitions it owned when it left at %s should be fanned out again by another worker", leaver, rel(h.Start, since))
	if !found || len(owned) == 0 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%s; %s owned no partition in the last snapshot before it.", expect, leaver), since, nil, 0)
	}
	// The offsets the leaver itself fanned out, per partition: a set, not
	// a span, so that what others did in between (the partition moved
	// away and came back) is not taken for the leaver's.
	type done struct {
		offs map[int64]bool
		hi   int64
	}
	mine := map[int32]*done{}
	isOwned := map[int32]bool{}
	for _, p := range owned {
		isOwned[p] = true
	}
	for _, u := range h.Updates {
		if u.Worker != leaver || !isOwned[u.SourcePartition] {
			continue
		}
		d := mine[u.SourcePartition]
		if d == nil {
			d = &done{offs: map[int64]bool{}, hi: u.SourceOffset}
			mine[u.SourcePartition] = d
		}
		d.offs[u.SourceOffset] = true
		d.hi = max(d.hi, u.SourceOffset)
	}
	if len(mine) == 0 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%s; %s fanned out nothing from partitions %s.", expect, leaver, parts(owned)), since, nil, 0)
	}
	type replay struct {
		p        int32
		by       string
		lo, hi   int64
		posts    map[int64]bool
		first    time.Time
		leaverHi int64
	}
	replays := map[string]*replay{}
	for _, u := range h.Updates {
		d := mine[u.SourcePartition]
		if u.Worker == leaver || d == nil || u.At.Before(since) || !d.offs[u.SourceOffset] {
			continue
		}
		k := fmt.Sprintf("%d/%s", u.SourcePartition, u.Worker)
		r := replays[k]
		if r == nil {
			r = &replay{p: u.SourcePartition, by: u.Worker, lo: u.SourceOffset, hi: u.SourceOffset, posts: map[int64]bool{}, first: u.At, leaverHi: d.hi}
			replays[k] = r
		}
		r.lo, r.hi = min(r.lo, u.SourceOffset), max(r.hi, u.SourceOffset)
		r.posts[u.SourceOffset] = true
		if u.At.Before(r.first) {
			r.first = u.At
		}
	}
	if len(replays) == 0 {
		return pass(check, fmt.Sprintf("%s; none was (partitions %s).", expect, parts(owned)))
	}
	var rs []*replay
	for _, r := range replays {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].first.Before(rs[j].first) })
	var ex []string
	var ps []int32
	total := 0
	for _, r := range rs {
		total += len(r.posts)
		ps = append(ps, r.p)
		if len(ex) < MaxExamples {
			ex = append(ex, fmt.Sprintf("partition %d: %s fanned out %d posts at offsets %d..%d again from %s (%s had fanned out up to %d)",
				r.p, r.by, len(r.posts), r.lo, r.hi, rel(h.Start, r.first), leaver, r.leaverHi))
		}
	}
	return fail(check, ClassReplayedHandoff, fmt.Sprintf("%s; %d posts were, on partitions %s: %s's final commit did not cover them.", expect, total, parts(ps), leaver), rs[0].first, ex, total)
}
