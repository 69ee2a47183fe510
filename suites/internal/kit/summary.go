package kit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// SpecSummary is one spec's line in a run summary.
type SpecSummary struct {
	Theme        string         `json:"theme"` // the spec's theme (ThemeOf its labels)
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

// writeSummary writes reports/<run>-summary.json and .md (RunName: chaos,
// smoke, scale, soak): per spec, grouped by theme, pass/fail, each measured
// time next to its bound, and the timeline of each failure. Specs the
// run's label filter left out are not listed. It runs once per run, after
// all parallel processes.
func writeSummary(r Report) {
	var specs []SpecSummary
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt || filteredOut(s) {
			continue
		}
		ss := SpecSummary{Theme: ThemeOf(s.Labels()), Spec: s.FullText(), State: s.State.String(), Duration: s.RunTime,
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
	sort.SliceStable(specs, func(i, j int) bool { return specs[i].Theme < specs[j].Theme })
	run := RunName()
	dir := ReportsRoot()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "summary: %v\n", err)
		return
	}
	js, _ := json.MarshalIndent(map[string]any{"suite": run, "bounds": B.Map(), "specs": specs}, "", "  ")
	_ = os.WriteFile(filepath.Join(dir, run+"-summary.json"), js, 0o644)

	var b strings.Builder
	fmt.Fprintf(&b, "# Chaos run %q\n", run)
	theme := "\x00"
	for _, s := range specs {
		if s.Theme != theme {
			theme = s.Theme
			fmt.Fprintf(&b, "\n## %s\n\n", theme)
			fmt.Fprintf(&b, "| spec | state | measured | bound | timeline |\n|---|---|---|---|---|\n")
		}
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
	_ = os.WriteFile(filepath.Join(dir, run+"-summary.md"), []byte(b.String()), 0o644)
	// Through GinkgoWriter: in a parallel run stdout would be shown as a
	// block of its own; the Makefile prints the summary itself.
	GinkgoWriter.Printf("summary written to %s\n", filepath.Join(dir, run+"-summary.md"))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// filteredOut says whether the run never meant to run s: skipped with no
// reason (a label or focus filter), or pending and left out by the run's
// label filter (Ginkgo reports pending specs whatever the filter). A spec
// skipped at run time (Skip, an earlier spec of its Ordered container
// failed) has a message, and counts.
func filteredOut(s SpecReport) bool {
	switch s.State {
	case types.SpecStateSkipped:
		return s.Failure.Message == ""
	case types.SpecStatePending:
		sc, _ := GinkgoConfiguration()
		if sc.LabelFilter == "" {
			return false
		}
		match, err := types.ParseLabelFilter(sc.LabelFilter)
		return err == nil && !match(s.Labels())
	}
	return false
}
