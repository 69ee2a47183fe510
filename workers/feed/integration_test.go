package feed

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// lockedBuffer collects a worker's event lines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) events(t *testing.T) []contract.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var evs []contract.Event
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	for sc.Scan() {
		var ev contract.Event
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("event line %q is not a contract.Event: %v", sc.Text(), err)
		}
		evs = append(evs, ev)
	}
	return evs
}

type scenario struct {
	name     string
	env      map[string]string
	exactly  bool
	stopOne  bool // stop worker 1 gracefully half-way
	posts    int
	poisonAt map[int]string // post index -> raw value
}

func TestIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts an in-process kfake cluster")
	}
	poison := map[int]string{
		17:  `{not json`,
		230: `{"post_id":"p-neg","author_id":-5,"seq":230}`,
		401: `{"post_id":"p-big","author_id":999999,"seq":401}`,
	}
	cases := []scenario{
		{name: "range", env: map[string]string{contract.EnvAssignor: "range"}, stopOne: true},
		{name: "roundrobin", env: map[string]string{contract.EnvAssignor: "roundrobin"}, stopOne: true},
		{name: "cooperative-sticky", env: map[string]string{contract.EnvAssignor: "cooperative-sticky"}, stopOne: true},
		{name: "consumer-protocol", env: map[string]string{contract.EnvGroupProtocol: "consumer"}, stopOne: true},
		{name: "exactly-once", env: map[string]string{contract.EnvAssignor: "cooperative-sticky", contract.EnvDelivery: "exactly-once"}, exactly: true, stopOne: true},
		{name: "exactly-once-consumer-protocol", env: map[string]string{contract.EnvGroupProtocol: "consumer", contract.EnvDelivery: "exactly-once"}, exactly: true, stopOne: true},
		// An eager assignor in exactly-once mode: once, under heavy load,
		// this left 291 committed duplicates of 7039 (session 1); not
		// reproduced since in about 150 runs. A failure prints where both
		// copies of each duplicate came from (worker, source record,
		// producer id and epoch).
		{name: "exactly-once-range", env: map[string]string{contract.EnvAssignor: "range", contract.EnvDelivery: "exactly-once"}, exactly: true, stopOne: true},
	}
	for _, sc := range cases {
		sc.posts = 500
		sc.poisonAt = poison
		t.Run(sc.name, func(t *testing.T) {
			runScenario(t, sc)
		})
	}
}

type runningWorker struct {
	w    *Worker
	out  *lockedBuffer
	stop context.CancelFunc
	done chan struct{} // closed when Run returned, with err set
	err  error
}

func startWorker(t *testing.T, bootstrap, id string, extra map[string]string) *runningWorker {
	t.Helper()
	return runWorker(newTestWorker(t, bootstrap, id, extra))
}

// newTestWorker makes (but does not run) a worker of group "feed" with the
// tests' timeouts, extra overriding its environment; its events go to out.
func newTestWorker(t *testing.T, bootstrap, id string, extra map[string]string) (w *Worker, out *lockedBuffer) {
	t.Helper()
	env := map[string]string{
		contract.EnvBootstrap:         bootstrap,
		contract.EnvGroupID:           "feed",
		contract.EnvWorkerID:          id,
		contract.EnvHTTPAddr:          "127.0.0.1:0",
		contract.EnvSessionTimeoutMS:  "6000",
		contract.EnvHeartbeatMS:       "500",
		contract.EnvShutdownTimeoutMS: "20000",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	out = &lockedBuffer{}
	w, err = New(cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	return w, out
}

// runWorker runs w until its stop function is called.
func runWorker(w *Worker, out *lockedBuffer) *runningWorker {
	ctx, cancel := context.WithCancel(context.Background())
	rw := &runningWorker{w: w, out: out, stop: cancel, done: make(chan struct{})}
	go func() { rw.err = w.Run(ctx); close(rw.done) }()
	return rw
}

func (rw *runningWorker) shutdown(t *testing.T) {
	t.Helper()
	rw.stop()
	select {
	case <-rw.done:
		if rw.err != nil {
			t.Errorf("worker %s: Run: %v", rw.w.cfg.WorkerID, rw.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("worker %s did not stop", rw.w.cfg.WorkerID)
	}
}

type pair struct {
	post     string
	follower int
}

// testPost is one record for the posts topic, with its index.
type testPost struct {
	idx      int
	key, val []byte
}

func newCluster(t *testing.T) (*kfake.Cluster, string) {
	t.Helper()
	cluster, err := kfake.NewCluster(
		kfake.NumBrokers(3),
		kfake.SeedTopics(12, contract.DefaultPostsTopic, contract.DefaultFeedTopic, contract.DefaultDLQTopic),
		kfake.GroupMinSessionTimeout(time.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	return cluster, strings.Join(cluster.ListenAddrs(), ",")
}

// makePosts returns n posts (poison ones at the given indexes) and the
// expected (post, follower) updates.
func makePosts(n int, poison map[int]string) ([]testPost, map[pair]bool) {
	g, _ := graph.New(DefaultGraphSeed, DefaultGraphUsers)
	expected := map[pair]bool{}
	rng := rand.New(rand.NewPCG(7, 7))
	var posts []testPost
	for i := 0; i < n; i++ {
		if raw, ok := poison[i]; ok {
			posts = append(posts, testPost{idx: i, key: []byte("x"), val: []byte(raw)})
			continue
		}
		author := rng.IntN(DefaultGraphUsers)
		if i%50 == 0 {
			author = i % 5 // a hot author now and then
		}
		p := contract.Post{ID: fmt.Sprintf("p-%04d", i), Author: author, CreatedAt: time.Now().UTC(), Seq: int64(i)}
		v, _ := json.Marshal(p)
		posts = append(posts, testPost{idx: i, key: []byte(strconv.Itoa(author)), val: v})
		fs, _ := g.Followers(author)
		for _, f := range fs {
			expected[pair{p.ID, f}] = true
		}
	}
	return posts, expected
}

func producePosts(t *testing.T, cluster *kfake.Cluster, posts []testPost) {
	t.Helper()
	prod, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.DefaultProduceTopic(contract.DefaultPostsTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var recs []*kgo.Record
	for _, p := range posts {
		recs = append(recs, &kgo.Record{Key: p.key, Value: p.val})
	}
	if err := prod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("producing posts: %v", err)
	}
}

// verifier reads feed updates and dead letters (read_committed) in the
// background.
type verifier struct {
	mu       sync.Mutex
	seen     map[pair]int
	first    map[pair]string // where the first copy of each update came from
	dupWhere []string        // the first duplicates: both copies' origins
	dead     []contract.DeadLetter
	bad      []string

	cancel context.CancelFunc
	done   chan struct{}
}

func startVerifier(t *testing.T, cluster *kfake.Cluster) *verifier {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...),
		kgo.ConsumeTopics(contract.DefaultFeedTopic, contract.DefaultDLQTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	v := &verifier{seen: map[pair]int{}, first: map[pair]string{}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(v.done)
		defer cl.Close()
		for ctx.Err() == nil {
			cl.PollFetches(ctx).EachRecord(v.add)
		}
	}()
	t.Cleanup(v.stop)
	return v
}

func (v *verifier) add(r *kgo.Record) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if r.Topic == contract.DefaultDLQTopic {
		var d contract.DeadLetter
		if err := json.Unmarshal(r.Value, &d); err != nil {
			v.bad = append(v.bad, "dead letter not JSON: "+err.Error())
		}
		v.dead = append(v.dead, d)
		return
	}
	var u contract.FeedUpdate
	if err := json.Unmarshal(r.Value, &u); err != nil {
		v.bad = append(v.bad, "feed update not JSON: "+err.Error())
		return
	}
	if string(r.Key) != strconv.Itoa(u.Follower) {
		v.bad = append(v.bad, fmt.Sprintf("feed update key %q != follower %d", r.Key, u.Follower))
	}
	k := pair{u.PostID, u.Follower}
	v.seen[k]++
	// Where each copy came from, so that a duplicate names the workers,
	// the source records and the producer ids and epochs of both copies.
	where := fmt.Sprintf("%s src %d@%d -> %d@%d pid %d epoch %d", u.Worker, u.SourcePartition, u.SourceOffset,
		r.Partition, r.Offset, r.ProducerID, r.ProducerEpoch)
	if v.seen[k] == 1 {
		v.first[k] = where
	} else if len(v.dupWhere) < 20 {
		v.dupWhere = append(v.dupWhere, fmt.Sprintf("%v first %s, again %s", k, v.first[k], where))
	}
}

func (v *verifier) stop() {
	v.cancel()
	<-v.done
}

// count returns how many expected updates of posts with index < upto were
// seen, and how many there are.
func (v *verifier) count(expected map[pair]bool, upto int) (got, want int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for p := range expected {
		n, _ := strconv.Atoi(strings.TrimPrefix(p.post, "p-"))
		if n < upto {
			want++
			if v.seen[p] > 0 {
				got++
			}
		}
	}
	return got, want
}

func (v *verifier) duplicates() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	d := 0
	for _, n := range v.seen {
		d += n - 1
	}
	return d
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func metricsOf(w *Worker) string {
	rec := httptest.NewRecorder()
	w.Handler().ServeHTTP(rec, httptest.NewRequest("GET", contract.PathMetrics, nil))
	return rec.Body.String()
}

func runScenario(t *testing.T, sc scenario) {
	cluster, bootstrap := newCluster(t)
	posts, expected := makePosts(sc.posts, sc.poisonAt)

	w1 := startWorker(t, bootstrap, "w1", sc.env)
	w2 := startWorker(t, bootstrap, "w2", sc.env)
	defer func() {
		for _, rw := range []*runningWorker{w1, w2} {
			rw.stop()
			<-rw.done
		}
	}()
	v := startVerifier(t, cluster)

	// Both workers own partitions before any post is produced.
	waitFor(t, "both workers assigned", 30*time.Second, func() bool {
		a, b := len(w1.w.Status().Assigned), len(w2.w.Status().Assigned)
		return a > 0 && b > 0 && a+b == 12
	})

	half := sc.posts / 2
	producePosts(t, cluster, posts[:half])
	waitFor(t, "first half of the updates", 30*time.Second, func() bool { g, w := v.count(expected, half); return g == w })

	// /status and /metrics of a live worker.
	st := w1.w.Status()
	if st.MemberID == "" || st.Generation == 0 {
		t.Errorf("status lacks member id or generation: %+v", st)
	}
	// Lag is known once the consumer has fetched (librdkafka caches the
	// high watermark from fetch responses); the snapshot is refreshed
	// every 250 ms.
	waitFor(t, "partition lag in /metrics", 10*time.Second, func() bool {
		return strings.Contains(metricsOf(w1.w), "feedworker_partition_lag{partition=")
	})
	for _, want := range []string{"feedworker_records_consumed_total", "feedworker_assigned_partitions " + strconv.Itoa(len(st.Assigned))} {
		if m := metricsOf(w1.w); !strings.Contains(m, want) {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}

	if sc.stopOne {
		w1.shutdown(t)
		rec := httptest.NewRecorder()
		w1.w.Handler().ServeHTTP(rec, httptest.NewRequest("GET", contract.PathHealth, nil))
		if rec.Code != 503 {
			t.Errorf("healthz after stop = %d, want 503", rec.Code)
		}
		waitFor(t, "w2 owns all partitions", 30*time.Second, func() bool { return len(w2.w.Status().Assigned) == 12 })
	}
	producePosts(t, cluster, posts[half:])
	waitFor(t, "all updates", 60*time.Second, func() bool { g, w := v.count(expected, sc.posts); return g == w })
	waitFor(t, "3 dead letters", 10*time.Second, func() bool { v.mu.Lock(); defer v.mu.Unlock(); return len(v.dead) >= len(sc.poisonAt) })
	w2.shutdown(t)
	if !sc.stopOne {
		w1.shutdown(t)
	}
	time.Sleep(500 * time.Millisecond) // let the verifier catch up
	v.stop()

	dups := v.duplicates()
	v.mu.Lock()
	extra := 0
	for p := range v.seen {
		if !expected[p] {
			extra++
		}
	}
	if extra > 0 {
		t.Errorf("%d unexpected (post, follower) updates", extra)
	}
	for _, b := range v.bad {
		t.Error(b)
	}
	if sc.exactly && dups > 0 {
		t.Errorf("exactly-once: %d duplicate updates; the first ones:\n%s", dups, strings.Join(v.dupWhere, "\n"))
	}
	if len(v.dead) != len(sc.poisonAt) {
		t.Errorf("dead letters = %d, want %d: %+v", len(v.dead), len(sc.poisonAt), v.dead)
	}
	for _, d := range v.dead {
		if d.Reason == "" || d.Worker == "" || len(d.Raw) == 0 {
			t.Errorf("incomplete dead letter %+v", d)
		}
	}
	t.Logf("%s: %d expected updates, %d duplicates, %d dead letters", sc.name, len(expected), dups, len(v.dead))
	v.mu.Unlock()

	// Event streams: schema-valid, and the life cycle in order.
	for _, rw := range []*runningWorker{w1, w2} {
		checkLifecycle(t, rw)
	}
}

// checkLifecycle checks a stopped worker's events: valid contract.Events,
// started first, stopped last, and assigned, committed, stopping, revoked
// in between.
func checkLifecycle(t *testing.T, rw *runningWorker) {
	t.Helper()
	evs := rw.out.events(t)
	kinds := map[contract.EventKind]int{}
	var order []contract.EventKind
	for _, ev := range evs {
		kinds[ev.Event]++
		order = append(order, ev.Event)
		if ev.Worker != rw.w.cfg.WorkerID || ev.TS.IsZero() {
			t.Errorf("bad event %+v", ev)
		}
		if ev.Event == contract.EventError {
			t.Logf("%s error event: %s %v", rw.w.cfg.WorkerID, ev.Error, ev.Detail)
		}
	}
	for _, k := range []contract.EventKind{contract.EventStarted, contract.EventAssigned, contract.EventCommitted,
		contract.EventStopping, contract.EventRevoked, contract.EventStopped} {
		if kinds[k] == 0 {
			t.Errorf("%s: no %s event; got %v", rw.w.cfg.WorkerID, k, order)
		}
	}
	if len(order) == 0 || order[0] != contract.EventStarted || order[len(order)-1] != contract.EventStopped {
		t.Errorf("%s: events do not start with started and end with stopped: %v", rw.w.cfg.WorkerID, order)
	}
	if testing.Verbose() && os.Getenv("FEED_DUMP_EVENTS") != "" {
		rw.out.mu.Lock()
		t.Logf("%s events:\n%s", rw.w.cfg.WorkerID, rw.out.b.String())
		rw.out.mu.Unlock()
	}
}

// TestExactlyOnceFenced starts a second worker with the same transactional
// id: the first one must stop with ErrFenced, and nothing is lost.
//
// A producer learns that it is fenced only from the broker's answer to its
// next transactional request (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn),
// on real Kafka as on kfake: an idle zombie keeps running, harmlessly. So the
// rest of the posts is produced only once b has started, i.e. once its
// InitTransactions has bumped the epoch: a's next transaction, for the posts
// of the partitions it keeps, is then certain to be fenced. (Producing them
// earlier let a commit every post before b's InitTransactions in about one
// run in four, after which a never made another request and was not stopped
// within 60 s.)
func TestExactlyOnceFenced(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	cluster, bootstrap := newCluster(t)
	posts, expected := makePosts(300, nil)
	env := map[string]string{contract.EnvDelivery: contract.DeliveryExactlyOnce, contract.EnvAssignor: contract.AssignorCooperativeSticky}
	a := startWorker(t, bootstrap, "same", env)
	defer func() { a.stop(); <-a.done }()
	v := startVerifier(t, cluster)
	waitFor(t, "a assigned", 30*time.Second, func() bool { return len(a.w.Status().Assigned) == 12 })
	producePosts(t, cluster, posts[:100])
	waitFor(t, "first updates", 30*time.Second, func() bool { g, w := v.count(expected, 100); return g == w })

	b := startWorker(t, bootstrap, "same", env)
	defer func() { b.stop(); <-b.done }()
	waitFor(t, "b started (transactions initialized, a fenced)", 60*time.Second, func() bool {
		for _, ev := range b.out.events(t) {
			if ev.Event == contract.EventStarted {
				return true
			}
		}
		return false
	})
	producePosts(t, cluster, posts[100:])
	select {
	case <-a.done:
		if !errors.Is(a.err, ErrFenced) {
			t.Errorf("a stopped with %v, want ErrFenced", a.err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the zombie was not fenced")
	}
	waitFor(t, "all updates", 60*time.Second, func() bool { g, w := v.count(expected, len(posts)); return g == w })
	b.shutdown(t)
	evs := a.out.events(t)
	for _, ev := range evs {
		if ev.Event == contract.EventError || ev.Event == contract.EventStopped || ev.Event == contract.EventLost || ev.Event == contract.EventRevoked {
			t.Logf("fenced worker: %s %s %v %v", ev.Event, ev.Error, ev.Partitions, ev.Detail)
		}
	}
	last := evs[len(evs)-1]
	if last.Event != contract.EventStopped || last.Detail["error"] == "" {
		t.Errorf("fenced worker's last event = %+v, want stopped with the error", last)
	}
	time.Sleep(300 * time.Millisecond)
	if d := v.duplicates(); d > 0 {
		t.Errorf("exactly-once: %d duplicates", d)
	}
}

// TestSlowHandlerExceedsMaxPoll: a handler slower than max.poll.interval
// makes librdkafka leave the group; the worker reports it (error and lost),
// survives, and still stops cleanly.
func TestSlowHandlerExceedsMaxPoll(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	cluster, bootstrap := newCluster(t)
	posts, _ := makePosts(3, nil)
	w := startWorker(t, bootstrap, "slow", map[string]string{
		contract.EnvSessionTimeoutMS: "1500", contract.EnvHeartbeatMS: "300",
		contract.EnvMaxPollMS: "1500", contract.EnvProcessDelayMS: "2500",
		contract.EnvShutdownTimeoutMS: "5000",
	})
	waitFor(t, "assigned", 30*time.Second, func() bool { return len(w.w.Status().Assigned) == 12 })
	producePosts(t, cluster, posts)
	waitFor(t, "a lost event", 30*time.Second, func() bool {
		for _, ev := range w.out.events(t) {
			if ev.Event == contract.EventLost {
				return true
			}
		}
		return false
	})
	start := time.Now()
	w.shutdown(t)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %s, over SHUTDOWN_TIMEOUT_MS", d)
	}
	for _, ev := range w.out.events(t) {
		if ev.Event == contract.EventError || ev.Event == contract.EventLost || ev.Event == contract.EventStopping || ev.Event == contract.EventStopped {
			t.Logf("%s %s %v %v", ev.Event, ev.Error, ev.Partitions, ev.Detail)
		}
	}
}
