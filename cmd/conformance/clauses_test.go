package main

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/workers/contract"
)

func TestEventsClause(t *testing.T) {
	now := time.Now()
	good := history.History{Events: []history.WorkerEvent{
		{TS: now, Worker: "w1", Event: "started"}, {TS: now, Worker: "w1", Event: "assigned", Partitions: []int32{0}},
	}}
	if err := events(good, []string{"w1"}); err != nil {
		t.Fatalf("good history refused: %v", err)
	}
	bad := good
	bad.Violations = []history.Violation{{Source: history.SourceStdout, Worker: "w1", Line: "hello", Reason: "not a JSON object"}}
	if err := events(bad, []string{"w1"}); err == nil || !strings.Contains(err.Error(), "stdout of w1") {
		t.Errorf("an unparsable line passed: %v", err)
	}
	if err := events(good, []string{"w1", "w2"}); err == nil || !strings.Contains(err.Error(), "w2 printed started false") {
		t.Errorf("a silent worker passed: %v", err)
	}
	empty := history.History{Events: []history.WorkerEvent{{TS: now, Worker: "w1", Event: "started"}, {TS: now, Worker: "w1", Event: "assigned"}}}
	if err := events(empty, []string{"w1"}); err == nil {
		t.Error("a worker that was never assigned a partition passed")
	}
}

func TestRecordsClause(t *testing.T) {
	c := &conf{poison: []poison{{kind: contract.DeadLetterUnparsable, value: []byte("x y"), partition: 1, offset: 5}}}
	ok := history.History{
		Updates:     []history.UpdateSeen{{PostID: "p"}},
		DeadLetters: []history.DeadLetterSeen{{ReasonKind: contract.DeadLetterUnparsable, Raw: base64.StdEncoding.EncodeToString([]byte("x y")), SourcePartition: 1, SourceOffset: 5}},
	}
	if err := c.records(ok); err != nil {
		t.Fatalf("good history refused: %v", err)
	}
	for name, h := range map[string]history.History{
		"no updates":        {DeadLetters: ok.DeadLetters},
		"wrong kind":        {Updates: ok.Updates, DeadLetters: []history.DeadLetterSeen{{ReasonKind: contract.DeadLetterUnknownAuthor, Raw: "x y", SourcePartition: 1, SourceOffset: 5}}},
		"wrong raw":         {Updates: ok.Updates, DeadLetters: []history.DeadLetterSeen{{ReasonKind: contract.DeadLetterUnparsable, Raw: "x", SourcePartition: 1, SourceOffset: 5}}},
		"no dead letter":    {Updates: ok.Updates},
		"unparsable update": {Updates: ok.Updates, DeadLetters: ok.DeadLetters, Violations: []history.Violation{{Source: history.SourceFeed, Partition: 2, Offset: 3, Line: "{", Reason: "not a JSON object"}}},
	} {
		if err := c.records(h); err == nil {
			t.Errorf("%s: passed", name)
		}
	}
}
