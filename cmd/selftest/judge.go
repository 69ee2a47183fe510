package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/workers/feed/mutants"
)

// Verdicts of one mutant (or of the correct worker).
const (
	Caught        = "caught"          // a targeted spec failed, its failure naming the expected invariant
	CaughtByOther = "caught-by-other" // specs failed, none naming the expected invariant
	Survived      = "survived"        // every targeted spec passed
	TimedOut      = "timeout"         // a spec timed out or was interrupted, and none named the invariant
	NoSpecs       = "no-specs"        // no spec matched the mutant's filter
	Passed        = "passed"          // the correct worker: every targeted spec passed
	Failed        = "failed"          // the correct worker: a false alarm
)

// Spec is one spec's outcome from a Ginkgo JSON report.
type Spec struct {
	Text    string        `json:"text"`
	State   string        `json:"state"`
	Failure string        `json:"failure,omitempty"`
	Named   []string      `json:"named,omitempty"` // invariants its failure names
	RunTime time.Duration `json:"run_time_ns"`
}

// Outcome is the verdict on one mutant, or on the correct worker (Mutant "").
type Outcome struct {
	Mutant   string        `json:"mutant"`
	Class    string        `json:"class,omitempty"`
	Expected string        `json:"expected_invariant,omitempty"`
	Today    string        `json:"expectation,omitempty"`
	Filter   string        `json:"label_filter"`
	Focus    string        `json:"focus,omitempty"`
	Verdict  string        `json:"verdict"`
	Named    []string      `json:"named"` // every invariant some failure named
	Ran      int           `json:"specs_ran"`
	Failing  []Spec        `json:"failing,omitempty"`
	Wall     time.Duration `json:"wall_ns"`
	Error    string        `json:"error,omitempty"`       // the run itself could not be judged
	Left     string        `json:"left_behind,omitempty"` // what the run left on the engine (a failure)
}

// OK reports whether the outcome is what make selftest requires: the
// correct worker passes; a mutant the catalogue expects today's suite to
// catch (caught-today) is caught by its invariant. A needs-audit or
// needs-fault mutant that is not caught is a known gap: reported in the
// matrix, not a failure, so that the exit code tells a regression apart.
// A run that left containers, networks or volumes behind always fails.
func (o Outcome) OK() bool {
	if o.Left != "" {
		return false
	}
	if o.Mutant == "" {
		return o.Verdict == Passed
	}
	return o.Verdict == Caught || o.Today != string(mutants.CaughtToday)
}

// knownInvariants are the names a failure message may carry: every check
// of verify/ and every invariant of the catalogue (audits included).
func knownInvariants() []string {
	set := map[string]bool{}
	for _, n := range []string{
		verify.CheckNoLostUpdates, verify.CheckNoDuplicates, verify.CheckReassigned, verify.CheckExclusiveOwnership,
		verify.CheckCommittedMonotonic, verify.CheckLagRecovered, verify.CheckFaultBit, verify.CheckNoRebalance,
		verify.CheckLagBounded, verify.CheckPoisonDeadLettered, verify.CheckAbortedRedelivered,
		verify.CheckStaticRejoin, verify.CheckMemberReplaced, verify.CheckSettled, verify.CheckBalanced,
		verify.CheckStickyMoves, verify.CheckRangeAssignment, verify.CheckRoundRobinAssignment, verify.CheckMinimalMoves,
		verify.CheckCommitsCoverAppends, verify.CheckCommittedMonotonicExact, verify.CheckAtomicOffsets,
		verify.CheckNoDuplicateAppends, verify.CheckNoZombieWrites, verify.CheckContractHonoured,
		verify.CheckLatencyConsistent, verify.CheckCommittingAgain, verify.CheckLeaverCommitted, verify.CheckKeptNotReplayed,
		verify.CheckRevokedWhileOwned, verify.CheckNoWriteAfterRevoke,
	} {
		set[n] = true
	}
	for _, m := range mutants.All {
		set[m.Invariant] = true
		for _, a := range m.Also {
			set[a] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	// Longest first, so that "duplicates" is not read inside "no-duplicates".
	sort.Slice(out, func(i, j int) bool {
		return len(out[i]) > len(out[j]) || (len(out[i]) == len(out[j]) && out[i] < out[j])
	})
	return out
}

// namedIn returns the known invariants a failure message names, each as a
// whole word (a name inside a longer known name does not count).
func namedIn(msg string, known []string) []string {
	var out []string
	for _, n := range known {
		rest := msg
		for {
			i := strings.Index(rest, n)
			if i < 0 {
				break
			}
			before := byte(' ')
			if i > 0 {
				before = rest[i-1]
			}
			after := byte(' ')
			if j := i + len(n); j < len(rest) {
				after = rest[j]
			}
			if !wordByte(before) && !wordByte(after) {
				out = append(out, n)
				break
			}
			rest = rest[i+len(n):]
		}
	}
	sort.Strings(out)
	return out
}

func wordByte(c byte) bool {
	return c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// readSpecs reads a Ginkgo JSON report and returns its specs (It nodes)
// and the failures of suite-level nodes (setup), as specs too.
func readSpecs(path string) ([]Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the run's report: %w", err)
	}
	var reports []types.Report
	if err := json.Unmarshal(b, &reports); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	known := knownInvariants()
	var out []Spec
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if s.State == types.SpecStateSkipped || s.State == types.SpecStatePending {
				continue
			}
			if s.LeafNodeType != types.NodeTypeIt && !s.State.Is(types.SpecStateFailureStates) {
				continue
			}
			sp := Spec{Text: s.FullText(), State: s.State.String(), RunTime: s.RunTime}
			if s.LeafNodeType != types.NodeTypeIt {
				sp.Text = s.LeafNodeType.String() + " " + sp.Text
			}
			if s.State.Is(types.SpecStateFailureStates) {
				sp.Failure = s.Failure.Message
				sp.Named = namedIn(s.Failure.Message, known)
			}
			out = append(out, sp)
		}
	}
	return out, nil
}

// judge decides a mutant's verdict from its targeted specs.
func judge(m mutants.Mutant, specs []Spec) Outcome {
	o := Outcome{Mutant: m.Name, Class: m.Class, Expected: m.Invariant, Today: string(m.Today), Filter: m.Specs, Focus: m.Focus}
	named := map[string]bool{}
	timedOut := false
	for _, s := range specs {
		o.Ran++
		if s.Failure == "" && s.State == types.SpecStatePassed.String() {
			continue
		}
		o.Failing = append(o.Failing, s)
		for _, n := range s.Named {
			named[n] = true
		}
		switch s.State {
		case types.SpecStateTimedout.String(), types.SpecStateInterrupted.String(), types.SpecStateAborted.String():
			timedOut = true
		}
	}
	for n := range named {
		o.Named = append(o.Named, n)
	}
	sort.Strings(o.Named)
	switch {
	case o.Ran == 0:
		o.Verdict = NoSpecs
	case named[m.Invariant]:
		o.Verdict = Caught
	case timedOut:
		o.Verdict = TimedOut
	case len(o.Failing) > 0:
		o.Verdict = CaughtByOther
	default:
		o.Verdict = Survived
	}
	return o
}

// judgeCorrect decides the correct worker's verdict: every spec passed.
func judgeCorrect(filter string, specs []Spec) Outcome {
	o := Outcome{Filter: filter, Verdict: Passed}
	named := map[string]bool{}
	for _, s := range specs {
		o.Ran++
		if s.State != types.SpecStatePassed.String() {
			o.Failing = append(o.Failing, s)
			for _, n := range s.Named {
				named[n] = true
			}
		}
	}
	for n := range named {
		o.Named = append(o.Named, n)
	}
	sort.Strings(o.Named)
	switch {
	case o.Ran == 0:
		o.Verdict = NoSpecs
	case len(o.Failing) > 0:
		o.Verdict = Failed
	}
	return o
}
