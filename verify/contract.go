package verify

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Check name and anomaly class of the contract checker.
const (
	CheckContractHonoured = "contract-honoured"

	ClassContractViolation = "contract-violation" // worker output the harness could not read under README's contract
)

// ContractHonoured checks that every line and record the workers wrote
// could be read under the worker contract (class "contract-violation"):
// h.Violations holds each stdout line that is not a contract event (or
// names another worker), each feed-updates record and each dead letter
// that does not parse (fixtures record them instead of dropping them).
// An unparsable feed update is reported here as its own anomaly;
// NoLostUpdates counts it neither as seen nor as excused and mentions it.
//
// Counter-examples are ordered by time and name the source (the worker for
// stdout, the partition and offset for a record), why the parser refused
// it, and the line (truncated). It fails with "no-observations" when
// nothing was read at all: no event, no update, no dead letter and no
// violation.
func ContractHonoured(h history.History) Result {
	const check = CheckContractHonoured
	read := len(h.Events) + len(h.Updates) + len(h.DeadLetters)
	if read+len(h.Violations) == 0 {
		return fail(check, ClassNoObservations, "every worker line and record should parse under the contract; nothing was read from any worker.", time.Time{}, nil, 0)
	}
	summary := fmt.Sprintf("every worker line and record should parse under the contract; read %d events, %d feed updates, %d dead letters",
		len(h.Events), len(h.Updates), len(h.DeadLetters))
	if len(h.Violations) == 0 {
		return pass(check, summary+", none refused.")
	}
	vs := append([]history.Violation(nil), h.Violations...)
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].At.Before(vs[j].At) })
	counts := map[string]int{}
	var ex []string
	for _, v := range vs {
		counts[v.Source]++
		if len(ex) >= MaxExamples {
			continue
		}
		where := "stdout of " + v.Worker
		if v.Source != history.SourceStdout {
			where = fmt.Sprintf("%s at partition %d offset %d", v.Source, v.Partition, v.Offset)
		}
		ex = append(ex, fmt.Sprintf("%s at %s: %s: %q", where, rel(h.Start, v.At), v.Reason, v.Line))
	}
	var tally []string
	for _, src := range []string{history.SourceStdout, history.SourceFeed, history.SourceDeadLetter} {
		if counts[src] > 0 {
			tally = append(tally, fmt.Sprintf("%d %s", counts[src], src))
		}
	}
	msg := fmt.Sprintf("%s; %d refused (%s).", summary, len(vs), strings.Join(tally, ", "))
	return fail(check, ClassContractViolation, msg, vs[0].At, ex, len(vs))
}

// unparsableUpdates counts the feed-updates records that did not parse.
func unparsableUpdates(h history.History) int {
	n := 0
	for _, v := range h.Violations {
		if v.Source == history.SourceFeed {
			n++
		}
	}
	return n
}
