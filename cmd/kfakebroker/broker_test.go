package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// testConfig is a config on free ports, listening on 127.0.0.1.
func testConfig(t *testing.T, brokers int, advertise string) config {
	t.Helper()
	cfg, err := parseConfig([]string{
		"-brokers", strconv.Itoa(brokers),
		"-ports", zeros(brokers),
		"-listen-host", "127.0.0.1",
		"-advertise-host", advertise,
		"-control-addr", "127.0.0.1:0",
		"-log-level", "none",
	}, envMap(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func zeros(n int) string {
	s := "0"
	for i := 1; i < n; i++ {
		s += ",0"
	}
	return s
}

// running is a broker started through run().
type running struct {
	ready readyEvent
	lines chan string
	stop  func() shutdownEvent
}

func startRun(t *testing.T, cfg config) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	errc := make(chan error, 1)
	go func() {
		err := run(ctx, cfg, pw, io.Discard, func() string { return "test" })
		pw.Close()
		errc <- err
	}()

	r := &running{lines: lines}
	select {
	case l, ok := <-lines:
		if !ok {
			cancel()
			t.Fatalf("run exited before ready: %v", <-errc)
		}
		if err := json.Unmarshal([]byte(l), &r.ready); err != nil || r.ready.Event != "ready" {
			t.Fatalf("first line %q is not a ready event (%v)", l, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no ready line within 10s")
	}
	stopped := false
	r.stop = func() shutdownEvent {
		if stopped {
			return shutdownEvent{}
		}
		stopped = true
		cancel()
		var ev shutdownEvent
		select {
		case l := <-lines:
			if err := json.Unmarshal([]byte(l), &ev); err != nil || ev.Event != "shutdown" {
				t.Errorf("line %q is not a shutdown event (%v)", l, err)
			}
		case <-time.After(10 * time.Second):
			t.Error("no shutdown line within 10s")
		}
		if err := <-errc; err != nil {
			t.Errorf("run: %v", err)
		}
		return ev
	}
	t.Cleanup(func() { r.stop() })
	return r
}

func TestRunAdvertisesConfiguredHost(t *testing.T) {
	const adv = "localhost"
	r := startRun(t, testConfig(t, 3, adv))

	if len(r.ready.Brokers) != 3 {
		t.Fatalf("ready brokers = %+v", r.ready.Brokers)
	}
	advertised := map[int32]string{}
	for i, b := range r.ready.Brokers {
		if b.Node != int32(i) {
			t.Errorf("broker %d has node %d", i, b.Node)
		}
		lh, lp, _ := net.SplitHostPort(b.Listen)
		ah, ap, _ := net.SplitHostPort(b.Advertise)
		if lh != "127.0.0.1" || ah != adv || lp != ap || lp == "0" {
			t.Errorf("broker %d: listen %s advertise %s", i, b.Listen, b.Advertise)
		}
		advertised[b.Node] = b.Advertise
	}

	// Ask the seed broker directly (by its listen address) for metadata.
	cl, err := kgo.NewClient(kgo.SeedBrokers(r.ready.Brokers[0].Listen))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	seed := cl.SeedBrokers()[0]

	mresp, err := seed.Request(ctx, kmsg.NewPtrMetadataRequest())
	if err != nil {
		t.Fatal(err)
	}
	meta := mresp.(*kmsg.MetadataResponse)
	if len(meta.Brokers) != 3 {
		t.Fatalf("metadata brokers = %+v", meta.Brokers)
	}
	for _, b := range meta.Brokers {
		got := net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
		if got != advertised[b.NodeID] {
			t.Errorf("metadata node %d = %s, want %s", b.NodeID, got, advertised[b.NodeID])
		}
	}

	fc := kmsg.NewPtrFindCoordinatorRequest()
	fc.CoordinatorKey = "g1"
	fc.CoordinatorKeys = []string{"g1"}
	fresp, err := seed.Request(ctx, fc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range fresp.(*kmsg.FindCoordinatorResponse).Coordinators {
		got := net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))
		if got != advertised[c.NodeID] || c.Host != adv {
			t.Errorf("coordinator %s (node %d), want host %s", got, c.NodeID, adv)
		}
	}

	// And a client that follows the advertised addresses can produce
	// and consume ("localhost" resolves to the 127.0.0.1 listeners).
	produceConsume(t, r.ready.Brokers[0].Listen, "adv-topic", 5)

	if ev := r.stop(); ev.Reason != "test" || ev.Persisted {
		t.Errorf("shutdown event %+v", ev)
	}
}

// produceConsume produces n records to topic and reads them back.
func produceConsume(t *testing.T, seed, topic string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seed), kgo.DefaultProduceTopic(topic),
		kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.AllowAutoTopicCreation()) // the topic is not seeded: -auto-create makes it
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range n {
		if err := cl.ProduceSync(ctx, kgo.StringRecord(fmt.Sprint(i))).FirstErr(); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
	got := 0
	for got < n {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d: %v", got, n, err)
		}
		fs.EachError(func(t2 string, p int32, err error) { t.Logf("fetch %s/%d: %v", t2, p, err) })
		got += fs.NumRecords()
	}
}

func TestRunDataDirSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, 3, "127.0.0.1")
	cfg.DataDir = dir
	cfg.Topics = []topicSpec{{"posts", 3}}
	const (
		group = "feed-workers"
		n     = 30
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// First life: produce, consume in a group (session timeout 2s, below
	// kfake's own 6s minimum: -min-session-timeout lets it in), commit.
	r1 := startRun(t, cfg)
	if r1.ready.Restored {
		t.Fatal("fresh data dir reported as restored")
	}
	seed := r1.ready.Brokers[0].Listen
	prod, err := kgo.NewClient(kgo.SeedBrokers(seed), kgo.DefaultProduceTopic("posts"),
		kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := prod.ProduceSync(ctx, kgo.StringRecord(fmt.Sprint("post-", i))).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	prod.Close()

	cons, err := kgo.NewClient(kgo.SeedBrokers(seed), kgo.ConsumerGroup(group), kgo.ConsumeTopics("posts"),
		kgo.SessionTimeout(2*time.Second), kgo.HeartbeatInterval(200*time.Millisecond),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for got < n {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d", got, n)
		}
		fs.EachError(func(tp string, p int32, err error) { t.Fatalf("fetch %s/%d: %v", tp, p, err) })
		got += fs.NumRecords()
	}
	if err := cons.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	cons.Close() // leaves the group
	// A topic created at run time must survive too.
	adm, err := kgo.NewClient(kgo.SeedBrokers(seed))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kadm.NewClient(adm).CreateTopic(ctx, 2, 1, nil, "runtime-topic"); err != nil {
		t.Fatal(err)
	}
	adm.Close()
	if ev := r1.stop(); !ev.Persisted {
		t.Errorf("shutdown event %+v", ev)
	}

	// Second life on the same dir (new ports), with one more seed topic.
	cfg.Topics = append(cfg.Topics, topicSpec{"posts-dlq", 2})
	r2 := startRun(t, cfg)
	if !r2.ready.Restored {
		t.Error("restart not reported as restored")
	}
	acl, err := kgo.NewClient(kgo.SeedBrokers(r2.ready.Brokers[0].Listen))
	if err != nil {
		t.Fatal(err)
	}
	defer acl.Close()
	adm2 := kadm.NewClient(acl)

	td, err := adm2.ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for topic, parts := range map[string]int{"posts": 3, "runtime-topic": 2, "posts-dlq": 2} {
		if d, ok := td[topic]; !ok || len(d.Partitions) != parts {
			t.Errorf("topic %s after restart: %+v (want %d partitions)", topic, d, parts)
		}
	}

	ends, err := adm2.ListEndOffsets(ctx, "posts")
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	if total != n {
		t.Errorf("end offsets after restart sum to %d, want %d", total, n)
	}

	offs, err := adm2.FetchOffsets(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	var committed int64
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Err != nil {
			t.Errorf("offset %s/%d: %v", o.Topic, o.Partition, o.Err)
		}
		committed += o.At
	})
	if committed != n {
		t.Errorf("committed offsets after restart sum to %d, want %d (%+v)", committed, n, offs)
	}

	// The records themselves are readable.
	rc, err := kgo.NewClient(kgo.SeedBrokers(r2.ready.Brokers[0].Listen), kgo.ConsumeTopics("posts"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	seen := map[string]bool{}
	for len(seen) < n {
		fs := rc.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read back %d of %d records", len(seen), n)
		}
		fs.EachRecord(func(r *kgo.Record) { seen[string(r.Value)] = true })
	}
	if !seen["post-0"] || !seen[fmt.Sprint("post-", n-1)] {
		t.Errorf("records after restart: %v", seen)
	}
}
