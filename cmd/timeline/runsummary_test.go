package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeSummaryFile(t *testing.T, dir, suite string, specs []specSummary) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"suite": suite, "bounds": map[string]string{"reassign": "9s"}, "specs": specs})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, suite+"-summary.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunSummary(t *testing.T) {
	dir := t.TempDir()
	cwd, _ := os.Getwd()
	tl := filepath.Join(cwd, "artifacts", "crash", "a-worker-killed", "timeline.html")
	writeSummaryFile(t, dir, "crash", []specSummary{
		{Spec: "a worker killed reassigns its partitions", Container: "a worker killed", It: "reassigns its partitions", State: "passed",
			Measurements: []measurement{{What: "reassigned", Fault: "kill -9", Measured: 6512 * time.Millisecond, Bound: 9 * time.Second, Pass: true}}},
		{Spec: "a worker killed brings lag back", Container: "a worker killed", It: "brings lag back", State: "failed",
			Measurements: []measurement{
				{What: "lag-recovered", Fault: "kill -9", Measured: 21 * time.Second, Bound: 15 * time.Second},
				{What: "drained", Measured: 300 * time.Millisecond, Bound: time.Minute, Pass: true}},
			Timeline: tl, Failure: "invariant lag-recovered\nmore"},
		{Spec: "a worker killed loses no feed update", Container: "a worker killed", It: "loses no feed update", State: "failed",
			Faults: []string{"kill -9 → w2"}, Timeline: tl},
	})
	writeSummaryFile(t, dir, "abc", []specSummary{
		{Spec: "a control run does not rebalance", State: "skipped"},
		{Spec: "a stage that never starts does something", Container: "a stage that never starts", It: "does something", State: "failed",
			Failure: "docker: no such image"},
	})
	os.WriteFile(filepath.Join(dir, "suites_crash_.json"), []byte("{not a summary"), 0o644) // ignored

	out, errs, rc := runCmd(t, "-run-summary", dir)
	if rc != 0 {
		t.Fatalf("rc %d: %s", rc, errs)
	}
	lines := strings.Split(out, "\n")
	// suites sorted, grouped by container, aligned
	idx := func(sub string) int {
		for i, l := range lines {
			if strings.Contains(l, sub) {
				return i
			}
		}
		t.Fatalf("no line with %q in:\n%s", sub, out)
		return -1
	}
	if !(idx("abc") < idx("crash: a worker killed") && idx("crash: a worker killed") < idx("reassigns its partitions")) {
		t.Errorf("order:\n%s", out)
	}
	hdr := lines[idx("RESULT")]
	row := lines[idx("reassigns its partitions")]
	if strings.Index(hdr, "FAULT") != strings.Index(row, "kill -9") || strings.Index(hdr, "BOUND") != strings.Index(row, "9s") {
		t.Errorf("columns not aligned:\n%s\n%s", hdr, row)
	}
	for _, want := range []string{
		"PASS    reassigns its partitions", "reassigned 6.51s", "FAIL    brings lag back", "lag-recovered 21s OVER  15s",
		"drained 300ms", "loses no feed update", "kill -9 → w2", "SKIP", "a control run does not rebalance",
		"failures:", "  crash: a worker killed brings lag back\n      invariant lag-recovered\n      timeline: " + filepath.Join("artifacts", "crash", "a-worker-killed", "timeline.html"),
		"inspect:  go run ./cmd/timeline " + filepath.Join("artifacts", "crash", "a-worker-killed", "timeline.jsonl"),
		"  abc: a stage that never starts does something\n      docker: no such image\n      timeline: none",
		"5 specs in 2 themes: 1 passed, 3 failed, 1 skipped",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// the measurement's second row carries no result, so counts stay per spec
	if strings.Count(out, "FAIL ") != 3 {
		t.Errorf("want 3 FAIL rows:\n%s", out)
	}
}

func TestRunSummaryErrors(t *testing.T) {
	dir := t.TempDir()
	if _, errs, rc := runCmd(t, "-run-summary", dir); rc != 1 || !strings.Contains(errs, "no *-summary.json") {
		t.Errorf("empty dir: rc %d %q", rc, errs)
	}
	bad := filepath.Join(dir, "x-summary.json")
	os.WriteFile(bad, []byte("{"), 0o644)
	if _, errs, rc := runCmd(t, "-run-summary", dir); rc != 1 || !strings.Contains(errs, "x-summary.json") {
		t.Errorf("bad json: rc %d %q", rc, errs)
	}
	// a file works as well as a dir; an old summary without container/it
	good := filepath.Join(dir, "old-summary.json")
	os.WriteFile(good, []byte(`{"suite":"old","specs":[{"spec":"a b c","state":"passed","duration_ns":5}]}`), 0o644)
	out, _, rc := runCmd(t, "-run-summary", good)
	if rc != 0 || !strings.Contains(out, "old\n  PASS    a b c") || !strings.Contains(out, "1 specs in 1 themes: 1 passed, 0 failed, 0 skipped") {
		t.Errorf("rc %d:\n%s", rc, out)
	}
}

// One run's summary (the single suite at suites/) holds the specs of every
// theme: the table groups them by theme, not by the run's name.
func TestRunSummaryGroupsByTheme(t *testing.T) {
	dir := t.TempDir()
	writeSummaryFile(t, dir, "chaos", []specSummary{
		{Theme: "crash", Spec: "a worker killed reassigns", Container: "a worker killed", It: "reassigns", State: "passed"},
		{Theme: "crash", Spec: "a worker killed loses nothing", Container: "a worker killed", It: "loses nothing", State: "failed", Failure: "lost"},
		{Theme: "partition", Spec: "a worker cut off reassigns", Container: "a worker cut off", It: "reassigns", State: "passed"},
	})
	out, errs, rc := runCmd(t, "-run-summary", filepath.Join(dir, "chaos-summary.json"))
	if rc != 0 {
		t.Fatalf("rc %d: %s", rc, errs)
	}
	for _, want := range []string{"crash: a worker killed\n", "partition: a worker cut off\n", "  crash: a worker killed loses nothing\n      lost",
		"3 specs in 2 themes: 2 passed, 1 failed, 0 skipped"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "chaos:") {
		t.Errorf("rows grouped under the run's name:\n%s", out)
	}
}
