package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// CheckAbortedRedelivered names the exactly-once kill checker.
const CheckAbortedRedelivered = "aborted-redelivered"

// FeedRecord is one record of the feed-updates log at its position, as a
// one-shot reader of the whole topic returned it. Update.At is when the
// worker produced it (the record's produced_at), not when it was read.
type FeedRecord struct {
	Partition int32 // of the feed-updates topic
	Offset    int64
	Update    history.UpdateSeen
}

type logPos struct {
	p int32
	o int64
}

// AbortedRedelivered checks what a SIGKILL of worker in the middle of a
// transaction must leave behind in exactly-once mode, from two reads of
// the whole feed-updates log after the drain: uncommitted (isolation
// read_uncommitted: every record written, aborted ones included) and
// committed (read_committed: what consumers see).
//
//   - The kill bit (class "no-bite"): some records of worker produced in
//     [from, killed] are in the uncommitted log but not in the committed
//     one. They were written inside a transaction that never committed:
//     the one the kill interrupted, aborted when the worker's
//     transactional.id was initialised again.
//   - Each aborted update's (post, follower) is in the committed log
//     exactly once (class "lost" when it is not, "duplicate" when it is
//     there more than once): the posts of the aborted transaction were
//     read again from the last committed offset and delivered once.
//
// The committed log must be part of the uncommitted one (class
// "no-observations" otherwise: the reads do not match). The message
// counts every aborted record, by worker.
func AbortedRedelivered(start time.Time, uncommitted, committed []FeedRecord, worker string, from, killed time.Time) Result {
	const check = CheckAbortedRedelivered
	if len(uncommitted) == 0 {
		return fail(check, ClassNoObservations, "the uncommitted read of the feed log is empty: nothing was written, so no transaction could be aborted.", time.Time{}, nil, 0)
	}
	all := make(map[logPos]bool, len(uncommitted))
	for _, r := range uncommitted {
		all[logPos{r.Partition, r.Offset}] = true
	}
	inCommitted := make(map[logPos]bool, len(committed))
	copies := make(map[pair]int, len(committed))
	var strays []string
	for _, r := range committed {
		k := logPos{r.Partition, r.Offset}
		inCommitted[k] = true
		copies[pair{r.Update.PostID, r.Update.Follower}]++
		if !all[k] && len(strays) < MaxExamples {
			strays = append(strays, fmt.Sprintf("feed partition %d offset %d", r.Partition, r.Offset))
		}
	}
	if len(strays) > 0 {
		return fail(check, ClassNoObservations, "the committed read holds records the uncommitted read does not: the two reads of the feed log do not match.", time.Time{}, strays, len(strays))
	}
	var aborted []FeedRecord
	byWorker := map[string]int{}
	for _, r := range uncommitted {
		if inCommitted[logPos{r.Partition, r.Offset}] {
			continue
		}
		byWorker[r.Update.Worker]++
		if r.Update.Worker == worker && inWindow(r.Update.At, from, killed) {
			aborted = append(aborted, r)
		}
	}
	var tally []string
	for w, n := range byWorker {
		tally = append(tally, fmt.Sprintf("%s %d", w, n))
	}
	sort.Strings(tally)
	posts := map[string]bool{}
	for _, r := range aborted {
		posts[r.Update.PostID] = true
	}
	summary := fmt.Sprintf("the kill of %s at %s should leave an aborted transaction whose updates are all delivered once by committed ones; %d records written, %d committed, aborted by worker: [%s]; %d aborted updates of %s from %d posts produced in %s",
		worker, rel(start, killed), len(uncommitted), len(committed), joinOr(tally, "none"), len(aborted), worker, len(posts), window(start, from, killed))
	if len(aborted) == 0 {
		return fail(check, ClassNoBite, summary+": the kill did not interrupt a transaction that had written anything.", killed, nil, 0)
	}
	sort.Slice(aborted, func(i, j int) bool {
		a, b := aborted[i].Update, aborted[j].Update
		if a.SourcePartition != b.SourcePartition {
			return a.SourcePartition < b.SourcePartition
		}
		if a.SourceOffset != b.SourceOffset {
			return a.SourceOffset < b.SourceOffset
		}
		return a.Follower < b.Follower
	})
	var lost, dup []string
	seen := map[pair]bool{}
	for _, r := range aborted {
		u := r.Update
		k := pair{u.PostID, u.Follower}
		if seen[k] {
			continue
		}
		seen[k] = true
		desc := fmt.Sprintf("post %s -> follower %d (from posts partition %d offset %d, aborted at feed partition %d offset %d)", u.PostID, u.Follower, u.SourcePartition, u.SourceOffset, r.Partition, r.Offset)
		switch n := copies[k]; {
		case n == 0:
			lost = append(lost, desc+" never committed")
		case n > 1:
			dup = append(dup, fmt.Sprintf("%s committed %d times", desc, n))
		}
	}
	switch {
	case len(lost) > 0:
		return fail(check, ClassLost, fmt.Sprintf("%s; %d of them never delivered by a committed transaction.", summary, len(lost)), killed, lost, len(lost))
	case len(dup) > 0:
		return fail(check, ClassDuplicate, fmt.Sprintf("%s; %d of them delivered more than once.", summary, len(dup)), killed, dup, len(dup))
	}
	return pass(check, summary+"; each delivered exactly once by a committed transaction.")
}

func joinOr(ss []string, empty string) string {
	if len(ss) == 0 {
		return empty
	}
	out := ss[0]
	for _, s := range ss[1:] {
		out += ", " + s
	}
	return out
}

// DuplicateCopies returns how many extra copies of (post, follower) feed
// updates h.Updates holds: the sum over pairs seen n > 1 times of n-1.
func DuplicateCopies(h history.History) int {
	seen := make(map[pair]int, len(h.Updates))
	extra := 0
	for _, u := range h.Updates {
		k := pair{u.PostID, u.Follower}
		if seen[k] > 0 {
			extra++
		}
		seen[k]++
	}
	return extra
}

// LogDuplicateCopies is DuplicateCopies over a read of the feed log.
func LogDuplicateCopies(rs []FeedRecord) int {
	h := history.History{Updates: make([]history.UpdateSeen, len(rs))}
	for i, r := range rs {
		h.Updates[i] = r.Update
	}
	return DuplicateCopies(h)
}
