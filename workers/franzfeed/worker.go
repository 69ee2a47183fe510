package franzfeed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// Worker consumes posts in a consumer group and fans each out to the
// author's followers. Its guarantees:
//
//   - at-least-once: a partition's offset is committed only up to posts
//     whose every feed update (or dead letter) is acknowledged;
//   - exactly-once: one transaction per polled batch, carrying the batch's
//     offsets (kgo's GroupTransactSession aborts it if the group moved);
//   - rebalances never interleave with a batch (BlockRebalanceOnPoll), and
//     a revoked partition's ready offsets are committed before it goes.
type Worker struct {
	cfg   Config
	graph *graph.Graph
	ev    *Events

	cl   *kgo.Client
	sess *kgo.GroupTransactSession // exactly-once only

	mu         sync.Mutex
	offs       *Offsets
	clog       *CommitLog
	assigned   map[int32]bool
	committing bool
	retryAt    time.Time
	backoff    time.Duration
	refusedAt  time.Time

	poll     maxPoll
	stopping atomic.Bool
	hard     context.Context // canceled when shutdown must end at once
	stats    Stats
}

// Stats are the worker's counters (for /status and /metrics).
type Stats struct {
	Consumed, Produced, DeadLetters, CommitFailures atomic.Int64
	Assigns, Revokes, Losses                        atomic.Int64
}

// New builds the worker and its Kafka client, and prints started. hard is
// canceled when a shutdown must stop waiting (second signal, timeout).
func New(hard context.Context, cfg Config, stdout, stderr io.Writer) (*Worker, error) {
	g, err := graph.New(cfg.GraphSeed, cfg.GraphUsers)
	if err != nil {
		return nil, err
	}
	w := &Worker{
		cfg: cfg, graph: g, ev: NewEvents(stdout, cfg.WorkerID),
		offs: NewOffsets(), clog: NewCommitLog(time.Second), assigned: map[int32]bool{}, hard: hard,
	}
	opts := w.options(stderr)
	if cfg.ExactlyOnce() {
		w.sess, err = kgo.NewGroupTransactSession(opts...)
		if err == nil {
			w.cl = w.sess.Client()
		}
	} else {
		w.cl, err = kgo.NewClient(opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("create kafka client: %w", err)
	}
	detail := map[string]string{"client": "franz-go", "assignor": cfg.Assignor, "protocol": cfg.Protocol, "delivery": cfg.Delivery}
	if cfg.Protocol == contract.ProtocolConsumer {
		detail["ignored"] = contract.EnvSessionTimeoutMS + "," + contract.EnvHeartbeatMS + " (the broker owns them under KIP-848)"
	}
	w.ev.Emit(contract.Event{Event: contract.EventStarted, Detail: detail})
	return w, nil
}

func (w *Worker) options(stderr io.Writer) []kgo.Opt {
	c := w.cfg
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Bootstrap...),
		kgo.ClientID(c.WorkerID),
		kgo.WithLogger(kgo.BasicLogger(stderr, kgo.LogLevelInfo, nil)),
		kgo.ConsumerGroup(c.Group),
		kgo.ConsumeTopics(c.PostsTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.Balancers(balancer(c)),
		kgo.SessionTimeout(c.SessionTimeout),
		kgo.HeartbeatInterval(c.Heartbeat),
		kgo.RebalanceTimeout(c.MaxPollInterval),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsAssigned(w.onAssigned),
		kgo.OnPartitionsRevoked(w.onRevoked),
		kgo.OnPartitionsLost(w.onLost),
	}
	if c.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(c.InstanceID))
	}
	if c.Protocol == contract.ProtocolConsumer {
		opts = append(opts, kgo.ServerSideBalancer())
	}
	if c.ExactlyOnce() {
		opts = append(opts, kgo.TransactionalID(c.TransactionalID()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	return opts
}

// Healthy reports whether /healthz answers 200.
func (w *Worker) Healthy() bool { return !w.stopping.Load() }

// Run polls, processes and commits until ctx is canceled (stop fetching),
// then shuts down: commits what is ready, leaves the group, flushes, and
// prints stopped. It returns the fatal error that ended it, if any.
func (w *Worker) Run(ctx context.Context) error {
	err := w.loop(ctx)
	w.stopping.Store(true)
	if err != nil {
		w.ev.Error(err, "fatal", nil)
	}
	w.ev.Emit(contract.Event{Event: contract.EventStopping})
	w.shutdown()
	w.emitCommitted(true)
	w.ev.Emit(contract.Event{Event: contract.EventStopped})
	return err
}

// Stopping marks the worker as stopping (/healthz 503) and prints stopping
// once: the signal handler calls it before canceling Run's context.
func (w *Worker) Stopping() { w.stopping.Store(true) }

func (w *Worker) loop(ctx context.Context) error {
	batch := 500
	if d := w.cfg.ProcessDelay; d > 0 {
		// a batch is about a second of work, so a shutdown waits for little
		batch = max(1, int(time.Second/d))
	}
	wctx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go w.watchMaxPoll(wctx)
	for ctx.Err() == nil {
		pctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		var fs kgo.Fetches
		if w.sess != nil {
			fs = w.sess.PollRecords(pctx, batch)
		} else {
			fs = w.cl.PollRecords(pctx, batch)
		}
		cancel()
		if fs.IsClientClosed() {
			return errors.New("kafka client closed")
		}
		if err := w.fetchErrors(fs); err != nil {
			w.allowRebalance()
			return err
		}
		recs := fs.Records()
		w.poll.begin(time.Now())
		var err error
		if w.sess != nil {
			err = w.transact(recs)
		} else {
			if err = w.process(recs); err == nil {
				w.commitAsync()
			}
		}
		if w.poll.end() {
			w.ev.Error(fmt.Errorf("a batch took longer than %s=%d: left the group", contract.EnvMaxPollMS, w.cfg.MaxPollInterval.Milliseconds()), contract.ErrorKindMaxPollExceeded, nil)
		}
		w.allowRebalance()
		if err != nil {
			return err
		}
		w.emitCommitted(false)
	}
	return nil
}

func (w *Worker) allowRebalance() {
	if w.sess != nil {
		w.sess.AllowRebalance()
	} else {
		w.cl.AllowRebalance()
	}
}

// fetchErrors prints the errors a poll returned; none is fatal but a
// closed client. A refused KIP-848 static rejoin is printed with its kind.
func (w *Worker) fetchErrors(fs kgo.Fetches) error {
	var fatal error
	fs.EachError(func(topic string, p int32, err error) {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return
		}
		if errors.Is(err, kgo.ErrClientClosed) {
			fatal = err
			return
		}
		if isUnreleasedInstance(err) {
			w.mu.Lock()
			if w.refusedAt.IsZero() {
				w.refusedAt = time.Now()
			}
			held := time.Since(w.refusedAt).Round(time.Millisecond)
			w.mu.Unlock()
			w.ev.Error(err, contract.ErrorKindRejoinRefused, map[string]string{contract.DetailHeldFor: held.String()})
			return
		}
		w.ev.Error(fmt.Errorf("fetch %s[%d]: %w", topic, p, err), "", nil)
	})
	return fatal
}

// partitionsOf returns the posts topic's partitions of a callback's map.
func (w *Worker) partitionsOf(m map[string][]int32) []int32 {
	return slices.Sorted(slices.Values(m[w.cfg.PostsTopic]))
}

// memberEvent prints kind with the member id and generation of cl (the
// callback's client: a callback may run before New has stored w.cl).
func (w *Worker) memberEvent(cl *kgo.Client, kind contract.EventKind, parts []int32) {
	member, gen := cl.GroupMetadata()
	w.ev.Emit(contract.Event{Event: kind, Partitions: parts, MemberID: member, Generation: gen})
}

func (w *Worker) onAssigned(_ context.Context, cl *kgo.Client, m map[string][]int32) {
	parts := w.partitionsOf(m)
	if len(parts) == 0 {
		return
	}
	w.mu.Lock()
	for _, p := range parts {
		w.assigned[p] = true
	}
	w.refusedAt = time.Time{}
	w.mu.Unlock()
	w.stats.Assigns.Add(1)
	w.memberEvent(cl, contract.EventAssigned, parts)
}

// onRevoked commits the revoked partitions' ready offsets (every polled
// record is processed by then: BlockRebalanceOnPoll) and lets them go.
func (w *Worker) onRevoked(ctx context.Context, cl *kgo.Client, m map[string][]int32) {
	parts := w.partitionsOf(m)
	if len(parts) == 0 {
		return
	}
	if w.sess == nil {
		if err := w.commitSync(ctx, cl, parts); err != nil {
			w.ev.Error(fmt.Errorf("final commit of revoked partitions %v: %w", parts, err), "", nil)
		}
	}
	w.drop(parts)
	w.stats.Revokes.Add(1)
	w.emitCommitted(true)
	w.memberEvent(cl, contract.EventRevoked, parts)
}

// onLost lets the partitions go without committing (the group moved on).
func (w *Worker) onLost(_ context.Context, cl *kgo.Client, m map[string][]int32) {
	parts := w.partitionsOf(m)
	if len(parts) == 0 {
		return
	}
	w.drop(parts)
	w.stats.Losses.Add(1)
	w.emitCommitted(true)
	w.memberEvent(cl, contract.EventLost, parts)
}

func (w *Worker) drop(parts []int32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range parts {
		delete(w.assigned, p)
	}
	w.offs.Forget(parts)
}

// shutdown commits what is ready, leaves the group (kgo's close; a static
// member does not leave), and flushes.
func (w *Worker) shutdown() {
	if w.sess == nil {
		if err := w.commitSync(w.hard, w.cl, nil); err != nil {
			w.ev.Error(fmt.Errorf("final commit: %w", err), "", nil)
		}
		if err := w.cl.Flush(w.hard); err != nil {
			w.ev.Error(fmt.Errorf("flush: %w", err), "", nil)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if w.sess != nil {
			w.sess.CloseAllowingRebalance()
		} else {
			w.cl.CloseAllowingRebalance()
		}
	}()
	select {
	case <-done:
	case <-w.hard.Done():
	}
}
