package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// Batching: a batch is up to maxBatch records or what arrives within
// batchWindow of its first record, whichever comes first.
const (
	maxBatch    = 500
	batchWindow = 20 * time.Millisecond
	idlePoll    = 100 * time.Millisecond
)

// Worker is one feed worker: a consumer of the posts topic in the group and a
// producer of feed updates and dead letters.
//
// Goroutines. Run's goroutine (the poll goroutine) owns the consumer: it
// polls, fans out, produces, waits for acknowledgements and commits, and the
// rebalance callback runs on it too (librdkafka invokes it from Poll). So a
// rebalance never races with processing: when a revoke arrives, the records
// polled but not yet processed are processed and committed first (revoke), or
// dropped uncommitted for the next owner (lost). Offset commits run on a
// goroutine of their own, one at a time, so that the loop keeps polling while
// the coordinator holds one (commit.go); the revoke callback and shutdown
// wait for it. One dispatcher goroutine
// routes delivery reports to their batch, one drains the producer's error
// events, and the HTTP handlers only read a snapshot guarded by mu; none of
// them calls the consumer.
type Worker struct {
	cfg      Config
	em       *Emitter
	fan      *Fanout
	consumer *kafka.Consumer
	producer *kafka.Producer
	metrics  Metrics

	dch        chan kafka.Event  // delivery reports of every produced record
	commitDone chan commitResult // the outcome of the commit in flight (capacity 1)
	bgDone     sync.WaitGroup    // dispatcher and producer event goroutines
	wakes      sync.WaitGroup    // wakeFetchers' watermark queries (wake.go)
	mut        mutation          // noMutation in production (mutation.go)
	prodFatal  atomic.Pointer[kafka.Error]
	stopAt     atomic.Int64 // unix nanos after which in-flight work is abandoned; 0 = running
	stopping   atomic.Bool
	ran        atomic.Bool

	// Poll-goroutine state.
	pending  []*kafka.Message // polled, not yet processed
	ready    readyOffsets     // acknowledged, not yet committed (at-least-once)
	inflight map[int32]int64  // the offsets of the commit in flight; nil if none (commit.go)
	commits  committedLog
	fatal    error
	lastSnap time.Time

	// Joining again after UNRELEASED_INSTANCE_ID (rejoin.go).
	heldSince      time.Time     // first refusal of the current join attempt; zero once assigned
	rejoin         bool          // the consumer must be replaced before polling again
	consumerClosed bool          // w.consumer was closed and not yet replaced
	rejoinWait     time.Duration // the last backoff before joining again
	incarnation    atomic.Int64  // bumped when a consumer is retired (rebalanceCallback)

	mu sync.Mutex // guards st
	st snapshot

	// trace, when set before Run (tests only), is called on the poll
	// goroutine after each offset commit ("commit") and each processed
	// batch ("process") with its start, duration and error.
	trace func(what string, start time.Time, d time.Duration, err error)
}

// snapshot is what /status and /metrics show; written by the poll goroutine.
type snapshot struct {
	memberID   string
	generation int32
	assigned   map[int32]bool
	positions  map[int32]int64
	committed  map[int32]int64
	lag        map[int32]int64
}

// ErrFenced is returned by Run (wrapped) when another producer with the same
// transactional id fenced this one in exactly-once mode.
var ErrFenced = errors.New("producer fenced by a newer instance with the same transactional.id")

// New validates cfg, builds the graph and creates the Kafka clients. Events
// are written to out (os.Stdout in the command). It does not join the group;
// Run does.
func New(cfg Config, out io.Writer) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g, err := graph.New(cfg.GraphSeed, cfg.GraphUsers)
	if err != nil {
		return nil, err
	}
	g.Edges() // build the graph now, not on the first post
	em := NewEmitter(out, cfg.WorkerID)
	w := &Worker{
		cfg:        cfg,
		em:         em,
		fan:        &Fanout{Graph: g, Worker: cfg.WorkerID, FeedTopic: cfg.FeedTopic, DLQTopic: cfg.DLQTopic, wordedDeadLetters: QuirksOf(cfg).WordedDeadLetters},
		dch:        make(chan kafka.Event, 1<<16), // librdkafka blocks its poller on a full channel
		commitDone: make(chan commitResult, 1),
		st:         snapshot{assigned: map[int32]bool{}, positions: map[int32]int64{}, committed: map[int32]int64{}, lag: map[int32]int64{}},
	}
	w.commits = committedLog{em: em, every: time.Second}
	if w.mut, err = newMutation(cfg.Mutant); err != nil {
		return nil, err
	}
	ccfg, pcfg := cfg.ConsumerConfig(), cfg.ProducerConfig()
	w.mut.clientConfig(cfg, ccfg, pcfg)
	w.consumer, err = kafka.NewConsumer(ccfg)
	if err != nil {
		return nil, fmt.Errorf("creating consumer: %w", err)
	}
	w.producer, err = kafka.NewProducer(pcfg)
	if err != nil {
		w.consumer.Close()
		return nil, fmt.Errorf("creating producer: %w", err)
	}
	w.bgDone.Add(2)
	go w.dispatchDeliveries()
	go w.producerEvents()
	return w, nil
}

// Config returns the worker's configuration.
func (w *Worker) Config() Config { return w.cfg }

// Metrics returns the worker's counters.
func (w *Worker) Metrics() *Metrics { return &w.metrics }

// Emitter returns the worker's event emitter.
func (w *Worker) Emitter() *Emitter { return w.em }

// Run joins the group and processes posts until ctx is cancelled or a fatal
// error occurs, then shuts down gracefully: it stops fetching, finishes the
// in-flight batch (giving up on it, uncommitted, once 60% of
// ShutdownTimeout has passed), commits, closes the consumer (leaving the
// group; the final revoke is printed), flushes and closes the producer. It
// prints stopping when ctx is cancelled and stopped last. It returns nil after
// a clean stop and the fatal error otherwise (errors.Is(err, ErrFenced) when
// fenced). Run may be called once; the Worker is unusable afterwards.
func (w *Worker) Run(ctx context.Context) error {
	if !w.ran.CompareAndSwap(false, true) {
		return errors.New("feed: Run called twice")
	}
	stopWatch := context.AfterFunc(ctx, func() { w.beginStop("signal") })
	defer stopWatch()

	if w.cfg.ExactlyOnce() {
		ictx, cancel := context.WithTimeout(ctx, 60*time.Second)
		err := w.producer.InitTransactions(ictx)
		cancel()
		if err != nil {
			w.fatal = w.classify(fmt.Errorf("init transactions: %w", err))
		}
	}
	if w.fatal == nil {
		if err := w.consumer.SubscribeTopics([]string{w.cfg.PostsTopic}, w.rebalanceCallback()); err != nil {
			w.fatal = fmt.Errorf("subscribe: %w", err)
		}
	}
	if w.fatal == nil {
		w.em.Emit(contract.Event{Event: contract.EventStarted, Detail: w.startedDetail()})
	}

	for w.fatal == nil && ctx.Err() == nil {
		if w.rejoin {
			w.rejoinGroup(ctx)
			continue
		}
		w.pollBatch(ctx)
		if w.fatal == nil && len(w.pending) > 0 {
			start := time.Now()
			w.processPending()
			if w.trace != nil {
				w.trace("process", start, time.Since(start), nil)
			}
		}
		w.refreshSnapshot(false)
		if e := w.prodFatal.Load(); e != nil && w.fatal == nil {
			w.fatal = w.classify(*e)
		}
	}
	return w.shutdown()
}

// beginStop marks the worker stopping (healthz turns 503), prints stopping
// and arms the deadline after which in-flight work is abandoned.
func (w *Worker) beginStop(reason string) {
	if !w.stopping.CompareAndSwap(false, true) {
		return
	}
	budget := w.cfg.ShutdownTimeout * 6 / 10
	w.stopAt.Store(time.Now().Add(budget).UnixNano())
	w.em.Emit(contract.Event{Event: contract.EventStopping, Detail: map[string]string{"reason": reason}})
}

// pastStop reports whether in-flight work must now be abandoned.
func (w *Worker) pastStop() bool {
	t := w.stopAt.Load()
	return t != 0 && time.Now().UnixNano() >= t
}

func (w *Worker) shutdown() error {
	if w.fatal != nil {
		w.em.Error(w.fatal, map[string]string{"fatal": "true"})
		w.beginStop("fatal")
		w.pending = nil // nothing more is produced; the next owner re-reads them
	} else {
		w.beginStop("signal")
	}
	// Finish the records polled before the stop (normally none: the loop
	// processes every batch it polls).
	if len(w.pending) > 0 {
		w.processPending()
	}
	// No commit may be in flight when the consumer is closed (the revoke
	// callback inside Close commits what is still ready). A commit always
	// returns: librdkafka answers it, times it out or fails it on close.
	if !w.consumerClosed && w.fatal == nil {
		w.reapCommit(-1)
	}
	plan := w.mut.shutdown(w)
	if plan.noClose && !w.consumerClosed && w.fatal == nil {
		w.commitAndWait(commitWait)
		w.consumerClosed = true // never closed: the group waits for the session timeout
	}
	w.commits.Flush(time.Now())
	// Close leaves the group; librdkafka runs the final revoke callback from
	// inside Close, which prints revoked.
	// After a fatal error the close is bounded (librdkafka may never finish
	// closing a KIP-848 consumer then; see retiredCloseWait).
	switch {
	case w.consumerClosed:
	case w.fatal != nil:
		w.retireConsumer(max(time.Until(time.Unix(0, w.stopAt.Load())), retiredCloseWait))
	default:
		w.wakes.Wait() // none may use the consumer as it is destroyed
		if err := w.consumer.Close(); err != nil {
			w.em.Error(fmt.Errorf("closing consumer: %w", err), nil)
		}
	}
	w.commits.Flush(time.Now())
	deadline := time.Unix(0, w.stopAt.Load()).Add(w.cfg.ShutdownTimeout * 2 / 10)
	if plan.purge {
		_ = w.producer.Purge(kafka.PurgeQueue | kafka.PurgeInFlight | kafka.PurgeNonBlocking)
	} else if left := time.Until(deadline); left > 0 {
		if n := w.producer.Flush(int(left.Milliseconds())); n > 0 {
			w.em.Error(fmt.Errorf("%d records not delivered at shutdown (their posts were not committed)", n), nil)
		}
	}
	w.producer.Close()
	close(w.dch)
	w.bgDone.Wait()
	w.mu.Lock()
	w.st.assigned = map[int32]bool{}
	w.st.lag = map[int32]int64{}
	w.mu.Unlock()
	detail := map[string]string{"consumed": strconv.FormatInt(w.metrics.Consumed.Load(), 10),
		"produced": strconv.FormatInt(w.metrics.Produced.Load(), 10)}
	if w.fatal != nil {
		detail["error"] = w.fatal.Error()
	}
	w.em.Emit(contract.Event{Event: contract.EventStopped, Detail: detail})
	return w.fatal
}

func (w *Worker) startedDetail() map[string]string {
	d := map[string]string{
		"assignor":    w.cfg.Assignor,
		"protocol":    w.cfg.Protocol,
		"delivery":    w.cfg.Delivery,
		"group":       w.cfg.GroupID,
		"posts_topic": w.cfg.PostsTopic,
		"graph_seed":  strconv.FormatUint(w.cfg.GraphSeed, 10),
		"graph_users": strconv.Itoa(w.cfg.GraphUsers),
		"librdkafka":  func() string { _, s := kafka.LibraryVersion(); return s }(),
	}
	if w.cfg.InstanceID != "" {
		d["instance_id"] = w.cfg.InstanceID
	}
	if w.cfg.ExactlyOnce() {
		d["transactional_id"] = w.cfg.TransactionalID()
	}
	if name := w.mut.Name(); name != "" {
		d["mutant"] = name
	}
	if len(w.cfg.Ignored) > 0 {
		d["ignored"] = strings.Join(w.cfg.Ignored, ",")
	}
	return d
}

// batchLimit is the largest batch: maxBatch, or about one second of
// PROCESS_DELAY so that a slow handler still commits and stops promptly.
func (w *Worker) batchLimit() int {
	if w.cfg.ProcessDelay <= 0 {
		return maxBatch
	}
	n := int(time.Second / w.cfg.ProcessDelay)
	return max(1, min(n, maxBatch))
}

// pollBatch polls until it holds a batch in w.pending, ctx is cancelled or a
// fatal error occurs. Rebalance callbacks run inside it.
func (w *Worker) pollBatch(ctx context.Context) {
	limit := w.batchLimit()
	var windowEnd time.Time
	for len(w.pending) < limit && w.fatal == nil && !w.rejoin && ctx.Err() == nil {
		timeout := idlePoll
		if len(w.pending) > 0 {
			timeout = time.Until(windowEnd)
			if timeout <= 0 {
				return
			}
		}
		ev := w.consumer.Poll(max(1, int(timeout.Milliseconds())))
		// A commit that finished while offsets became ready is followed
		// by the next one at once; after a failure, retryCommits or the
		// next batch tries again.
		if w.inflight != nil && w.reapCommit(0) && w.ready.retryAt.IsZero() {
			w.startCommit()
		}
		switch e := ev.(type) {
		case *kafka.Message:
			if e.TopicPartition.Error != nil {
				w.em.ErrorLimited("msg:"+e.TopicPartition.Error.Error(), 5*time.Second, e.TopicPartition.Error,
					map[string]string{"partition": strconv.Itoa(int(e.TopicPartition.Partition))})
				continue
			}
			if len(w.pending) == 0 {
				windowEnd = time.Now().Add(w.mut.batchWindow(batchWindow))
			}
			w.pending = append(w.pending, e)
			w.metrics.Consumed.Add(1)
		case kafka.Error:
			w.onKafkaError(e, "consumer")
		case nil:
			if len(w.pending) == 0 {
				w.retryCommits()
				w.refreshSnapshot(false)
			}
		}
	}
}

// onKafkaError handles an error event from a client: fatal ones stop the
// worker, others are printed at most once per 5 s per error code. The
// consumer's UNRELEASED_INSTANCE_ID, fatal to librdkafka, makes the worker
// join again with a new consumer (instanceHeld).
func (w *Worker) onKafkaError(e kafka.Error, client string) {
	if client == "consumer" && e.Code() == kafka.ErrUnreleasedInstanceID {
		w.instanceHeld(e)
		return
	}
	if e.IsFatal() {
		if w.fatal == nil {
			w.fatal = w.classify(e)
		}
		return
	}
	detail := map[string]string{"client": client, "code": strconv.Itoa(int(e.Code()))}
	if e.Code() == kafka.ErrMaxPollExceeded {
		detail[contract.DetailKind] = contract.ErrorKindMaxPollExceeded
	}
	w.em.ErrorLimited(client+":"+e.Code().String(), 5*time.Second, e, detail)
}

// classify wraps fencing errors in ErrFenced.
func (w *Worker) classify(err error) error {
	var ke kafka.Error
	if errors.As(err, &ke) {
		switch ke.Code() {
		case kafka.ErrFenced, kafka.ErrProducerFenced, kafka.ErrInvalidProducerEpoch, kafka.ErrFencedInstanceID:
			return fmt.Errorf("%w: %v", ErrFenced, err)
		}
	}
	return err
}

// dispatchDeliveries routes every delivery report to its batch. It runs
// until w.dch is closed after the producer is closed.
func (w *Worker) dispatchDeliveries() {
	defer w.bgDone.Done()
	for ev := range w.dch {
		m, ok := ev.(*kafka.Message)
		if !ok {
			continue
		}
		ref, ok := m.Opaque.(*recRef)
		if !ok {
			continue
		}
		ref.b.report(ref, m.TopicPartition.Error, w.onAck)
	}
}

// onAck counts an acknowledged record (dispatcher goroutine).
func (w *Worker) onAck(ps *postState, _ int) {
	if ps.res.Reason == "" {
		w.metrics.Produced.Add(1)
		return
	}
	w.metrics.DeadLetters.Add(1)
}

// producerEvents drains the producer's event channel (errors; delivery
// reports go to w.dch) until the producer is closed.
func (w *Worker) producerEvents() {
	defer w.bgDone.Done()
	for ev := range w.producer.Events() {
		if e, ok := ev.(kafka.Error); ok {
			if e.IsFatal() {
				w.prodFatal.CompareAndSwap(nil, &e)
				continue
			}
			w.em.ErrorLimited("producer:"+e.Code().String(), 5*time.Second, e,
				map[string]string{"client": "producer", "code": strconv.Itoa(int(e.Code()))})
		}
	}
}
