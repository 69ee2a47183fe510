package feed

import (
	"fmt"
	"maps"
	"time"
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

// commitReady commits the ready offsets of the partitions still assigned,
// synchronously. On failure they stay ready and a retry is armed; the error
// is printed (at most once per 5 s per code) and counted. Poll goroutine
// only.
func (w *Worker) commitReady() {
	offsets := w.ready.forAssigned(w.isAssigned)
	if len(offsets) == 0 {
		return
	}
	start := time.Now()
	res, err := w.consumer.CommitOffsets(w.topicPartitions(offsets))
	w.metrics.ObserveCommit(time.Since(start))
	if err == nil {
		// A partition-level error fails that partition only.
		done := maps.Clone(offsets)
		for _, tp := range res {
			if tp.Error != nil {
				delete(done, tp.Partition)
				err = tp.Error
			}
		}
		w.ready.succeeded(done)
		if len(done) > 0 {
			w.noteCommitted(done)
		}
	}
	if err != nil {
		w.ready.failed(time.Now())
		w.metrics.CommitFailures.Add(1)
		w.em.ErrorLimited("commit:"+errCode(err), 5*time.Second,
			fmt.Errorf("commit failed, retrying in %s: %w", w.ready.backoff, err),
			map[string]string{"offsets": formatOffsets(offsets)})
	}
}

// retryCommits retries a failed commit once its backoff is over.
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
