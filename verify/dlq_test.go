package verify

import (
	"strings"
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

var poisonRecords = []Poison{
	{Partition: 2, Offset: 17, Kind: "not JSON", Reason: "invalid post JSON"},
	{Partition: 5, Offset: 3, Kind: "unknown author 1007", Reason: "unknown author"},
}

// drained is a history whose group committed everything up to offset 50 on
// partitions 0..5.
func drained() *ht.Builder {
	c := map[int32]int64{}
	for p := int32(0); p < 6; p++ {
		c[p] = 50
	}
	return ht.New(6).Lag(1*s, map[int32]int64{2: 0, 5: 0}, c).Lag(9*s, c, c)
}

func TestPoisonDeadLetteredPasses(t *testing.T) {
	h := drained().
		DeadLetter(2*s, 2, 17, "invalid post JSON: invalid character 'o' in literal null").
		DeadLetter(2*s, 5, 3, "unknown author 1007 (graph has users 0..999)").
		DeadLetter(3*s, 5, 3, "unknown author 1007 (graph has users 0..999)"). // again, after a rebalance: allowed
		History()
	r := PoisonDeadLettered(h, poisonRecords)
	wantPass(t, r)
	if want := "1 repeats"; !strings.Contains(r.Message, want) {
		t.Errorf("message should count repeats: %s", r.Message)
	}
}

func TestPoisonDeadLetteredFailsMissingWrongReasonStuckUnexpected(t *testing.T) {
	// Missing: no dead letter for the unknown author.
	h := drained().DeadLetter(2*s, 2, 17, "invalid post JSON: x").History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassNotDeadLettered, "unknown author 1007 at partition 5 offset 3 has no dead letter", "1 not-dead-lettered")

	// Wrong reason.
	h = drained().DeadLetter(2*s, 2, 17, "invalid post JSON: x").DeadLetter(2*s, 5, 3, "timeout").History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassWrongReason, `reason "timeout", which does not say "unknown author"`)

	// Stuck: dead-lettered, but the group never committed past it.
	c := map[int32]int64{2: 17, 5: 50}
	h = ht.New(6).Lag(9*s, c, c).DeadLetter(2*s, 2, 17, "invalid post JSON: x").DeadLetter(2*s, 5, 3, "unknown author 1007").History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassStuckOnPoison, "committed offset of partition 2 is 17 at +9s, not past it")

	// A well-formed record dead-lettered.
	h = drained().DeadLetter(2*s, 2, 17, "invalid post JSON: x").DeadLetter(2*s, 5, 3, "unknown author 1007").
		DeadLetter(4*s, 1, 8, "unknown author 12").History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassUnexpectedDeadLetter, "partition 1 offset 8", "which is no poison record")

	// Several classes: the first in order names the result, all are counted.
	h = drained().DeadLetter(4*s, 1, 8, "x").History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassNotDeadLettered, "2 not-dead-lettered, 1 unexpected-dead-letter")
}

func TestPoisonDeadLetteredNoObservations(t *testing.T) {
	wantFail(t, PoisonDeadLettered(drained().History(), nil), ClassNoObservations)
	wantFail(t, PoisonDeadLettered(ht.New(6).DeadLetter(2*s, 2, 17, "invalid post JSON").History(), poisonRecords), ClassNoObservations, "no lag sample")
}
