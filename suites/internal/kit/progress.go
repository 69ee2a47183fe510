package kit

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/streamsocial/feedchaos/fixtures"
)

// Long runs say where they are: one line per finished spec,
//
//	[ 12/382   3m05s] passed  crash: a worker killed with SIGKILL ... reassigns its partitions
//	[ 13/382   3m40s] FAILED  soak: a fleet under a short seeded schedule ... loses no feed update (seed 1733)
//
// n counts the finished specs of the whole run (every parallel process), N
// is the number of specs the run will run, the time is elapsed since the
// suite's set-up began, and a schedule spec names its seed (Seed).
//
// The lines go to the file $CHAOS_PROGRESS (relative to the module root),
// which the Makefile's targets set and print as it grows: a parallel
// process's stdout is captured by Ginkgo and shown only with its spec's
// report. Without it a serial run prints them on stdout and a parallel one
// not at all. Parallel processes append under a file lock, which also makes
// n count across them.

// EnvProgress names the progress file.
const EnvProgress = "CHAOS_PROGRESS"

// runClock is what every process learns from the set-up on the first one.
type runClock struct {
	Start time.Time `json:"start"`
	Total int       `json:"total"` // specs that will run
}

var (
	clock      runClock
	totalSpecs int // set on process 1 before the set-up runs

	seedsMu sync.Mutex
	seeds   = map[string]int64{} // Ordered container → the seed one of its specs reported
)

// Seed records the seed of a seeded spec (a random fault schedule) on the
// current spec's report, for its progress line and the JSON report; the
// other specs of its Ordered container inherit it in their progress lines.
func Seed(seed int64) {
	AddReportEntry("seed", seed, ReportEntryVisibilityNever)
}

func registerProgress() {
	ReportBeforeSuite(func(r Report) {
		totalSpecs = r.PreRunStats.SpecsThatWillRun
	})
	ReportAfterEach(func(r SpecReport) {
		if r.LeafNodeType != types.NodeTypeIt || clock.Total == 0 {
			return // a dry run, or the set-up never ran
		}
		if filteredOut(r) {
			return // not one of the run's specs
		}
		writeProgress(r)
	})
}

// progressFile is $CHAOS_PROGRESS, a relative path taken from the module
// root (Ginkgo runs the suite in its package directory), or "".
func progressFile() string {
	p := os.Getenv(EnvProgress)
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if root, err := fixtures.ModuleRoot(); err == nil {
		return filepath.Join(root, p)
	}
	return p
}

// startClock truncates the progress file and returns this run's clock; the
// set-up on process 1 calls it before any spec runs.
func startClock() runClock {
	if p := progressFile(); p != "" {
		_ = os.WriteFile(p, nil, 0o644)
	}
	return runClock{Start: time.Now(), Total: totalSpecs}
}

func writeProgress(r SpecReport) {
	container := strings.Join(r.ContainerHierarchyTexts, " ")
	seedsMu.Lock()
	seed, hasSeed := seeds[container]
	for _, e := range r.ReportEntries {
		if e.Name != "seed" {
			continue
		}
		if s, ok := e.Value.GetRawValue().(int64); ok {
			seed, hasSeed = s, true
			seeds[container] = s
		}
	}
	seedsMu.Unlock()
	state := r.State.String()
	if r.Failed() {
		state = strings.ToUpper(state)
	}
	tail := ""
	if hasSeed {
		tail = fmt.Sprintf(" (seed %d)", seed)
	}
	if why := skipReason(container, r); why != "" {
		tail += " — " + why // why: a cluster without what the spec needs
	}
	text := cutRunes(ThemeOf(r.Labels())+": "+r.FullText(), 120)
	elapsed := time.Since(clock.Start).Round(time.Second)
	// A pending spec gets a line but no number: Ginkgo's count of the specs
	// that will run (the denominator) leaves pending ones out.
	pending := r.State == types.SpecStatePending
	line := func(n int) string {
		count := fmt.Sprint(n)
		if pending {
			count = "-"
		}
		return fmt.Sprintf("[%*s/%d %7s] %-8s %s%s\n", len(fmt.Sprint(clock.Total)), count, clock.Total, elapsed, state, text, tail)
	}
	p := progressFile()
	if p == "" {
		if sc, _ := GinkgoConfiguration(); sc.ParallelTotal > 1 {
			return // stdout is captured: nowhere to print
		}
		if !pending {
			serialDone++
		}
		fmt.Fprint(os.Stdout, line(serialDone))
		return
	}
	if err := appendProgress(p, line); err != nil {
		GinkgoWriter.Printf("progress: %v\n", err)
	}
}

var serialDone int

// skipReasons keeps the reason an Ordered container's BeforeAll skipped it
// for, so that its later specs, which Ginkgo skips with a generic message,
// show it too. An Ordered container runs in one process.
var (
	skipReasonsMu sync.Mutex
	skipReasons   = map[string]string{}
)

// skipReason returns why r was skipped ("" when it was not, or no reason
// was given).
func skipReason(container string, r SpecReport) string {
	if !r.State.Is(types.SpecStateSkipped) || r.Failure.Message == "" {
		return ""
	}
	skipReasonsMu.Lock()
	defer skipReasonsMu.Unlock()
	if strings.HasPrefix(r.Failure.Message, "Spec skipped because Skip() was called in BeforeAll") {
		if why, ok := skipReasons[container]; ok {
			return why
		}
		return r.Failure.Message
	}
	skipReasons[container] = r.Failure.Message
	return r.Failure.Message
}

// appendProgress appends line(n) to the file at p under an exclusive lock,
// n being one more than the lines already there.
func appendProgress(p string, line func(n int) string) error {
	f, err := os.OpenFile(p, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open progress file: %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock progress file: %w", err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read progress file: %w", err)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("read progress file: %w", err)
	}
	if _, err := f.WriteString(line(numberedLines(b) + 1)); err != nil {
		return fmt.Errorf("write progress file: %w", err)
	}
	return nil
}

// numberedLines counts the lines of a progress file that carry a number
// (a pending spec's line carries "-").
func numberedLines(b []byte) int {
	n := 0
	for _, l := range bytes.Split(b, []byte("\n")) {
		l = bytes.TrimLeft(l, "[ ")
		if len(l) > 0 && !bytes.HasPrefix(l, []byte("-/")) {
			n++
		}
	}
	return n
}

func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
