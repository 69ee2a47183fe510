package kit

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
)

// LatencyEntry is a spec's end-to-end feed-update latency over one window
// (verify.Latencies), attached to the spec's report and collected into the
// suite summary: overall p50, p99 and max, the spread of the partitions'
// p99s, and every partition's figures.
type LatencyEntry struct {
	What       string                    `json:"what"`            // the window: "whole run", "steady load", ...
	Fault      string                    `json:"fault,omitempty"` //
	All        verify.PartitionLatency   `json:"all"`
	Spread     float64                   `json:"spread"` // 0 when fewer than two partitions had enough latencies
	Worst      int32                     `json:"worst_partition"`
	Median     int32                     `json:"median_partition"`
	Untimed    int                       `json:"untimed,omitempty"`
	Partitions []verify.PartitionLatency `json:"partitions"`
}

// String is the entry on one line, as the spec's report shows it.
func (e LatencyEntry) String() string {
	s := e.What + ": " + e.All.String()
	if e.Spread > 0 {
		s += fmt.Sprintf("; spread %.2f (p%d %s / p%d %s)", e.Spread, e.Worst, ms(partitionP99(e, e.Worst)), e.Median, ms(partitionP99(e, e.Median)))
	}
	return s
}

// ReportLatency measures the feed-update latency of the posts stamped in
// [from, to] (zero bounds: the whole history), records it on the spec's
// report (entry "latency", always visible), prints one line per partition,
// and returns it. It judges nothing: LatencyConsistent does.
func ReportLatency(st *fixtures.Stage, h history.History, what, fault string, from, to time.Time) verify.Latency {
	l := verify.Latencies(h, st.Graph, from, to)
	e := LatencyEntry{What: what, Fault: fault, All: l.All, Spread: l.Spread, Worst: l.Worst, Median: l.Median, Untimed: l.Untimed, Partitions: l.Partitions}
	AddReportEntry("latency", e, ReportEntryVisibilityAlways)
	GinkgoWriter.Printf("latency  %-28s %s\n", what, l)
	for _, pl := range l.Partitions {
		GinkgoWriter.Printf("latency    %s\n", pl)
	}
	return l
}

// ReportFaultLatency records, for every fault injected in h, the latency
// of the partitions it affected during the fault and after its heal
// (verify.FaultLatencies), one "latency" entry per phase, and prints them.
// It judges nothing.
func ReportFaultLatency(st *fixtures.Stage, h history.History) {
	for _, ph := range verify.FaultLatencies(h, st.Graph) {
		what := fmt.Sprintf("%s %s on %s, partitions %s", ph.Phase, ph.Fault, ph.Target, partList(ph.Partitions))
		e := LatencyEntry{What: what, All: ph.Latency, Worst: -1, Median: -1}
		AddReportEntry("latency", e, ReportEntryVisibilityAlways)
		GinkgoWriter.Printf("latency  %s: %s\n", what, ph.Latency)
	}
}

func partList(ps []int32) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ",")
}

// latencyOf decodes a "latency" report entry (raw in a serial run, JSON
// when it crossed from a parallel process).
func latencyOf(e types.ReportEntry) (LatencyEntry, bool) {
	if l, ok := e.Value.GetRawValue().(LatencyEntry); ok {
		return l, true
	}
	var l LatencyEntry
	err := json.Unmarshal([]byte(e.Value.AsJSON), &l)
	return l, err == nil
}

// writeLatencies renders the latency entries of specs as a markdown table
// (nothing when no spec measured latency): per entry the overall p50, p99
// and max, and the spread with the partitions that make it.
func writeLatencies(b *strings.Builder, specs []SpecSummary) {
	has := false
	for _, s := range specs {
		if len(s.Latencies) > 0 {
			has = true
		}
	}
	if !has {
		return
	}
	fmt.Fprintf(b, "\nFeed-update latency (post record timestamp -> update record timestamp):\n\n| spec | state | window | updates | p50 | p99 | max | spread (worst p99 / median p99) |\n|---|---|---|---|---|---|---|---|\n")
	for _, s := range specs {
		for i, l := range s.Latencies {
			name := s.Spec
			if i > 0 {
				name = "〃"
			}
			what := l.What
			if l.Fault != "" && l.Fault != "none" {
				what += " (" + l.Fault + ")"
			}
			spread := "-"
			if l.Spread > 0 {
				spread = fmt.Sprintf("%.2f (p%d %s / p%d %s)", l.Spread, l.Worst, ms(partitionP99(l, l.Worst)), l.Median, ms(partitionP99(l, l.Median)))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %d | %s | %s | %s | %s |\n", name, s.State, what, l.All.Count, ms(l.All.P50), ms(l.All.P99), ms(l.All.Max), spread)
		}
	}
}

func partitionP99(l LatencyEntry, p int32) time.Duration {
	for _, pl := range l.Partitions {
		if pl.Partition == p {
			return pl.P99
		}
	}
	return 0
}

func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }
