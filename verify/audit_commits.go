package verify

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// CommittedMonotonicExact checks, from every offset the broker accepted as
// committed (the audit, not a sample), that no group's committed offset of
// any partition ever decreases (class "nonmonotonic-commit"). Plain commits
// count per accepted partition, transactional offsets when their
// transaction committed. Each decrease is one counter-example: group,
// topic, partition, the offset before (time, committer) and after (time,
// committer). The next comparison starts from the lower offset, so one
// rewind is reported once. It is not applicable without a usable audit and
// fails with "no-observations" when nothing was committed.
func CommittedMonotonicExact(h history.History) Result {
	const check = CheckCommittedMonotonicExact
	if why := auditGap(h); why != "" {
		return auditUnusable(check, h, why)
	}
	es := entries(h)
	commits := commitEvents(es, txnEnds(es))
	if len(commits) == 0 {
		return fail(check, ClassNoObservations, "the broker accepted no commit, so committed offsets cannot be judged.", time.Time{}, nil, 0)
	}
	type key struct {
		group, topic string
		p            int32
	}
	last := map[key]commitEvent{}
	type drop struct{ from, to commitEvent }
	var drops []drop
	for _, c := range commits {
		k := key{c.group, c.topic, c.partition}
		if l, ok := last[k]; ok && c.offset < l.offset {
			drops = append(drops, drop{l, c})
		}
		last[k] = c
	}
	summary := fmt.Sprintf("committed offsets should never decrease; %d accepted partition offsets over %d group partitions checked", len(commits), len(last))
	if len(drops) == 0 {
		return pass(check, summary+", none went back.")
	}
	var ex []string
	var pl []int32
	for _, d := range drops {
		pl = append(pl, d.to.partition)
		if len(ex) < MaxExamples {
			ex = append(ex, fmt.Sprintf("group %s %s partition %d committed %d at %s by %s, then %d at %s by %s (back %d)",
				d.to.group, d.to.topic, d.to.partition, d.from.offset, rel(h.Start, d.from.at), who(d.from), d.to.offset, rel(h.Start, d.to.at), who(d.to), d.from.offset-d.to.offset))
		}
	}
	msg := fmt.Sprintf("%s; %d decreases on partitions %s.", summary, len(drops), parts(pl))
	return fail(check, ClassNonmonotonicCommit, msg, drops[0].to.at, ex, len(drops))
}

// AtomicOffsets checks the exactly-once promise at the broker (class
// "non-atomic-commit"): a post's offset becomes committed in the same
// transaction as its updates.
//
//   - A transactional worker (a client that appended in a transaction or
//     sent transactional offsets) must never have a plain OffsetCommit
//     accepted.
//   - Every committed transaction that appended feed updates or dead
//     letters must commit, in the same transaction, offsets of the posts
//     topic beyond every source offset its records name: for each record
//     from source partition p offset o, the transaction's accepted
//     TxnOffsetCommit gives p an offset > o.
//
// Counter-examples name the client, the transaction (transactional id,
// producer id/epoch), its commit time, and the uncovered source or the
// plain commit. It is not applicable without a usable audit and fails with
// "no-observations" when no transaction that appended anything committed.
func AtomicOffsets(h history.History) Result {
	const check = CheckAtomicOffsets
	if why := auditGap(h); why != "" {
		return auditUnusable(check, h, why)
	}
	es := entries(h)
	ends := txnEnds(es)
	// Transactional workers: the workers their transactional records name
	// (a plain OffsetCommit comes from the worker's consumer, whose client
	// id is WORKER_ID, while its producer may have a client id of its own),
	// and the clients that sent transactional requests.
	txnClients := map[string]bool{}
	for _, e := range es {
		if (e.Kind == history.AuditAppend && e.TransactionalID != "") || e.Kind == history.AuditTxnOffsetCommit || e.Kind == history.AuditEndTxn {
			if e.ClientID != "" {
				txnClients[e.ClientID] = true
			}
			for _, r := range e.Records {
				if r.Worker != "" {
					txnClients[r.Worker] = true
				}
			}
		}
	}

	type txn struct {
		end     history.AuditEntry
		offsets map[int32]int64 // posts partition -> committed offset
		records int
		sources []srcKey
		client  string // the worker its records name, else the EndTxn's client
	}
	txns := map[int64]*txn{} // by the EndTxn's seq
	get := func(end history.AuditEntry) *txn {
		t, ok := txns[end.Seq]
		if !ok {
			t = &txn{end: end, offsets: map[int32]int64{}, client: end.ClientID}
			txns[end.Seq] = t
		}
		return t
	}
	for _, e := range es {
		end, ok := ends[e.Seq]
		if !ok || !committedEnd(end) {
			continue
		}
		switch {
		case e.Kind == history.AuditTxnOffsetCommit && e.Outcome == history.OutcomeAccepted:
			t := get(end)
			for _, o := range e.Offsets {
				if o.Topic == postsTopic && o.ErrorCode == 0 && o.Offset > t.offsets[o.Partition] {
					t.offsets[o.Partition] = o.Offset
				}
			}
		case e.Kind == history.AuditAppend && e.Outcome == history.OutcomeAccepted && (e.Topic == feedTopic || e.Topic == dlqTopic):
			t := get(end)
			for _, r := range e.Records {
				if r.Worker != "" {
					t.client = r.Worker
				}
				t.records++
				if r.Err != "" {
					continue // unparsed: it names no source to cover
				}
				t.sources = append(t.sources, srcKey{r.SourcePartition, r.SourceOffset})
			}
		}
	}

	var ex []string
	var first time.Time
	violations := 0
	note := func(at time.Time, s string) {
		violations++
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if len(ex) < MaxExamples {
			ex = append(ex, s)
		}
	}
	for _, e := range es {
		if e.Kind == history.AuditOffsetCommit && e.Outcome == history.OutcomeAccepted && txnClients[e.ClientID] {
			var os []string
			for _, o := range e.Offsets {
				os = append(os, fmt.Sprintf("%s/%d=%d", o.Topic, o.Partition, o.Offset))
			}
			note(e.At, fmt.Sprintf("transactional worker %s committed %s outside any transaction at %s (seq %d, plain OffsetCommit, member %s)",
				e.ClientID, strings.Join(os, " "), rel(h.Start, e.At), e.Seq, e.MemberID))
		}
	}
	seqs := make([]int64, 0, len(txns))
	judged := 0
	for s, t := range txns {
		if t.records > 0 {
			seqs = append(seqs, s)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	for _, s := range seqs {
		t := txns[s]
		judged++
		var unc []string
		for _, src := range t.sources {
			if c, ok := t.offsets[src.partition]; !ok || c <= src.offset {
				unc = append(unc, fmt.Sprintf("p%d@%d", src.partition, src.offset))
			}
		}
		if len(unc) > 0 {
			sort.Strings(unc)
			unc = slices.Compact(unc)
			committed := "none"
			if len(t.offsets) > 0 {
				var cs []string
				for p, o := range t.offsets {
					cs = append(cs, fmt.Sprintf("p%d=%d", p, o))
				}
				sort.Strings(cs)
				committed = strings.Join(cs, " ")
			}
			if len(unc) > 5 {
				unc = append(unc[:5], fmt.Sprintf("and %d more", len(unc)-5))
			}
			note(t.end.At, fmt.Sprintf("transaction %s (producer %d epoch %d) of %s committed at %s (seq %d) with %d records from sources %s not covered by its offsets (%s)",
				t.end.TransactionalID, t.end.ProducerID, t.end.ProducerEpoch, t.client, rel(h.Start, t.end.At), t.end.Seq, t.records, strings.Join(unc, ", "), committed))
		}
	}
	if judged == 0 && violations == 0 {
		return fail(check, ClassNoObservations, "no transaction that appended feed updates or dead letters committed, so nothing can be judged.", time.Time{}, nil, 0)
	}
	summary := fmt.Sprintf("each committed transaction should commit the offsets of the posts its records came from, and transactional workers (%d) should never commit outside one; %d committed transactions judged", len(txnClients), judged)
	if violations == 0 {
		return pass(check, summary+", all atomic.")
	}
	return fail(check, ClassNonAtomicCommit, fmt.Sprintf("%s; %d violations.", summary, violations), first, ex, violations)
}
