package feed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// processPending processes and commits the records in w.pending, on the poll
// goroutine (from Run, or from the revoke callback).
func (w *Worker) processPending() {
	msgs := w.pending
	w.pending = nil
	if w.cfg.ExactlyOnce() {
		w.processTxn(msgs)
		return
	}
	w.processAtLeastOnce(msgs)
}

// processAtLeastOnce fans the batch out, waits until every produced record is
// acknowledged (producing failed ones again until they are, or until the
// shutdown deadline), and commits per partition the prefix of posts that are
// fully acknowledged. A commit that fails keeps its offsets ready and is
// retried (commitReady), so no acknowledged post waits for a later record
// of its partition to be committed.
func (w *Worker) processAtLeastOnce(msgs []*kafka.Message) {
	b := newBatch(msgs, false)
	w.fanOutBatch(b)
	w.mut.fannedOut(w, b)
	w.await(b)
	w.deadLetterEvents(b)
	w.ready.add(b.nextOffsets())
	w.commitReady()
}

// fanOutBatch turns each post into records and hands them to the producer,
// in poll order, sleeping PROCESS_DELAY before each post. It stops early
// (leaving the rest unprocessed, hence uncommitted) once the shutdown
// deadline has passed or a fatal error occurred.
func (w *Worker) fanOutBatch(b *batch) {
	for i, m := range b.msgs {
		if w.pastStop() || w.fatal != nil {
			return
		}
		if w.cfg.ProcessDelay > 0 && !w.sleep(w.cfg.ProcessDelay) {
			return
		}
		res := w.fan.Process(m.TopicPartition.Partition, int64(m.TopicPartition.Offset), m.Key, m.Value)
		w.mut.post(w, &res)
		if w.fatal != nil {
			return
		}
		// One recRef slice per post (not one allocation per record), and the
		// post's whole count of records added under one lock before the
		// first is produced: delivery reports only ever decrement it.
		refs := make([]recRef, 0, len(res.Records))
		for j := range res.Records {
			refs = append(refs, recRef{b: b, post: i, rec: j})
		}
		b.mu.Lock()
		b.posts[i].res = res
		b.posts[i].pending += len(refs)
		b.outstanding += len(refs)
		b.mu.Unlock()
		for k := range refs {
			w.produce(b, &refs[k])
		}
		b.mu.Lock()
		b.posts[i].processed = true
		b.mu.Unlock()
	}
}

// sleep sleeps d unless the shutdown deadline passes first; it reports
// whether it slept the whole d.
func (w *Worker) sleep(d time.Duration) bool {
	end := time.Now().Add(d)
	for {
		left := time.Until(end)
		if left <= 0 {
			return true
		}
		if w.pastStop() {
			return false
		}
		time.Sleep(min(left, 50*time.Millisecond))
	}
}

// produce hands one record to the producer. When librdkafka's queue is full
// it waits for acknowledgements to drain it; any other error counts as a
// failed delivery of that record (retried or failing its post).
func (w *Worker) produce(b *batch, ref *recRef) {
	r := &b.posts[ref.post].res.Records[ref.rec] // stable: Records is never appended to once produced
	msg := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &r.Topic, Partition: kafka.PartitionAny},
		Key:            r.Key,
		Value:          r.Value,
		Opaque:         ref,
	}
	for {
		err := w.producer.Produce(msg, w.dch)
		if err == nil {
			return
		}
		var ke kafka.Error
		if errors.As(err, &ke) && ke.Code() == kafka.ErrQueueFull && !w.pastStop() {
			w.producer.Flush(20) // serves delivery reports; returns early
			continue
		}
		b.report(ref, err, w.onAck)
		return
	}
}

// await waits until every record of b is acknowledged. In at-least-once mode
// a failed record is produced again (with backoff) until it is acknowledged;
// in exactly-once mode the first failed record ends the wait (the batch is
// doomed: its transaction is aborted, which purges the rest). The wait is
// given up at the shutdown deadline or on a fatal producer error, leaving the
// affected posts uncommitted.
func (w *Worker) await(b *batch) {
	backoff := 100 * time.Millisecond
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		b.mu.Lock()
		retry := b.retry
		b.retry = nil
		b.mu.Unlock()
		retry = w.mut.awaitStep(w, b, retry)
		b.mu.Lock()
		outstanding, lastErr := b.outstanding, b.lastErr
		b.mu.Unlock()
		if e := w.prodFatal.Load(); e != nil && w.fatal == nil {
			w.fatal = w.classify(*e)
		}
		if w.fatal != nil || (w.pastStop() && (outstanding > 0 || len(retry) > 0)) {
			b.abandon()
			return
		}
		if len(retry) > 0 {
			w.em.ErrorLimited("delivery", 5*time.Second, fmt.Errorf("delivery failed, producing %d records again: %w", len(retry), lastErr), nil)
			time.Sleep(backoff)
			backoff = min(2*backoff, 2*time.Second)
			for i := range retry {
				w.produce(b, &retry[i])
			}
			continue
		}
		if outstanding == 0 || b.doomed() {
			return
		}
		select {
		case <-b.notify:
		case <-tick.C:
		}
	}
}

// deadLetterEvents prints one dead_letter event per acknowledged dead letter.
func (w *Worker) deadLetterEvents(b *batch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, ps := range b.posts {
		if ps.res.Reason == "" || !ps.processed || ps.failed || ps.pending > 0 {
			continue
		}
		m := b.msgs[i]
		p := m.TopicPartition.Partition
		w.em.Emit(contract.Event{
			Event:      contract.EventDeadLetter,
			Partitions: []int32{p},
			Error:      ps.res.Reason,
			Detail: map[string]string{
				"reason":    ps.res.Reason,
				"partition": strconv.Itoa(int(p)),
				"offset":    strconv.FormatInt(int64(m.TopicPartition.Offset), 10),
				"topic":     w.cfg.DLQTopic,
			},
		})
	}
}

// noteCommitted records successfully committed offsets for /status and the
// committed event.
func (w *Worker) noteCommitted(offsets map[int32]int64) {
	w.mu.Lock()
	for p, o := range offsets {
		w.st.committed[p] = o
	}
	w.mu.Unlock()
	w.commits.add(offsets, time.Now())
}

func (w *Worker) topicPartitions(offsets map[int32]int64) []kafka.TopicPartition {
	tps := make([]kafka.TopicPartition, 0, len(offsets))
	for _, p := range sortedPartitions(offsets) {
		tps = append(tps, kafka.TopicPartition{Topic: &w.cfg.PostsTopic, Partition: p, Offset: kafka.Offset(offsets[p])})
	}
	return tps
}

// processTxn processes the batch in one transaction: produce, send the
// offsets to the transaction, commit. On an abortable error the transaction
// is aborted and the consumer rewound to the batch's first offsets (the last
// committed ones), so the batch is read again; a fatal error (fencing) stops
// the worker.
func (w *Worker) processTxn(msgs []*kafka.Message) {
	b := newBatch(msgs, true)
	if err := w.producer.BeginTransaction(); err != nil {
		w.txnFailed(b, "begin", err)
		return
	}
	w.fanOutBatch(b)
	w.await(b)
	if !b.allDone() {
		b.mu.Lock()
		err := b.lastErr
		b.mu.Unlock()
		if err == nil {
			err = errors.New("batch not completed before shutdown deadline")
		}
		w.txnFailed(b, "produce", err)
		return
	}
	offsets := b.nextOffsets()
	start := time.Now()
	if w.mut.commitTxn(w, b, offsets) {
		return
	}
	md, err := w.consumer.GetConsumerGroupMetadata()
	if err != nil {
		w.txnFailed(b, "group metadata", err)
		return
	}
	if err := w.txnRetry(func(ctx context.Context) error {
		return w.producer.SendOffsetsToTransaction(ctx, w.topicPartitions(offsets), md)
	}); err != nil {
		w.txnFailed(b, "send offsets", err)
		return
	}
	if err := w.txnRetry(w.producer.CommitTransaction); err != nil {
		w.txnFailed(b, "commit", err)
		return
	}
	w.metrics.ObserveCommit(time.Since(start))
	w.deadLetterEvents(b)
	w.noteCommitted(offsets)
}

// txnRetry runs a transactional call, retrying it while librdkafka says the
// error is retriable (and the shutdown deadline has not passed).
func (w *Worker) txnRetry(call func(context.Context) error) error {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := call(ctx)
		cancel()
		var ke kafka.Error
		if err != nil && errors.As(err, &ke) && ke.IsRetriable() && !ke.TxnRequiresAbort() && !ke.IsFatal() && !w.pastStop() {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		return err
	}
}

// txnFailed aborts the current transaction and rewinds the batch's
// partitions, or records a fatal error.
func (w *Worker) txnFailed(b *batch, step string, err error) {
	b.abandon()
	var ke kafka.Error
	if errors.As(err, &ke) && ke.IsFatal() {
		if w.fatal == nil {
			w.fatal = w.classify(fmt.Errorf("transaction %s: %w", step, err))
		}
		return
	}
	if e := w.prodFatal.Load(); e != nil {
		if w.fatal == nil {
			w.fatal = w.classify(*e)
		}
		return
	}
	w.em.ErrorLimited("txn:"+step+":"+errCode(err), 5*time.Second, fmt.Errorf("transaction %s failed, aborting and rewinding: %w", step, err), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	aerr := w.producer.AbortTransaction(ctx)
	cancel()
	if aerr != nil {
		if errors.As(aerr, &ke) && ke.IsFatal() {
			if w.fatal == nil {
				w.fatal = w.classify(fmt.Errorf("abort transaction: %w", aerr))
			}
			return
		}
		w.em.ErrorLimited("txn:abort:"+errCode(aerr), 5*time.Second, fmt.Errorf("abort transaction: %w", aerr), nil)
	}
	w.rewind(b.firstOffsets())
}

// rewind seeks the still-assigned partitions back to the given offsets so
// that their records are read again.
func (w *Worker) rewind(offsets map[int32]int64) {
	w.mu.Lock()
	for p := range offsets {
		if !w.st.assigned[p] {
			delete(offsets, p)
		}
	}
	w.mu.Unlock()
	if len(offsets) == 0 {
		return
	}
	if _, err := w.consumer.SeekPartitions(w.topicPartitions(offsets)); err != nil {
		w.em.Error(fmt.Errorf("rewind after abort: %w", err), map[string]string{"offsets": formatOffsets(offsets)})
	}
}

func errCode(err error) string {
	var ke kafka.Error
	if errors.As(err, &ke) {
		return ke.Code().String()
	}
	return "other"
}

func formatOffsets(offsets map[int32]int64) string {
	s := ""
	for _, p := range sortedPartitions(offsets) {
		if s != "" {
			s += ","
		}
		s += fmt.Sprintf("%d:%d", p, offsets[p])
	}
	return s
}
