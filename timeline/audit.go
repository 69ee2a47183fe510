package timeline

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// SourceBroker is the broker's own audit: commits and the transactions
// they belong to, and the assignments the coordinator handed out.
const SourceBroker = "broker"

// auditEvents turns the broker's audit into timeline events: one per
// commit (plain or transactional) with its offsets and the broker's
// answer, one per transaction end, one per assignment. Appends are left to
// the verifier's per-second progress (there is one per produce batch).
// Fields: kind (the audit kind), outcome, error_code, generation, and
// offsets (partition -> offset, string keys) or members (client -> its
// partitions of the posts topic).
func auditEvents(a history.AuditLog, rel func(time.Time) time.Duration) []Event {
	var out []Event
	for _, e := range a.Entries {
		var text string
		fields := map[string]any{"kind": e.Kind, "outcome": e.Outcome, "seq": e.Seq}
		if e.ErrorCode != 0 {
			fields["error_code"] = e.ErrorCode
		}
		switch e.Kind {
		case history.AuditOffsetCommit, history.AuditTxnOffsetCommit:
			offs := map[string]int64{}
			var parts []string
			for _, o := range e.Offsets {
				offs[fmt.Sprint(o.Partition)] = o.Offset
				parts = append(parts, fmt.Sprintf("%d→%d", o.Partition, o.Offset))
			}
			fields["offsets"], fields["generation"] = offs, e.Generation
			what := "commits"
			if e.Kind == history.AuditTxnOffsetCommit {
				what = "stages in its transaction"
			}
			text = fmt.Sprintf("%s %s %s (generation %d): %s", or(e.ClientID, e.MemberID), what, strings.Join(parts, " "), e.Generation, outcome(e))
		case history.AuditEndTxn:
			verb := "aborts"
			if e.Commit {
				verb = "commits"
			}
			text = fmt.Sprintf("%s %s transaction %s (producer %d/%d): %s", or(e.ClientID, e.TransactionalID), verb, e.TransactionalID, e.ProducerID, e.ProducerEpoch, outcome(e))
		case history.AuditAssignment:
			members := map[string][]int32{}
			var names []string
			for _, m := range e.Assignments {
				who := or(m.ClientID, m.MemberID)
				var ps []int32
				for _, p := range m.Partitions {
					ps = append(ps, p...)
				}
				sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
				members[who] = ps
				names = append(names, fmt.Sprintf("%s %v", who, ps))
			}
			sort.Strings(names)
			fields["members"], fields["generation"] = members, e.Generation
			text = fmt.Sprintf("coordinator assigns (%s, generation %d): %s", e.Protocol, e.Generation, strings.Join(names, "; "))
		default:
			continue
		}
		out = append(out, Event{T: rel(e.At), At: e.At, Source: SourceBroker, Kind: e.Kind, Text: text, Fields: fields})
	}
	return out
}

func outcome(e history.AuditEntry) string {
	if e.ErrorCode != 0 {
		return fmt.Sprintf("%s (error %d)", e.Outcome, e.ErrorCode)
	}
	return e.Outcome
}

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
