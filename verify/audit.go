package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// The checkers on the broker's audit (history.History.Audit): what the
// broker itself processed, in its order (Seq) and by its clock (At). They
// judge commits, appends and assignments exactly, not from samples.
//
// Each of them says "not applicable" (Result.NotApplicable, class
// "not-applicable") when the history has no usable audit: the broker keeps
// none (an external cluster), or its audit has a hole (entries dropped to
// stay within its bound, or a restart without the saved audit). They never
// pass silently on a missing audit, and never fail on one.

// Check names of the audit-based checkers.
const (
	CheckCommitsCoverAppends     = "commits-cover-appends"
	CheckCommittedMonotonicExact = "committed-monotonic-exact"
	CheckAtomicOffsets           = "atomic-offsets"
	CheckNoDuplicateAppends      = "no-duplicate-appends"
	CheckNoZombieWrites          = "no-zombie-writes"
)

// Anomaly classes of the audit-based checkers.
const (
	ClassPrematureCommit = "premature-commit"  // an offset committed before the updates of a post below it were appended
	ClassNonAtomicCommit = "non-atomic-commit" // exactly-once: offsets committed outside the transaction of their updates
	ClassZombieWrite     = "zombie-write"      // an update appended from a partition its worker did not own
	ClassNotApplicable   = "not-applicable"    // the data the check needs does not exist (no broker audit): neither pass nor fail
)

// Topics the audit checkers read (the contract's defaults, which the
// harness uses).
const (
	postsTopic = contract.DefaultPostsTopic
	feedTopic  = contract.DefaultFeedTopic
	dlqTopic   = contract.DefaultDLQTopic
)

func notApplicable(check, why string) Result {
	return Result{Check: check, Pass: true, NotApplicable: true, Class: ClassNotApplicable, Message: check + " [" + ClassNotApplicable + "]: " + why}
}

// auditGap says why h's audit cannot be judged, or "" when it can.
func auditGap(h history.History) string {
	a := h.Audit
	switch {
	case !a.Present:
		why := a.Reason
		if why == "" {
			why = "no audit was synced into the history"
		}
		return "the broker's audit is absent (" + why + ")."
	case a.Dropped > 0:
		return fmt.Sprintf("the broker's audit dropped its %d oldest entries to stay within its bound, so it cannot be judged whole.", a.Dropped)
	case a.Incomplete != "":
		return "the broker's audit is incomplete: " + a.Incomplete + "."
	}
	return ""
}

// auditUnusable is an audit checker's verdict when auditGap found why the
// audit cannot be judged: not applicable where there is no audit to read
// (no embedded broker, a broker without one), but a failure when the
// embedded broker has one and the harness could not read it: a check that
// could not look must not look like one that had nothing to see.
func auditUnusable(check string, h history.History, why string) Result {
	if h.Audit.ReadErr != "" {
		return fail(check, ClassNoObservations, check+": the broker keeps an audit, but the harness could not read it: "+h.Audit.ReadErr, time.Time{}, nil, 0)
	}
	return notApplicable(check, why)
}

// entries returns the audit entries in the broker's order.
func entries(h history.History) []history.AuditEntry {
	es := append([]history.AuditEntry(nil), h.Audit.Entries...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].Seq < es[j].Seq })
	return es
}

// producer names one producer incarnation: a transaction is identified by
// its producer id and epoch.
type producer struct {
	id    int64
	epoch int16
}

// txnEnds maps the seq of every transactional entry (append, offsets) to
// the EndTxn that ended its transaction: the first EndTxn of the same
// producer after it. Entries whose transaction never ended are absent.
func txnEnds(es []history.AuditEntry) map[int64]history.AuditEntry {
	open := map[producer][]int64{}
	out := map[int64]history.AuditEntry{}
	for _, e := range es {
		k := producer{e.ProducerID, e.ProducerEpoch}
		switch {
		case e.Kind == history.AuditAppend && e.TransactionalID != "", e.Kind == history.AuditTxnOffsetCommit:
			open[k] = append(open[k], e.Seq)
		case e.Kind == history.AuditEndTxn:
			for _, s := range open[k] {
				out[s] = e
			}
			delete(open, k)
		}
	}
	return out
}

func committedEnd(e history.AuditEntry) bool {
	return e.Kind == history.AuditEndTxn && e.Commit && e.Outcome == history.OutcomeAccepted
}

// visible is an accepted append and when its records became readable: at
// once, or when its transaction committed.
type visible struct {
	e   history.AuditEntry
	seq int64
	at  time.Time
}

// visibleAppends returns the appends to topic whose records a reader
// sees, in the order they became visible: accepted non-transactional ones,
// and transactional ones whose transaction committed.
func visibleAppends(es []history.AuditEntry, ends map[int64]history.AuditEntry, topic string) []visible {
	var out []visible
	for _, e := range es {
		if e.Kind != history.AuditAppend || e.Topic != topic || e.Outcome != history.OutcomeAccepted {
			continue
		}
		if e.TransactionalID == "" {
			out = append(out, visible{e, e.Seq, e.At})
			continue
		}
		if end, ok := ends[e.Seq]; ok && committedEnd(end) {
			out = append(out, visible{e, end.Seq, end.At})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// commitEvent is one partition's offset becoming committed.
type commitEvent struct {
	seq       int64
	at        time.Time
	group     string
	member    string
	client    string
	gen       int32
	topic     string
	partition int32
	offset    int64
	txn       string // transactional id, "" for a plain OffsetCommit
}

// commitEvents returns every offset the broker accepted as committed, in
// its order: plain OffsetCommits per accepted partition, and the offsets of
// a TxnOffsetCommit when (and at the seq where) its transaction committed.
func commitEvents(es []history.AuditEntry, ends map[int64]history.AuditEntry) []commitEvent {
	var out []commitEvent
	for _, e := range es {
		var seq int64
		var at time.Time
		switch {
		case e.Kind == history.AuditOffsetCommit && e.Outcome != history.OutcomeUnknown:
			seq, at = e.Seq, e.At
		case e.Kind == history.AuditTxnOffsetCommit && e.Outcome == history.OutcomeAccepted:
			end, ok := ends[e.Seq]
			if !ok || !committedEnd(end) {
				continue
			}
			seq, at = end.Seq, end.At
		default:
			continue
		}
		for _, o := range e.Offsets {
			if o.ErrorCode != 0 {
				continue
			}
			out = append(out, commitEvent{seq, at, e.Group, e.MemberID, e.ClientID, e.Generation, o.Topic, o.Partition, o.Offset, e.TransactionalID})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// appendWorker is who appended: the worker the record names (the contract
// puts WORKER_ID in every record; a worker's producer may have a client id
// of its own, e.g. "w1-producer"), else the producing client's id.
func appendWorker(e history.AuditEntry, r history.AuditRecord) string {
	if r.Worker != "" {
		return r.Worker
	}
	return e.ClientID
}

func who(c commitEvent) string {
	w := c.client
	if w == "" {
		w = "client ?"
	}
	if c.txn != "" {
		return fmt.Sprintf("%s (transaction %s)", w, c.txn)
	}
	return fmt.Sprintf("%s (member %s, generation %d)", w, c.member, c.gen)
}
