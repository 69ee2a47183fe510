package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/workers/contract"
)

func auditConfig(t *testing.T) config {
	t.Helper()
	cfg := testConfig(t, 3, "127.0.0.1")
	cfg.Topics = []topicSpec{{Name: "posts", Partitions: 3}, {Name: auditFeedTopic, Partitions: 3}, {Name: auditDLQTopic, Partitions: 1}}
	return cfg
}

func getAudit(t *testing.T, base string, since int64) auditView {
	t.Helper()
	var v auditView
	httpJSON(t, "GET", base+"/audit?since="+strconv.FormatInt(since, 10), "", 200, &v)
	return v
}

func feedValue(t *testing.T, post string, follower int, sp int32, so int64) []byte {
	t.Helper()
	b, err := json.Marshal(contract.FeedUpdate{PostID: post, Follower: follower, Worker: "w1", SourcePartition: sp, SourceOffset: so, ProducedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAuditRecordsCommitsAssignmentsAndAppends drives a real kfake through
// the broker's listeners with franz-go clients and reads /audit back.
func TestAuditRecordsCommitsAssignmentsAndAppends(t *testing.T) {
	r := startRun(t, auditConfig(t))
	base := "http://" + r.ready.ControlAddr
	seed := kgo.SeedBrokers(r.ready.Brokers[0].Listen)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// A transaction: one feed update, the group's offsets, commit.
	tx, err := kgo.NewClient(seed, kgo.ClientID("w1"), kgo.TransactionalID("tx-w1"), kgo.DefaultProduceTopic(auditFeedTopic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	if err := tx.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := tx.ProduceSync(ctx, &kgo.Record{Partition: 1, Value: feedValue(t, "p-1", 7, 2, 41)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	pid, epoch, err := tx.ProducerID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	aot := kmsg.NewPtrAddOffsetsToTxnRequest()
	aot.TransactionalID, aot.ProducerID, aot.ProducerEpoch, aot.Group = "tx-w1", pid, epoch, "gtx"
	if resp, err := aot.RequestWith(ctx, tx); err != nil || resp.ErrorCode != 0 {
		t.Fatalf("AddOffsetsToTxn: %v %v", err, resp)
	}
	toc := kmsg.NewPtrTxnOffsetCommitRequest()
	toc.TransactionalID, toc.ProducerID, toc.ProducerEpoch, toc.Group, toc.Generation = "tx-w1", pid, epoch, "gtx", -1
	tt := kmsg.NewTxnOffsetCommitRequestTopic()
	tt.Topic, tt.TopicID = "posts", topicID(ctx, t, tx, "posts")
	tp := kmsg.NewTxnOffsetCommitRequestTopicPartition()
	tp.Partition, tp.Offset = 2, 42
	tt.Partitions = append(tt.Partitions, tp)
	toc.Topics = append(toc.Topics, tt)
	if _, err := toc.RequestWith(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}

	// A plain producer: a dead letter that is not JSON, and a post (not audited).
	pr, err := kgo.NewClient(seed, kgo.ClientID("w9"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if err := pr.ProduceSync(ctx, &kgo.Record{Topic: auditDLQTopic, Value: []byte("not json")}, &kgo.Record{Topic: "posts", Value: []byte("{}")}).FirstErr(); err != nil {
		t.Fatal(err)
	}

	// A classic group member: assignment, then a commit.
	cons, err := kgo.NewClient(seed, kgo.ClientID("w2"), kgo.ConsumerGroup("g2"), kgo.ConsumeTopics(auditFeedTopic), kgo.DisableAutoCommit(), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	for got := 0; got == 0; {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatal("no record consumed")
		}
		got = fs.NumRecords()
	}
	if err := cons.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	// A commit with a generation the group never had is refused.
	oc := kmsg.NewPtrOffsetCommitRequest()
	oc.Group, oc.Generation, oc.MemberID = "g2", 999, "bogus"
	ot := kmsg.NewOffsetCommitRequestTopic()
	ot.Topic, ot.TopicID = auditFeedTopic, topicID(ctx, t, pr, auditFeedTopic)
	op := kmsg.NewOffsetCommitRequestTopicPartition()
	op.Partition, op.Offset = 0, 5
	ot.Partitions = append(ot.Partitions, op)
	oc.Topics = append(oc.Topics, ot)
	if _, err := oc.RequestWith(ctx, pr); err != nil {
		t.Fatal(err)
	}

	// Answers are read off the wire just after the client gets them.
	var v auditView
	deadline := time.Now().Add(5 * time.Second)
	for {
		v = getAudit(t, base, 0)
		unknown := 0
		for _, e := range v.Entries {
			if e.Outcome == history.OutcomeUnknown {
				unknown++
			}
		}
		if unknown == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	byKind := map[string][]history.AuditEntry{}
	for i, e := range v.Entries {
		if i > 0 && e.Seq <= v.Entries[i-1].Seq {
			t.Errorf("seq not increasing: %d after %d", e.Seq, v.Entries[i-1].Seq)
		}
		byKind[e.Kind] = append(byKind[e.Kind], e)
	}
	dump := func() string { b, _ := json.MarshalIndent(v, "", " "); return string(b) }

	apps := byKind[history.AuditAppend]
	if len(apps) != 2 {
		t.Fatalf("want 2 appends (feed update, dead letter; the post is not audited), got %d:\n%s", len(apps), dump())
	}
	fa := apps[0]
	if fa.Topic != auditFeedTopic || fa.Partition != 1 || fa.TransactionalID != "tx-w1" || fa.ProducerID != pid || fa.ProducerEpoch != epoch ||
		fa.ClientID != "w1" || fa.Outcome != history.OutcomeAccepted || fa.BaseOffset != 0 || len(fa.Records) != 1 {
		t.Errorf("feed append = %+v", fa)
	} else if rec := fa.Records[0]; rec.PostID != "p-1" || rec.Follower != 7 || rec.SourcePartition != 2 || rec.SourceOffset != 41 || rec.Worker != "w1" || rec.Err != "" {
		t.Errorf("feed record = %+v", rec)
	}
	if da := apps[1]; da.Topic != auditDLQTopic || da.ClientID != "w9" || len(da.Records) != 1 || da.Records[0].Err == "" {
		t.Errorf("dead letter append = %+v (an unparsable value must be kept with its error)", da)
	}

	if a := byKind[history.AuditAddOffsetsToTxn]; len(a) != 1 || a[0].Group != "gtx" || a[0].ProducerID != pid || a[0].Outcome != history.OutcomeAccepted {
		t.Errorf("add offsets to txn = %+v", a)
	}
	if a := byKind[history.AuditTxnOffsetCommit]; len(a) != 1 || a[0].TransactionalID != "tx-w1" || len(a[0].Offsets) != 1 || a[0].Offsets[0] != (history.AuditOffset{Topic: "posts", Partition: 2, Offset: 42}) || a[0].Outcome != history.OutcomeAccepted {
		t.Errorf("txn offset commit = %+v", a)
	}
	if a := byKind[history.AuditEndTxn]; len(a) != 1 || !a[0].Commit || a[0].ProducerID != pid || a[0].Outcome != history.OutcomeAccepted || a[0].ClientID != "w1" {
		t.Errorf("end txn = %+v", a)
	}
	if fa.Seq > byKind[history.AuditEndTxn][0].Seq {
		t.Errorf("append seq %d after EndTxn seq %d", fa.Seq, byKind[history.AuditEndTxn][0].Seq)
	}

	as := byKind[history.AuditAssignment]
	if len(as) == 0 {
		t.Fatalf("no assignment:\n%s", dump())
	}
	last := as[len(as)-1]
	if last.Protocol != "classic" || last.Group != "g2" || last.Generation < 1 || len(last.Assignments) != 1 || last.Outcome != history.OutcomeAccepted {
		t.Fatalf("assignment = %+v", last)
	}
	if m := last.Assignments[0]; m.ClientID != "w2" || len(m.Partitions[auditFeedTopic]) != 3 {
		t.Errorf("assigned member = %+v, want w2 with all 3 partitions", m)
	}

	var good, bad *history.AuditEntry
	for i, e := range byKind[history.AuditOffsetCommit] {
		if e.MemberID == "bogus" {
			bad = &byKind[history.AuditOffsetCommit][i]
		} else if e.Group == "g2" {
			good = &byKind[history.AuditOffsetCommit][i]
		}
	}
	if good == nil || good.Outcome != history.OutcomeAccepted || good.ClientID != "w2" || good.Generation != last.Generation || good.MemberID != last.MemberID && len(last.Assignments) == 1 && good.MemberID != last.Assignments[0].MemberID {
		t.Errorf("accepted commit = %+v", good)
	}
	if good != nil && (len(good.Offsets) != 1 || good.Offsets[0].Partition != 1 || good.Offsets[0].Offset < 1) {
		t.Errorf("accepted commit offsets = %+v", good.Offsets)
	}
	if bad == nil || bad.Outcome != history.OutcomeRefused || bad.ErrorCode == 0 || bad.Offsets[0].ErrorCode != bad.ErrorCode {
		t.Errorf("refused commit = %+v", bad)
	} else if e := kerr.ErrorForCode(bad.ErrorCode); e != kerr.UnknownMemberID && e != kerr.IllegalGeneration {
		t.Errorf("refused commit error = %v", e)
	}
	if good != nil && bad != nil && bad.Seq < good.Seq {
		t.Errorf("refused commit seq %d before the accepted one %d, but it was sent after", bad.Seq, good.Seq)
	}

	// ?since= returns only later entries; a bad since is refused.
	later := getAudit(t, base, fa.Seq)
	if len(later.Entries) != len(v.Entries)-indexOfSeq(v.Entries, fa.Seq)-1 || later.Entries[0].Seq != fa.Seq+1 || later.Seq < v.Seq {
		t.Errorf("since=%d: %d entries from %d, want those after it", fa.Seq, len(later.Entries), later.Entries[0].Seq)
	}
	httpJSON(t, "GET", base+"/audit?since=x", "", 400, nil)
	if v.Dropped != 0 || v.Incomplete != "" {
		t.Errorf("dropped %d incomplete %q", v.Dropped, v.Incomplete)
	}
}

// topicID asks the broker for a topic's ID (newer commit versions name
// topics by ID).
func topicID(ctx context.Context, t *testing.T, cl *kgo.Client, topic string) [16]byte {
	t.Helper()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || len(resp.Topics) != 1 {
		t.Fatalf("metadata for %s: %v", topic, err)
	}
	return resp.Topics[0].TopicID
}

func indexOfSeq(es []history.AuditEntry, seq int64) int {
	for i, e := range es {
		if e.Seq == seq {
			return i
		}
	}
	return -1
}

// TestAuditBoundDropsOldestAndCounts: past its cap the audit lets the oldest
// entries go and says how many.
func TestAuditBoundDropsOldestAndCounts(t *testing.T) {
	a := newAudit()
	a.cap = 4 // four one-item entries, then a two-item commit
	for i := 0; i < 4; i++ {
		a.control(0, &kmsg.EndTxnRequest{TransactionalID: fmt.Sprint(i)})
	}
	a.control(0, &kmsg.OffsetCommitRequest{Group: "g", Topics: []kmsg.OffsetCommitRequestTopic{{Topic: "posts", Partitions: []kmsg.OffsetCommitRequestTopicPartition{{Partition: 0, Offset: 1}}}}})
	v := a.view(0)
	if v.Dropped != 2 || len(v.Entries) != 3 || v.Entries[0].Seq != 3 || v.Seq != 5 {
		t.Fatalf("dropped %d, entries %d from seq %d, last seq %d; want 2 dropped, 3 kept from seq 3", v.Dropped, len(v.Entries), v.Entries[0].Seq, v.Seq)
	}
}

// TestAuditSavedAndRestored: a clean close saves the audit and a restart
// continues it; a restored data dir without it is reported incomplete.
func TestAuditSavedAndRestored(t *testing.T) {
	dir := t.TempDir()
	a := newAudit()
	a.control(1, &kmsg.EndTxnRequest{TransactionalID: "x", Commit: true})
	var ma kmsg.ConsumerMemberAssignment
	ma.Topics = []kmsg.ConsumerMemberAssignmentTopic{{Topic: "posts", Partitions: []int32{0, 2}}}
	a.control(1, &kmsg.SyncGroupRequest{Group: "g", Generation: 3, MemberID: "m1", GroupAssignment: []kmsg.SyncGroupRequestGroupAssignment{{MemberID: "m1", MemberAssignment: ma.AppendTo(nil)}}})
	a.sawMember("m1", "w1", "")
	if err := a.save(dir); err != nil {
		t.Fatal(err)
	}
	b := newAudit()
	if err := b.load(dir, true); err != nil {
		t.Fatal(err)
	}
	b.control(1, &kmsg.EndTxnRequest{TransactionalID: "y"})
	v := b.view(0)
	if len(v.Entries) != 3 || v.Entries[2].Seq != 3 || !v.Started.Equal(a.started) || v.Incomplete != "" {
		t.Fatalf("restored audit = %+v", v)
	}
	if m := v.Entries[1].Assignments; len(m) != 1 || m[0].ClientID != "w1" || len(m[0].Partitions["posts"]) != 2 || v.Entries[1].Generation != 3 {
		t.Fatalf("restored assignment = %+v: the member's client id must survive the restart", v.Entries[1])
	}
	if _, err := os.Stat(filepath.Join(dir, auditFile)); !os.IsNotExist(err) {
		t.Fatalf("saved audit not consumed: %v", err)
	}
	c := newAudit()
	if err := c.load(dir, true); err != nil {
		t.Fatal(err)
	}
	if c.view(0).Incomplete == "" {
		t.Fatal("restored data dir without a saved audit not reported incomplete")
	}
}

// TestFramesSplitAnywhere: frames are found however the bytes are cut, and
// the caller's buffer is never kept.
func TestFramesSplitAnywhere(t *testing.T) {
	var stream []byte
	for i := 0; i < 3; i++ {
		body := []byte(strings.Repeat(string(rune('a'+i)), 5+i))
		stream = append(stream, 0, 0, 0, byte(len(body)))
		stream = append(stream, body...)
	}
	for cut := 0; cut <= len(stream); cut++ {
		var got []string
		fn := func(b []byte) { got = append(got, string(b)) }
		p := append([]byte(nil), stream[:cut]...)
		held := frames(nil, p, fn)
		for i := range p {
			p[i] = 'X' // the caller reuses its buffer
		}
		if held := frames(held, append([]byte(nil), stream[cut:]...), fn); held != nil {
			t.Fatalf("cut %d: %d bytes left", cut, len(held))
		}
		if strings.Join(got, ",") != "aaaaa,bbbbbb,ccccccc" {
			t.Fatalf("cut %d: frames %q", cut, got)
		}
	}
}

// TestTopicIDKeyRoundTrip: a KIP-848 assignment's topic id key parses back.
func TestTopicIDKeyRoundTrip(t *testing.T) {
	id := [16]byte{0x48, 0xee, 0x17, 0x48, 0xcc, 0x16, 0x5a, 0x39, 0xeb, 0x6b, 0xbe, 0x8b, 0xfc, 0xc6, 0xae, 0xee}
	got, ok := parseTopicIDKey(topicIDKey(id))
	if !ok || got != id {
		t.Fatalf("parse(%s) = %x, %v", topicIDKey(id), got, ok)
	}
	if _, ok := parseTopicIDKey("posts"); ok {
		t.Fatal("a topic name parsed as an id")
	}
}
