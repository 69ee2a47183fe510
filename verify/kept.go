package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// CheckKeptNotReplayed names KeptNotReplayed.
const CheckKeptNotReplayed = "kept-not-replayed"

// ClassReplayedKept: a partition its owner kept through a cooperative
// rebalance was rewound, and posts it had already fanned out were fanned
// out again.
const ClassReplayedKept = "replayed-kept"

// KeptNotReplayed checks the promise of a cooperative (incremental)
// rebalance: a partition that stays with its owner keeps its position, so
// the owner never fans out the same post of it twice (class
// "replayed-kept"). kept maps each partition that did not move between
// the settled assignments before and after the rebalance to its owner;
// updates written by that owner from that partition between from and to
// (the verifier's read times) are judged. An owner that reset its
// positions (to the committed offset) on the incremental assign fans out
// again what it had done since its last commit.
//
// It fails with "no-observations" when kept is empty or no update of a
// kept partition by its owner falls in the window.
func KeptNotReplayed(h history.History, kept map[int32]string, from, to time.Time) Result {
	const check = CheckKeptNotReplayed
	expect := fmt.Sprintf("no post of the %d partitions kept by their owner through the rebalance should be fanned out twice by it between %s and %s", len(kept), rel(h.Start, from), rel(h.Start, to))
	if len(kept) == 0 {
		return fail(check, ClassNoObservations, expect+"; no partition was kept.", from, nil, 0)
	}
	type key struct {
		post     string
		follower int
	}
	type first struct {
		at time.Time
		o  int64
	}
	seen := map[key]first{}
	judged := 0
	type replay struct {
		p     int32
		owner string
		off   int64
		at    time.Time
		was   time.Time
	}
	var rs []replay
	for _, u := range h.Updates {
		owner, ok := kept[u.SourcePartition]
		if !ok || u.Worker != owner {
			continue
		}
		k := key{u.PostID, u.Follower}
		if f, dup := seen[k]; dup {
			if !u.At.Before(from) && !u.At.After(to) {
				rs = append(rs, replay{u.SourcePartition, owner, u.SourceOffset, u.At, f.at})
			}
			continue
		}
		seen[k] = first{u.At, u.SourceOffset}
		if !u.At.Before(from) && !u.At.After(to) {
			judged++
		}
	}
	if judged == 0 && len(rs) == 0 {
		return fail(check, ClassNoObservations, expect+"; no update of a kept partition by its owner falls in the window.", from, nil, 0)
	}
	if len(rs) == 0 {
		return pass(check, fmt.Sprintf("%s; none was (%d updates judged).", expect, judged))
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].at.Before(rs[j].at) })
	var ex []string
	var ps []int32
	for _, r := range rs {
		ps = append(ps, r.p)
		if len(ex) < MaxExamples {
			ex = append(ex, fmt.Sprintf("%s fanned out partition %d offset %d again at %s (first at %s)", r.owner, r.p, r.off, rel(h.Start, r.at), rel(h.Start, r.was)))
		}
	}
	return fail(check, ClassReplayedKept, fmt.Sprintf("%s; %d updates were fanned out again, on partitions %s.", expect, len(rs), parts(ps)), rs[0].at, ex, len(rs))
}
