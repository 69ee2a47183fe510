package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// tally counts passed and failed tests (go test -json) and specs (Ginkgo
// JSON reports). Suite-level failures (a BeforeSuite that failed, a
// package that did not build) count as one failure each, so a broken run
// can never tally as green.
type tally struct {
	passed, failed, skipped int
	failures                []string
}

func (t tally) detail() string {
	s := fmt.Sprintf("tally: %d passed, %d failed, %d skipped", t.passed, t.failed, t.skipped)
	for _, f := range t.failures {
		s += "\n  FAILED: " + f
	}
	return s
}

func tallyFiles(files []string) (tally, error) {
	var t tally
	if len(files) == 0 {
		return t, fmt.Errorf("no report files given")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return t, err
		}
		trimmed := bytes.TrimSpace(data)
		if len(trimmed) > 0 && trimmed[0] == '[' {
			if err := t.ginkgo(trimmed, f); err != nil {
				return t, fmt.Errorf("%s: %w", f, err)
			}
			continue
		}
		if err := t.goTest(data, f); err != nil {
			return t, fmt.Errorf("%s: %w", f, err)
		}
	}
	return t, nil
}

func (t *tally) ginkgo(data []byte, file string) error {
	var suites []struct {
		SuiteDescription string
		SuiteSucceeded   bool
		SpecReports      []struct {
			LeafNodeType            string
			LeafNodeText            string
			ContainerHierarchyTexts []string
			State                   string
		}
	}
	if err := json.Unmarshal(data, &suites); err != nil {
		return err
	}
	for _, s := range suites {
		specFailed := false
		for _, r := range s.SpecReports {
			name := strings.TrimSpace(strings.Join(append(r.ContainerHierarchyTexts, r.LeafNodeText), " "))
			if r.LeafNodeType != "It" {
				if r.State != "passed" && r.State != "skipped" && r.State != "" {
					t.failed++
					specFailed = true
					t.failures = append(t.failures, fmt.Sprintf("%s: [%s] %s (%s)", s.SuiteDescription, r.LeafNodeType, name, r.State))
				}
				continue
			}
			switch r.State {
			case "passed":
				t.passed++
			case "skipped", "pending":
				t.skipped++
			default:
				t.failed++
				specFailed = true
				t.failures = append(t.failures, fmt.Sprintf("%s: %s (%s)", s.SuiteDescription, name, r.State))
			}
		}
		if !s.SuiteSucceeded && !specFailed {
			t.failed++
			t.failures = append(t.failures, s.SuiteDescription+": suite failed")
		}
	}
	return nil
}

func (t *tally) goTest(data []byte, file string) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev struct {
			Action  string
			Package string
			Test    string
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		switch {
		case ev.Test == "" && ev.Action == "fail":
			// A package that failed outside any test (build error, panic in init).
			t.failed++
			t.failures = append(t.failures, ev.Package+": package failed")
		case ev.Test == "":
		case ev.Action == "pass":
			t.passed++
		case ev.Action == "fail":
			t.failed++
			t.failures = append(t.failures, ev.Package+"."+ev.Test)
		case ev.Action == "skip":
			t.skipped++
		}
	}
	return sc.Err()
}
