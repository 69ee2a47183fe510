// Package verify holds the invariant checkers of the chaos suite. Every
// checker is a pure function: a recorded history.History (and whatever bound
// the spec states) in, a Result out. Checkers import no Docker or Kafka
// client and never sleep, so they are unit-tested in milliseconds.
//
// A failing Result names its anomaly class (Jepsen style: "lost",
// "double-owned", ...) and carries the smallest counter-examples, with times
// relative to History.Start, so that the first line of a failing spec says
// what went wrong and where to look in the timeline.
//
// A checker that would pass vacuously (no snapshots in its window, no lag
// samples, no acked posts) fails with class "no-observations" instead: a
// check that cannot fail is a defect, and a dead observer must not look like
// a healthy group.
package verify

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Check names.
const (
	CheckNoLostUpdates      = "no-lost-updates"
	CheckNoDuplicates       = "no-duplicates"
	CheckReassigned         = "reassigned"
	CheckExclusiveOwnership = "exclusive-ownership"
	CheckCommittedMonotonic = "committed-monotonic"
	CheckLagRecovered       = "lag-recovered"
	CheckFaultBit           = "fault-bit"
	CheckNoRebalance        = "no-rebalance"
	CheckCommittingAgain    = "committing-again"
	CheckLeaverCommitted    = "leaver-committed"
)

// Anomaly classes.
const (
	ClassLost                = "lost"                 // an expected (post, follower) update neither seen nor dead-lettered
	ClassDuplicate           = "duplicate"            // a (post, follower) update seen more than once (exactly-once mode)
	ClassUnowned             = "unowned"              // reserved: a partition owned by nobody (reported inside slow-reassignment)
	ClassDoubleOwned         = "double-owned"         // a partition owned by two members in one snapshot
	ClassSlowReassignment    = "slow-reassignment"    // ownership not settled within the reassignment bound
	ClassNonmonotonicCommit  = "nonmonotonic-commit"  // a partition's committed offset went backwards
	ClassLagNotRecovered     = "lag-not-recovered"    // lag not back under the threshold within the recovery bound
	ClassNoBite              = "no-bite"              // a fault was injected but its symptom never showed
	ClassUnexpectedRebalance = "unexpected-rebalance" // generation/membership changed, or assignment events, in a quiet window
	ClassNotResumed          = "not-resumed"          // a partition that kept receiving posts was never committed again after a fault
	ClassReplayedHandoff     = "replayed-handoff"     // a graceful leaver's posts fanned out again by the next owner: its final commit did not cover them
	ClassNoObservations      = "no-observations"      // the history holds nothing the check could judge: it fails rather than pass vacuously
)

// MaxExamples is how many counter-examples a Result carries.
const MaxExamples = 5

// Result is one checker's verdict with its evidence.
type Result struct {
	Check    string        // "no-lost-updates", ...
	Pass     bool          //
	Class    string        // anomaly class when failing (Class* constants)
	Message  string        // one paragraph: expected, seen, first counter-examples with times relative to History.Start
	Measured time.Duration // where a bound applies (0 otherwise, and 0 when the awaited condition never happened)
	Bound    time.Duration //
	FirstAt  time.Time     // time of the first counter-example, zero if none
	Examples []string      // up to MaxExamples smallest counter-examples, one line each
	// NotApplicable is set (with Pass, and Class "not-applicable") when the
	// data the check needs does not exist, e.g. the broker keeps no audit:
	// the spec does not fail, and Summary and the verdict say "n/a", never
	// "pass".
	NotApplicable bool
}

// Verdict converts r for the timeline. At is the time of the call (when the
// verdict was reached); FirstAt keeps the counter-example's time.
func (r Result) Verdict() history.Verdict {
	return history.Verdict{
		At:       time.Now(),
		Check:    r.Check,
		Pass:     r.Pass,
		Class:    r.Class,
		Message:  r.Message,
		Measured: r.Measured,
		Bound:    r.Bound,
		FirstAt:  r.FirstAt,
	}
}

// Failure is the error a failing Result returns; errors.As recovers the
// Result from it.
type Failure struct{ Result Result }

func (f *Failure) Error() string { return f.Result.Message }

// Error returns nil when r passed, else a *Failure whose text is r.Message,
// so that specs write Expect(res.Error()).To(Succeed()).
func (r Result) Error() error {
	if r.Pass {
		return nil
	}
	return &Failure{Result: r}
}

// IsClass reports whether err is a checker failure of the given class.
func IsClass(err error, class string) bool {
	var f *Failure
	return errors.As(err, &f) && f.Result.Class == class
}

// Summary renders results as an aligned table: check, PASS/FAIL, class,
// measured, bound. Measured and bound print "-" when zero.
func Summary(results ...Result) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "CHECK\tRESULT\tCLASS\tMEASURED\tBOUND")
	for _, r := range results {
		res := "pass"
		if r.NotApplicable {
			res = "n/a"
		} else if !r.Pass {
			res = "FAIL"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Check, res, dash(r.Class), durOrDash(r.Measured), durOrDash(r.Bound))
	}
	w.Flush()
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func durOrDash(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return d.String()
}

// pass and fail build Results; fail appends the examples to the message.
func pass(check, msg string) Result {
	return Result{Check: check, Pass: true, Message: check + ": " + msg}
}

func fail(check, class, msg string, first time.Time, examples []string, total int) Result {
	if len(examples) > MaxExamples {
		examples = examples[:MaxExamples]
	}
	m := check + " [" + class + "]: " + msg
	if len(examples) > 0 {
		m += " Counter-examples: " + strings.Join(examples, "; ") + "."
		if total > len(examples) {
			m += fmt.Sprintf(" (%d more)", total-len(examples))
		}
	}
	return Result{Check: check, Class: class, Message: m, FirstAt: first, Examples: examples}
}
