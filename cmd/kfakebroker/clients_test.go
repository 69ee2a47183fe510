package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/history"
)

// TestFaultOnOneClientsProduce refuses one client's produce requests to
// feed-updates with a retriable error while another client's go through,
// counts the refusals, and lets the refused client through once removed.
func TestFaultOnOneClientsProduce(t *testing.T) {
	r := startRun(t, auditConfig(t))
	base := "http://" + r.ready.ControlAddr
	seed := kgo.SeedBrokers(r.ready.Brokers[0].Listen)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var added struct{ ID string }
	httpJSON(t, "POST", base+"/faults",
		`{"keys":["Produce"],"topic":"feed-updates","client":"w1-producer","error":"NOT_LEADER_OR_FOLLOWER","count":-1}`, 201, &added)

	newProducer := func(id string) *kgo.Client {
		cl, err := kgo.NewClient(seed, kgo.ClientID(id), kgo.DefaultProduceTopic(auditFeedTopic),
			kgo.RecordRetries(2), kgo.RecordDeliveryTimeout(3*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Close)
		return cl
	}
	w1, w2 := newProducer("w1-producer"), newProducer("w2-producer")

	if err := w2.ProduceSync(ctx, &kgo.Record{Value: feedValue(t, "p-2", 1, 0, 1)}).FirstErr(); err != nil {
		t.Fatalf("another client's produce refused: %v", err)
	}
	err := w1.ProduceSync(ctx, &kgo.Record{Value: feedValue(t, "p-1", 1, 0, 2)}).FirstErr()
	if !errors.Is(err, kerr.NotLeaderForPartition) && !errors.Is(err, kgo.ErrRecordTimeout) && !errors.Is(err, kgo.ErrRecordRetries) {
		t.Fatalf("refused client's produce: err %v, want NOT_LEADER_OR_FOLLOWER or a give-up", err)
	}
	// Its other topics are not refused.
	if err := w1.ProduceSync(ctx, &kgo.Record{Topic: auditDLQTopic, Value: []byte("{}")}).FirstErr(); err != nil {
		t.Fatalf("refused client's produce to another topic: %v", err)
	}
	var list []struct {
		ID   string `json:"id"`
		Hits int    `json:"hits"`
	}
	httpJSON(t, "GET", base+"/faults", "", 200, &list)
	if len(list) != 1 || list[0].Hits < 1 {
		t.Fatalf("faults = %+v, want one with hits", list)
	}
	hits := list[0].Hits
	httpJSON(t, "DELETE", base+"/faults/"+added.ID, "", 200, nil)
	if err := w1.ProduceSync(ctx, &kgo.Record{Value: feedValue(t, "p-1", 1, 0, 3)}).FirstErr(); err != nil {
		t.Fatalf("produce after removal: %v", err)
	}
	// Nothing refused was appended: the audit has w2's and w1's last append.
	// An entry's outcome is filled in from the answer the broker wrote, which
	// can reach the client first: read the audit until both are there.
	var appends []string
	for end := time.Now().Add(5 * time.Second); ; {
		appends = nil
		for _, e := range getAudit(t, base, 0).Entries {
			if e.Kind == history.AuditAppend && e.Topic == auditFeedTopic && e.Outcome == history.OutcomeAccepted {
				appends = append(appends, e.ClientID)
			}
		}
		if len(appends) >= 2 || time.Now().After(end) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(appends) != 2 || appends[0] != "w2-producer" || appends[1] != "w1-producer" {
		t.Errorf("accepted appends by %v, want [w2-producer w1-producer] (refused hits %d)", appends, hits)
	}

	for _, bad := range []string{
		`{"client":"w1-producer"}`,
		`{"keys":["Fetch"],"client":"w1-producer"}`,
	} {
		httpJSON(t, "POST", base+"/faults", bad, 400, nil)
	}
}
