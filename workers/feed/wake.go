package feed

import (
	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// wakeTimeoutMS bounds each watermark query of wakeFetchers.
const wakeTimeoutMS = 1000

// wakeFetchers works around a librdkafka delay that stalled the partitions
// a cooperative rebalance does not move (librdkafka 2.11.1; unchanged in
// 2.15). While it hands an incremental rebalance event to the application,
// librdkafka pauses the fetchers of every assigned partition
// ("incremental rebalance"), and IncrementalAssign/IncrementalUnassign
// resume them; but the resume is applied on librdkafka's main thread and
// does not wake the broker thread that fetches them. A broker thread with
// nothing else to fetch and no request in flight sleeps up to 1 s
// (rd_kafka_max_block_ms) before it puts the resumed partitions back on its
// fetch list. With debug=cgrp,topic: "Resume posts [2]" at +481 ms, the
// broker thread's "Added posts [2] to fetch list" at +1058 ms, and the
// kept partition produced nothing in between; a cooperative join makes
// three such callbacks (revoke, assign after revoke, the second round's
// assign), so kept partitions stalled for up to ~1 s at a join. Any request
// to the broker wakes its thread, so after each cooperative callback the
// worker asks the leader of every partition it still owns for the
// partition's watermarks (two ListOffsets each, answered at once), on
// goroutines of their own so the poll loop never waits; the answer wakes the
// thread again after the resume has certainly been applied. Shutdown and
// retireConsumer wait for them (each bounded by wakeTimeoutMS) before
// closing the consumer. FEEDWORKER_WAKE=0 (Config.NoWake) turns it off, to
// measure it.
func (w *Worker) wakeFetchers(c *kafka.Consumer) {
	if w.cfg.NoWake {
		return // FEEDWORKER_WAKE=0, a diagnostic knob
	}
	if w.stopping.Load() {
		return // the consumer is about to close: nothing more to fetch
	}
	w.mu.Lock()
	parts := sortedPartitions(w.st.assigned)
	w.mu.Unlock()
	topic := w.cfg.PostsTopic
	for _, p := range parts {
		w.wakes.Add(1)
		go func() {
			defer w.wakes.Done()
			_, _, _ = c.QueryWatermarkOffsets(topic, p, wakeTimeoutMS)
		}()
	}
}
