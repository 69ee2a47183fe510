package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/timeline"
)

func small(spec string, fail bool) history.History {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	h := history.History{Suite: "crash", Spec: spec, Start: t0, End: at(20), Partitions: 4}
	h.Snapshots = []history.GroupSnapshot{
		{At: at(0), State: "Stable", Generation: 1, Members: []history.Member{{Worker: "w1", Partitions: []int32{0, 1}}, {Worker: "w2", Partitions: []int32{2, 3}}}},
		{At: at(12), State: "Stable", Generation: 2, Members: []history.Member{{Worker: "w1", Partitions: []int32{0, 1, 2, 3}}}},
	}
	h.Events = []history.WorkerEvent{
		{TS: at(0.5), Worker: "w1", Event: "assigned", Partitions: []int32{0, 1}},
		{TS: at(0.5), Worker: "w2", Event: "assigned", Partitions: []int32{2, 3}},
		{TS: at(12.1), Worker: "w1", Event: "assigned", Partitions: []int32{2, 3}},
	}
	h.Faults = []history.FaultMark{
		{At: at(10), Fault: "proxy-disable", Target: "w2", Phase: history.PhaseInject, Detail: "cut off from kafka (proxy disabled)"},
		{At: at(15), Fault: "proxy-disable", Target: "w2", Phase: history.PhaseHeal},
	}
	h.Verdicts = []history.Verdict{{At: at(20), Check: "no-lost-updates", Pass: !fail, Class: "lost", Message: "post p-9 -> follower 4 missing", FirstAt: at(11)}}
	return h
}

func runCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := run(args, &out, &errb)
	return out.String(), errb.String(), rc
}

func TestShowFileFiltersAndHTML(t *testing.T) {
	root := t.TempDir()
	p, err := timeline.Write(timeline.Dir(root, "crash", "proxy cut"), small("proxy cut", true))
	if err != nil {
		t.Fatal(err)
	}
	out, errs, rc := runCmd(t, p.JSONL)
	if rc != 0 {
		t.Fatalf("rc %d: %s", rc, errs)
	}
	for _, want := range []string{"FAIL  crash / proxy cut", "verdicts: FAIL", "FAIL  no-lost-updates [lost]",
		"+  10.000s  fault     inject     w2        proxy-disable: cut off from kafka (proxy disabled)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = runCmd(t, "-worker", "w1", "-from", "11s", "-to", "13", p.JSONL)
	body := out[strings.LastIndex(out, "-----"):]
	if !strings.Contains(body, "assigned [2 3]") || strings.Contains(body, "assigned [0 1]") || strings.Contains(body, "inject") {
		t.Errorf("filtered output:\n%s", body)
	}
	out, _, _ = runCmd(t, "-partition", "0", "-summary=false", p.JSONL)
	if strings.Contains(out[strings.LastIndex(out, "-----"):], "w2        assigned") {
		t.Errorf("-partition 0 kept w2's assignment:\n%s", out)
	}

	html := filepath.Join(t.TempDir(), "out.html")
	out, errs, rc = runCmd(t, "-html", html, "-open", "-summary", p.JSONL)
	if rc != 0 {
		t.Fatalf("rc %d: %s", rc, errs)
	}
	b, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(b), `id="verdict-failing"`) || !strings.Contains(string(b), `class="fault-band"`) {
		t.Errorf("html from jsonl: %v", err)
	}
	if !strings.Contains(out, "html: "+html) {
		t.Errorf("-open did not print the html path:\n%s", out)
	}
	// -open alone points at the sibling timeline.html
	out, _, _ = runCmd(t, "-open", "-summary", p.JSONL)
	if !strings.Contains(out, "html: "+p.HTML) {
		t.Errorf("-open: %s", out)
	}
}

func TestDirectory(t *testing.T) {
	root := t.TempDir()
	if _, err := timeline.Write(timeline.Dir(root, "crash", "one"), small("one", true)); err != nil {
		t.Fatal(err)
	}
	// one timeline below: shown
	out, _, rc := runCmd(t, root)
	if rc != 0 || !strings.Contains(out, "FAIL  crash / one") || !strings.Contains(out, "fault     inject") {
		t.Fatalf("rc %d:\n%s", rc, out)
	}
	if _, err := timeline.Write(timeline.Dir(root, "crash", "two"), small("two", false)); err != nil {
		t.Fatal(err)
	}
	out, _, rc = runCmd(t, root)
	if rc != 0 {
		t.Fatalf("rc %d", rc)
	}
	for _, want := range []string{"FAIL  crash / one  no-lost-updates [lost]", "PASS  crash / two", filepath.Join("crash", "two", "timeline.jsonl"), "2 timelines, 1 failing"} {
		if !strings.Contains(out, want) {
			t.Errorf("listing lacks %q:\n%s", want, out)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	_, errs, rc := runCmd(t, filepath.Join(dir, "nope.jsonl"))
	if rc != 1 || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: rc %d, %q", rc, errs)
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"source":"meta","version":1,"spec":"x"}`+"\n"+`{"t":1,"source":"note","kind":"note","text":"ok"}`+"\n"+`{"t": oops}`+"\n"), 0o644)
	_, errs, rc = runCmd(t, bad)
	if rc != 1 || !strings.Contains(errs, "bad.jsonl: line 3:") {
		t.Errorf("malformed file: rc %d, %q", rc, errs)
	}
	notTL := filepath.Join(dir, "other.jsonl")
	os.WriteFile(notTL, []byte(`{"hello":1}`+"\n"), 0o644)
	_, errs, rc = runCmd(t, notTL)
	if rc != 1 || !strings.Contains(errs, "line 1: first line is not a timeline header") {
		t.Errorf("not a timeline: rc %d, %q", rc, errs)
	}
	_, errs, rc = runCmd(t, dir)
	if rc != 1 || !strings.Contains(errs, "no timeline.jsonl below") {
		t.Errorf("empty dir: rc %d, %q", rc, errs)
	}
	if _, _, rc = runCmd(t); rc != 2 {
		t.Errorf("no args: rc %d", rc)
	}
	if _, errs, rc = runCmd(t, "-from", "soon", bad); rc != 2 || !strings.Contains(errs, "not a duration") {
		t.Errorf("bad -from: rc %d %q", rc, errs)
	}
}
