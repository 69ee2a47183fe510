package verify

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// DuplicateAppends counts, from the audit, the (post, follower) feed
// updates appended more than once among the appends a reader sees
// (accepted, and for a transactional one its transaction committed):
// dups is the number of extra copies. The Result (class "duplicate") passes
// only when dups is zero, for the specs where zero is required (exactly-once,
// and the no-fault control); elsewhere report dups. Counter-examples name
// the post, follower and every copy (time, worker, source partition and
// offset). It is not applicable without a usable audit (dups is then -1)
// and fails with "no-observations" when no feed update was appended.
func DuplicateAppends(h history.History) (dups int, res Result) {
	const check = CheckNoDuplicateAppends
	if why := auditGap(h); why != "" {
		return -1, auditUnusable(check, h, why)
	}
	es := entries(h)
	type copyOf struct {
		at     time.Time
		seq    int64
		worker string
		sp     int32
		so     int64
	}
	copies := map[pair][]copyOf{}
	var order []pair
	n := 0
	for _, v := range visibleAppends(es, txnEnds(es), feedTopic) {
		for _, r := range v.e.Records {
			if r.Err != "" {
				continue
			}
			n++
			k := pair{r.PostID, r.Follower}
			if len(copies[k]) == 1 {
				order = append(order, k)
			}
			copies[k] = append(copies[k], copyOf{v.at, v.seq, appendWorker(v.e, r), r.SourcePartition, r.SourceOffset})
		}
	}
	if n == 0 {
		return 0, fail(check, ClassNoObservations, "no feed update was appended, so duplicates cannot be judged.", time.Time{}, nil, 0)
	}
	for _, k := range order {
		dups += len(copies[k]) - 1
	}
	summary := fmt.Sprintf("each (post, follower) update should be appended once; %d updates appended for %d pairs", n, len(copies))
	if dups == 0 {
		return 0, pass(check, summary+", no duplicates.")
	}
	var ex []string
	for _, k := range order {
		if len(ex) >= MaxExamples {
			break
		}
		var cs []string
		for _, c := range copies[k] {
			cs = append(cs, fmt.Sprintf("%s by %s from p%d@%d", rel(h.Start, c.at), c.worker, c.sp, c.so))
		}
		ex = append(ex, fmt.Sprintf("post %s -> follower %d appended %d times: %s", k.post, k.follower, len(copies[k]), strings.Join(cs, ", ")))
	}
	first := copies[order[0]][1].at
	return dups, fail(check, ClassDuplicate, fmt.Sprintf("%s; %d duplicate copies of %d pairs.", summary, dups, len(order)), first, ex, len(order))
}

// NoZombieWrites checks that no worker appends feed updates (or dead
// letters) from a posts partition the coordinator did not give it (class
// "zombie-write"), beyond grace: an append by worker W (its client id)
// naming source partition p, visible at broker time t (when it was
// appended, or for a transactional one when its transaction committed: a
// zombie's transaction appended while it still held p and committed after
// p moved makes its records visible all the same), is a zombie write when the
// coordinator's latest assignment before it did not give p to W and W last
// held p more than grace before t (or never did).
//
// A transactional record is judged earlier, at the fencing point of
// KIP-447, when its transaction staged offsets covering its post (a
// TxnOffsetCommit after the record's append, accepted with the member id
// and generation the coordinator checks): the coordinator then vouched
// that W still held p, and a transaction committed after that is W's work,
// not a zombie's (its successor's offset fetch waits for it, require
// stable). A worker frozen between staging its offsets and committing
// commits legitimately on thaw; one whose offsets carry no generation
// (group id only) or are staged after p moved is judged at its commit.
//
// Ownership comes from the audit's assignments, in the broker's order: a
// classic assignment (the leader's SyncGroup the coordinator accepted)
// replaces the whole group's ownership at its generation; a KIP-848
// heartbeat answer gives one member its partitions and takes them from any
// other member. Only visible appends count (accepted; transactional ones
// whose transaction committed), so a fenced zombie's aborted writes do
// not. Counter-examples name the worker, post, source partition and
// offset, the append time, and when W last held p and who held it then.
// It is not applicable without a usable audit and fails with
// "no-observations" when there was no assignment or no append.
func NoZombieWrites(h history.History, grace time.Duration) Result {
	const check = CheckNoZombieWrites
	if why := auditGap(h); why != "" {
		return auditUnusable(check, h, why)
	}
	es := entries(h)
	ends := txnEnds(es)
	apps := append(visibleAppends(es, ends, feedTopic), visibleAppends(es, ends, dlqTopic)...)
	sort.SliceStable(apps, func(i, j int) bool { return apps[i].seq < apps[j].seq })

	// lastHeld[client][p]: when client last held p (still, or until it
	// was taken).
	type held struct {
		until   time.Time
		current bool
	}
	// The accepted, generation-checked TxnOffsetCommits per producer.
	staged := map[producer][]history.AuditEntry{}
	for _, e := range es {
		if e.Kind == history.AuditTxnOffsetCommit && e.Outcome == history.OutcomeAccepted && e.MemberID != "" && e.Generation >= 0 {
			k := producer{e.ProducerID, e.ProducerEpoch}
			staged[k] = append(staged[k], e)
		}
	}
	// judgement is one record and the point of the broker's order it is
	// judged at.
	type judgement struct {
		v      visible
		r      history.AuditRecord
		seq    int64
		at     time.Time
		staged bool
	}
	var js []judgement
	for _, v := range apps {
		for _, r := range v.e.Records {
			if r.Err != "" {
				continue
			}
			j := judgement{v: v, r: r, seq: v.seq, at: v.at}
			if v.e.TransactionalID != "" {
			stagedFor:
				for _, c := range staged[producer{v.e.ProducerID, v.e.ProducerEpoch}] {
					if c.Seq <= v.e.Seq || c.Seq >= v.seq {
						continue
					}
					for _, o := range c.Offsets {
						if o.Topic == postsTopic && o.Partition == r.SourcePartition && o.ErrorCode == 0 && o.Offset > r.SourceOffset {
							j.seq, j.at, j.staged = c.Seq, c.At, true
							break stagedFor
						}
					}
				}
			}
			js = append(js, j)
		}
	}
	sort.SliceStable(js, func(i, k int) bool { return js[i].seq < js[k].seq })

	lastHeld := map[string]map[int32]*held{}
	touch := func(client string, p int32) *held {
		if lastHeld[client] == nil {
			lastHeld[client] = map[int32]*held{}
		}
		if lastHeld[client][p] == nil {
			lastHeld[client][p] = &held{}
		}
		return lastHeld[client][p]
	}
	own := owners{
		released: func(hd holding, p int32, at time.Time) {
			x := touch(hd.client, p)
			x.current, x.until = false, at
		},
		given: func(client string, p int32) { touch(client, p).current = true },
	}
	var ex []string
	var first time.Time
	var pl []int32
	zombies, judged := 0, 0
	ai := 0
	asg := acceptedAssignments(es)
	for _, j := range js {
		for ai < len(asg) && asg[ai].Seq < j.seq {
			own.apply(asg[ai])
			ai++
		}
		v, r := j.v, j.r
		w := appendWorker(v.e, r)
		judged++
		x := lastHeld[w][r.SourcePartition]
		if x != nil && (x.current || j.at.Sub(x.until) <= grace) {
			continue
		}
		zombies++
		pl = append(pl, r.SourcePartition)
		if first.IsZero() {
			first = j.at
		}
		if len(ex) < MaxExamples {
			lost := "never held it"
			if x != nil {
				lost = fmt.Sprintf("last held it until %s (%s before)", rel(h.Start, x.until), j.at.Sub(x.until).Round(time.Millisecond))
			}
			var holders []string
			for g, hd := range own.holdersOf(r.SourcePartition) {
				holders = append(holders, fmt.Sprintf("%s (group %s, generation %d, since %s)", hd.client, g, hd.gen, rel(h.Start, hd.since)))
			}
			now := "nobody"
			if len(holders) > 0 {
				sort.Strings(holders)
				now = strings.Join(holders, ", ")
			}
			what := "post " + r.PostID
			if v.e.Topic == dlqTopic {
				what = "a dead letter"
			} else {
				what += fmt.Sprintf(" -> follower %d", r.Follower)
			}
			when := fmt.Sprintf("at %s (seq %d)", rel(h.Start, v.e.At), v.e.Seq)
			if j.staged {
				when += fmt.Sprintf(", its transaction staged offsets covering it at %s (seq %d)", rel(h.Start, j.at), j.seq)
			} else if v.seq != v.e.Seq {
				when += fmt.Sprintf(", its transaction committed at %s (seq %d)", rel(h.Start, v.at), v.seq)
			}
			ex = append(ex, fmt.Sprintf("%s appended %s from partition %d offset %d %s, but %s; the coordinator had given it to %s",
				w, what, r.SourcePartition, r.SourceOffset, when, lost, now))
		}
	}
	for ; ai < len(asg); ai++ {
		own.apply(asg[ai])
	}
	if own.applied == 0 {
		return fail(check, ClassNoObservations, "the coordinator handed out no assignment in the audit, so ownership is unknown.", time.Time{}, nil, 0)
	}
	if judged == 0 {
		return fail(check, ClassNoObservations, "no feed update or dead letter was appended, so no write can be judged.", time.Time{}, nil, 0)
	}
	summary := fmt.Sprintf("every append should come from a partition its worker held (grace %s after losing it); %d records judged against %d assignments", grace, judged, own.applied)
	if zombies == 0 {
		return pass(check, summary+", none from a partition the worker did not hold.")
	}
	return fail(check, ClassZombieWrite, fmt.Sprintf("%s; %d zombie writes from partitions %s.", summary, zombies, parts(pl)), first, ex, zombies)
}
