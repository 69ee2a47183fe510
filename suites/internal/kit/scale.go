package kit

import (
	"context"
	"fmt"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/bounds"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
)

// LoadScale reads the scale configuration from the environment and prints
// it; a bad value fails the spec.
func LoadScale() bounds.Scale {
	GinkgoHelper()
	c, err := bounds.ScaleFromEnv(os.Getenv)
	Expect(err).NotTo(HaveOccurred(), "bad scale configuration in the environment")
	GinkgoWriter.Printf("scale configuration:\n%s\n", c.Table())
	return c
}

// Grow adds n workers to the fleet (started concurrently, at most the
// fleet's start limit at a time) and returns their ids, when the call began
// and when the last container was running.
func Grow(ctx SpecContext, st *fixtures.Stage, n int) (ids []string, began, started time.Time) {
	GinkgoHelper()
	By(fmt.Sprintf("adding %d workers (%d containers at once)", n, st.Fleet.Limit()))
	began = time.Now()
	ws, err := st.Fleet.Add(ctx, n)
	started = time.Now()
	Expect(err).NotTo(HaveOccurred(), "starting %d workers", n)
	for _, w := range ws {
		ids = append(ids, w.ID())
	}
	GinkgoWriter.Printf("started %d workers and their proxies in %s\n", n, started.Sub(began).Round(10*time.Millisecond))
	st.Note("fleet grown by %d to %d workers in %s", n, len(st.Fleet.IDs()), started.Sub(began).Round(time.Millisecond))
	return ids, began, started
}

// Shrink retires the given workers (SIGTERM to all at once, wait for each
// container to exit within `within`, remove the containers) and returns
// when the first and the last signal went out. Retiring dozens of workers
// at once on a loaded engine, the engine can report an exit seconds after
// the worker printed stopped (seen: 40 retired at once with 100 containers
// on 2 cores, stopped 2.4 s after the signal, not reported exited 10 s
// after it), so the ladder waits its step bound here; the worker's own
// SIGTERM-to-exit bound is judged by the SIGTERM specs.
func Shrink(ctx SpecContext, st *fixtures.Stage, ids []string, within time.Duration) (began, signalled time.Time) {
	GinkgoHelper()
	By(fmt.Sprintf("retiring %d workers (SIGTERM)", len(ids)))
	began = time.Now()
	rs, err := st.Fleet.Retire(ctx, within, ids...)
	done := time.Now()
	Expect(err).NotTo(HaveOccurred(), "retiring %v", ids)
	signalled = began
	var slowest time.Duration
	for _, r := range rs {
		if r.Signalled.After(signalled) {
			signalled = r.Signalled
		}
		slowest = max(slowest, r.Shutdown)
		if r.ExitCode != 0 && !r.Signalled.IsZero() {
			GinkgoWriter.Printf("worker %s exited %d after %s\n", r.Worker, r.ExitCode, r.Shutdown.Round(time.Millisecond))
		}
	}
	GinkgoWriter.Printf("retired %d workers: signals sent in %s, slowest shutdown %s, containers removed after %s\n",
		len(ids), signalled.Sub(began).Round(time.Millisecond), slowest.Round(time.Millisecond), done.Sub(began).Round(10*time.Millisecond))
	st.Note("fleet shrunk by %d to %d workers (signals in %s)", len(ids), len(st.Fleet.IDs()), signalled.Sub(began).Round(time.Millisecond))
	return began, signalled
}

// CheckEach is Check for one invariant judged once per step: each result
// is recorded in the history and, when it has a bound, reported as a
// measurement named by its label ("settled 25->50"); the spec fails on the
// first failing one, after the timeline is written.
func CheckEach(st *fixtures.Stage, fault string, labels []string, results []verify.Result) {
	GinkgoHelper()
	Expect(results).NotTo(BeEmpty(), "no step to judge")
	failed := false
	for i, r := range results {
		st.Rec.Verdict(r.Verdict())
		noteJudged(r)
		if r.Bound > 0 {
			Measured(labels[i], fault, r.Measured, r.Bound)
		}
		failed = failed || !r.Pass
	}
	if failed {
		WriteTimeline(st)
	}
	for i, r := range results {
		Expect(r.Error()).NotTo(HaveOccurred(), "invariant %s at step %s", r.Check, labels[i])
	}
}

// SettleWithin waits up to within for a stable group of exactly members,
// every partition owned once, and returns when it saw it; unlike
// AwaitStable it does not fail the spec (the step's checker judges it from
// the history), it reports the error.
func SettleWithin(ctx context.Context, st *fixtures.Stage, members []string, within time.Duration) (time.Time, error) {
	d, err := st.WaitStable(ctx, members, within)
	if err != nil {
		GinkgoWriter.Printf("group of %d did not settle within %s: %v\n", len(members), within, err)
		return time.Time{}, err
	}
	GinkgoWriter.Printf("group stable with %d members after %s\n", len(members), d.Round(10*time.Millisecond))
	return time.Now(), nil
}

// DrainRead stops the load and waits for every feed update to be read,
// like Drain, but does not fail the spec when the group's lag never comes
// back to zero: that is judged by its own invariant (LagRecovered with a
// threshold of 0 from the returned stop time), while the others run on the
// complete history.
func DrainRead(ctx context.Context, st *fixtures.Stage) (h history.History, stopped time.Time) {
	GinkgoHelper()
	By("stopping the load and draining the fleet")
	stopped = time.Now()
	out, err := st.DrainRead(ctx, B.Drain)
	Expect(err).NotTo(HaveOccurred())
	if out.LagErr != nil {
		GinkgoWriter.Printf("lag did not reach zero: %d (%s)\n", out.Lag, out.Worst)
	}
	GinkgoWriter.Printf("drained in %s\n", out.Took.Round(10*time.Millisecond))
	return st.Rec.Snapshot(), stopped
}
