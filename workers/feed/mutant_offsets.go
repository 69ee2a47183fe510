//go:build mutants

package feed

import (
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Offsets: rewind, skip, reset (catalogue class offsets).

func init() {
	register("stale-position-rewind", func() mutation {
		return &stalePositionRewind{named: named{name: "stale-position-rewind"}, last: map[int32]int64{}}
	})
	register("skip-after-rebalance", func() mutation { return skipAfterRebalance{named{name: "skip-after-rebalance"}} })
	register("reset-latest", func() mutation { return resetLatest{named{name: "reset-latest"}} })
}

// stalePositionRewind remembers the last offset it committed per partition
// and starts there whenever the partition is assigned to it again, also
// after another member owned and committed it meanwhile, and commits that
// starting position on assignment.
type stalePositionRewind struct {
	named
	last map[int32]int64 // poll goroutine only
}

// commitOffsets keeps the cache: the last offset this worker sent in a
// commit, per partition, kept after the partition leaves.
func (s *stalePositionRewind) commitOffsets(_ *Worker, offsets map[int32]int64) map[int32]int64 {
	for p, o := range offsets {
		s.last[p] = o
	}
	return offsets
}

func (s *stalePositionRewind) assigning(_ *Worker, _ *kafka.Consumer, tps []kafka.TopicPartition, _ bool) []kafka.TopicPartition {
	return startAt(tps, s.last)
}

// assigned commits the positions it resumes from (Spring Kafka's
// assignment commit): with a stale cache the group's committed offset goes
// back below what the previous owner committed.
func (s *stalePositionRewind) assigned(w *Worker, _ *kafka.Consumer, tps []kafka.TopicPartition, _ bool) {
	back := map[int32]int64{}
	for _, tp := range tps {
		if o, ok := s.last[tp.Partition]; ok {
			back[tp.Partition] = o
		}
	}
	if len(back) > 0 {
		w.ready.add(back)
		w.commitReady()
	}
}

// startAt returns tps with the offsets in at set as their start offsets.
func startAt(tps []kafka.TopicPartition, at map[int32]int64) []kafka.TopicPartition {
	out := make([]kafka.TopicPartition, len(tps))
	copy(out, tps)
	for i := range out {
		if o, ok := at[out[i].Partition]; ok {
			out[i].Offset = kafka.Offset(o)
		}
	}
	return out
}

// skipAfterRebalance starts each assigned partition at committed + 1.
type skipAfterRebalance struct{ named }

func (skipAfterRebalance) assigning(w *Worker, c *kafka.Consumer, tps []kafka.TopicPartition, _ bool) []kafka.TopicPartition {
	committed, err := c.Committed(tps, 5000)
	if err != nil {
		w.em.Error(fmt.Errorf("mutant committed: %w", err), nil)
		return tps
	}
	at := map[int32]int64{}
	for _, tp := range committed {
		if tp.Error == nil && tp.Offset >= 0 {
			at[tp.Partition] = int64(tp.Offset) + 1
		}
	}
	return startAt(tps, at)
}

// resetLatest starts a partition without a committed offset at its end.
type resetLatest struct{ named }

func (resetLatest) clientConfig(_ Config, consumer, _ *kafka.ConfigMap) {
	(*consumer)["auto.offset.reset"] = "latest"
}
