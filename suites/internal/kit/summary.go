package kit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// SpecSummary is one spec's line in a suite summary.
type SpecSummary struct {
	Spec         string         `json:"spec"`
	Container    string         `json:"container,omitempty"` // the Describe/Context texts
	It           string         `json:"it,omitempty"`        // the It text
	State        string         `json:"state"`
	Duration     time.Duration  `json:"duration_ns"`
	Measurements []Measurement  `json:"measurements,omitempty"`
	Timeline     string         `json:"timeline,omitempty"`
	Faults       []string       `json:"faults,omitempty"`    // faults the timeline recorded ("kill -9 → w2")
	Counts       []Count        `json:"counts,omitempty"`    // Counted entries (partitions moved, duplicates, ...)
	Latencies    []LatencyEntry `json:"latencies,omitempty"` // ReportLatency entries (feed-update latency per window)
	Failure      string         `json:"failure,omitempty"`
}

// writeSummary writes reports/<suite>-summary.json and .md: per spec,
// pass/fail, each measured time next to its bound, and the timeline of
// each failure. It runs once per suite, after all parallel processes.
func writeSummary(r Report) {
	var specs []SpecSummary
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		ss := SpecSummary{Spec: s.FullText(), State: s.State.String(), Duration: s.RunTime,
			Container: strings.Join(s.ContainerHierarchyTexts, " "), It: s.LeafNodeText}
		for _, e := range s.ReportEntries {
			switch e.Name {
			case "measured":
				// Serial runs keep the raw value (AsJSON is only filled when a
				// report crossed from a parallel process).
				if m, ok := e.Value.GetRawValue().(Measurement); ok {
					ss.Measurements = append(ss.Measurements, m)
					continue
				}
				var m Measurement
				if json.Unmarshal([]byte(e.Value.AsJSON), &m) == nil {
					ss.Measurements = append(ss.Measurements, m)
				}
			case "timeline":
				ss.Timeline = e.Value.String()
			case "faults":
				ss.Faults = strings.Split(e.Value.String(), ", ")
			case "counted":
				if c, ok := countOf(e); ok {
					ss.Counts = append(ss.Counts, c)
				}
			case "latency":
				if l, ok := latencyOf(e); ok {
					ss.Latencies = append(ss.Latencies, l)
				}
			}
		}
		if s.Failed() {
			ss.Failure = firstLine(s.Failure.Message)
		}
		specs = append(specs, ss)
	}
	dir := ReportsRoot()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "summary: %v\n", err)
		return
	}
	js, _ := json.MarshalIndent(map[string]any{"suite": suiteName, "bounds": B.Map(), "specs": specs}, "", "  ")
	_ = os.WriteFile(filepath.Join(dir, suiteName+"-summary.json"), js, 0o644)

	var b strings.Builder
	fmt.Fprintf(&b, "# Chaos suite %q\n\n", suiteName)
	fmt.Fprintf(&b, "| spec | state | measured | bound | timeline |\n|---|---|---|---|---|\n")
	for _, s := range specs {
		if len(s.Measurements) == 0 {
			fmt.Fprintf(&b, "| %s | %s | | | %s |\n", s.Spec, s.State, s.Timeline)
		}
		for i, m := range s.Measurements {
			name := s.Spec
			if i > 0 {
				name = "〃"
			}
			fmt.Fprintf(&b, "| %s | %s | %s: %s | %s | %s |\n", name, s.State, m.What, m.Measured.Round(10*time.Millisecond), m.Bound, s.Timeline)
		}
	}
	writeCounts(&b, specs)
	writeLatencies(&b, specs)
	fmt.Fprintf(&b, "\nBounds:\n\n```\n%s```\n", B.Table())
	_ = os.WriteFile(filepath.Join(dir, suiteName+"-summary.md"), []byte(b.String()), 0o644)
	fmt.Fprintf(os.Stdout, "\nsummary written to %s\n", filepath.Join(dir, suiteName+"-summary.md"))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
