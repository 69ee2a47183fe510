package verify

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func wantNotApplicable(t *testing.T, r Result, mustName string) {
	t.Helper()
	if !r.Pass || !r.NotApplicable || r.Class != ClassNotApplicable || r.Error() != nil || !strings.Contains(r.Message, mustName) {
		t.Fatalf("want not-applicable naming %q, got %+v", mustName, r)
	}
	if !strings.Contains(Summary(r), "n/a") {
		t.Fatalf("summary does not say n/a:\n%s", Summary(r))
	}
}

// Every audit checker says not-applicable, never pass or fail, on an
// absent, truncated or holed audit.
func TestAuditCheckersNotApplicable(t *testing.T) {
	g := testGraph(t)
	a, _ := authorWith(t, g, 1)
	for name, h := range map[string]history.History{
		"absent":     ht.New(2).Post(1*s, "p1", a, 0, 0).AuditAbsent("HTTP 404").History(),
		"not synced": ht.New(2).Post(1*s, "p1", a, 0, 0).History(),
		"dropped":    ht.New(2).Post(1*s, "p1", a, 0, 0).AuditDropped(3).History(),
	} {
		t.Run(name, func(t *testing.T) {
			why := map[string]string{"absent": "HTTP 404", "not synced": "no audit was synced", "dropped": "dropped its 3 oldest"}[name]
			wantNotApplicable(t, CommitsCoverAppends(h, g), why)
			wantNotApplicable(t, CommittedMonotonicExact(h), why)
			wantNotApplicable(t, AtomicOffsets(h), why)
			d, r := DuplicateAppends(h)
			wantNotApplicable(t, r, why)
			if d != -1 {
				t.Errorf("dups %d on no audit, want -1", d)
			}
			wantNotApplicable(t, NoZombieWrites(h, 2*s), why)
		})
	}
	h := ht.New(2).AuditEmpty().History()
	h.Audit.Incomplete = "restarted without its saved audit"
	wantNotApplicable(t, CommittedMonotonicExact(h), "restarted without")
}

// Every audit checker fails with no-observations on an empty audit.
func TestAuditCheckersNoObservations(t *testing.T) {
	g := testGraph(t)
	a, _ := authorWith(t, g, 1)
	h := ht.New(2).Post(1*s, "p1", a, 0, 0).AuditEmpty().History()
	wantFail(t, CommitsCoverAppends(h, g), ClassNoObservations)
	wantFail(t, CommitsCoverAppends(ht.New(2).AuditEmpty().History(), g), ClassNoObservations, "no post was acked")
	wantFail(t, CommittedMonotonicExact(h), ClassNoObservations)
	wantFail(t, AtomicOffsets(h), ClassNoObservations)
	_, r := DuplicateAppends(h)
	wantFail(t, r, ClassNoObservations)
	wantFail(t, NoZombieWrites(h, 2*s), ClassNoObservations, "no assignment")
	// Refused commits are not commits.
	h = ht.New(2).Post(1*s, "p1", a, 0, 0).CommitRefused(2*s, "w1", 1, 22, map[int32]int64{0: 1}).History()
	wantFail(t, CommittedMonotonicExact(h), ClassNoObservations)
	wantFail(t, CommitsCoverAppends(h, g), ClassNoObservations)
}

func TestCommitsCoverAppendsPasses(t *testing.T) {
	g := testGraph(t)
	a, _ := authorWith(t, g, 3)
	h := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1)).
		Post(1*s, "p1", a, 0, 0).Post(1*s, "p2", a, 0, 1).Post(1*s, "p3", 999999, 1, 0).
		AppendFanOut(2*s, g, "w1").AppendDeadLetter(2*s, "w1", 1, 0).
		Commit(3*s, "w1", 1, map[int32]int64{0: 2, 1: 1}).
		Post(4*s, "p4", a, 0, 2). // not committed yet: not judged
		Commit(5*s, "w1", 1, map[int32]int64{0: 2}).History()
	r := CommitsCoverAppends(h, g)
	wantPass(t, r)
	if !strings.Contains(r.Message, "3 acked posts") {
		t.Errorf("message: %s", r.Message)
	}
}

func TestCommitsCoverAppendsCatchesPrematureCommit(t *testing.T) {
	g := testGraph(t)
	a, fs := authorWith(t, g, 3)
	b := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1)).
		Post(1*s, "p1", a, 0, 0).Post(1*s, "p2", a, 0, 1)
	// p2's last update is appended after the commit that covers it.
	b.AppendFanOut(2*s, g, "w1", ht.Pair{Post: "p2", Follower: fs[2]}).
		Commit(2500*ms, "w1", 1, map[int32]int64{0: 2}).
		Append(3*s, "w1", ht.U("p2", fs[2], "w1", 0, 1))
	r := CommitsCoverAppends(b.History(), g)
	wantFail(t, r, ClassPrematureCommit, "post p2 at partition 0 offset 1", "offset 2 committed at +2.5s", "w1 (member w1-m, generation 1)", "appended only later", "1 posts committed before")
	if !r.FirstAt.Equal(ht.At(2500 * ms)) {
		t.Errorf("first %v", r.FirstAt)
	}
	// Never appended at all; and a poison post committed without its dead letter.
	h := ht.New(2).Post(1*s, "p1", a, 1, 0).Post(1*s, "bad", 999999, 1, 1).
		AppendFanOut(2*s, g, "w1", ht.Pair{Post: "p1", Follower: fs[0]}).
		Commit(3*s, "w1", 1, map[int32]int64{1: 2}).History()
	wantFail(t, CommitsCoverAppends(h, g), ClassPrematureCommit, fmt.Sprintf("1 of its %d updates were never appended", len(fs)), "post bad at partition 1 offset 1", "dead letter was not appended")
}

func TestCommitsCoverAppendsTransactional(t *testing.T) {
	g := testGraph(t)
	a, _ := authorWith(t, g, 2)
	b := ht.New(1).Post(1*s, "p1", a, 0, 0)
	recs := b.FanOutRecords(g, "w1")
	// An aborted transaction's updates do not cover a later plain commit.
	h := b.TxnAppend(2*s, "w1", 7, recs...).EndTxn(3*s, "w1", 7, false).
		Commit(4*s, "w1", 1, map[int32]int64{0: 1}).History()
	wantFail(t, CommitsCoverAppends(h, g), ClassPrematureCommit, "never appended")
	// A committed one covers its own offsets.
	b = ht.New(1).Post(1*s, "p1", a, 0, 0)
	recs = b.FanOutRecords(g, "w1")
	h = b.TxnAppend(2*s, "w1", 7, recs...).TxnCommitOffsets(2*s, "w1", 7, map[int32]int64{0: 1}).EndTxn(3*s, "w1", 7, true).History()
	wantPass(t, CommitsCoverAppends(h, g))
}

func TestCommittedMonotonicExact(t *testing.T) {
	good := ht.New(2).Commit(1*s, "w1", 1, map[int32]int64{0: 5, 1: 3}).
		CommitRefused(2*s, "w2", 1, 22, map[int32]int64{0: 1}). // refused: not a commit
		Commit(3*s, "w2", 2, map[int32]int64{0: 5}).            // equal is fine
		Commit(4*s, "w2", 2, map[int32]int64{0: 9, 1: 4}).History()
	r := CommittedMonotonicExact(good)
	wantPass(t, r)
	if !strings.Contains(r.Message, "5 accepted partition offsets over 2 group partitions") {
		t.Errorf("message: %s", r.Message)
	}
	bad := ht.New(2).Commit(1*s, "w1", 1, map[int32]int64{0: 5}).
		Commit(1100*ms, "w2", 2, map[int32]int64{0: 4}).
		Commit(2*s, "w2", 2, map[int32]int64{0: 6}).History()
	r = CommittedMonotonicExact(bad)
	wantFail(t, r, ClassNonmonotonicCommit, "group g posts partition 0 committed 5 at +1s by w1 (member w1-m, generation 1), then 4 at +1.1s by w2 (member w2-m, generation 2) (back 1)", "1 decreases")
	if !r.FirstAt.Equal(ht.At(1100 * ms)) {
		t.Errorf("first %v", r.FirstAt)
	}
}

func TestAtomicOffsets(t *testing.T) {
	good := ht.New(2).TxnAppend(1*s, "w1", 7, ht.U("p1", 3, "w1", 0, 10), ht.U("p2", 4, "w1", 1, 4)).
		TxnCommitOffsets(1*s, "w1", 7, map[int32]int64{0: 11, 1: 5}).EndTxn(2*s, "w1", 7, true).
		// An aborted transaction without offsets is no violation.
		TxnAppend(3*s, "w1", 7, ht.U("p3", 3, "w1", 0, 11)).EndTxn(4*s, "w1", 7, false).History()
	r := AtomicOffsets(good)
	wantPass(t, r)
	if !strings.Contains(r.Message, "1 committed transactions judged") {
		t.Errorf("message: %s", r.Message)
	}

	uncovered := ht.New(2).TxnAppend(1*s, "w1", 7, ht.U("p1", 3, "w1", 0, 10), ht.U("p2", 4, "w1", 1, 4)).
		TxnCommitOffsets(1*s, "w1", 7, map[int32]int64{0: 11}).EndTxn(2*s, "w1", 7, true).History()
	wantFail(t, AtomicOffsets(uncovered), ClassNonAtomicCommit, "transaction w1-tx (producer 7 epoch 0) of w1 committed at +2s", "sources p1@4 not covered by its offsets (p0=11)")

	plain := ht.New(2).TxnAppend(1*s, "w1", 7, ht.U("p1", 3, "w1", 0, 10)).
		TxnCommitOffsets(1*s, "w1", 7, map[int32]int64{0: 11}).EndTxn(2*s, "w1", 7, true).
		Commit(3*s, "w1", 1, map[int32]int64{0: 11}).History()
	r = AtomicOffsets(plain)
	wantFail(t, r, ClassNonAtomicCommit, "transactional worker w1 committed posts/0=11 outside any transaction at +3s")
	if !r.FirstAt.Equal(ht.At(3 * s)) {
		t.Errorf("first %v", r.FirstAt)
	}
}

func TestDuplicateAppends(t *testing.T) {
	good := ht.New(2).Append(1*s, "w1", ht.U("p1", 3, "w1", 0, 1), ht.U("p1", 4, "w1", 0, 1)).
		TxnAppend(2*s, "w1", 7, ht.U("p1", 3, "w1", 0, 1)).EndTxn(3*s, "w1", 7, false). // aborted: not seen
		History()
	d, r := DuplicateAppends(good)
	wantPass(t, r)
	if d != 0 {
		t.Errorf("dups %d", d)
	}
	bad := ht.New(2).Append(1*s, "w1", ht.U("p1", 3, "w1", 0, 1), ht.U("p1", 4, "w1", 0, 1)).
		Append(2*s, "w2", ht.U("p1", 3, "w2", 0, 1)).Append(3*s, "w3", ht.U("p1", 3, "w3", 0, 1)).History()
	d, r = DuplicateAppends(bad)
	wantFail(t, r, ClassDuplicate, "post p1 -> follower 3 appended 3 times: +1s by w1 from p0@1, +2s by w2 from p0@1, +3s by w3 from p0@1", "2 duplicate copies of 1 pairs")
	if d != 2 || !r.FirstAt.Equal(ht.At(2*s)) {
		t.Errorf("dups %d first %v", d, r.FirstAt)
	}
}

func TestNoZombieWrites(t *testing.T) {
	good := ht.New(4).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1), ht.AM("w2", 2, 3)).
		Append(1*s, "w1", ht.U("p1", 3, "w1", 0, 1)).
		AssignClassic(2*s, "g", 2, ht.AM("w1", 0), ht.AM("w2", 1, 2, 3)).
		Append(3500*ms, "w1", ht.U("p2", 3, "w1", 1, 2)). // 1.5s after losing p1: within grace
		Append(5*s, "w2", ht.U("p3", 3, "w2", 1, 3)).
		AssignConsumer(6*s, "g848", "w3", 1, 3). // KIP-848: w3 takes 3 from w2
		Append(7*s, "w3", ht.U("p4", 3, "w3", 3, 0)).History()
	r := NoZombieWrites(good, 2*s)
	wantPass(t, r)
	if !strings.Contains(r.Message, "4 records judged against 3 assignments") {
		t.Errorf("message: %s", r.Message)
	}

	zombie := ht.New(4).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1), ht.AM("w2", 2, 3)).
		AssignClassic(2*s, "g", 2, ht.AM("w1", 0), ht.AM("w2", 1, 2, 3)).
		Append(4500*ms, "w1", ht.U("p2", 3, "w1", 1, 2)). // 2.5s after losing p1
		Append(5*s, "w1", ht.U("p5", 3, "w1", 3, 9)).     // never held p3
		History()
	r = NoZombieWrites(zombie, 2*s)
	wantFail(t, r, ClassZombieWrite, "w1 appended post p2 -> follower 3 from partition 1 offset 2 at +4.5s (seq 3), but last held it until +2s (2.5s before); the coordinator had given it to w2 (group g, generation 2, since +2s)",
		"from partition 3 offset 9 at +5s (seq 4), but never held it", "2 zombie writes from partitions 1,3")
	if !r.FirstAt.Equal(ht.At(4500 * ms)) {
		t.Errorf("first %v", r.FirstAt)
	}
	// KIP-848: a member whose partition went to another member is a zombie
	// past the grace, though its own last answer still listed it.
	z848 := ht.New(2).AssignConsumer(0, "g", "w1", 1, 0, 1).AssignConsumer(1*s, "g", "w2", 1, 1).
		Append(4*s, "w1", ht.U("p1", 3, "w1", 1, 5)).History()
	wantFail(t, NoZombieWrites(z848, 2*s), ClassZombieWrite, "last held it until +1s")
	// Exactly-once: a zombie's transaction appended while it held p and
	// committed after p moved is judged when it committed; an aborted
	// one is never visible.
	txz := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1)).
		TxnAppend(1*s, "w1", 7, ht.U("p1", 3, "w1", 1, 2)).
		AssignClassic(2*s, "g", 2, ht.AM("w2", 0, 1)).
		EndTxn(5*s, "w1", 7, true).History()
	wantFail(t, NoZombieWrites(txz, 2*s), ClassZombieWrite, "from partition 1 offset 2 at +1s (seq 2), its transaction committed at +5s (seq 4), but last held it until +2s (3s before)")
	// KIP-447's fencing point: offsets covering the record staged with a
	// checked generation while w1 held 1, then frozen past the move: the
	// commit on thaw is w1's work, judged where the offsets were staged.
	staged := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1)).
		TxnAppend(1*s, "w1", 7, ht.U("p1", 3, "w1", 1, 2)).
		TxnCommitOffsets(1100*ms, "w1", 7, map[int32]int64{1: 3}).
		AssignClassic(2*s, "g", 2, ht.AM("w2", 0, 1)).
		EndTxn(5*s, "w1", 7, true).History()
	wantPass(t, NoZombieWrites(staged, 2*s))
	// Not vouched for: offsets with no generation (group id only), offsets
	// not covering the record, or staged only after the move.
	groupOnly := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1)).
		TxnAppend(1*s, "w1", 7, ht.U("p1", 3, "w1", 1, 2)).
		TxnCommitOffsetsGroupOnly(1100*ms, "w1", 7, map[int32]int64{1: 3}).
		AssignClassic(2*s, "g", 2, ht.AM("w2", 0, 1)).
		EndTxn(5*s, "w1", 7, true).History()
	wantFail(t, NoZombieWrites(groupOnly, 2*s), ClassZombieWrite, "its transaction committed at +5s")
	short := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1)).
		TxnAppend(1*s, "w1", 7, ht.U("p1", 3, "w1", 1, 2)).
		TxnCommitOffsets(1100*ms, "w1", 7, map[int32]int64{1: 2, 0: 9}).
		AssignClassic(2*s, "g", 2, ht.AM("w2", 0, 1)).
		EndTxn(5*s, "w1", 7, true).History()
	wantFail(t, NoZombieWrites(short, 2*s), ClassZombieWrite, "its transaction committed at +5s")
	late := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1)).
		TxnAppend(1*s, "w1", 7, ht.U("p1", 3, "w1", 1, 2)).
		AssignClassic(2*s, "g", 2, ht.AM("w2", 0, 1)).
		TxnCommitOffsets(4500*ms, "w1", 7, map[int32]int64{1: 3}).
		EndTxn(5*s, "w1", 7, true).History()
	wantFail(t, NoZombieWrites(late, 2*s), ClassZombieWrite, "its transaction staged offsets covering it at +4.5s (seq 5), but last held it until +2s (2.5s before)")
	fenced := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1)).
		TxnAppend(1*s, "w1", 7, ht.U("p1", 3, "w1", 1, 2)).
		AssignClassic(2*s, "g", 2, ht.AM("w2", 0, 1)).
		EndTxn(5*s, "w1", 7, false).
		TxnAppend(6*s, "w2", 8, ht.U("p1", 3, "w2", 1, 2)).EndTxn(6500*ms, "w2", 8, true).History()
	wantPass(t, NoZombieWrites(fenced, 2*s))
	// A dead letter from a partition never held is a zombie write too.
	dl := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0)).AppendDeadLetter(1*s, "w1", 1, 3).History()
	wantFail(t, NoZombieWrites(dl, time.Second), ClassZombieWrite, "w1 appended a dead letter from partition 1 offset 3")
}

// An embedded broker keeps an audit: when the harness could not read it,
// every audit checker fails instead of saying not applicable.
func TestAuditCheckersFailWhenTheAuditCouldNotBeRead(t *testing.T) {
	g := testGraph(t)
	a, _ := authorWith(t, g, 1)
	h := ht.New(2).Post(1*s, "p1", a, 0, 0).AuditAbsent("connection refused").History()
	h.Audit.ReadErr = "connection refused"
	_, dup := DuplicateAppends(h)
	for _, r := range []Result{CommitsCoverAppends(h, g), CommittedMonotonicExact(h), AtomicOffsets(h), dup, NoZombieWrites(h, 2*s)} {
		wantFail(t, r, ClassNoObservations, "could not read it: connection refused")
		if r.NotApplicable {
			t.Errorf("%s: not applicable on an unread audit", r.Check)
		}
	}
}
