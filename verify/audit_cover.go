package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
)

// CommitsCoverAppends checks the at-least-once promise at the broker
// (class "premature-commit"): at every offset o the broker accepted as
// committed on posts partition p, every post of p below o that the producer
// saw acked already has all of its feed updates appended (one per follower
// of its author in g), or its dead letter, by the broker's order. A worker
// that commits before its updates are written is caught at the commit, with
// no need for a crash to land in the window.
//
// Appends count once visible: accepted, and for a transactional one once
// its transaction committed. Commits are plain OffsetCommits per accepted
// partition and transactional offsets when their transaction committed.
// A (post, follower) update counts wherever it was appended (the post id
// names it); a dead letter counts for the source partition and offset it
// names. Posts the producer never saw acked are not judged.
//
// Each counter-example is one post: id, partition, offset, what was
// missing (how many updates, or the dead letter), the commit's offset, time
// and committer. FirstAt is the first premature commit's time. It is not
// applicable without a usable audit, and fails with "no-observations" when
// no post was acked or no offset of the posts topic was committed.
func CommitsCoverAppends(h history.History, g *graph.Graph) Result {
	const check = CheckCommitsCoverAppends
	if why := auditGap(h); why != "" {
		return auditUnusable(check, h, why)
	}
	if g == nil {
		return fail(check, ClassNoObservations, "no social graph given, so no post's updates are known.", time.Time{}, nil, 0)
	}
	if len(h.Posts) == 0 {
		return fail(check, ClassNoObservations, "no post was acked by the producer, so no commit can be judged.", time.Time{}, nil, 0)
	}
	es := entries(h)
	ends := txnEnds(es)
	var commits []commitEvent
	for _, c := range commitEvents(es, ends) {
		if c.topic == postsTopic {
			commits = append(commits, c)
		}
	}
	if len(commits) == 0 {
		return fail(check, ClassNoObservations, "the broker accepted no commit on the posts topic, so no commit can be judged.", time.Time{}, nil, 0)
	}

	// When each (post, follower) update and each dead letter first became
	// visible.
	updAt := map[pair]int64{}
	for _, v := range visibleAppends(es, ends, feedTopic) {
		for _, r := range v.e.Records {
			k := pair{r.PostID, r.Follower}
			if _, ok := updAt[k]; !ok && r.Err == "" {
				updAt[k] = v.seq
			}
		}
	}
	dlAt := map[srcKey]int64{}
	for _, v := range visibleAppends(es, ends, dlqTopic) {
		for _, r := range v.e.Records {
			if r.Err != "" {
				continue // unparsed: it names no source, it covers nothing
			}
			k := srcKey{r.SourcePartition, r.SourceOffset}
			if _, ok := dlAt[k]; !ok {
				dlAt[k] = v.seq
			}
		}
	}

	// covered returns the seq by which the post at a had everything
	// appended (0, false if it never had).
	type post struct {
		ack     history.PostAck
		covered int64
		has     bool
		missing int // updates never appended
		want    int
	}
	byPart := map[int32][]*post{}
	for _, a := range h.Posts {
		p := &post{ack: a}
		if s, ok := dlAt[srcKey{a.Partition, a.Offset}]; ok {
			p.covered, p.has = s, true
		} else if fs, known := g.Followers(a.Author); known {
			p.want, p.has = len(fs), true
			for _, f := range fs {
				s, ok := updAt[pair{a.PostID, f}]
				if !ok {
					p.missing++
					p.has = false
					continue
				}
				if s > p.covered {
					p.covered = s
				}
			}
		}
		byPart[a.Partition] = append(byPart[a.Partition], p)
	}
	for _, ps := range byPart {
		sort.Slice(ps, func(i, j int) bool { return ps[i].ack.Offset < ps[j].ack.Offset })
	}

	type bad struct {
		p *post
		c commitEvent
	}
	var bads []bad
	checked := map[int32]int{} // index of the first post not yet judged, per partition
	judged := 0
	for _, c := range commits {
		ps := byPart[c.partition]
		i := checked[c.partition]
		// Posts below an earlier commit were judged at it: a later commit
		// cannot see less.
		for ; i < len(ps) && ps[i].ack.Offset < c.offset; i++ {
			judged++
			if p := ps[i]; !p.has || p.covered > c.seq {
				bads = append(bads, bad{p, c})
			}
		}
		checked[c.partition] = i
	}
	summary := fmt.Sprintf("every post below a committed offset should have its updates or dead letter appended first; %d accepted commits on the posts topic judged against %d acked posts below them", len(commits), judged)
	if judged == 0 {
		return fail(check, ClassNoObservations, summary+": no commit was above an acked post, so none could be judged.", time.Time{}, nil, 0)
	}
	if len(bads) == 0 {
		return pass(check, summary+", none premature.")
	}
	var ex []string
	var pl []int32
	for _, b := range bads {
		pl = append(pl, b.p.ack.Partition)
		if len(ex) >= MaxExamples {
			continue
		}
		what := "its dead letter was not appended by then"
		switch {
		case b.p.want > 0 && b.p.missing > 0:
			what = fmt.Sprintf("%d of its %d updates were never appended", b.p.missing, b.p.want)
		case b.p.want > 0:
			what = fmt.Sprintf("its %d updates were appended only later (complete at seq %d)", b.p.want, b.p.covered)
		case b.p.has:
			what = fmt.Sprintf("its dead letter was appended only later (seq %d)", b.p.covered)
		}
		ex = append(ex, fmt.Sprintf("post %s at partition %d offset %d (acked %s): offset %d committed at %s (seq %d) by %s, but %s",
			b.p.ack.PostID, b.p.ack.Partition, b.p.ack.Offset, rel(h.Start, b.p.ack.At), b.c.offset, rel(h.Start, b.c.at), b.c.seq, who(b.c), what))
	}
	msg := fmt.Sprintf("%s; %d posts committed before their updates were appended, on partitions %s.", summary, len(bads), parts(pl))
	return fail(check, ClassPrematureCommit, msg, bads[0].c.at, ex, len(bads))
}
