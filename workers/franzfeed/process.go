package franzfeed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// done is how far a batch got: per partition, the next offset whose posts
// were all handed to the producer, with the leader epoch of its record; and
// whether every record of the batch was.
type done struct {
	next     map[int32]EpochOffset
	complete bool
}

// fanBatch fans recs out in order and hands every record to produce. A
// SIGTERM does not stop it (the contract: finish in-flight work; a batch is
// at most about a second of PROCESS_DELAY_MS); only the hard context, when
// the shutdown must end at once, does. It returns how far it got.
func (w *Worker) fanBatch(recs []*kgo.Record, produce func(*kgo.Record)) (done, error) {
	d := done{next: map[int32]EpochOffset{}}
	for _, r := range recs {
		if w.hard.Err() != nil {
			return d, nil
		}
		if w.cfg.ProcessDelay > 0 {
			t := time.NewTimer(w.cfg.ProcessDelay)
			select {
			case <-t.C:
			case <-w.hard.Done():
				t.Stop()
				return d, nil
			}
		}
		w.stats.Consumed.Add(1)
		f, err := FanOut(w.graph, w.cfg.WorkerID, Source{Partition: r.Partition, Offset: r.Offset, Key: r.Key, Value: r.Value}, time.Now())
		if err != nil {
			return d, err
		}
		topic := w.cfg.FeedTopic
		if f.Dead {
			topic = w.cfg.DLQTopic
			w.stats.DeadLetters.Add(1)
			w.ev.Emit(contract.Event{Event: contract.EventDeadLetter, Partitions: []int32{r.Partition},
				Detail: map[string]string{"reason_kind": f.ReasonKind, "offset": strconv.FormatInt(r.Offset, 10)}})
		}
		for _, o := range f.Records {
			produce(&kgo.Record{Topic: topic, Key: o.Key, Value: o.Value})
		}
		d.next[r.Partition] = EpochOffset{Offset: r.Offset + 1, Epoch: r.LeaderEpoch}
	}
	d.complete = true
	return d, nil
}

// process handles an at-least-once batch: fan out, wait for every
// acknowledgement (re-producing failures until they succeed or the hard
// context ends), then mark the batch's offsets ready. Nothing is marked if
// an acknowledgement is missing; an error building the batch is returned
// (fatal: later batches must not commit past it).
func (w *Worker) process(recs []*kgo.Record) error {
	if len(recs) == 0 {
		return nil
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed []*kgo.Record
	)
	produce := func(r *kgo.Record) {
		wg.Add(1)
		w.cl.Produce(w.hard, r, func(r *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				mu.Lock()
				failed = append(failed, r)
				mu.Unlock()
				return
			}
			w.stats.Produced.Add(1)
		})
	}
	d, err := w.fanBatch(recs, produce)
	wg.Wait()
	if err != nil {
		// Nothing of this batch may be marked ready: later batches would
		// then commit past its posts. Fatal, so the next owner redoes them.
		w.ev.Error(err, "", map[string]string{"fatal": "true"})
		return err
	}
	for backoff := 100 * time.Millisecond; len(failed) > 0; backoff = min(2*backoff, 2*time.Second) {
		w.ev.Error(fmt.Errorf("%d feed records not acknowledged, producing them again", len(failed)), "", nil)
		retry := failed
		failed = nil
		select {
		case <-w.hard.Done():
			return nil // stopping: nothing of the batch is marked
		case <-time.After(backoff):
		}
		for _, r := range retry {
			produce(&kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value})
		}
		wg.Wait()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for p, eo := range d.next {
		if w.assigned[p] {
			w.offs.Ready(p, eo.Offset, eo.Epoch)
		}
	}
	return nil
}

// transact handles an exactly-once batch in one transaction: the batch's
// feed updates and its offsets commit together, or the transaction aborts
// and kgo rewinds the batch's partitions to their committed offsets. An
// error that ends the transactional producer (fenced) is returned: fatal.
func (w *Worker) transact(recs []*kgo.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if err := w.sess.Begin(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	var (
		wg     sync.WaitGroup
		failed atomic64
	)
	d, ferr := w.fanBatch(recs, func(r *kgo.Record) {
		wg.Add(1)
		w.sess.Produce(w.hard, r, func(_ *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				failed.add()
				return
			}
			w.stats.Produced.Add(1)
		})
	})
	wg.Wait()
	complete := ferr == nil && failed.get() == 0 && d.complete
	if ferr != nil {
		w.ev.Error(ferr, "", nil)
	}
	committed, err := w.sess.End(w.hard, kgo.TransactionEndTry(complete))
	if err != nil {
		return fmt.Errorf("end transaction: %w", err)
	}
	if !committed {
		w.ev.Error(errors.New("transaction aborted; its posts will be read again"), "", nil)
		return nil
	}
	offs := map[int32]int64{}
	w.mu.Lock()
	for p, eo := range d.next {
		if w.assigned[p] {
			w.offs.Ready(p, eo.Offset, eo.Epoch)
			w.offs.Committed(p, eo.Offset)
			offs[p] = eo.Offset
		}
	}
	w.clog.Add(offs, time.Time{}) // printed by emitCommitted
	w.mu.Unlock()
	return nil
}

// commitAsync commits the ready offsets in the background, one commit at a
// time; a refused commit keeps its offsets and is tried again after a
// backoff (100 ms doubling to 2 s), from the idle poll if nothing else
// comes.
func (w *Worker) commitAsync() {
	w.mu.Lock()
	if w.committing || time.Now().Before(w.retryAt) {
		w.mu.Unlock()
		return
	}
	pend := w.offs.Pending(nil)
	if len(pend) == 0 {
		w.mu.Unlock()
		return
	}
	w.committing = true
	w.mu.Unlock()
	w.cl.CommitOffsets(w.hard, w.toKgo(pend), func(_ *kgo.Client, _ *kmsgReq, resp *kmsgResp, err error) {
		w.commitDone(pend, resp, err)
	})
}

// commitSync commits the ready offsets of parts (all if nil) and waits.
func (w *Worker) commitSync(ctx context.Context, cl *kgo.Client, parts []int32) error {
	w.mu.Lock()
	pend := w.offs.Pending(parts)
	w.mu.Unlock()
	if len(pend) == 0 {
		return nil
	}
	var cerr error
	cl.CommitOffsetsSync(ctx, w.toKgo(pend), func(_ *kgo.Client, _ *kmsgReq, resp *kmsgResp, err error) {
		cerr = w.commitDone(pend, resp, err)
	})
	return cerr
}

func (w *Worker) toKgo(pend map[int32]EpochOffset) map[string]map[int32]kgo.EpochOffset {
	m := make(map[int32]kgo.EpochOffset, len(pend))
	for p, eo := range pend {
		m[p] = kgo.EpochOffset{Epoch: eo.Epoch, Offset: eo.Offset}
	}
	return map[string]map[int32]kgo.EpochOffset{w.cfg.PostsTopic: m}
}

// commitDone applies a commit's answer: accepted partitions are committed,
// refused ones stay pending with a backoff. It returns the first refusal.
func (w *Worker) commitDone(pend map[int32]EpochOffset, resp *kmsgResp, err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.committing = false
	accepted := map[int32]int64{}
	var first error
	if err == nil && resp != nil {
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if perr := kerr.ErrorForCode(p.ErrorCode); perr != nil {
					if first == nil {
						first = fmt.Errorf("partition %d: %w", p.Partition, perr)
					}
					continue
				}
				if eo, ok := pend[p.Partition]; ok {
					w.offs.Committed(p.Partition, eo.Offset)
					accepted[p.Partition] = eo.Offset
				}
			}
		}
	} else if err != nil {
		first = err
	}
	if first != nil {
		w.stats.CommitFailures.Add(1)
		w.backoff = min(max(2*w.backoff, 100*time.Millisecond), 2*time.Second)
		w.retryAt = time.Now().Add(w.backoff)
	} else {
		w.backoff = 0
		w.retryAt = time.Time{}
	}
	w.clog.Add(accepted, time.Time{})
	return first
}

// emitCommitted prints the committed offsets gathered since the last
// committed event: at most once a second, or now if flush.
func (w *Worker) emitCommitted(flush bool) {
	now := time.Now()
	w.mu.Lock()
	var offs map[int32]int64
	if flush {
		offs = w.clog.Flush(now)
	} else {
		offs = w.clog.Add(nil, now)
	}
	w.mu.Unlock()
	if len(offs) > 0 {
		w.ev.Emit(contract.Event{Event: contract.EventCommitted, Offsets: offs})
	}
}

func isUnreleasedInstance(err error) bool { return errors.Is(err, kerr.UnreleasedInstanceID) }
