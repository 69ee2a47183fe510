package feed

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

func testFanout(t *testing.T) *Fanout {
	t.Helper()
	g, err := graph.New(1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &Fanout{Graph: g, Worker: "w9", FeedTopic: "feed-updates", DLQTopic: "posts-dlq", Now: func() time.Time { return at }}
}

func postJSON(t *testing.T, id string, author int) []byte {
	t.Helper()
	b, err := json.Marshal(contract.Post{ID: id, Author: author, CreatedAt: time.Now(), Seq: 3})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFanoutFollowers(t *testing.T) {
	f := testFanout(t)
	// Find an author with followers and one without.
	withF, without := -1, -1
	for a := 0; a < 1000 && (withF < 0 || without < 0); a++ {
		n := f.Graph.FollowerCount(a)
		if n > 0 && withF < 0 {
			withF = a
		}
		if n == 0 && without < 0 {
			without = a
		}
	}
	res := f.Process(4, 77, []byte(strconv.Itoa(withF)), postJSON(t, "p1", withF))
	if res.Reason != "" {
		t.Fatalf("valid post dead-lettered: %s", res.Reason)
	}
	followers, _ := f.Graph.Followers(withF)
	if len(res.Records) != len(followers) {
		t.Fatalf("%d records for %d followers", len(res.Records), len(followers))
	}
	for i, r := range res.Records {
		if r.Topic != "feed-updates" {
			t.Errorf("topic %q", r.Topic)
		}
		var u contract.FeedUpdate
		if err := json.Unmarshal(r.Value, &u); err != nil {
			t.Fatal(err)
		}
		want := contract.FeedUpdate{PostID: "p1", Author: withF, Follower: followers[i], Worker: "w9",
			SourcePartition: 4, SourceOffset: 77, ProducedAt: f.Now()}
		if u != want {
			t.Errorf("update %d = %+v, want %+v", i, u, want)
		}
		if string(r.Key) != strconv.Itoa(followers[i]) {
			t.Errorf("key %q, want follower %d", r.Key, followers[i])
		}
	}

	res = f.Process(0, 1, nil, postJSON(t, "p2", without))
	if res.Reason != "" || len(res.Records) != 0 {
		t.Errorf("author without followers: %+v", res)
	}
}

func TestFanoutPoison(t *testing.T) {
	f := testFanout(t)
	cases := []struct {
		raw    string
		reason string
		kind   string
	}{
		{`{not json`, "invalid post JSON", contract.DeadLetterUnparsable},
		{``, "empty value", contract.DeadLetterUnparsable},
		{`{"author_id":3}`, "no post_id", contract.DeadLetterUnparsable},
		{`{"post_id":"x","author_id":-1}`, "unknown author -1", contract.DeadLetterUnknownAuthor},
		{`{"post_id":"x","author_id":1000}`, "unknown author 1000", contract.DeadLetterUnknownAuthor},
		{`{"post_id":"x","author_id":"seven"}`, "invalid post JSON", contract.DeadLetterUnparsable},
	}
	for _, tc := range cases {
		res := f.Process(7, 42, []byte("k"), []byte(tc.raw))
		if !strings.Contains(res.Reason, tc.reason) {
			t.Errorf("%q: reason %q, want %q", tc.raw, res.Reason, tc.reason)
		}
		if len(res.Records) != 1 || res.Records[0].Topic != "posts-dlq" || string(res.Records[0].Key) != "k" {
			t.Fatalf("%q: records %+v, want one dead letter", tc.raw, res.Records)
		}
		var dl contract.DeadLetter
		if err := json.Unmarshal(res.Records[0].Value, &dl); err != nil {
			t.Fatal(err)
		}
		if _, raw, err := contract.ParseDeadLetter(res.Records[0].Value); err != nil || !contract.RawIs(raw, []byte(tc.raw)) {
			t.Errorf("%q: the harness's parser refuses the dead letter (%v) or its raw %q", tc.raw, err, raw)
		}
		if dl.ReasonKind != tc.kind || dl.Reason != res.Reason || dl.SourcePartition != 7 || dl.SourceOffset != 42 || dl.Worker != "w9" || string(dl.Raw) != tc.raw {
			t.Errorf("%q: dead letter %+v", tc.raw, dl)
		}
	}
}

func TestEventJSONSchema(t *testing.T) {
	var buf bytes.Buffer
	em := NewEmitter(&buf, "w1")
	em.now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	em.Emit(contract.Event{Event: contract.EventCommitted, Partitions: []int32{1, 3}, Offsets: map[int32]int64{1: 10, 3: 7}})
	em.Emit(contract.Event{Event: contract.EventAssigned, Partitions: []int32{2}, MemberID: "m", Generation: 4})
	em.Error(errors.New("boom"), map[string]string{"code": "x"})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		`{"ts":"2026-01-01T00:00:00Z","worker":"w1","event":"committed","partitions":[1,3],"offsets":{"1":10,"3":7}}`,
		`{"ts":"2026-01-01T00:00:00Z","worker":"w1","event":"assigned","partitions":[2],"member_id":"m","generation":4}`,
		`{"ts":"2026-01-01T00:00:00Z","worker":"w1","event":"error","error":"boom","detail":{"code":"x"}}`,
	}
	if len(lines) != len(want) {
		t.Fatalf("lines %q", lines)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
}

func TestErrorRateLimit(t *testing.T) {
	var buf bytes.Buffer
	em := NewEmitter(&buf, "w1")
	now := time.Unix(100, 0)
	em.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		em.ErrorLimited("k", 5*time.Second, errors.New("down"), nil)
	}
	em.ErrorLimited("other", 5*time.Second, errors.New("else"), nil)
	now = now.Add(6 * time.Second)
	em.ErrorLimited("k", 5*time.Second, errors.New("down"), nil)
	if n := strings.Count(buf.String(), "\n"); n != 3 {
		t.Errorf("%d error lines, want 3:\n%s", n, buf.String())
	}
}

func TestCommittedLogThrottle(t *testing.T) {
	var buf bytes.Buffer
	em := NewEmitter(&buf, "w1")
	l := committedLog{em: em, every: time.Second}
	t0 := time.Unix(100, 0)
	l.add(map[int32]int64{0: 5}, t0)                                 // printed (first)
	l.add(map[int32]int64{0: 9, 1: 2}, t0.Add(100*time.Millisecond)) // held
	l.add(map[int32]int64{1: 4}, t0.Add(200*time.Millisecond))       // held
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("%d committed lines before flush, want 1", n)
	}
	l.Flush(t0.Add(300 * time.Millisecond))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var ev contract.Event
	if err := json.Unmarshal([]byte(lines[1]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Offsets[0] != 9 || ev.Offsets[1] != 4 || len(ev.Partitions) != 2 {
		t.Errorf("flushed %+v, want the latest offsets of both partitions", ev)
	}
	l.Flush(t0.Add(time.Second)) // nothing pending: no line
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Errorf("%d lines, want 2", n)
	}
}

func TestMetricsRender(t *testing.T) {
	var m Metrics
	m.Consumed.Add(12)
	m.Produced.Add(30)
	m.DeadLetters.Add(1)
	m.Assigned.Add(2)
	m.Lost.Add(1)
	m.ObserveCommit(3 * time.Millisecond)
	m.ObserveCommit(20 * time.Second)
	var buf bytes.Buffer
	m.Render(&buf, Gauges{AssignedPartitions: 3, Lag: map[int32]int64{11: 4, 2: 0}})
	out := buf.String()
	for _, want := range []string{
		"# TYPE feedworker_records_consumed_total counter\nfeedworker_records_consumed_total 12\n",
		"feedworker_feed_updates_produced_total 30\n",
		"feedworker_dead_letters_total 1\n",
		`feedworker_rebalances_total{kind="assigned"} 2` + "\n",
		`feedworker_rebalances_total{kind="revoked"} 0` + "\n",
		`feedworker_rebalances_total{kind="lost"} 1` + "\n",
		"feedworker_assigned_partitions 3\n",
		`feedworker_commit_latency_seconds_bucket{le="0.0025"} 0` + "\n",
		`feedworker_commit_latency_seconds_bucket{le="0.005"} 1` + "\n",
		`feedworker_commit_latency_seconds_bucket{le="10"} 1` + "\n",
		`feedworker_commit_latency_seconds_bucket{le="+Inf"} 2` + "\n",
		"feedworker_commit_latency_seconds_count 2\n",
		`feedworker_partition_lag{partition="2"} 0` + "\nfeedworker_partition_lag{partition=\"11\"} 4\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q:\n%s", want, out)
		}
	}
	// Every non-comment line is "name{labels} value".
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 || !strings.HasPrefix(f[0], "feedworker_") {
			t.Errorf("malformed line %q", line)
		}
		if _, err := strconv.ParseFloat(f[1], 64); err != nil {
			t.Errorf("bad value in %q", line)
		}
	}
}

func msg(p int32, off int64) *kafka.Message {
	topic := "posts"
	return &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: p, Offset: kafka.Offset(off)}}
}

func TestBatchNextOffsets(t *testing.T) {
	msgs := []*kafka.Message{msg(0, 10), msg(1, 5), msg(0, 11), msg(1, 6), msg(0, 12), msg(2, 0)}
	b := newBatch(msgs, false)
	for i := range b.posts {
		b.posts[i].processed = true
	}
	b.posts[2].pending = 1 // partition 0 offset 11 not acknowledged
	b.posts[5].processed = false
	got := b.nextOffsets()
	want := map[int32]int64{0: 11, 1: 7}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("nextOffsets = %v, want %v (never past an unacknowledged post)", got, want)
	}
	if f := b.firstOffsets(); f[0] != 10 || f[1] != 5 || f[2] != 0 {
		t.Errorf("firstOffsets = %v", f)
	}
	if b.allDone() {
		t.Error("allDone with pending posts")
	}
}

func TestBatchReportAndAbandon(t *testing.T) {
	b := newBatch([]*kafka.Message{msg(0, 1), msg(0, 2)}, false)
	for i := range b.posts {
		b.posts[i].processed = true
		b.posts[i].pending = 1
	}
	b.outstanding = 2
	acks := 0
	b.report(&recRef{b: b, post: 0}, nil, func(*postState, int) { acks++ })
	b.report(&recRef{b: b, post: 1, rec: 0}, errors.New("timeout"), nil)
	if b.outstanding != 1 || len(b.retry) != 1 || acks != 1 {
		t.Fatalf("outstanding %d retry %d acks %d", b.outstanding, len(b.retry), acks)
	}
	if got := b.nextOffsets(); got[0] != 2 {
		t.Errorf("nextOffsets = %v, want 0:2", got)
	}
	b.abandon()
	b.report(&recRef{b: b, post: 1}, nil, func(*postState, int) { acks++ })
	if acks != 1 || !b.posts[1].failed {
		t.Error("abandoned batch accepted a late report")
	}

	ff := newBatch([]*kafka.Message{msg(0, 1)}, true)
	ff.posts[0].processed, ff.posts[0].pending, ff.outstanding = true, 1, 1
	ff.report(&recRef{b: ff}, errors.New("x"), nil)
	if ff.outstanding != 0 || !ff.posts[0].failed || ff.allDone() {
		t.Error("fail-fast batch did not fail the post")
	}
}

// An exactly-once batch is doomed by its first failed record, while others
// are still unacknowledged; an at-least-once batch never is.
func TestBatchDoomedByOneFailedRecordInATransaction(t *testing.T) {
	for _, failFast := range []bool{true, false} {
		b := newBatch([]*kafka.Message{msg(0, 1), msg(1, 1)}, failFast)
		for i := range b.posts {
			b.posts[i].processed, b.posts[i].pending = true, 1
		}
		b.outstanding = 2
		if b.doomed() {
			t.Fatalf("failFast=%v: doomed before any report", failFast)
		}
		b.report(&recRef{b: b, post: 0}, errors.New("OUT_OF_ORDER_SEQUENCE_NUMBER"), nil)
		if got := b.doomed(); got != failFast {
			t.Errorf("failFast=%v: doomed = %v with one record failed and one outstanding", failFast, got)
		}
	}
}

func TestParseGroupMeta(t *testing.T) {
	var b []byte
	b = append(b, "CGMDv2:"...)
	b = binary.NativeEndian.AppendUint32(b, 7)
	b = append(b, "feed\x00member-1\x00"...)
	b = append(b, 0)
	b = append(b, "static-1\x00"...)
	m, ok := parseGroupMeta(b)
	if !ok || m.GroupID != "feed" || m.MemberID != "member-1" || m.Generation != 7 || m.InstanceID != "static-1" {
		t.Errorf("parse = %+v %v", m, ok)
	}
	if _, ok := parseGroupMeta([]byte("CGMDv9:xxxx")); ok {
		t.Error("unknown format accepted")
	}
	if _, ok := parseGroupMeta(append([]byte("CGMDv2:"), 1, 0, 0, 0, 'a')); ok {
		t.Error("truncated metadata accepted")
	}
}

func TestHandlerHealthAndStatus(t *testing.T) {
	cfg, err := LoadConfig(envOf(baseEnv()))
	if err != nil {
		t.Fatal(err)
	}
	// A Worker without clients is enough for the HTTP side.
	w := &Worker{cfg: cfg, st: snapshot{assigned: map[int32]bool{3: true, 1: true}, positions: map[int32]int64{1: 5},
		committed: map[int32]int64{1: 4}, lag: map[int32]int64{}, memberID: "m1", generation: 2}}
	w.metrics.Consumed.Add(5)
	h := w.Handler()
	rec := newRecorder(h, contract.PathHealth)
	if rec.Code != 200 {
		t.Errorf("healthz %d", rec.Code)
	}
	rec = newRecorder(h, contract.PathStatus)
	var st contract.Status
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if st.Worker != "w1" || st.MemberID != "m1" || st.Generation != 2 || len(st.Assigned) != 2 || st.Assigned[0] != 1 ||
		st.Positions[1] != 5 || st.Committed[1] != 4 || st.Consumed != 5 || st.Protocol != "classic" || st.Assignor != "range" {
		t.Errorf("status %+v", st)
	}
	w.stopping.Store(true)
	if rec := newRecorder(h, contract.PathHealth); rec.Code != 503 {
		t.Errorf("healthz while stopping %d", rec.Code)
	}
}

func newRecorder(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}
