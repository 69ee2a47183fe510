package verify

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// Check name and anomaly classes of the dead-letter checker.
const (
	CheckPoisonDeadLettered = "poison-dead-lettered"

	ClassNotDeadLettered      = "not-dead-lettered"      // a poison record has no dead letter at its source partition and offset
	ClassWrongReason          = "wrong-reason"           // its dead letter's reason_kind is not the poison's kind
	ClassWrongRaw             = "wrong-raw"              // its dead letter's raw is neither the base64 of the record's value nor its text
	ClassStuckOnPoison        = "stuck-on-poison"        // the group never committed past a poison record
	ClassUnexpectedDeadLetter = "unexpected-dead-letter" // a dead letter for a record that is not one of the poison records
)

// Poison is a record a spec wrote to the posts topic that a correct worker
// must dead-letter rather than fan out or choke on. Poison records are not
// acked posts (history.PostAck): nothing is expected from them on the feed.
type Poison struct {
	Partition int32
	Offset    int64
	Kind      string // what is wrong with it, for messages: "not JSON", "unknown author 1007"
	// ReasonKind is the reason_kind its dead letter must give
	// (contract.DeadLetterUnparsable, contract.DeadLetterUnknownAuthor).
	// The free-text reason is never judged.
	ReasonKind string
	// Value is the record's value; its dead letter's raw must carry it
	// (contract.RawIs). Nil: raw not judged.
	Value []byte
}

// PoisonDeadLettered checks the dead-letter topic against the poison
// records the spec produced (h.DeadLetters are what the verifier read from
// it):
//
//   - every poison record has a dead letter with its source partition and
//     offset (class "not-dead-lettered"), whose reason_kind is
//     Poison.ReasonKind (class "wrong-reason"; the free-text reason is
//     never read) and whose raw carries Poison.Value, as base64 or as text
//     (class "wrong-raw", contract.RawIs);
//   - the group committed past every poison record: in the last lag
//     sample its partition's committed offset is above the poison's offset
//     (class "stuck-on-poison": the worker did not move on);
//   - every dead letter is for one of the poison records (class
//     "unexpected-dead-letter": a well-formed post was dead-lettered; see
//     also NoLostUpdates, which counts its updates as lost).
//
// The first failing class in that order names the result; the
// counter-examples cover all of them, by partition and offset. A poison
// record dead-lettered more than once (allowed at least once) is counted in
// the message only. It fails with "no-observations" when no poison record
// is given or there is no lag sample.
func PoisonDeadLettered(h history.History, poison []Poison) Result {
	const check = CheckPoisonDeadLettered
	if len(poison) == 0 {
		return fail(check, ClassNoObservations, "no poison record was produced, so nothing could be dead-lettered.", time.Time{}, nil, 0)
	}
	if len(h.Lag) == 0 {
		return fail(check, ClassNoObservations, fmt.Sprintf("%d poison records were produced but there is no lag sample to show the group committed past them.", len(poison)), time.Time{}, nil, 0)
	}
	last := h.Lag[len(h.Lag)-1]
	for _, l := range h.Lag {
		if l.At.After(last.At) {
			last = l
		}
	}
	letters := map[srcKey][]history.DeadLetterSeen{}
	for _, d := range h.DeadLetters {
		k := srcKey{d.SourcePartition, d.SourceOffset}
		letters[k] = append(letters[k], d)
	}
	ps := append([]Poison(nil), poison...)
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Partition != ps[j].Partition {
			return ps[i].Partition < ps[j].Partition
		}
		return ps[i].Offset < ps[j].Offset
	})
	type cx struct {
		class string
		text  string
		at    time.Time
	}
	var cxs []cx
	isPoison := map[srcKey]bool{}
	extra := 0
	for _, p := range ps {
		k := srcKey{p.Partition, p.Offset}
		isPoison[k] = true
		ds := letters[k]
		where := fmt.Sprintf("%s at partition %d offset %d", p.Kind, p.Partition, p.Offset)
		switch {
		case len(ds) == 0:
			cxs = append(cxs, cx{ClassNotDeadLettered, where + " has no dead letter", time.Time{}})
		case ds[0].ReasonKind != p.ReasonKind:
			cxs = append(cxs, cx{ClassWrongReason, fmt.Sprintf("%s dead-lettered at %s with reason_kind %q (reason %q), not %q", where, rel(h.Start, ds[0].At), ds[0].ReasonKind, ds[0].Reason, p.ReasonKind), ds[0].At})
		case p.Value != nil && !contract.RawIs(ds[0].Raw, p.Value):
			cxs = append(cxs, cx{ClassWrongRaw, fmt.Sprintf("%s dead-lettered at %s with raw %q, which is neither the base64 of its value nor its text %q", where, rel(h.Start, ds[0].At), ds[0].Raw, p.Value), ds[0].At})
		}
		if len(ds) > 1 {
			extra += len(ds) - 1
		}
		if c, ok := last.Committed[p.Partition]; !ok || c <= p.Offset {
			cxs = append(cxs, cx{ClassStuckOnPoison, fmt.Sprintf("%s: committed offset of partition %d is %d at %s, not past it", where, p.Partition, c, rel(h.Start, last.At)), last.At})
		}
	}
	unexpected := 0
	for _, d := range h.DeadLetters {
		if isPoison[srcKey{d.SourcePartition, d.SourceOffset}] {
			continue
		}
		unexpected++
		cxs = append(cxs, cx{ClassUnexpectedDeadLetter, fmt.Sprintf("dead letter at %s for partition %d offset %d (reason %q), which is no poison record", rel(h.Start, d.At), d.SourcePartition, d.SourceOffset, d.Reason), d.At})
	}
	summary := fmt.Sprintf("each of %d poison records should be dead-lettered once or more with its reason, partition and offset, and committed past; %d dead letters read (%d repeats, %d for other records)",
		len(ps), len(h.DeadLetters), extra, unexpected)
	if len(cxs) == 0 {
		return pass(check, summary+", every poison record dead-lettered with its reason and committed past.")
	}
	order := []string{ClassNotDeadLettered, ClassWrongReason, ClassWrongRaw, ClassStuckOnPoison, ClassUnexpectedDeadLetter}
	rank := func(c string) int {
		for i, o := range order {
			if o == c {
				return i
			}
		}
		return len(order)
	}
	sort.SliceStable(cxs, func(i, j int) bool { return rank(cxs[i].class) < rank(cxs[j].class) })
	var ex []string
	counts := map[string]int{}
	var first time.Time
	for _, c := range cxs {
		counts[c.class]++
		if len(ex) < MaxExamples {
			ex = append(ex, c.text)
		}
		if !c.at.IsZero() && (first.IsZero() || c.at.Before(first)) {
			first = c.at
		}
	}
	var tally []string
	for _, o := range order {
		if counts[o] > 0 {
			tally = append(tally, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	return fail(check, cxs[0].class, summary+"; "+strings.Join(tally, ", ")+".", first, ex, len(cxs))
}
