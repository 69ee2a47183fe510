package feed

import (
	"sync"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// batch tracks the delivery of every record produced for one polled batch of
// posts. Delivery reports arrive on the worker's single delivery channel and
// are routed here by the dispatcher goroutine (report) through the record's
// Opaque; the poll goroutine waits on notify and reads the state under mu.
// A batch that was given up (abandoned) ignores late reports, so nothing
// ever blocks on a stale batch.
type batch struct {
	msgs []*kafka.Message // the polled post records, in poll order

	mu          sync.Mutex
	posts       []postState
	outstanding int      // records produced and not yet acknowledged or failed
	retry       []recRef // failed records to produce again (at-least-once)
	failFast    bool     // exactly-once: a failed record fails its post, no retry
	lastErr     error
	abandoned   bool

	notify chan struct{} // capacity 1: "state changed"
}

// postState is the delivery state of one post of the batch.
type postState struct {
	res       Result
	processed bool // fanned out and every record handed to the producer
	pending   int  // records not yet acknowledged
	failed    bool // a record failed for good: the post must not be committed
}

// recRef names one produced record: its batch, post index and record index.
type recRef struct {
	b    *batch
	post int
	rec  int
}

func newBatch(msgs []*kafka.Message, failFast bool) *batch {
	return &batch{msgs: msgs, posts: make([]postState, len(msgs)), failFast: failFast, notify: make(chan struct{}, 1)}
}

// report applies one delivery report; called by the dispatcher goroutine.
// onAck runs (outside the lock) for an acknowledged record.
func (b *batch) report(ref *recRef, err error, onAck func(ps *postState, rec int)) {
	b.mu.Lock()
	if b.abandoned {
		b.mu.Unlock()
		return
	}
	ps := &b.posts[ref.post]
	if err != nil {
		b.lastErr = err
		if b.failFast {
			ps.failed = true
			ps.pending--
			b.outstanding--
		} else {
			b.retry = append(b.retry, *ref)
		}
	} else {
		ps.pending--
		b.outstanding--
	}
	b.mu.Unlock()
	if err == nil && onAck != nil {
		onAck(ps, ref.rec)
	}
	b.signal()
}

func (b *batch) signal() {
	select {
	case b.notify <- struct{}{}:
	default:
	}
}

// abandon gives up on every record not yet acknowledged: their posts are
// marked failed and later reports are ignored.
func (b *batch) abandon() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.abandoned = true
	for i := range b.posts {
		if b.posts[i].pending > 0 {
			b.posts[i].failed = true
		}
	}
	b.outstanding = 0
	b.retry = nil
}

// nextOffsets returns, per partition, the offset to commit: one past the last
// post of an unbroken prefix of that partition's posts that were processed
// and fully acknowledged. A post that was not processed or failed blocks its
// partition from there on, so a commit never passes an unacknowledged update.
func (b *batch) nextOffsets() map[int32]int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[int32]int64{}
	blocked := map[int32]bool{}
	for i, m := range b.msgs {
		p := m.TopicPartition.Partition
		if blocked[p] {
			continue
		}
		ps := b.posts[i]
		if !ps.processed || ps.failed || ps.pending > 0 {
			blocked[p] = true
			continue
		}
		out[p] = int64(m.TopicPartition.Offset) + 1
	}
	return out
}

// firstOffsets returns, per partition, the offset of the batch's first record
// there: where to rewind after an aborted transaction.
func (b *batch) firstOffsets() map[int32]int64 {
	out := map[int32]int64{}
	for _, m := range b.msgs {
		p := m.TopicPartition.Partition
		if _, ok := out[p]; !ok {
			out[p] = int64(m.TopicPartition.Offset)
		}
	}
	return out
}

// doomed reports whether an exactly-once batch can no longer commit: one
// of its records failed, so its transaction must be aborted, and waiting
// for the others' reports only delays the abort (after a broker restart
// librdkafka can hold them until message.timeout.ms while the transaction
// is already abortable). Always false for an at-least-once batch, whose
// failed records are produced again.
func (b *batch) doomed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.failFast {
		return false
	}
	for _, ps := range b.posts {
		if ps.failed {
			return true
		}
	}
	return false
}

// allDone reports whether every post was processed and acknowledged.
func (b *batch) allDone() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ps := range b.posts {
		if !ps.processed || ps.failed || ps.pending > 0 {
			return false
		}
	}
	return true
}
