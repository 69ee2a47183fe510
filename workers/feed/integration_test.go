package feed

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
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
		{name: "exactly-once-range", env: map[string]string{contract.EnvAssignor: "range", contract.EnvDelivery: "exactly-once"}, exactly: true, stopOne: true},
	}
	for _, sc := range cases {
		sc.posts = 500
		sc.poisonAt = poison
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc) })
	}
}

type runningWorker struct {
	w    *Worker
	out  *lockedBuffer
	stop context.CancelFunc
	done chan error
}

func startWorker(t *testing.T, bootstrap, id string, extra map[string]string) *runningWorker {
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
	out := &lockedBuffer{}
	w, err := New(cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rw := &runningWorker{w: w, out: out, stop: cancel, done: make(chan error, 1)}
	go func() { rw.done <- w.Run(ctx) }()
	return rw
}

func (rw *runningWorker) shutdown(t *testing.T) {
	t.Helper()
	rw.stop()
	select {
	case err := <-rw.done:
		if err != nil {
			t.Errorf("worker %s: Run: %v", rw.w.cfg.WorkerID, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("worker %s did not stop", rw.w.cfg.WorkerID)
	}
}

type pair struct {
	post     string
	follower int
}

func runScenario(t *testing.T, sc scenario) {
	cluster, err := kfake.NewCluster(
		kfake.NumBrokers(3),
		kfake.SeedTopics(12, contract.DefaultPostsTopic, contract.DefaultFeedTopic, contract.DefaultDLQTopic),
		kfake.GroupMinSessionTimeout(time.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	bootstrap := strings.Join(cluster.ListenAddrs(), ",")

	g, _ := graph.New(DefaultGraphSeed, DefaultGraphUsers)
	expected := map[pair]bool{}
	rng := rand.New(rand.NewPCG(7, 7))
	type post struct {
		key, val []byte
	}
	var posts []post
	for i := 0; i < sc.posts; i++ {
		if raw, ok := sc.poisonAt[i]; ok {
			posts = append(posts, post{key: []byte("x"), val: []byte(raw)})
			continue
		}
		author := rng.IntN(DefaultGraphUsers)
		if i%50 == 0 {
			author = i % 5 // a hot author now and then
		}
		p := contract.Post{ID: fmt.Sprintf("p-%04d", i), Author: author, CreatedAt: time.Now().UTC(), Seq: int64(i)}
		v, _ := json.Marshal(p)
		posts = append(posts, post{key: []byte(strconv.Itoa(author)), val: v})
		fs, _ := g.Followers(author)
		for _, f := range fs {
			expected[pair{p.ID, f}] = true
		}
	}

	prod, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.DefaultProduceTopic(contract.DefaultPostsTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	produce := func(from, to int) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var recs []*kgo.Record
		for _, p := range posts[from:to] {
			recs = append(recs, &kgo.Record{Key: p.key, Value: p.val})
		}
		if err := prod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatalf("producing posts: %v", err)
		}
	}

	w1 := startWorker(t, bootstrap, "w1", sc.env)
	w2 := startWorker(t, bootstrap, "w2", sc.env)
	defer func() {
		for _, rw := range []*runningWorker{w1, w2} {
			select {
			case <-rw.done:
			default:
				rw.stop()
				<-rw.done
			}
		}
	}()

	// Verifier: reads feed updates and dead letters, read_committed.
	seen := map[pair]int{}
	var dead []contract.DeadLetter
	var mu sync.Mutex
	vctx, vcancel := context.WithCancel(context.Background())
	defer vcancel()
	ver, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...),
		kgo.ConsumeTopics(contract.DefaultFeedTopic, contract.DefaultDLQTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer ver.Close()
	vdone := make(chan struct{})
	go func() {
		defer close(vdone)
		for vctx.Err() == nil {
			fs := ver.PollFetches(vctx)
			fs.EachRecord(func(r *kgo.Record) {
				mu.Lock()
				defer mu.Unlock()
				if r.Topic == contract.DefaultDLQTopic {
					var d contract.DeadLetter
					if err := json.Unmarshal(r.Value, &d); err != nil {
						t.Errorf("dead letter not JSON: %v", err)
					}
					dead = append(dead, d)
					return
				}
				var u contract.FeedUpdate
				if err := json.Unmarshal(r.Value, &u); err != nil {
					t.Errorf("feed update not JSON: %v", err)
					return
				}
				if string(r.Key) != strconv.Itoa(u.Follower) {
					t.Errorf("feed update key %q != follower %d", r.Key, u.Follower)
				}
				seen[pair{u.PostID, u.Follower}]++
			})
		}
	}()

	waitFor := func(what string, d time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Both workers own partitions before any post is produced.
	waitFor("both workers assigned", 30*time.Second, func() bool {
		return len(w1.w.Status().Assigned) > 0 && len(w2.w.Status().Assigned) > 0 &&
			len(w1.w.Status().Assigned)+len(w2.w.Status().Assigned) == 12
	})

	half := sc.posts / 2
	produce(0, half)
	countSeen := func(upto int) (got, want int) {
		mu.Lock()
		defer mu.Unlock()
		for p := range expected {
			n, _ := strconv.Atoi(strings.TrimPrefix(p.post, "p-"))
			if n < upto {
				want++
				if seen[p] > 0 {
					got++
				}
			}
		}
		return
	}
	waitFor("first half of the updates", 30*time.Second, func() bool { g, w := countSeen(half); return g == w })

	// /status and /metrics of a live worker.
	st := w1.w.Status()
	if st.MemberID == "" || st.Generation == 0 {
		t.Errorf("status lacks member id or generation: %+v", st)
	}
	rec := httptest.NewRecorder()
	w1.w.Handler().ServeHTTP(rec, httptest.NewRequest("GET", contract.PathMetrics, nil))
	for _, want := range []string{"feedworker_records_consumed_total", "feedworker_assigned_partitions " + strconv.Itoa(len(st.Assigned)), "feedworker_partition_lag{partition="} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, rec.Body.String())
		}
	}

	if sc.stopOne {
		w1.shutdown(t)
		rec := httptest.NewRecorder()
		w1.w.Handler().ServeHTTP(rec, httptest.NewRequest("GET", contract.PathHealth, nil))
		if rec.Code != 503 {
			t.Errorf("healthz after stop = %d, want 503", rec.Code)
		}
		waitFor("w2 owns all partitions", 30*time.Second, func() bool { return len(w2.w.Status().Assigned) == 12 })
	}
	produce(half, sc.posts)
	waitFor("all updates", 60*time.Second, func() bool { g, w := countSeen(sc.posts); return g == w })
	waitFor("3 dead letters", 10*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(dead) >= len(sc.poisonAt) })
	w2.shutdown(t)
	if !sc.stopOne {
		w1.shutdown(t)
	}
	time.Sleep(500 * time.Millisecond) // let the verifier catch up
	vcancel()
	<-vdone

	mu.Lock()
	defer mu.Unlock()
	dups, extra := 0, 0
	for p, n := range seen {
		if !expected[p] {
			extra++
		}
		if n > 1 {
			dups += n - 1
		}
	}
	if extra > 0 {
		t.Errorf("%d unexpected (post, follower) updates", extra)
	}
	if sc.exactly && dups > 0 {
		t.Errorf("exactly-once: %d duplicate updates", dups)
	}
	if len(dead) != len(sc.poisonAt) {
		t.Errorf("dead letters = %d, want %d: %+v", len(dead), len(sc.poisonAt), dead)
	}
	for _, d := range dead {
		if d.Reason == "" || d.Worker == "" || len(d.Raw) == 0 {
			t.Errorf("incomplete dead letter %+v", d)
		}
	}
	t.Logf("%s: %d expected updates, %d duplicates, %d dead letters", sc.name, len(expected), dups, len(dead))

	// Event streams: schema-valid, and the life cycle in order.
	for _, rw := range []*runningWorker{w1, w2} {
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
		for _, k := range []contract.EventKind{contract.EventStarted, contract.EventAssigned, contract.EventCommitted, contract.EventStopping, contract.EventStopped} {
			if kinds[k] == 0 {
				t.Errorf("%s: no %s event; got %v", rw.w.cfg.WorkerID, k, order)
			}
		}
		if order[0] != contract.EventStarted || order[len(order)-1] != contract.EventStopped {
			t.Errorf("%s: events do not start with started and end with stopped: %v", rw.w.cfg.WorkerID, order)
		}
		if kinds[contract.EventRevoked] == 0 {
			t.Errorf("%s: no revoked event on graceful stop: %v", rw.w.cfg.WorkerID, order)
		}
	}
	t.Logf("w1 events: %d, w2 events: %d", len(w1.out.events(t)), len(w2.out.events(t)))
}
