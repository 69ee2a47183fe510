package kit

// TestFailingSpecsLeaveTimelines runs a small Ginkgo suite of deliberately
// failing specs (no Docker: the stages are bare recorders) in a child
// process, with a JUnit report, and checks that every way a spec can fail
// leaves a timeline whose path the failing spec's report names:
//
//   - the BeforeAll that builds the stage fails (the stage never became
//     stable): a timeline with the Ginkgo failure on top;
//   - a step in an It fails (not a checker), in an Ordered container whose
//     last spec passes: the failing spec names the timeline, and the
//     teardown's rewrite keeps the failure;
//   - a checker fails through Check.

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/timeline"
	"github.com/streamsocial/feedchaos/verify"
)

const innerEnv = "KIT_TIMELINE_INNER_SUITE"

var inner = os.Getenv(innerEnv) == "1"

// fakeStage is a stage with a history and no containers, torn down the way
// NewStage's teardown does it (minus Close).
func fakeStage(spec string) *fixtures.Stage {
	t0 := time.Now().Add(-20 * time.Second)
	rec := history.NewRecorder("kitinner", spec, 3, t0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	rec.Note(at(0.1), "stage up: 2 workers, 3 partitions")
	rec.GroupSnapshot(history.GroupSnapshot{At: at(1), State: "Stable", Generation: 1,
		Members: []history.Member{{Worker: "w1", Partitions: []int32{0, 1}}, {Worker: "w2", Partitions: []int32{2}}}})
	rec.Fault(history.FaultMark{At: at(5), Fault: "kill -9", Target: "w2", Phase: history.PhaseInject})
	rec.GroupSnapshot(history.GroupSnapshot{At: at(12), State: "Stable", Generation: 2,
		Members: []history.Member{{Worker: "w1", Partitions: []int32{0, 1, 2}}}})
	st := &fixtures.Stage{Rec: rec}
	failuresBefore := failuresSoFar()
	untrack := trackStage(st)
	DeferCleanup(func() {
		leaveTimelineOnFailure(st, failuresBefore)
		untrack()
	})
	return st
}

var _ = func() bool {
	if !inner {
		return false
	}
	Describe("a stage that never becomes stable", Ordered, func() {
		BeforeAll(func() {
			fakeStage(CurrentSpecReport().FullText())
			Fail("timed out after 1m0s waiting for a stable group of w1, w2, w3")
		})
		It("reassigns", func() {})
		It("loses nothing", func() {})
	})
	Describe("a fault that does not bite", Ordered, ContinueOnFailure, func() {
		BeforeAll(func() { fakeStage(CurrentSpecReport().FullText()) })
		It("bites", func() { Expect(false).To(BeTrue(), "the fault must bite, or the spec proves nothing") })
		It("passes afterwards", func() {})
	})
	Describe("a checker that fails", func() {
		It("is reported with its timeline", func() {
			st := fakeStage(CurrentSpecReport().FullText())
			Check(st, "kill -9", verify.Result{Check: verify.CheckNoLostUpdates, Pass: false, Class: verify.ClassLost,
				Message: "no-lost-updates [lost]: 1 lost. Counter-examples: post p1 -> follower 2 (1 of 3 updates lost; author 4) from partition 2 offset 0, acked +3s, owned by w2."})
		})
	})
	return true
}()

func TestFailingSpecsLeaveTimelines(t *testing.T) {
	if inner {
		os.Setenv(EnvRun, "kitinner") // its specs declare no theme: they go under the run's name
		RegisterFailHandler(Fail)
		RunSpecs(t, "kit inner suite (fails on purpose)")
		return
	}
	if testing.Short() {
		t.Skip("runs a child test process")
	}
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit.xml")
	cmd := exec.Command(os.Args[0], "-test.run=^TestFailingSpecsLeaveTimelines$", "-ginkgo.junit-report="+junit, "-ginkgo.no-color")
	cmd.Env = append(os.Environ(), innerEnv+"=1", "CHAOS_ARTIFACTS="+filepath.Join(dir, "artifacts"), "TIMELINE=")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the inner suite passed; its specs fail on purpose:\n%s", out)
	}
	b, rerr := os.ReadFile(junit)
	if rerr != nil {
		t.Fatalf("no JUnit report (%v); inner output:\n%s", rerr, out)
	}
	cases := junitCases(t, b)
	find := func(sub string) junitCase {
		for _, c := range cases {
			if strings.Contains(c.Name, sub) {
				return c
			}
		}
		t.Fatalf("no test case %q in the JUnit report", sub)
		return junitCase{}
	}

	// 1. BeforeAll failed: the first spec fails and names the timeline,
	// which puts the setup failure on top.
	c := find("a stage that never becomes stable reassigns")
	if c.Status != "failed" {
		t.Errorf("%s: status %s", c.Name, c.Status)
	}
	html := c.prop(t, "timeline")
	if !strings.Contains(html, filepath.Join("artifacts", "kitinner", "a-stage-that-never-becomes-stable", "timeline.html")) {
		t.Errorf("timeline path %s is not the container's", html)
	}
	v := failingVerdicts(t, html)
	if len(v) != 1 || v[0].Str("check") != CheckSpec || v[0].Str("class") != ClassSetupFailed ||
		!strings.Contains(v[0].Str("message"), "timed out after 1m0s waiting for a stable group") {
		t.Errorf("failing verdicts of the BeforeAll failure: %+v", v)
	}
	page, _ := os.ReadFile(html)
	if !strings.Contains(string(page), `id="verdict-failing"`) || !strings.Contains(string(page), "<title>FAIL") {
		t.Error("the BeforeAll failure's page does not show FAIL on top")
	}

	// 2. A step failed in an Ordered container whose last spec passed.
	c = find("a fault that does not bite bites")
	html = c.prop(t, "timeline")
	if c.Status != "failed" || html == "" {
		t.Errorf("%s: status %s, timeline %q", c.Name, c.Status, html)
	}
	if f := c.prop(t, "faults"); f != "kill -9 → w2" {
		t.Errorf("faults entry %q", f)
	}
	v = failingVerdicts(t, html)
	if len(v) != 1 || v[0].Str("class") != ClassSpecFailed || !strings.Contains(v[0].Str("message"), "the fault must bite") {
		t.Errorf("after the teardown's rewrite, failing verdicts %+v", v)
	}

	// 3. A checker failed: its verdict is on top, no extra "spec" verdict.
	c = find("a checker that fails is reported with its timeline")
	html = c.prop(t, "timeline")
	v = failingVerdicts(t, html)
	if len(v) != 1 || v[0].Str("check") != verify.CheckNoLostUpdates {
		t.Errorf("failing verdicts of the checker failure: %+v", v)
	}
	if n := strings.Count(string(b), filepath.Base(filepath.Dir(html))+"/timeline.html"); n < 1 {
		t.Errorf("JUnit does not name %s", html)
	}
	// named once per spec although written twice (Check, then the AfterEach)
	if n := c.count("timeline"); n != 1 {
		t.Errorf("%d timeline entries on the checker's spec, want 1", n)
	}
}

type junitCase struct {
	Name   string `xml:"name,attr"`
	Status string `xml:"status,attr"`
	Props  []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
}

// prop returns the property's value (Ginkgo writes report entries as JSON).
func (c junitCase) prop(t *testing.T, name string) string {
	t.Helper()
	for _, p := range c.Props {
		if p.Name == name {
			var s string
			if json.Unmarshal([]byte(p.Value), &s) == nil {
				return s
			}
			return p.Value
		}
	}
	t.Errorf("%s: no %q property in the JUnit report", c.Name, name)
	return ""
}

func (c junitCase) count(name string) int {
	n := 0
	for _, p := range c.Props {
		if p.Name == name {
			n++
		}
	}
	return n
}

func junitCases(t *testing.T, b []byte) []junitCase {
	t.Helper()
	var doc struct {
		Suites []struct {
			Cases []junitCase `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("JUnit report: %v", err)
	}
	var out []junitCase
	for _, s := range doc.Suites {
		out = append(out, s.Cases...)
	}
	return out
}

// failingVerdicts reads the failing verdicts from the timeline.jsonl next
// to html.
func failingVerdicts(t *testing.T, html string) []timeline.Event {
	t.Helper()
	f, err := os.Open(filepath.Join(filepath.Dir(html), timeline.JSONLName))
	if err != nil {
		t.Fatalf("timeline: %v", err)
	}
	defer f.Close()
	_, meta, err := timeline.ReadJSONL(bufio.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	return meta.Failing
}
