package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/streamsocial/feedchaos/workers/feed/mutants"
)

func TestNamedInWholeWords(t *testing.T) {
	known := knownInvariants()
	msg := "invariant no-lost-updates\nUnexpected error: no-lost-updates [lost]: 12 lost; no-duplicates passed"
	if got := namedIn(msg, known); !reflect.DeepEqual(got, []string{"no-duplicates", "no-lost-updates"}) {
		t.Fatalf("named %v", got)
	}
	// "committed-monotonic" is not read inside "committed-monotonic-exact".
	if got := namedIn("invariant committed-monotonic-exact", known); !reflect.DeepEqual(got, []string{"committed-monotonic-exact"}) {
		t.Fatalf("named %v", got)
	}
	if got := namedIn("invariant committed-monotonic [nonmonotonic-commit]", known); !reflect.DeepEqual(got, []string{"committed-monotonic"}) {
		t.Fatalf("named %v", got)
	}
	if got := namedIn("timed out waiting for a stable group", known); len(got) != 0 {
		t.Fatalf("named %v in a timeout", got)
	}
}

func TestJudge(t *testing.T) {
	m, _ := mutants.Get("drop-updates")
	pass := Spec{Text: "a", State: "passed"}
	lost := Spec{Text: "b", State: "failed", Failure: "invariant no-lost-updates", Named: []string{"no-lost-updates"}}
	other := Spec{Text: "c", State: "failed", Failure: "invariant lag-bounded", Named: []string{"lag-bounded"}}
	timeout := Spec{Text: "d", State: "timedout", Failure: "timed out"}
	for _, tc := range []struct {
		specs []Spec
		want  string
	}{
		{nil, NoSpecs},
		{[]Spec{pass, pass}, Survived},
		{[]Spec{pass, lost}, Caught},
		{[]Spec{other, lost, timeout}, Caught},
		{[]Spec{other}, CaughtByOther},
		{[]Spec{other, timeout}, TimedOut},
	} {
		o := judge(m, tc.specs)
		if o.Verdict != tc.want {
			t.Errorf("%v: verdict %s, want %s", tc.specs, o.Verdict, tc.want)
		}
		if o.OK() != (tc.want == Caught) {
			t.Errorf("%v: OK() = %v", tc.specs, o.OK())
		}
	}
	// A needs-fault mutant that survives is a known gap, not a failure.
	gap := Outcome{Mutant: "g", Verdict: Survived, Today: string(mutants.NeedsFault)}
	if !gap.OK() {
		t.Errorf("a needs-fault survivor failed the run: %+v", gap)
	}
	if o := judgeCorrect("x", []Spec{pass, pass}); o.Verdict != Passed || !o.OK() {
		t.Errorf("correct worker all passed: %+v", o)
	}
	if o := judgeCorrect("x", []Spec{pass, other}); o.Verdict != Failed || o.OK() {
		t.Errorf("correct worker with a failure: %+v", o)
	}
	if o := judgeCorrect("x", nil); o.OK() {
		t.Errorf("correct worker with no specs passed: %+v", o)
	}
}

func TestReadSpecsFromGinkgoJSON(t *testing.T) {
	reports := []types.Report{{SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeIt, LeafNodeText: "loses no feed update", ContainerHierarchyTexts: []string{"a fleet"},
			State: types.SpecStateFailed, RunTime: time.Second, Failure: types.Failure{Message: "invariant no-lost-updates\nno-lost-updates [lost]: 3 lost"}},
		{LeafNodeType: types.NodeTypeIt, LeafNodeText: "never moves a committed offset backwards", State: types.SpecStatePassed},
		{LeafNodeType: types.NodeTypeIt, LeafNodeText: "skipped", State: types.SpecStateSkipped},
		{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStatePassed},
	}}}
	b, err := json.Marshal(reports)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	specs, err := readSpecs(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 {
		t.Fatalf("%d specs, want the two Its that ran: %+v", len(specs), specs)
	}
	if specs[0].Text != "a fleet loses no feed update" || !reflect.DeepEqual(specs[0].Named, []string{"no-lost-updates"}) {
		t.Fatalf("first spec %+v", specs[0])
	}
	m, _ := mutants.Get("drop-updates")
	if o := judge(m, specs); o.Verdict != Caught {
		t.Fatalf("verdict %s", o.Verdict)
	}
}

// The verdicts reach chaosctl tally as go test events: a survivor fails.
func TestTestEventsCountEveryVerdict(t *testing.T) {
	caughtToday := string(mutants.CaughtToday)
	r := Report{Mutants: []Outcome{{Mutant: "a", Expected: "x", Verdict: Caught, Today: caughtToday}, {Mutant: "b", Expected: "y", Verdict: Survived, Today: caughtToday}},
		Correct: &Outcome{Verdict: Passed}}
	got := string(r.testEvents())
	for _, want := range []string{`"Action":"pass","Package":"selftest","Test":"mutant a caught by x (caught)"`, `"Action":"fail","Package":"selftest","Test":"mutant b caught by y (survived)"`, `"Test":"correct worker passes the targeted specs (passed)"`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
}

func TestChildEnvSetsDropsAndOverrides(t *testing.T) {
	env := []string{"PATH=/bin", "CHAOS_OWNER=42", "CHAOS_MUTANT=old", "CHAOS_PROGRESS=/x"}
	got := childEnv(env, map[string]string{"CHAOS_MUTANT": "drop-updates", "CHAOS_PROGRESS": "", "CHAOS_RUN": "selftest-a"}, "CHAOS_OWNER")
	want := []string{"PATH=/bin", "CHAOS_MUTANT=drop-updates", "CHAOS_RUN=selftest-a"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("childEnv = %v, want %v", got, want)
	}
}

func TestUnionFilterNamesEachTargetOnce(t *testing.T) {
	a, _ := mutants.Get("commit-before-ack")
	b, _ := mutants.Get("skip-after-rebalance") // same specs as a
	c, _ := mutants.Get("poison-skip")
	got := unionFilter([]mutants.Mutant{a, b, c})
	want := "((" + a.Specs + ") || (" + c.Specs + ")) && !selftest"
	if got != want {
		t.Fatalf("union = %q, want %q", got, want)
	}
}

func TestLastWallsReadsAnEarlierReport(t *testing.T) {
	dir := t.TempDir()
	if lastWalls(filepath.Join(dir, "missing.json")) != nil {
		t.Fatal("a missing report gave walls")
	}
	b, _ := json.Marshal(Report{Mutants: []Outcome{{Mutant: "poison-crash", Wall: 83 * time.Second}}})
	p := filepath.Join(dir, "selftest.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := lastWalls(p)["poison-crash"]; got != 83*time.Second {
		t.Fatalf("wall %v", got)
	}
}
