package verify

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
)

type pair struct {
	post     string
	follower int
}

type srcKey struct {
	partition int32
	offset    int64
}

// NoLostUpdates checks that every feed update the producer's acks promise
// was seen by the verifier (class "lost").
//
// Expected: for every acked post (h.Posts, grouped by post id, so a post the
// producer acked twice is expected once), one (post, follower) update per
// follower of its author in g. A post whose author g does not know is a
// poison post: it is expected in h.DeadLetters, matched by source partition
// and offset (any of its acks' offsets), and is lost if it is not there.
// Lost = expected − seen − dead-lettered poison: a dead letter excuses only
// a post that really is poison. Every acked post is well-formed (the
// producer wrote it), so one whose author the graph knows is never poison:
// if it was dead-lettered instead of fanned out, its unseen updates are
// lost like any other, and the counter-example says it was dead-lettered.
// (Records that do not parse at all are never acked posts; see
// PoisonDeadLettered for them.)
//
// Each counter-example is one post: its id, its missing followers (the
// first five, smallest first), the source partition and offset, the ack
// time, and who owned the partition at ack time (the last error-free
// snapshot at or before it; "nobody" if unowned). Counter-examples are
// ordered by ack time, then partition and offset; FirstAt is the earliest
// lost post's ack time.
//
// Not checked here: duplicates (counted in the message only; see
// NoDuplicates), updates for posts never acked or for followers the author
// does not have (counted as unexpected in the message), and the source
// partition/offset an update claims. It fails with "no-observations" when no
// post was acked, or when g is nil.
func NoLostUpdates(h history.History, g *graph.Graph) Result {
	const check = CheckNoLostUpdates
	if g == nil {
		return fail(check, ClassNoObservations, "no social graph given, so nothing is expected.", time.Time{}, nil, 0)
	}
	if len(h.Posts) == 0 {
		return fail(check, ClassNoObservations, "no post was acked by the producer, so no update could be lost: the spec produced no load.", time.Time{}, nil, 0)
	}

	seen := make(map[pair]int, len(h.Updates))
	for _, u := range h.Updates {
		seen[pair{u.PostID, u.Follower}]++
	}
	dead := make(map[srcKey]bool, len(h.DeadLetters))
	for _, d := range h.DeadLetters {
		dead[srcKey{d.SourcePartition, d.SourceOffset}] = true
	}

	// Group acks by post id, in order of first ack.
	acks := make(map[string][]history.PostAck)
	var order []string
	for _, a := range h.Posts {
		if _, ok := acks[a.PostID]; !ok {
			order = append(order, a.PostID)
		}
		acks[a.PostID] = append(acks[a.PostID], a)
	}

	type lostUpdate struct {
		ack      history.PostAck
		follower int  // -1: poison post not dead-lettered
		dead     bool // a well-formed post with a known author that was dead-lettered
	}
	var (
		lost                      []lostUpdate
		expected, poison, dlKnown int
		lostPosts                 = map[string]bool{}
		lostParts                 = map[int32]bool{}
		expectedPairs             = map[pair]bool{}
	)
	for _, id := range order {
		as := acks[id]
		first := as[0]
		isDead := false
		for _, a := range as {
			if dead[srcKey{a.Partition, a.Offset}] {
				isDead = true
			}
		}
		followers, known := g.Followers(first.Author)
		if !known {
			poison++
			if !isDead {
				lost = append(lost, lostUpdate{first, -1, false})
				lostPosts[id] = true
				lostParts[first.Partition] = true
			}
			continue
		}
		expected += len(followers)
		if isDead {
			dlKnown++
		}
		for _, f := range followers {
			p := pair{id, f}
			expectedPairs[p] = true
			if seen[p] == 0 {
				lost = append(lost, lostUpdate{first, f, isDead})
				lostPosts[id] = true
				lostParts[first.Partition] = true
			}
		}
	}

	var dups, unexpected int
	for p, n := range seen {
		if n > 1 {
			dups += n - 1
		}
		if !expectedPairs[p] {
			unexpected += n
		}
	}

	summary := fmt.Sprintf("expected %d feed updates for %d acked posts, and %d poison posts (author unknown to the graph) in the dead letters; seen %d updates (%d duplicate copies, %d unexpected), %d dead letters",
		expected, len(order), poison, len(h.Updates), dups, unexpected, len(h.DeadLetters))
	if n := unparsableUpdates(h); n > 0 {
		summary += fmt.Sprintf(", %d feed-update records that did not parse (a contract violation of their own, see %s; an update only they carried counts as unseen here)", n, CheckContractHonoured)
	}
	if dlKnown > 0 {
		summary += fmt.Sprintf(", %d well-formed posts with a known author dead-lettered (not poison: a dead letter does not excuse them)", dlKnown)
	}
	if len(lost) == 0 {
		return pass(check, summary+"; none lost.")
	}

	// One counter-example per post (its missing followers listed), posts
	// ordered by ack time, then partition and offset.
	sort.SliceStable(lost, func(i, j int) bool {
		a, b := lost[i], lost[j]
		if !a.ack.At.Equal(b.ack.At) {
			return a.ack.At.Before(b.ack.At)
		}
		if a.ack.Partition != b.ack.Partition {
			return a.ack.Partition < b.ack.Partition
		}
		if a.ack.Offset != b.ack.Offset {
			return a.ack.Offset < b.ack.Offset
		}
		return a.follower < b.follower
	})
	snaps := validSnapshots(h)
	var ex []string
	for i := 0; i < len(lost); {
		j := i
		for j < len(lost) && lost[j].ack.PostID == lost[i].ack.PostID {
			j++
		}
		l := lost[i]
		owner := ownerAt(snaps, l.ack.Partition, l.ack.At)
		if len(ex) < MaxExamples {
			if l.follower < 0 {
				ex = append(ex, fmt.Sprintf("poison post %s (author %d unknown to the graph) at partition %d offset %d, acked %s, owned by %s, not in the dead letters",
					l.ack.PostID, l.ack.Author, l.ack.Partition, l.ack.Offset, rel(h.Start, l.ack.At), owner))
			} else {
				var fs []string
				for k := i; k < j && k < i+5; k++ {
					fs = append(fs, fmt.Sprint(lost[k].follower))
				}
				who := "follower " + fs[0]
				if j-i > 1 {
					who = "followers " + strings.Join(fs, ", ")
					if j-i > len(fs) {
						who += fmt.Sprintf(" and %d more", j-i-len(fs))
					}
				}
				dl := ""
				if l.dead {
					dl = ", dead-lettered although well-formed with a known author"
				}
				ex = append(ex, fmt.Sprintf("post %s -> %s (%d of %d updates lost; author %d) from partition %d offset %d, acked %s, owned by %s%s",
					l.ack.PostID, who, j-i, g.FollowerCount(l.ack.Author), l.ack.Author, l.ack.Partition, l.ack.Offset, rel(h.Start, l.ack.At), owner, dl))
			}
		}
		i = j
	}
	ps := make([]int32, 0, len(lostParts))
	for p := range lostParts {
		ps = append(ps, p)
	}
	msg := fmt.Sprintf("%s; %d lost from %d posts on partitions %s.", summary, len(lost), len(lostPosts), parts(ps))
	return fail(check, ClassLost, msg, lost[0].ack.At, ex, len(lostPosts))
}

// NoDuplicates checks the exactly-once promise: each (post, follower) feed
// update is seen at most once (class "duplicate"). It looks at h.Updates
// only, whether or not the post was acked; it does not check that anything
// was seen at all (see NoLostUpdates) and fails with "no-observations" when
// no post was acked.
//
// Counter-examples are ordered by the time of the second sighting (FirstAt
// is the earliest) and name the post, the follower and every copy's worker,
// source partition/offset and time.
func NoDuplicates(h history.History) Result {
	const check = CheckNoDuplicates
	if len(h.Posts) == 0 {
		return fail(check, ClassNoObservations, "no post was acked by the producer, so no duplicate could show: the spec produced no load.", time.Time{}, nil, 0)
	}
	copies := make(map[pair][]history.UpdateSeen)
	for _, u := range h.Updates {
		p := pair{u.PostID, u.Follower}
		copies[p] = append(copies[p], u)
	}
	type dup struct {
		p  pair
		us []history.UpdateSeen
	}
	var dups []dup
	extra := 0
	for p, us := range copies {
		if len(us) > 1 {
			sort.SliceStable(us, func(i, j int) bool { return us[i].At.Before(us[j].At) })
			dups = append(dups, dup{p, us})
			extra += len(us) - 1
		}
	}
	summary := fmt.Sprintf("exactly-once expects each (post, follower) update once; seen %d updates, %d distinct", len(h.Updates), len(copies))
	if len(dups) == 0 {
		return pass(check, summary+", no duplicates.")
	}
	sort.Slice(dups, func(i, j int) bool {
		a, b := dups[i], dups[j]
		if !a.us[1].At.Equal(b.us[1].At) {
			return a.us[1].At.Before(b.us[1].At)
		}
		if a.p.post != b.p.post {
			return a.p.post < b.p.post
		}
		return a.p.follower < b.p.follower
	})
	var ex []string
	for _, d := range dups {
		if len(ex) == MaxExamples {
			break
		}
		var cs []string
		for _, u := range d.us {
			cs = append(cs, fmt.Sprintf("%s from partition %d offset %d at %s", u.Worker, u.SourcePartition, u.SourceOffset, rel(h.Start, u.At)))
		}
		ex = append(ex, fmt.Sprintf("post %s -> follower %d seen %d times: %s", d.p.post, d.p.follower, len(d.us), strings.Join(cs, ", ")))
	}
	msg := fmt.Sprintf("%s; %d updates seen more than once (%d extra copies).", summary, len(dups), extra)
	return fail(check, ClassDuplicate, msg, dups[0].us[1].At, ex, len(dups))
}
