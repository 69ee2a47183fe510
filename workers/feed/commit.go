package feed

import (
	"fmt"
	"maps"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Commit retry backoff: the first retry after a failed commit waits
// commitRetryMin, each further failure doubles it up to commitRetryMax.
const (
	commitRetryMin = 100 * time.Millisecond
	commitRetryMax = 2 * time.Second
)

// readyOffsets holds, per partition, the offset the worker may commit next
// (one past a post whose every update is acknowledged) and has not yet
// committed. An offset stays here until a commit of it (or of a later one)
// succeeds, or its partition leaves the worker: a commit that fails, e.g.
// with ILLEGAL_GENERATION or REBALANCE_IN_PROGRESS while the group
// rebalances, is retried with backoff by the poll loop even when no further
// record arrives on that partition, so the group's lag returns to zero once
// the load stops. Offsets only grow per partition, so a retry never moves a
// commit backwards. Not safe for concurrent use: the poll goroutine owns it.
type readyOffsets struct {
	next    map[int32]int64
	backoff time.Duration
	retryAt time.Time // zero: no failed commit waiting
}

// add merges offsets in, keeping the larger offset per partition.
func (r *readyOffsets) add(offsets map[int32]int64) {
	if r.next == nil {
		r.next = map[int32]int64{}
	}
	for p, o := range offsets {
		if o > r.next[p] {
			r.next[p] = o
		}
	}
}

// forAssigned returns a copy of the offsets of the partitions for which
// assigned is true, and forgets the others (their new owner commits them).
func (r *readyOffsets) forAssigned(assigned func(int32) bool) map[int32]int64 {
	out := map[int32]int64{}
	for p, o := range r.next {
		if assigned(p) {
			out[p] = o
		} else {
			delete(r.next, p)
		}
	}
	return out
}

// succeeded forgets the offsets just committed (unless a later offset of
// the same partition arrived since) and resets the backoff.
func (r *readyOffsets) succeeded(committed map[int32]int64) {
	for p, o := range committed {
		if r.next[p] <= o {
			delete(r.next, p)
		}
	}
	r.backoff, r.retryAt = 0, time.Time{}
}

// failed arms the next retry: commitRetryMin after the first failure,
// doubling up to commitRetryMax.
func (r *readyOffsets) failed(now time.Time) {
	r.backoff = min(max(2*r.backoff, commitRetryMin), commitRetryMax)
	r.retryAt = now.Add(r.backoff)
}

// due reports whether a failed commit is waiting and its backoff is over.
func (r *readyOffsets) due(now time.Time) bool {
	return len(r.next) > 0 && !r.retryAt.IsZero() && !now.Before(r.retryAt)
}

// drop forgets the given partitions (revoked or lost).
func (r *readyOffsets) drop(parts []int32) {
	for _, p := range parts {
		delete(r.next, p)
	}
	if len(r.next) == 0 {
		r.backoff, r.retryAt = 0, time.Time{}
	}
}

// commitWait bounds how long the revoke callback waits for an offset commit
// (the one in flight, then its own). Past it the revoked partitions are
// given up without their last offsets committed: the next owner re-reads
// those posts (duplicates, never a loss).
const commitWait = 10 * time.Second

// commitResult is the outcome of one offset commit, sent by its goroutine.
type commitResult struct {
	offsets map[int32]int64
	res     []kafka.TopicPartition
	err     error
	start   time.Time
	d       time.Duration
}

// commitReady starts committing the ready offsets of the partitions still
// assigned, unless a commit is still in flight (the offsets that became
// ready meanwhile go with the next one). Poll goroutine only.
//
// Commits run on their own goroutine (librdkafka's commit is thread-safe
// and waits on a queue of its own) so that the poll loop keeps polling,
// processing and producing while one is in flight. This matters during a
// classic-protocol rebalance: the coordinator answers requests on a
// connection in order, and the member's JoinGroup is held there until the
// group has rejoined, so an OffsetCommit sent meanwhile is answered only
// after it, with ILLEGAL_GENERATION. A synchronous commit there stopped
// every partition of the worker, including those that do not move, for
// the whole join phase.
//
// At most one commit is in flight, and the ready offsets only grow per
// partition, so commits never move a partition backwards. Only
// acknowledged offsets are ever ready (at-least-once).
func (w *Worker) commitReady() {
	if w.inflight != nil && !w.reapCommit(0) {
		return
	}
	w.startCommit()
}

// startCommit starts a commit of the ready offsets of the assigned
// partitions on a goroutine; none may be in flight. Poll goroutine only.
func (w *Worker) startCommit() {
	offsets := w.ready.forAssigned(w.isAssigned)
	if len(offsets) == 0 {
		return
	}
	offsets = w.mut.commitOffsets(w, offsets)
	w.inflight = offsets
	c, tps := w.consumer, w.topicPartitions(offsets)
	go func() {
		start := time.Now()
		res, err := c.CommitOffsets(tps)
		w.commitDone <- commitResult{offsets: offsets, res: res, err: err, start: start, d: time.Since(start)}
	}()
}

// reapCommit waits up to d for the commit in flight (not at all for d == 0,
// without bound for d < 0) and applies its outcome. It reports whether no
// commit is in flight any more. Poll goroutine only.
func (w *Worker) reapCommit(d time.Duration) bool {
	if w.inflight == nil {
		return true
	}
	var r commitResult
	switch {
	case d == 0:
		select {
		case r = <-w.commitDone:
		default:
			return false
		}
	case d < 0:
		r = <-w.commitDone
	default:
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case r = <-w.commitDone:
		case <-t.C:
			return false
		}
	}
	w.inflight = nil
	w.commitFinished(r)
	return true
}

// commitAndWait commits the ready offsets and waits for the outcome, each
// wait (for the commit in flight, then for this one) bounded by d (see
// reapCommit). It reports whether no commit is left in flight. Poll
// goroutine only (the revoke callback, shutdown).
func (w *Worker) commitAndWait(d time.Duration) bool {
	if !w.reapCommit(d) {
		return false
	}
	w.startCommit()
	return w.reapCommit(d)
}

// commitFinished applies a commit's outcome. Offsets of partitions no
// longer assigned (lost while the commit was in flight) are ignored: they
// were dropped from ready already. On failure the offsets stay ready and a
// retry is armed; the error is printed (at most once per 5 s per code) and
// counted.
func (w *Worker) commitFinished(r commitResult) {
	w.metrics.ObserveCommit(r.d)
	err := r.err
	if err == nil {
		// A partition-level error fails that partition only.
		done := maps.Clone(r.offsets)
		for _, tp := range r.res {
			if tp.Error != nil {
				delete(done, tp.Partition)
				err = tp.Error
			}
		}
		for p := range done {
			if !w.isAssigned(p) {
				delete(done, p)
			}
		}
		w.ready.succeeded(done)
		if len(done) > 0 {
			w.noteCommitted(done)
		}
	}
	if w.trace != nil {
		w.trace("commit", r.start, r.d, err)
	}
	if err != nil {
		w.ready.failed(time.Now())
		w.metrics.CommitFailures.Add(1)
		w.em.ErrorLimited("commit:"+errCode(err), 5*time.Second,
			fmt.Errorf("commit failed, retrying in %s: %w", w.ready.backoff, err),
			map[string]string{"offsets": formatOffsets(r.offsets)})
	}
}

// retryCommits retries a failed commit once its backoff is over (commitReady
// does nothing while one is in flight).
func (w *Worker) retryCommits() {
	if w.ready.due(time.Now()) {
		w.commitReady()
	}
}

// isAssigned reports whether partition p is assigned to the worker now.
func (w *Worker) isAssigned(p int32) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.st.assigned[p]
}
