package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Report is reports/selftest.json.
type Report struct {
	Mutants []Outcome     `json:"mutants"`
	Correct *Outcome      `json:"correct_worker,omitempty"`
	Wall    time.Duration `json:"wall_ns"`
}

// OK reports whether every mutant was caught by its invariant and the
// correct worker passed (when it ran).
func (r Report) OK() bool {
	for _, o := range r.Mutants {
		if !o.OK() {
			return false
		}
	}
	return r.Correct == nil || r.Correct.OK()
}

// write writes selftest.json and selftest.md under dir and returns the
// markdown.
func (r Report) write(dir string) (string, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "selftest.json"), b, 0o644); err != nil {
		return "", fmt.Errorf("writing selftest.json: %w", err)
	}
	md := r.Markdown()
	if err := os.WriteFile(filepath.Join(dir, "selftest.md"), []byte(md), 0o644); err != nil {
		return "", fmt.Errorf("writing selftest.md: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "selftest-tests.json"), r.testEvents(), 0o644); err != nil {
		return "", fmt.Errorf("writing selftest-tests.json: %w", err)
	}
	return md, nil
}

// testEvents renders the verdicts as go test -json events, one test per
// mutant ("caught by its invariant" passes) and one for the correct
// worker, so that chaosctl tally counts them with the other tests.
func (r Report) testEvents() []byte {
	var b []byte
	line := func(ok bool, test string) {
		action := "pass"
		if !ok {
			action = "fail"
		}
		e, _ := json.Marshal(map[string]string{"Action": action, "Package": "selftest", "Test": test})
		b = append(append(b, e...), '\n')
	}
	for _, o := range r.Mutants {
		line(o.OK(), fmt.Sprintf("mutant %s caught by %s (%s)", o.Mutant, o.Expected, o.Verdict))
	}
	if r.Correct != nil {
		line(r.Correct.OK(), fmt.Sprintf("correct worker passes the targeted specs (%s)", r.Correct.Verdict))
	}
	return b
}

// Markdown renders the matrix mutant × invariant (✗ = a failing spec named
// it; ★ marks the invariant that must), then the verdicts with their
// failing specs and times.
func (r Report) Markdown() string {
	cols := map[string]bool{}
	for _, o := range r.Mutants {
		cols[o.Expected] = true
		for _, n := range o.Named {
			cols[n] = true
		}
	}
	var inv []string
	for c := range cols {
		inv = append(inv, c)
	}
	sort.Strings(inv)

	var b strings.Builder
	verdict := "PASS"
	if !r.OK() {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "# make selftest: %s (%s)\n\n", verdict, r.Wall.Round(time.Second))
	b.WriteString("✗ a failing spec named the invariant; ★ the invariant that must name the mutant; · passed.\n\n")
	b.WriteString("| mutant | verdict | " + strings.Join(inv, " | ") + " | specs | time |\n")
	b.WriteString("|---|---|" + strings.Repeat("---|", len(inv)) + "---|---|\n")
	for _, o := range r.Mutants {
		named := map[string]bool{}
		for _, n := range o.Named {
			named[n] = true
		}
		cells := make([]string, len(inv))
		for i, c := range inv {
			switch {
			case named[c] && c == o.Expected:
				cells[i] = "✗★"
			case named[c]:
				cells[i] = "✗"
			case c == o.Expected:
				cells[i] = "·★"
			default:
				cells[i] = "·"
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %d ran, %d failed | %s |\n", o.Mutant, o.Verdict, strings.Join(cells, " | "), o.Ran, len(o.Failing), o.Wall.Round(time.Second))
	}
	if c := r.Correct; c != nil {
		fmt.Fprintf(&b, "\nCorrect worker through `%s`: **%s**, %d specs, %d failed, %s.\n", c.Filter, c.Verdict, c.Ran, len(c.Failing), c.Wall.Round(time.Second))
		for _, s := range c.Failing {
			fmt.Fprintf(&b, "- false alarm: %s (%s) %s\n", s.Text, s.State, firstLine(s.Failure))
		}
		if c.Error != "" {
			fmt.Fprintf(&b, "- run error: %s\n", firstLine(c.Error))
		}
		if c.Left != "" {
			fmt.Fprintf(&b, "- left behind: %s\n", c.Left)
		}
	}
	b.WriteString("\n## Failing specs per mutant\n\n")
	for _, o := range r.Mutants {
		fmt.Fprintf(&b, "- `%s` (%s, must be named by `%s`; filter `%s`", o.Mutant, o.Verdict, o.Expected, o.Filter)
		if o.Focus != "" {
			fmt.Fprintf(&b, ", focus %q", o.Focus)
		}
		b.WriteString(")\n")
		if o.Error != "" {
			fmt.Fprintf(&b, "  - run error: %s\n", firstLine(o.Error))
		}
		if o.Left != "" {
			fmt.Fprintf(&b, "  - left behind: %s\n", o.Left)
		}
		for _, s := range o.Failing {
			fmt.Fprintf(&b, "  - %s — %s, %s, names %v: %s\n", s.Text, s.State, s.RunTime.Round(time.Second), s.Named, firstLine(s.Failure))
		}
	}
	return b.String()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
