// Package kit wires the chaos suites to Ginkgo: one image build per run,
// bounds from the environment, a Stage per spec that is always torn down,
// a timeline written for every failing spec, and a per-suite summary of
// measured times against their bounds. Specs stay sentences; the plumbing
// lives here and in fixtures.
package kit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/bounds"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/timeline"
	"github.com/streamsocial/feedchaos/verify"
)

var (
	images fixtures.Images
	// B are the bounds of this run, loaded in the suite's setup.
	B bounds.Bounds
)

// Setup registers the suite-level nodes of the chaos suite: bounds, the
// Docker check, the sweep of dead runs' leftovers and the image build run
// once per run (on the first parallel process), the final sweep, the run
// summary and the progress lines. suites/suites_test.go calls it once:
//
//	var _ = kit.Setup()
func Setup() bool {
	SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
		b, err := bounds.FromEnv(os.Getenv)
		Expect(err).NotTo(HaveOccurred(), "bad bounds in the environment")
		GinkgoWriter.Printf("bounds of this run:\n%s\n", b.Table())
		_, err = fixtures.Docker(ctx)
		Expect(err).NotTo(HaveOccurred(), "the chaos suites need a Docker engine")
		Expect(checkClusterEnv()).To(Succeed(), "bad cluster in the environment")
		if img := kafkaImage(); img != "" {
			Expect(fixtures.CheckKafkaImage(ctx, img)).To(Succeed())
		}
		GinkgoWriter.Printf("kafka: %s\n", clusterMode())
		rep, err := fixtures.Sweep(ctx, fixtures.Scope{Stale: true})
		Expect(err).NotTo(HaveOccurred(), "sweeping what an earlier, dead run left behind")
		if rep.Containers+rep.Networks+rep.Volumes > 0 {
			GinkgoWriter.Printf("swept leftovers of an earlier run: %s\n", rep)
		}
		_, err = fixtures.MutantFromEnv()
		Expect(err).NotTo(HaveOccurred(), "bad mutant in the environment")
		extra, err := fixtures.WorkerEnvFromEnv()
		Expect(err).NotTo(HaveOccurred(), "bad worker environment")
		if len(extra) > 0 {
			GinkgoWriter.Printf("every worker also gets %s=%q\n", fixtures.EnvWorkerEnv, os.Getenv(fixtures.EnvWorkerEnv))
		}
		imgs, err := fixtures.BuildImages(ctx, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred(), "building the suite's images")
		data, _ := json.Marshal(setupData{Images: imgs, Clock: startClock()})
		return data
	}, func(data []byte) {
		// Every parallel process, not only the first, must run without
		// testcontainers' reaper (its image cannot be pulled here) whether
		// or not the Makefile exported TESTCONTAINERS_RYUK_DISABLED.
		Expect(fixtures.PrepareEnvironment()).To(Succeed())
		var d setupData
		Expect(json.Unmarshal(data, &d)).To(Succeed())
		images, clock = d.Images, d.Clock
		var err error
		B, err = bounds.FromEnv(os.Getenv)
		Expect(err).NotTo(HaveOccurred(), "bad bounds in the environment")
	}, NodeTimeout(10*time.Minute))

	SynchronizedAfterSuite(func() {}, func(ctx SpecContext) {
		// Everything a spec created is removed by its own cleanup; this is the
		// net under it (an interrupted run, a crashed process).
		rep, err := fixtures.Sweep(ctx, fixtures.Scope{Owner: fixtures.Owner})
		if err != nil {
			GinkgoWriter.Printf("final sweep: %v\n", err)
		} else if rep.Containers+rep.Networks+rep.Volumes > 0 {
			GinkgoWriter.Printf("final sweep removed %s\n", rep)
		}
	}, NodeTimeout(2*time.Minute))

	ReportAfterSuite("summary of measured times and bounds", func(r Report) {
		writeSummary(r)
	})
	registerProgress()
	return true
}

// setupData is what the set-up on the first process hands every process.
type setupData struct {
	Images fixtures.Images `json:"images"`
	Clock  runClock        `json:"clock"`
}

// Images returns the images of this run.
func Images() fixtures.Images { return images }

// StageConfig returns a stage configuration with this run's images and
// bounds, for the current spec; specs adjust it and pass it to NewStage.
func StageConfig() fixtures.StageConfig {
	spec := CurrentSpecReport().FullText()
	mutant, _ := fixtures.MutantFromEnv()   // validated in Setup
	extra, _ := fixtures.WorkerEnvFromEnv() // validated in Setup
	return fixtures.StageConfig{
		Suite: currentTheme(), Spec: spec, Images: images, Mutant: mutant, WorkerEnv: extra, External: external(), KafkaImage: kafkaImage(),
		SessionTimeout: B.SessionTimeout, HeartbeatInterval: B.HeartbeatInterval,
		MaxPollInterval: B.MaxPollInterval, SampleInterval: B.Sample,
		Log: GinkgoWriter,
	}
}

// NewStage builds the spec's world and registers its teardown: on a failed
// spec (or TIMELINE=always) the history is written as a timeline first, and
// the stage's containers and network are always removed, also when the spec
// fails or the run is interrupted.
func NewStage(ctx context.Context, cfg fixtures.StageConfig) *fixtures.Stage {
	skipUnmet()
	By(fmt.Sprintf("starting a broker and %d feed workers (assignor %s, protocol %s)", max(cfg.Workers, 3), orDefault(cfg.Assignor, "range"), orDefault(cfg.Protocol, "classic")))
	failuresBefore := failuresSoFar()
	st, err := fixtures.NewStage(ctx, cfg)
	untrack := trackStage(st)
	DeferCleanup(func(ctx SpecContext) {
		if st == nil {
			return
		}
		leaveTimelineOnFailure(st, failuresBefore)
		untrack()
		Expect(st.Close(ctx)).To(Succeed(), "tearing the stage down")
	}, NodeTimeout(2*time.Minute))
	Expect(err).NotTo(HaveOccurred())
	return st
}

// WriteTimeline writes the stage's history under artifacts/<theme>/<spec>/
// (<spec> is the Ordered container for specs in one: they share the stage)
// and adds the paths to the spec's report (and so to JUnit output, as
// properties "timeline", "timeline-text", "timeline-jsonl"). If the spec
// failed outside any checker (setup, a step's timeout), the Ginkgo failure
// is added to the timeline as a failing "spec" verdict so that it shows on
// top. Calling it again (a failed Check, then the stage's teardown)
// rewrites the same files with the longer history.
func WriteTimeline(st *fixtures.Stage) {
	if st == nil || st.Rec == nil {
		GinkgoWriter.Printf("no timeline: the stage recorded no history\n")
		return
	}
	recordSpecFailure(st, CurrentSpecReport())
	h := st.Rec.Snapshot()
	if h.End.IsZero() {
		h.End = time.Now()
	}
	if r := CurrentSpecReport(); r.IsInOrderedContainer && len(r.ContainerHierarchyTexts) > 0 {
		h.Spec = strings.Join(r.ContainerHierarchyTexts, " ") // the container's specs share this history
	}
	paths, err := timeline.Write(timelineDir(), h)
	if err != nil {
		GinkgoWriter.Printf("writing the timeline failed: %v\n", err)
		return
	}
	reportPaths(paths, faultNames(h))
}

// ArtifactsRoot is where timelines go: $CHAOS_ARTIFACTS, or artifacts/ at
// the module root.
func ArtifactsRoot() string {
	if d := os.Getenv("CHAOS_ARTIFACTS"); d != "" {
		return d
	}
	root, err := fixtures.ModuleRoot()
	if err != nil {
		return "artifacts"
	}
	return filepath.Join(root, "artifacts")
}

// ReportsRoot is where run summaries go: $CHAOS_REPORTS, or reports/ at
// the module root.
func ReportsRoot() string {
	if d := os.Getenv("CHAOS_REPORTS"); d != "" {
		return d
	}
	root, err := fixtures.ModuleRoot()
	if err != nil {
		return "reports"
	}
	return filepath.Join(root, "reports")
}

// Measurement is a measured time next to its bound, attached to a spec's
// report and collected into the suite summary.
type Measurement struct {
	What     string        `json:"what"`
	Fault    string        `json:"fault,omitempty"`
	Measured time.Duration `json:"measured_ns"`
	Bound    time.Duration `json:"bound_ns"`
	Pass     bool          `json:"pass"`
}

// String is how a measurement reads in Ginkgo's report of its spec.
func (m Measurement) String() string {
	s := fmt.Sprintf("%s %s (bound %s)", m.What, m.Measured.Round(10*time.Millisecond), m.Bound)
	if !m.Pass {
		s += " OVER"
	}
	return s
}

// Measured records a measurement on the spec and prints it.
func Measured(what, fault string, measured, bound time.Duration) {
	m := Measurement{What: what, Fault: fault, Measured: measured, Bound: bound, Pass: measured <= bound}
	AddReportEntry("measured", m, ReportEntryVisibilityAlways)
	GinkgoWriter.Printf("measured %-28s %8s  (bound %s)\n", what, measured.Round(10*time.Millisecond), bound)
}

// Check records each result in the stage's history (so the timeline shows
// the verdict), reports measured-vs-bound results, and fails the spec when
// any fails, with every failing one's full message. A spec whose every
// check was not applicable is reported skipped (notapplicable.go).
func Check(st *fixtures.Stage, fault string, results ...verify.Result) {
	GinkgoHelper()
	for _, r := range results {
		st.Rec.Verdict(r.Verdict())
		noteJudged(r)
		if r.Bound > 0 {
			Measured(r.Check, fault, r.Measured, r.Bound)
		}
		if r.NotApplicable {
			// Neither a pass nor a failure: the report says so.
			Counted(r.Check+" not applicable", fault, 0, "n/a: "+r.Message)
		}
	}
	for _, r := range results {
		if !r.Pass {
			WriteTimeline(st)
			break
		}
	}
	// One assertion for all of them, so that the failure names every
	// invariant that failed, not only the first.
	var errs []error
	var names []string
	for _, r := range results {
		if err := r.Error(); err != nil {
			errs, names = append(errs, err), append(names, r.Check)
		}
	}
	Expect(errors.Join(errs...)).NotTo(HaveOccurred(), "invariant %s", strings.Join(names, ", "))
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
