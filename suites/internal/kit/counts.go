package kit

import (
	"encoding/json"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// Count is a counted quantity of a spec (partitions moved by a rebalance,
// duplicates, rebalances in a window) next to what the spec expects of it,
// attached to the spec's report and collected into the suite summary, as
// Measurement is for times.
type Count struct {
	What string `json:"what"`
	// Fault is the fault or event the count belongs to ("join of w4").
	Fault string `json:"fault,omitempty"`
	N     int    `json:"n"`
	// Expect says what the spec requires ("= 3", "<= 1", "reported"): a
	// count that is only reported says so.
	Expect string `json:"expect,omitempty"`
}

// String is how a count reads in Ginkgo's report of its spec.
func (c Count) String() string {
	s := fmt.Sprintf("%s %d (%s)", c.What, c.N, orDefault(c.Expect, "reported"))
	if c.Fault != "" {
		s += ", " + c.Fault
	}
	return s
}

// Counted records a count on the spec's report (entry "counted", always
// visible) and prints it. It judges nothing: the spec's checkers do.
func Counted(what, fault string, n int, expect string) {
	c := Count{What: what, Fault: fault, N: n, Expect: expect}
	AddReportEntry("counted", c, ReportEntryVisibilityAlways)
	GinkgoWriter.Printf("counted  %-40s %5d  (%s)\n", what, n, orDefault(expect, "reported"))
}

// countOf decodes a "counted" report entry (raw in a serial run, JSON when
// it crossed from a parallel process).
func countOf(e types.ReportEntry) (Count, bool) {
	if c, ok := e.Value.GetRawValue().(Count); ok {
		return c, true
	}
	var c Count
	err := json.Unmarshal([]byte(e.Value.AsJSON), &c)
	return c, err == nil
}

// writeCounts renders the counts of specs as a markdown table (nothing when
// no spec counted anything).
func writeCounts(b *strings.Builder, specs []SpecSummary) {
	has := false
	for _, s := range specs {
		if len(s.Counts) > 0 {
			has = true
		}
	}
	if !has {
		return
	}
	fmt.Fprintf(b, "\nCounts:\n\n| spec | state | count | n | expected |\n|---|---|---|---|---|\n")
	for _, s := range specs {
		for i, c := range s.Counts {
			name := s.Spec
			if i > 0 {
				name = "〃"
			}
			what := c.What
			if c.Fault != "" {
				what += " (" + c.Fault + ")"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %d | %s |\n", name, s.State, what, c.N, orDefault(c.Expect, "reported"))
		}
	}
}
