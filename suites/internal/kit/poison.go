package kit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// FaultPoison names the poison records ProducePoison writes.
const FaultPoison = "poison-posts"

// PoisonRecord is one kind of record a worker must dead-letter.
type PoisonRecord struct {
	Kind       string // for messages
	Key, Value []byte
	ReasonKind string // the reason_kind its dead letter must give (contract.DeadLetter*)
}

// PoisonRecords returns the poison the DLQ specs produce, two of each
// kind (with different keys, so they land on different partitions):
// values that are not JSON, truncated JSON, and well-formed posts whose
// author the graph of users 0..users-1 does not know (beyond it, and
// negative).
func PoisonRecords(users int) []PoisonRecord {
	post := func(id string, author int) []byte {
		v, _ := json.Marshal(contract.Post{ID: id, Author: author, CreatedAt: time.Now().UTC(), Seq: -1})
		return v
	}
	var out []PoisonRecord
	for i := 0; i < 2; i++ {
		out = append(out,
			PoisonRecord{Kind: "not JSON", Key: []byte(fmt.Sprintf("garbage-%d", i)), Value: []byte("this is not a post"), ReasonKind: contract.DeadLetterUnparsable},
			PoisonRecord{Kind: "truncated JSON", Key: []byte(fmt.Sprintf("cut-%d", i)), Value: []byte(`{"post_id":"poison-cut","author_id":`), ReasonKind: contract.DeadLetterUnparsable},
			PoisonRecord{Kind: fmt.Sprintf("unknown author %d", users+7+i), Key: []byte(strconv.Itoa(users + 7 + i)), Value: post(fmt.Sprintf("poison-u%d", i), users+7+i), ReasonKind: contract.DeadLetterUnknownAuthor},
			PoisonRecord{Kind: fmt.Sprintf("unknown author %d", -3-i), Key: []byte(strconv.Itoa(-3 - i)), Value: post(fmt.Sprintf("poison-n%d", i), -3-i), ReasonKind: contract.DeadLetterUnknownAuthor},
		)
	}
	return out
}

// ProducePoison writes rs to the posts topic (acked, not recorded as
// posts: nothing is expected of them on the feed), records where each
// landed as a note and the batch as a fault mark, and returns them as
// verify.Poison for verify.PoisonDeadLettered.
func ProducePoison(ctx context.Context, st *fixtures.Stage, rs []PoisonRecord) ([]verify.Poison, time.Time) {
	GinkgoHelper()
	By(fmt.Sprintf("producing %d poison records among the posts", len(rs)))
	at := time.Now()
	st.Mark(FaultPoison, st.Topics.Posts, history.PhaseInject, fmt.Sprintf("%d records that do not parse or name an unknown author", len(rs)))
	var out []verify.Poison
	for _, r := range rs {
		p, o, err := st.Producer.ProduceRaw(ctx, r.Key, r.Value)
		Expect(err).NotTo(HaveOccurred(), "producing poison (%s)", r.Kind)
		st.Note("poison (%s) at partition %d offset %d", r.Kind, p, o)
		out = append(out, verify.Poison{Partition: p, Offset: o, Kind: r.Kind, ReasonKind: r.ReasonKind, Value: r.Value})
	}
	return out, at
}

// AwaitDeadLettered waits until the verifier has read a dead letter for
// every poison record and records the fault's bite; when that does not
// happen within within it says so and returns (the checks judge it).
func AwaitDeadLettered(ctx context.Context, st *fixtures.Stage, poison []verify.Poison, within time.Duration) time.Duration {
	GinkgoHelper()
	d, err := st.WaitUntil(ctx, within, "every poison record dead-lettered", func() (bool, string) {
		got := map[[2]int64]bool{}
		for _, d := range st.Rec.Snapshot().DeadLetters {
			got[[2]int64{int64(d.SourcePartition), d.SourceOffset}] = true
		}
		for _, p := range poison {
			if !got[[2]int64{int64(p.Partition), p.Offset}] {
				return false, fmt.Sprintf("no dead letter yet for %s at partition %d offset %d", p.Kind, p.Partition, p.Offset)
			}
		}
		return true, ""
	})
	// Not fatal: the spec's poison-dead-lettered check judges each poison
	// record from the history (naming the one missing and why), and the
	// data checks still run. A worker that skips or crash-loops on poison
	// must fail by name, not by a timeout here.
	if err != nil {
		GinkgoWriter.Printf("not every poison record was dead-lettered within %s: %v\n", within, err)
		return d
	}
	st.Mark(FaultPoison, st.Topics.Posts, history.PhaseBit, fmt.Sprintf("%d dead letters read", len(poison)))
	return d
}
