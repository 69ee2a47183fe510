//go:build mutants

package feed

import (
	"fmt"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Revoke, lost and assign handling (catalogue class rebalance).

func init() {
	register("no-commit-on-revoke", func() mutation { return noCommitOnRevoke{named{name: "no-commit-on-revoke"}} })
	register("zombie-buffered", func() mutation { return zombieBuffered{named{name: "zombie-buffered"}} })
	register("lost-as-revoked", func() mutation { return lostAsRevoked{named{name: "lost-as-revoked"}} })
	register("coop-assign-resets", func() mutation { return coopAssignResets{named{name: "coop-assign-resets"}} })
}

// noCommitOnRevoke gives revoked partitions up without committing them.
type noCommitOnRevoke struct{ named }

func (noCommitOnRevoke) revoking(_ *Worker, _ []int32, lost bool) revokePlan {
	return revokePlan{lost: lost, noCommit: !lost}
}

// zombieBuffered prefetches: it gathers records for up to prefetchWindow
// before processing them (an in-memory queue that is rarely empty under
// load), and a revoke or lost does not filter that queue: the revoked or
// lost partition's queued records are processed after it has gone. With the
// production worker's 20 ms window the queue is almost always empty when a
// rebalance callback runs, so the bug would show only by luck (one full
// make selftest run had none queued at any revoke).
type zombieBuffered struct{ named }

// prefetchWindow is how long zombie-buffered gathers a batch.
const prefetchWindow = 300 * time.Millisecond

func (zombieBuffered) batchWindow(time.Duration) time.Duration { return prefetchWindow }

func (zombieBuffered) revoking(_ *Worker, _ []int32, lost bool) revokePlan {
	return revokePlan{lost: lost, keep: true}
}

// lostAsRevoked treats lost partitions as revoked: processes, commits and
// prints revoked.
type lostAsRevoked struct{ named }

func (lostAsRevoked) revoking(*Worker, []int32, bool) revokePlan { return revokePlan{} }

// coopAssignResets seeks every retained partition back to its last
// committed offset on each incremental assign.
type coopAssignResets struct{ named }

func (coopAssignResets) assigned(w *Worker, c *kafka.Consumer, tps []kafka.TopicPartition, coop bool) {
	if !coop {
		return
	}
	added := map[int32]bool{}
	for _, tp := range tps {
		added[tp.Partition] = true
	}
	w.mu.Lock()
	back := map[int32]int64{}
	for p := range w.st.assigned {
		if o, ok := w.st.committed[p]; ok && !added[p] {
			back[p] = o
		}
	}
	w.mu.Unlock()
	if len(back) == 0 {
		return
	}
	if _, err := c.SeekPartitions(w.topicPartitions(back)); err != nil {
		w.em.Error(fmt.Errorf("mutant seek: %w", err), nil)
	}
}
