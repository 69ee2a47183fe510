//go:build mutants

package feed

// Commit ordering in at-least-once (catalogue class commit-ordering).

func init() {
	register("commit-before-ack", func() mutation { return commitBeforeAck{named{name: "commit-before-ack"}} })
	register("ignore-delivery-errors", func() mutation { return ignoreDeliveryErrors{named{name: "ignore-delivery-errors"}} })
	register("commit-offset-plus-one", func() mutation { return commitPlusOne{named{name: "commit-offset-plus-one"}} })
}

// commitBeforeAck commits every processed post of the batch once its
// records are handed to the producer, before any acknowledgement.
type commitBeforeAck struct{ named }

func (commitBeforeAck) fannedOut(w *Worker, b *batch) {
	w.ready.add(b.processedOffsets())
	w.commitReady()
}

// processedOffsets is one past the last processed post per partition,
// acknowledged or not (mutants only).
func (b *batch) processedOffsets() map[int32]int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[int32]int64{}
	for i, m := range b.msgs {
		if b.posts[i].processed {
			out[m.TopicPartition.Partition] = int64(m.TopicPartition.Offset) + 1
		}
	}
	return out
}

// ignoreDeliveryErrors counts every failed delivery as acknowledged.
type ignoreDeliveryErrors struct{ named }

func (ignoreDeliveryErrors) awaitStep(_ *Worker, b *batch, retry []recRef) []recRef {
	b.markDelivered(retry)
	return nil
}

// markDelivered settles the given records as if acknowledged (mutants only).
func (b *batch) markDelivered(refs []recRef) {
	if len(refs) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range refs {
		b.posts[r.post].pending--
		b.outstanding--
	}
}

// commitPlusOne sends every committed offset one too far.
type commitPlusOne struct{ named }

func (commitPlusOne) commitOffsets(_ *Worker, offsets map[int32]int64) map[int32]int64 {
	out := make(map[int32]int64, len(offsets))
	for p, o := range offsets {
		out[p] = o + 1
	}
	return out
}
