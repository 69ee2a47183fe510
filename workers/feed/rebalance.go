package feed

import (
	"fmt"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// onRebalance is the rebalance callback. librdkafka calls it from inside
// Poll (or Close) on the poll goroutine, so no batch is being processed
// concurrently; only w.pending may hold records polled but not processed.
//
//   - Assigned: the partitions are added (IncrementalAssign under the
//     COOPERATIVE protocol, i.e. cooperative-sticky or KIP-848; Assign under
//     EAGER, where the event carries the whole new assignment). Prints
//     assigned with exactly the partitions of the event.
//   - Revoked, not lost: w.pending is processed and committed first (the
//     whole of it: under EAGER every partition is revoked anyway), after
//     the commit in flight if any; the last commit is printed, then
//     revoked with the revoked partitions and their last committed
//     offsets, then the partitions are unassigned.
//   - Revoked and AssignmentLost(): the partitions may already belong to
//     someone else, so nothing is committed for them: their pending records
//     are dropped (the next owner re-reads them from the last commit), and
//     lost is printed.
//
// Under COOPERATIVE, every callback ends with wakeFetchers: librdkafka
// paused the fetchers of every partition for the callback, and without a
// wake-up the partitions the rebalance does not move may wait up to a
// second to be fetched again (wake.go).
func (w *Worker) onRebalance(c *kafka.Consumer, ev kafka.Event) error {
	coop := c.GetRebalanceProtocol() == "COOPERATIVE"
	proto := map[string]string{"rebalance_protocol": c.GetRebalanceProtocol()}
	switch e := ev.(type) {
	case kafka.AssignedPartitions:
		tps := w.mut.assigning(w, c, e.Partitions, coop)
		var err error
		if coop {
			err = c.IncrementalAssign(tps)
		} else {
			err = c.Assign(tps)
		}
		if err != nil {
			w.em.Error(fmt.Errorf("assign: %w", err), nil)
		}
		parts := partitionsOf(e.Partitions)
		w.mu.Lock()
		if !coop {
			w.st.assigned = map[int32]bool{}
		}
		for _, p := range parts {
			w.st.assigned[p] = true
		}
		w.mu.Unlock()
		w.metrics.Assigned.Add(1)
		w.heldSince, w.rejoinWait = time.Time{}, 0
		member, gen := w.refreshGroupMeta()
		w.em.Emit(contract.Event{Event: contract.EventAssigned, Partitions: parts, MemberID: member, Generation: gen, Detail: proto})
		w.mut.assigned(w, c, e.Partitions, coop)
		w.refreshSnapshot(true)
		if coop {
			w.wakeFetchers(c) // the partitions librdkafka paused for this callback
		}

	case kafka.RevokedPartitions:
		parts := partitionsOf(e.Partitions)
		plan := w.mut.revoking(w, parts, c.AssignmentLost())
		var kept []*kafka.Message
		if plan.keep {
			kept = w.takePending(parts)
		}
		member, gen := w.refreshGroupMeta()
		if plan.lost {
			w.dropPending(parts)
			w.ready.drop(parts)
			w.commits.Flush(time.Now())
			w.metrics.Lost.Add(1)
			w.em.Emit(contract.Event{Event: contract.EventLost, Partitions: parts, MemberID: member, Generation: gen, Detail: proto})
		} else {
			if plan.noCommit {
				w.dropPending(parts)
				w.ready.drop(parts)
			}
			if len(w.pending) > 0 && w.fatal == nil {
				w.processPending()
			}
			w.pending = nil // only non-empty after a fatal error
			// The commit in flight is awaited, then the ready offsets are
			// committed (a commit that failed earlier gets its last chance
			// now); if that fails or takes over commitWait, the next owner
			// re-reads those posts. The coordinator does not hold a commit
			// here: no JoinGroup is outstanding while the callback runs
			// (classic: it runs after SyncGroup under COOPERATIVE, before
			// the JoinGroup under EAGER; KIP-848 has no long-polled
			// request).
			if !plan.noCommit {
				w.commitAndWait(commitWait)
			}
			w.ready.drop(parts)
			w.commits.Flush(time.Now())
			w.metrics.Revoked.Add(1)
			w.mu.Lock()
			offs := map[int32]int64{}
			for _, p := range parts {
				if o, ok := w.st.committed[p]; ok {
					offs[p] = o
				}
			}
			w.mu.Unlock()
			if len(offs) == 0 {
				offs = nil
			}
			w.em.Emit(contract.Event{Event: contract.EventRevoked, Partitions: parts, Offsets: offs, MemberID: member, Generation: gen, Detail: proto})
		}
		var err error
		if coop {
			err = c.IncrementalUnassign(e.Partitions)
		} else {
			err = c.Unassign()
		}
		if err != nil {
			w.em.Error(fmt.Errorf("unassign: %w", err), nil)
		}
		w.mu.Lock()
		for _, p := range parts {
			delete(w.st.assigned, p)
			delete(w.st.committed, p)
			delete(w.st.positions, p)
			delete(w.st.lag, p)
		}
		if !coop {
			w.st.assigned = map[int32]bool{}
		}
		w.mu.Unlock()
		w.pending = append(w.pending, kept...) // only a mutant keeps any
		if coop {
			w.wakeFetchers(c) // the partitions kept, paused for this callback
		}
	}
	return nil
}

// takePending removes the pending records of the given partitions and
// returns them.
func (w *Worker) takePending(parts []int32) []*kafka.Message {
	gone := map[int32]bool{}
	for _, p := range parts {
		gone[p] = true
	}
	var taken []*kafka.Message
	kept := w.pending[:0]
	for _, m := range w.pending {
		if gone[m.TopicPartition.Partition] {
			taken = append(taken, m)
		} else {
			kept = append(kept, m)
		}
	}
	w.pending = kept
	return taken
}

// dropPending removes the pending records of the given partitions.
func (w *Worker) dropPending(parts []int32) { _ = w.takePending(parts) }

func partitionsOf(tps []kafka.TopicPartition) []int32 {
	m := map[int32]bool{}
	for _, tp := range tps {
		m[tp.Partition] = true
	}
	return sortedPartitions(m)
}
