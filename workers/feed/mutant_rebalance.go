//go:build mutants

package feed

import (
	"fmt"

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

// zombieBuffered processes a revoked or lost partition's buffered records
// after the partition has gone.
type zombieBuffered struct{ named }

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
