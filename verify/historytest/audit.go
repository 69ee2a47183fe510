package historytest

import (
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
)

// Audit histories. The first audit call marks the audit present (as the
// embedded broker's would be); entries get Seq in call order, so call them
// in time order. Every entry is accepted unless its method says otherwise.
//
//	h := historytest.New(2).
//		AssignClassic(1*time.Second, "g", 1, historytest.AM("w1", 0, 1)).
//		Post(2*time.Second, "p1", 7, 0, 0).
//		AppendFanOut(3*time.Second, g, "w1").
//		Commit(4*time.Second, "w1", 1, map[int32]int64{0: 1}).
//		History()

// postsTopic is the topic assignments and commits name.
const postsTopic = "posts"

func (b *Builder) audit(at time.Duration, e history.AuditEntry) *Builder {
	if !b.h.Audit.Present {
		b.h.Audit.Present, b.h.Audit.Started = true, T0
	}
	b.seq++
	e.Seq, e.At = b.seq, At(at)
	if e.Outcome == "" {
		e.Outcome = history.OutcomeAccepted
	}
	if e.Kind != history.AuditAppend {
		e.BaseOffset = -1
	}
	b.h.Audit.Entries = append(b.h.Audit.Entries, e)
	return b
}

// AuditAbsent records that the broker keeps no audit, for reason.
func (b *Builder) AuditAbsent(reason string) *Builder {
	b.h.Audit = history.AuditLog{Reason: reason}
	return b
}

// AuditEmpty records a present audit with no entries.
func (b *Builder) AuditEmpty() *Builder {
	b.h.Audit.Present, b.h.Audit.Started = true, T0
	return b
}

// AuditDropped records that the broker dropped n entries.
func (b *Builder) AuditDropped(n int64) *Builder {
	b.h.Audit.Present, b.h.Audit.Started = true, T0
	b.h.Audit.Dropped = n
	return b
}

// AM is worker's share of an assignment: member id worker+"-m", client id
// worker, the given posts partitions.
func AM(worker string, partitions ...int32) history.AuditMember {
	return history.AuditMember{MemberID: worker + "-m", ClientID: worker, Partitions: map[string][]int32{postsTopic: partitions}}
}

// AssignClassic records the coordinator accepting a classic leader's
// assignment of group at generation gen.
func (b *Builder) AssignClassic(at time.Duration, group string, gen int32, members ...history.AuditMember) *Builder {
	return b.audit(at, history.AuditEntry{Kind: history.AuditAssignment, Protocol: "classic", Group: group, Generation: gen, MemberID: members[0].MemberID, Assignments: members})
}

// AssignConsumer records a KIP-848 heartbeat answer giving worker's member
// its partitions at member epoch epoch.
func (b *Builder) AssignConsumer(at time.Duration, group, worker string, epoch int32, partitions ...int32) *Builder {
	m := AM(worker, partitions...)
	return b.audit(at, history.AuditEntry{Kind: history.AuditAssignment, Protocol: "consumer", Group: group, Generation: epoch, ClientID: worker, MemberID: m.MemberID, Assignments: []history.AuditMember{m}})
}

func offsets(topic string, o map[int32]int64, code int16) []history.AuditOffset {
	var out []history.AuditOffset
	for p := int32(0); len(out) < len(o); p++ {
		if off, ok := o[p]; ok {
			out = append(out, history.AuditOffset{Topic: topic, Partition: p, Offset: off, ErrorCode: code})
		}
	}
	return out
}

// Commit records an accepted plain OffsetCommit by worker (member
// worker+"-m") at generation gen of posts partition -> next offset.
func (b *Builder) Commit(at time.Duration, worker string, gen int32, o map[int32]int64) *Builder {
	return b.audit(at, history.AuditEntry{Kind: history.AuditOffsetCommit, Group: "g", ClientID: worker, MemberID: worker + "-m", Generation: gen, ProducerID: -1, ProducerEpoch: -1, Offsets: offsets(postsTopic, o, 0)})
}

// CommitRefused records a plain OffsetCommit refused with code.
func (b *Builder) CommitRefused(at time.Duration, worker string, gen int32, code int16, o map[int32]int64) *Builder {
	return b.audit(at, history.AuditEntry{Kind: history.AuditOffsetCommit, Group: "g", ClientID: worker, MemberID: worker + "-m", Generation: gen, ProducerID: -1, ProducerEpoch: -1, Outcome: history.OutcomeRefused, ErrorCode: code, Offsets: offsets(postsTopic, o, code)})
}

// U is one feed update record naming its source.
func U(post string, follower int, worker string, sp int32, so int64) history.AuditRecord {
	return history.AuditRecord{PostID: post, Follower: follower, Worker: worker, SourcePartition: sp, SourceOffset: so}
}

// ProducerClient is the client id the builder gives worker's producer (the
// feed worker's own is WORKER_ID-producer; its consumer's is WORKER_ID).
func ProducerClient(worker string) string { return worker + "-producer" }

// Append records an accepted non-transactional append by worker's producer
// to feed-updates partition 0.
func (b *Builder) Append(at time.Duration, worker string, recs ...history.AuditRecord) *Builder {
	return b.audit(at, history.AuditEntry{Kind: history.AuditAppend, Topic: "feed-updates", ClientID: ProducerClient(worker), ProducerID: -1, ProducerEpoch: -1, Records: recs})
}

// FanOutRecords returns, for every acked post so far whose updates no
// visible append holds yet, one record per follower in g (posts of unknown
// authors are skipped), except the (post, follower) pairs skip names.
func (b *Builder) FanOutRecords(g *graph.Graph, worker string, skip ...Pair) []history.AuditRecord {
	done := map[Pair]bool{}
	for _, e := range b.h.Audit.Entries {
		if e.Kind == history.AuditAppend {
			for _, r := range e.Records {
				done[Pair{r.PostID, r.Follower}] = true
			}
		}
	}
	for _, s := range skip {
		done[s] = true
	}
	var out []history.AuditRecord
	for _, p := range b.h.Posts {
		fs, _ := g.Followers(p.Author)
		for _, f := range fs {
			k := Pair{p.PostID, f}
			if !done[k] {
				done[k] = true
				out = append(out, U(p.PostID, f, worker, p.Partition, p.Offset))
			}
		}
	}
	return out
}

// AppendFanOut appends FanOutRecords in one accepted append by worker.
func (b *Builder) AppendFanOut(at time.Duration, g *graph.Graph, worker string, skip ...Pair) *Builder {
	return b.Append(at, worker, b.FanOutRecords(g, worker, skip...)...)
}

// AppendDeadLetter records an accepted append to posts-dlq by worker for
// the post at sp/so.
func (b *Builder) AppendDeadLetter(at time.Duration, worker string, sp int32, so int64) *Builder {
	return b.audit(at, history.AuditEntry{Kind: history.AuditAppend, Topic: "posts-dlq", ClientID: ProducerClient(worker), ProducerID: -1, ProducerEpoch: -1,
		Records: []history.AuditRecord{{Reason: "unknown author", Worker: worker, SourcePartition: sp, SourceOffset: so}}})
}

// TxnAppend records an accepted transactional append by worker
// (transactional id worker+"-tx", producer pid epoch 0).
func (b *Builder) TxnAppend(at time.Duration, worker string, pid int64, recs ...history.AuditRecord) *Builder {
	return b.audit(at, history.AuditEntry{Kind: history.AuditAppend, Topic: "feed-updates", ClientID: ProducerClient(worker), TransactionalID: worker + "-tx", ProducerID: pid, Records: recs})
}

// TxnCommitOffsets records an accepted AddOffsetsToTxn and TxnOffsetCommit
// of posts partition -> next offset in worker's open transaction.
func (b *Builder) TxnCommitOffsets(at time.Duration, worker string, pid int64, o map[int32]int64) *Builder {
	b.audit(at, history.AuditEntry{Kind: history.AuditAddOffsetsToTxn, Group: "g", ClientID: ProducerClient(worker), TransactionalID: worker + "-tx", ProducerID: pid})
	return b.audit(at, history.AuditEntry{Kind: history.AuditTxnOffsetCommit, Group: "g", ClientID: ProducerClient(worker), MemberID: worker + "-m", TransactionalID: worker + "-tx", ProducerID: pid, Offsets: offsets(postsTopic, o, 0)})
}

// TxnCommitOffsetsGroupOnly is TxnCommitOffsets with group-id-only
// metadata (no member id, generation -1): offsets the coordinator cannot
// fence.
func (b *Builder) TxnCommitOffsetsGroupOnly(at time.Duration, worker string, pid int64, o map[int32]int64) *Builder {
	b.audit(at, history.AuditEntry{Kind: history.AuditAddOffsetsToTxn, Group: "g", ClientID: ProducerClient(worker), TransactionalID: worker + "-tx", ProducerID: pid})
	return b.audit(at, history.AuditEntry{Kind: history.AuditTxnOffsetCommit, Group: "g", ClientID: ProducerClient(worker), Generation: -1, TransactionalID: worker + "-tx", ProducerID: pid, Offsets: offsets(postsTopic, o, 0)})
}

// EndTxn records worker's transaction ending, accepted: committed or
// aborted.
func (b *Builder) EndTxn(at time.Duration, worker string, pid int64, commit bool) *Builder {
	return b.audit(at, history.AuditEntry{Kind: history.AuditEndTxn, ClientID: ProducerClient(worker), TransactionalID: worker + "-tx", ProducerID: pid, Commit: commit})
}
