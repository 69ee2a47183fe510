package verify

import (
	"strings"
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
	"github.com/streamsocial/feedchaos/workers/contract"
)

var poisonRecords = []Poison{
	{Partition: 2, Offset: 17, Kind: "not JSON", ReasonKind: contract.DeadLetterUnparsable, Value: []byte("not a post")},
	{Partition: 5, Offset: 3, Kind: "unknown author 1007", ReasonKind: contract.DeadLetterUnknownAuthor, Value: []byte(`{"post_id":"u","author_id":1007}`)},
}

const (
	unparsable = contract.DeadLetterUnparsable
	unknown    = contract.DeadLetterUnknownAuthor
	rawText    = "not a post"                                   // the first poison's value as text
	rawB64     = "eyJwb3N0X2lkIjoidSIsImF1dGhvcl9pZCI6MTAwN30=" // the second's as base64
)

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
		DeadLetterKind(2*s, 2, 17, unparsable, rawText).
		DeadLetterKind(2*s, 5, 3, unknown, rawB64).
		DeadLetterKind(3*s, 5, 3, unknown, `{"post_id":"u","author_id":1007}`). // again, after a rebalance, raw as text: allowed
		History()
	r := PoisonDeadLettered(h, poisonRecords)
	wantPass(t, r)
	if want := "1 repeats"; !strings.Contains(r.Message, want) {
		t.Errorf("message should count repeats: %s", r.Message)
	}
}

func TestPoisonDeadLetteredFailsMissingWrongReasonStuckUnexpected(t *testing.T) {
	// Missing: no dead letter for the unknown author.
	h := drained().DeadLetterKind(2*s, 2, 17, unparsable, rawText).History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassNotDeadLettered, "unknown author 1007 at partition 5 offset 3 has no dead letter", "1 not-dead-lettered")

	// Wrong reason kind: the free text would say "unknown author", the kind does not.
	h = drained().DeadLetterKind(2*s, 2, 17, unparsable, rawText).DeadLetterKind(2*s, 5, 3, unparsable, rawB64).History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassWrongReason, `reason_kind "unparsable"`, `not "unknown-author"`)

	// Wrong raw: neither base64 of the value nor its text.
	h = drained().DeadLetterKind(2*s, 2, 17, unparsable, "bm90IGEgcG9zdA").DeadLetterKind(2*s, 5, 3, unknown, rawB64).History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassWrongRaw, `raw "bm90IGEgcG9zdA"`)

	// Stuck: dead-lettered, but the group never committed past it.
	c := map[int32]int64{2: 17, 5: 50}
	h = ht.New(6).Lag(9*s, c, c).DeadLetterKind(2*s, 2, 17, unparsable, rawText).DeadLetterKind(2*s, 5, 3, unknown, rawB64).History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassStuckOnPoison, "committed offset of partition 2 is 17 at +9s, not past it")

	// A well-formed record dead-lettered.
	h = drained().DeadLetterKind(2*s, 2, 17, unparsable, rawText).DeadLetterKind(2*s, 5, 3, unknown, rawB64).
		DeadLetterKind(4*s, 1, 8, unknown, "x").History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassUnexpectedDeadLetter, "partition 1 offset 8", "which is no poison record")

	// Several classes: the first in order names the result, all are counted.
	h = drained().DeadLetter(4*s, 1, 8, "x").History()
	wantFail(t, PoisonDeadLettered(h, poisonRecords), ClassNotDeadLettered, "2 not-dead-lettered, 1 unexpected-dead-letter")
}

func TestPoisonDeadLetteredNoObservations(t *testing.T) {
	wantFail(t, PoisonDeadLettered(drained().History(), nil), ClassNoObservations)
	wantFail(t, PoisonDeadLettered(ht.New(6).DeadLetter(2*s, 2, 17, "invalid post JSON").History(), poisonRecords), ClassNoObservations, "no lag sample")
}
