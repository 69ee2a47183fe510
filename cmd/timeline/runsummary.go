package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// The run summaries (reports/<run>-summary.json, written by
// suites/internal/kit after each run: chaos, smoke, scale, soak) printed as
// one table for the end of `make chaos`:
//
//	go run ./cmd/timeline -run-summary reports/chaos-summary.json
//
// Specs are grouped by theme (a summary without themes: by its suite) and
// container. One row per spec: result, spec, the fault, measured against its
// bound (one row more per extra measurement), and under each failure its
// first line and the artefact to open.

// suiteSummary mirrors kit's summary JSON (kit is internal to suites/).
type suiteSummary struct {
	Suite  string            `json:"suite"`
	Bounds map[string]string `json:"bounds"`
	Specs  []specSummary     `json:"specs"`
	file   string
}

type specSummary struct {
	Theme        string        `json:"theme"` // the spec's theme (crash, partition, ...); older summaries have none
	Spec         string        `json:"spec"`
	Container    string        `json:"container"` // the Describe/Context texts, " / "-joined
	It           string        `json:"it"`        // the It text
	State        string        `json:"state"`
	Duration     time.Duration `json:"duration_ns"`
	Measurements []measurement `json:"measurements"`
	Faults       []string      `json:"faults"`
	Timeline     string        `json:"timeline"`
	Failure      string        `json:"failure"`
}

type measurement struct {
	What     string        `json:"what"`
	Fault    string        `json:"fault"`
	Measured time.Duration `json:"measured_ns"`
	Bound    time.Duration `json:"bound_ns"`
	Pass     bool          `json:"pass"`
}

// readSummaries reads every *-summary.json named by args (files, or
// directories holding them), sorted by suite name.
func readSummaries(args []string) ([]suiteSummary, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		m, err := filepath.Glob(filepath.Join(a, "*-summary.json"))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *-summary.json in %s (did a chaos suite run?)", strings.Join(args, ", "))
	}
	var out []suiteSummary
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var s suiteSummary
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if s.Suite == "" {
			s.Suite = strings.TrimSuffix(filepath.Base(f), "-summary.json")
		}
		s.file = f
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Suite < out[j].Suite })
	return out, nil
}

// result maps a Ginkgo spec state to what the table says.
func result(state string) string {
	switch state {
	case "passed":
		return "PASS"
	case "skipped", "pending":
		return "SKIP"
	case "":
		return "?"
	}
	return "FAIL" // failed, panicked, interrupted, aborted, timedout
}

// specCol is how much of a spec's name the table shows.
const specCol = 72

// writeRunSummary prints the merged table, grouped by suite and container,
// then each failure with its artefacts, then a count line; it returns the
// number of failed specs.
func writeRunSummary(w io.Writer, suites []suiteSummary, cwd string) int {
	var pass, fail, skip int
	type line struct {
		group string   // a group header line, or
		cells []string // a row: result, spec, fault, measured, bound
	}
	lines := []line{{cells: []string{"RESULT", "SPEC", "FAULT", "MEASURED", "BOUND"}}}
	type failure struct{ name, why, path string }
	var fails []failure
	groups := map[string]bool{}
	for _, s := range suites {
		group := "\x00"
		for _, sp := range s.Specs {
			container, it := sp.Container, sp.It
			if it == "" {
				container, it = "", sp.Spec
			}
			theme := s.Suite
			if sp.Theme != "" {
				theme = sp.Theme
			}
			groups[theme] = true
			if theme+"\x00"+container != group {
				group = theme + "\x00" + container
				h := theme
				if container != "" {
					h += ": " + container
				}
				lines = append(lines, line{group: h})
			}
			res := result(sp.State)
			switch res {
			case "PASS":
				pass++
			case "SKIP":
				skip++
			default:
				fail++
			}
			fault := faultOf(sp)
			name := cut(it, specCol)
			if len(sp.Measurements) == 0 {
				lines = append(lines, line{cells: []string{res, name, fault, "-", "-"}})
			}
			for i, m := range sp.Measurements {
				r, n, f := res, name, fault
				if i > 0 {
					r, n, f = "", "", ""
					if m.Fault != "" && m.Fault != fault {
						f = m.Fault
					}
				}
				meas := m.What + " " + fmtDur(m.Measured)
				if !m.Pass || (m.Bound > 0 && m.Measured > m.Bound) {
					meas += " OVER"
				}
				lines = append(lines, line{cells: []string{r, n, f, meas, fmtDur(m.Bound)}})
			}
			if res == "FAIL" {
				fails = append(fails, failure{theme + ": " + sp.Spec, sp.Failure, relPath(sp.Timeline, cwd)})
			}
		}
	}
	width := make([]int, 5)
	for _, l := range lines {
		for i, c := range l.cells {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, l := range lines {
		if l.cells == nil {
			fmt.Fprintf(w, "%s\n", l.group)
			continue
		}
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range l.cells {
			b.WriteString(c)
			if i < len(l.cells)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	if len(fails) > 0 {
		fmt.Fprintln(w, "\nfailures:")
		for _, f := range fails {
			fmt.Fprintf(w, "  %s\n", f.name)
			if f.why != "" {
				why, _, _ := strings.Cut(f.why, "\n")
				fmt.Fprintf(w, "      %s\n", cut(why, 200))
			}
			if f.path != "" {
				fmt.Fprintf(w, "      timeline: %s\n", f.path)
				fmt.Fprintf(w, "      inspect:  go run ./cmd/timeline %s\n", filepath.Join(filepath.Dir(f.path), "timeline.jsonl"))
			} else {
				fmt.Fprintf(w, "      timeline: none (no history was recorded: the stage did not start)\n")
			}
		}
	}
	fmt.Fprintf(w, "\n%d specs in %d themes: %d passed, %d failed, %d skipped\n", pass+fail+skip, len(groups), pass, fail, skip)
	return fail
}

// faultOf names the spec's fault: its measurements' faults, else the faults
// its timeline recorded, else "-".
func faultOf(sp specSummary) string {
	var fs []string
	seen := map[string]bool{}
	add := func(f string) {
		if f != "" && !seen[f] {
			seen[f] = true
			fs = append(fs, f)
		}
	}
	for _, m := range sp.Measurements {
		add(m.Fault)
	}
	if len(fs) == 0 {
		for _, f := range sp.Faults {
			add(f)
		}
	}
	if len(fs) == 0 {
		return "-"
	}
	return cut(strings.Join(fs, ", "), 40)
}

func fmtDur(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	if d >= time.Second {
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// relPath shows p relative to cwd when it lies below it.
func relPath(p, cwd string) string {
	if p == "" || cwd == "" || !filepath.IsAbs(p) {
		return p
	}
	if r, err := filepath.Rel(cwd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// runSummary is the -run-summary mode. It exits 0 whatever the specs did
// (the test run's own exit code says that), 1 if no summary could be read.
func runSummary(args []string, stdout, stderr io.Writer) int {
	suites, err := readSummaries(args)
	if err != nil {
		fmt.Fprintf(stderr, "timeline: run summary: %v\n", err)
		return 1
	}
	cwd, _ := os.Getwd()
	writeRunSummary(stdout, suites, cwd)
	return 0
}
