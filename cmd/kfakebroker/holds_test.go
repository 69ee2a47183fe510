package main

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestHoldDelaysOneClientsCommits holds one client's OffsetCommit requests
// and not another's, counts them, and serves them at once once removed.
func TestHoldDelaysOneClientsCommits(t *testing.T) {
	r := startRun(t, auditConfig(t))
	base := "http://" + r.ready.ControlAddr
	seed := kgo.SeedBrokers(r.ready.Brokers[0].Listen)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	commit := func(cl *kgo.Client) time.Duration {
		t.Helper()
		req := kmsg.NewPtrOffsetCommitRequest()
		req.Group = "g-hold"
		req.Generation = -1
		rt := kmsg.NewOffsetCommitRequestTopic()
		rt.Topic = auditFeedTopic
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Offset = 1
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		start := time.Now()
		if _, err := req.RequestWith(ctx, cl); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	newClient := func(id string) *kgo.Client {
		cl, err := kgo.NewClient(seed, kgo.ClientID(id))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Close)
		commit(cl) // connected, coordinator known
		return cl
	}
	w1, w2 := newClient("w1"), newClient("w2")

	var added struct{ ID string }
	httpJSON(t, "POST", base+"/holds", `{"keys":["OffsetCommit"],"client":"w1","hold_ms":700}`, 201, &added)
	if d := commit(w1); d < 700*time.Millisecond {
		t.Errorf("held commit answered after %s, want >= 700ms", d)
	}
	if d := commit(w2); d >= 700*time.Millisecond {
		t.Errorf("another client's commit held %s", d)
	}
	var list []struct {
		ID   string `json:"id"`
		Hits int    `json:"hits"`
	}
	httpJSON(t, "GET", base+"/holds", "", 200, &list)
	if len(list) != 1 || list[0].Hits != 1 {
		t.Fatalf("holds = %+v, want one with 1 hit", list)
	}
	httpJSON(t, "DELETE", base+"/holds/"+added.ID, "", 200, nil)
	httpJSON(t, "DELETE", base+"/holds/"+added.ID, "", 404, nil)
	if d := commit(w1); d >= 700*time.Millisecond {
		t.Errorf("commit still held after removal: %s", d)
	}

	for _, bad := range []string{
		`{"keys":["OffsetCommit"],"hold_ms":100}`,
		`{"keys":["OffsetCommit"],"client":"w1"}`,
		`{"client":"w1","hold_ms":100}`,
		`{"keys":["NoSuch"],"client":"w1","hold_ms":100}`,
	} {
		httpJSON(t, "POST", base+"/holds", bad, 400, nil)
	}
}
