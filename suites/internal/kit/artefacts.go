package kit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/timeline"
)

// A failing spec must leave its stage's timeline and name it in its own
// report, whatever failed: a checker (Check writes it at once), a step in
// the It, the BeforeAll that built the stage, a cleanup. Three nets:
//
//   - every spec: an AfterEach writes the timeline of each live stage when
//     the spec failed (the report entries land on the failing spec);
//   - the stage's teardown (leaveTimelineOnFailure) writes it again with
//     the whole history if any spec failed since the stage was made: a
//     stage made in an Ordered container's BeforeAll is torn down after
//     the container's last spec, which may have passed;
//   - TIMELINE=always writes it for every stage.

// failedSpecs counts the specs of this process that failed so far.
var failedSpecs atomic.Int64

var _ = ReportAfterEach(func(r SpecReport) {
	if r.Failed() {
		failedSpecs.Add(1)
	}
})

// failuresSoFar is what NewStage remembers when it builds a stage.
func failuresSoFar() int64 { return failedSpecs.Load() }

var (
	liveMu     sync.Mutex
	liveStages []*fixtures.Stage // stages of this process not torn down yet
)

// trackStage registers st as live until the returned func is called.
func trackStage(st *fixtures.Stage) (untrack func()) {
	if st == nil {
		return func() {}
	}
	liveMu.Lock()
	liveStages = append(liveStages, st)
	liveMu.Unlock()
	return func() {
		liveMu.Lock()
		defer liveMu.Unlock()
		for i, s := range liveStages {
			if s == st {
				liveStages = append(liveStages[:i], liveStages[i+1:]...)
				return
			}
		}
	}
}

var _ = AfterEach(func() {
	if !CurrentSpecReport().Failed() {
		return
	}
	liveMu.Lock()
	sts := append([]*fixtures.Stage(nil), liveStages...)
	liveMu.Unlock()
	for _, st := range sts {
		WriteTimeline(st)
	}
})

// reportPaths adds the timeline's report entries to the current spec,
// unless it already names this timeline (WriteTimeline may run more than
// once for one spec: a failed Check, the AfterEach, the teardown).
func reportPaths(p timeline.Paths, faults []string) {
	for _, e := range CurrentSpecReport().ReportEntries {
		if e.Name == "timeline" && e.Value.String() == p.HTML {
			return
		}
	}
	AddReportEntry("timeline", p.HTML, ReportEntryVisibilityAlways)
	AddReportEntry("timeline-text", p.Text, ReportEntryVisibilityFailureOrVerbose)
	AddReportEntry("timeline-jsonl", p.JSONL, ReportEntryVisibilityFailureOrVerbose)
	if len(faults) > 0 {
		AddReportEntry("faults", strings.Join(faults, ", "), ReportEntryVisibilityFailureOrVerbose)
	}
	GinkgoWriter.Printf("timeline: %s\n  inspect: go run ./cmd/timeline %s\n", p.HTML, p.JSONL)
}

// leaveTimelineOnFailure is the stage teardown's first step: it writes the
// stage's timeline when the current spec failed (in any node: BeforeAll,
// the It, a cleanup), when a spec failed since the stage was made (earlier
// specs of an Ordered container), or when TIMELINE=always.
func leaveTimelineOnFailure(st *fixtures.Stage, failuresBefore int64) {
	if st == nil || st.Rec == nil {
		return
	}
	if CurrentSpecReport().Failed() || failedSpecs.Load() > failuresBefore || os.Getenv("TIMELINE") == "always" {
		WriteTimeline(st)
		saveContainerLogs(st)
	}
}

// saveContainerLogs writes the logs of the stage's containers (the
// workers' librdkafka lines among them: what the events alone cannot tell,
// such as why a worker never joined) beside the timeline, in logs/.
func saveContainerLogs(st *fixtures.Stage) {
	dir := filepath.Join(timelineDir(), "logs")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := st.SaveLogs(ctx, dir)
	if n > 0 {
		GinkgoWriter.Printf("container logs: %s (%d files)\n", shortPath(dir), n)
	}
	if err != nil {
		GinkgoWriter.Printf("container logs: %v\n", err)
	}
}

// timelineDir is where the current spec's timeline goes,
// artifacts/<theme>/<spec>/: per spec, or per Ordered container (its specs
// share one stage, so one history).
func timelineDir() string {
	r := CurrentSpecReport()
	name := r.FullText()
	if r.IsInOrderedContainer && len(r.ContainerHierarchyTexts) > 0 {
		name = strings.Join(r.ContainerHierarchyTexts, " ")
	}
	return timeline.Dir(ArtifactsRoot(), currentTheme(), name)
}

// Verdict names for a spec that failed outside any checker (a step timed
// out, the stage did not start): the timeline shows the Ginkgo failure on
// top, so that a failed spec never renders as PASS.
const (
	CheckSpec         = "spec"
	ClassSetupFailed  = "setup-failed" // in BeforeAll/BeforeEach/JustBeforeEach/BeforeSuite
	ClassSpecFailed   = "spec-failed"  // in the It or a cleanup
	ClassSpecTimedOut = "timed-out"    // the spec or a node ran out of time, or was interrupted
)

// recordSpecFailure records, once per failed spec, a failing "spec"
// verdict in the stage's history that describes the current spec's Ginkgo
// failure, unless that failure is a checker's (its message is a failing
// verdict's message already recorded). It is recorded in the history, not
// only in one rendering, so that a later rewrite (the teardown after the
// container's last spec) keeps it.
func recordSpecFailure(st *fixtures.Stage, r SpecReport) {
	if !r.Failed() {
		return
	}
	f := r.Failure
	msg := strings.TrimSpace(f.Message)
	if msg == "" {
		msg = r.State.String()
	}
	h := st.Rec.Snapshot()
	for _, v := range h.Verdicts {
		if v.Pass {
			continue
		}
		if v.Message != "" && (strings.Contains(msg, v.Message) || (v.Check == CheckSpec && strings.Contains(v.Message, msg))) {
			return
		}
	}
	class := ClassSpecFailed
	switch {
	case r.State == types.SpecStateTimedout || r.State == types.SpecStateInterrupted:
		class = ClassSpecTimedOut
	case f.FailureNodeType.Is(types.NodeTypeBeforeAll | types.NodeTypeBeforeEach | types.NodeTypeJustBeforeEach |
		types.NodeTypeBeforeSuite | types.NodeTypeSynchronizedBeforeSuite):
		class = ClassSetupFailed
	}
	at := f.TimelineLocation.Time
	if at.IsZero() {
		at = time.Now()
	}
	where := f.FailureNodeType.String()
	if f.Location.FileName != "" {
		where += fmt.Sprintf(" at %s:%d", shortPath(f.Location.FileName), f.Location.LineNumber)
	}
	who := fmt.Sprintf("%q", r.LeafNodeText)
	if class == ClassSetupFailed {
		who = "the setup"
	}
	st.Rec.Verdict(history.Verdict{At: at, Check: CheckSpec, Class: class, Pass: false, FirstAt: at,
		Message: fmt.Sprintf("%s failed in %s: %s", who, where, msg)})
}

// faultNames lists the faults injected in h, "fault → target", in order.
func faultNames(h history.History) []string {
	seen := map[string]bool{}
	var out []string
	marks := append([]history.FaultMark(nil), h.Faults...)
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].At.Before(marks[j].At) })
	for _, f := range marks {
		if f.Phase != history.PhaseInject {
			continue
		}
		n := f.Fault
		if f.Target != "" {
			n += " → " + f.Target
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// shortPath keeps the last two elements of a source path.
func shortPath(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}
