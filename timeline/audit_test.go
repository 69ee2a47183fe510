package timeline

import (
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

func TestAuditBecomesBrokerEvents(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := history.History{Start: t0, Audit: history.AuditLog{Present: true, Entries: []history.AuditEntry{
		{Seq: 1, At: t0.Add(time.Second), Kind: history.AuditAssignment, Protocol: "classic", Generation: 3, Outcome: history.OutcomeAccepted,
			Assignments: []history.AuditMember{{ClientID: "w2", Partitions: map[string][]int32{"posts": {3, 2}}}, {ClientID: "w1", Partitions: map[string][]int32{"posts": {0, 1}}}}},
		{Seq: 2, At: t0.Add(2 * time.Second), Kind: history.AuditOffsetCommit, ClientID: "w1", Generation: 3, Outcome: history.OutcomeRefused, ErrorCode: 22,
			Offsets: []history.AuditOffset{{Topic: "posts", Partition: 0, Offset: 41}}},
		{Seq: 3, At: t0.Add(3 * time.Second), Kind: history.AuditAppend, ClientID: "w1"},
	}}}
	var got []string
	for _, e := range FromHistory(h) {
		if e.Source == SourceBroker {
			got = append(got, e.Text)
		}
	}
	want := []string{
		"coordinator assigns (classic, generation 3): w1 [0 1]; w2 [2 3]",
		"w1 commits 0→41 (generation 3): refused (error 22)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
