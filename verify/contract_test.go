package verify

import (
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

func TestContractHonouredPassesWhenEverythingParsed(t *testing.T) {
	start := time.Now()
	h := history.History{Start: start, Events: []history.WorkerEvent{{TS: start, Worker: "w1", Event: "started"}}}
	if r := ContractHonoured(h); !r.Pass {
		t.Fatalf("failed: %s", r.Message)
	}
}

func TestContractHonouredFailsOnAnUnparsableLine(t *testing.T) {
	start := time.Now()
	h := history.History{Start: start,
		Events: []history.WorkerEvent{{TS: start, Worker: "w1", Event: "started"}},
		Violations: []history.Violation{
			{At: start.Add(2 * time.Second), Source: history.SourceFeed, Partition: 3, Offset: 17, Line: `{"post_id":`, Reason: "feed update: not a JSON object"},
			{At: start.Add(time.Second), Source: history.SourceStdout, Worker: "w2", Line: "hello", Reason: "not a JSON object"},
		}}
	r := ContractHonoured(h)
	if r.Pass || r.Class != ClassContractViolation {
		t.Fatalf("got pass=%v class %q: %s", r.Pass, r.Class, r.Message)
	}
	if len(r.Examples) != 2 || !strings.Contains(r.Examples[0], "stdout of w2") || !strings.Contains(r.Examples[1], "partition 3 offset 17") || !strings.Contains(r.Examples[1], `{\"post_id\":`) {
		t.Errorf("examples %q: want the stdout line of w2 first, then the feed update at 3/17 with its text", r.Examples)
	}
	if !r.FirstAt.Equal(start.Add(time.Second)) {
		t.Errorf("FirstAt %v", r.FirstAt)
	}
}

func TestContractHonouredFailsOnNothingRead(t *testing.T) {
	if r := ContractHonoured(history.History{Start: time.Now()}); r.Pass || r.Class != ClassNoObservations {
		t.Fatalf("got pass=%v class %q", r.Pass, r.Class)
	}
}
