package kit

import (
	"context"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
)

// The steps below are the sentences specs are made of. Each waits on a
// condition with a bound from B, never on a fixed sleep, and fails the spec
// (in the node that called it) with what it last saw.

// AwaitStable waits until the group is stable with exactly members, every
// partition owned once, and returns when that was observed.
func AwaitStable(ctx context.Context, st *fixtures.Stage, members []string, within time.Duration) time.Time {
	GinkgoHelper()
	By(fmt.Sprintf("waiting for a stable group of %s", strings.Join(members, ", ")))
	d, err := st.WaitStable(ctx, members, within)
	Expect(err).NotTo(HaveOccurred())
	GinkgoWriter.Printf("group stable with %d members after %s\n", len(members), d.Round(10*time.Millisecond))
	return time.Now()
}

// StartLoad starts the post producer and waits until feed updates flow
// end to end (the verifier has seen some and the observer has lag samples).
func StartLoad(ctx context.Context, st *fixtures.Stage) time.Time {
	GinkgoHelper()
	By(fmt.Sprintf("producing %d posts/s", st.Cfg.PostRate))
	start := time.Now()
	st.Producer.Start()
	st.Note("load started at %d posts/s", st.Cfg.PostRate)
	_, err := st.WaitUntil(ctx, B.Stable, "feed updates flowing", func() (bool, string) {
		posts, updates := st.Rec.Counts()
		if updates == 0 {
			return false, fmt.Sprintf("%d posts acked, no feed update seen yet", posts)
		}
		return true, ""
	})
	Expect(err).NotTo(HaveOccurred())
	return start
}

// SteadyFor keeps the load running until at least d has passed since from,
// waiting on the producer's acks rather than sleeping: it returns once the
// producer has acked posts stamped d after from.
func SteadyFor(ctx context.Context, st *fixtures.Stage, from time.Time, d time.Duration) {
	GinkgoHelper()
	_, err := st.WaitUntil(ctx, d+B.Stable, fmt.Sprintf("load running for %s", d), func() (bool, string) {
		h := st.Rec.Snapshot()
		if n := len(h.Posts); n > 0 && h.Posts[n-1].At.Sub(from) >= d {
			return true, ""
		}
		return false, "waiting for acks"
	})
	Expect(err).NotTo(HaveOccurred())
}

// Inject injects f, records it, and waits (up to within) for it to bite.
// It returns when the fault was injected. A fault that does not bite fails
// the spec: its specs would prove nothing.
func Inject(ctx context.Context, st *fixtures.Stage, f chaos.Fault, within time.Duration) time.Time {
	GinkgoHelper()
	By(fmt.Sprintf("injecting %s on %s", f.Name(), f.Target()))
	at := time.Now()
	// Registered first, so that a fault that failed half-way in is healed too.
	DeferCleanup(func(ctx SpecContext) { _ = chaos.Heal(ctx, st.Rec, f) }, NodeTimeout(time.Minute))
	Expect(chaos.Inject(ctx, st.Rec, f)).To(Succeed())
	d, err := chaos.AwaitBite(ctx, st.Rec, st.Rec, f, at, within)
	Expect(err).NotTo(HaveOccurred(), "the fault must bite, or the spec proves nothing")
	GinkgoWriter.Printf("%s on %s bit after %s\n", f.Name(), f.Target(), d.Round(10*time.Millisecond))
	return at
}

// Heal heals f and returns when.
func Heal(ctx context.Context, st *fixtures.Stage, f chaos.Fault) time.Time {
	GinkgoHelper()
	By(fmt.Sprintf("healing %s on %s", f.Name(), f.Target()))
	at := time.Now()
	Expect(chaos.Heal(ctx, st.Rec, f)).To(Succeed())
	return at
}

// AwaitLagUnder waits until total lag is at or under the threshold,
// for at most within; it does not fail the spec (the lag checker judges
// against the bound), so that the remaining steps still run.
func AwaitLagUnder(ctx context.Context, st *fixtures.Stage, within time.Duration) {
	_, _ = st.WaitUntil(ctx, within, "lag under threshold", func() (bool, string) {
		l, ok := st.Rec.LastLag()
		if !ok {
			return false, "no lag sample"
		}
		return l.Lag() <= B.LagThreshold, fmt.Sprintf("lag %d", l.Lag())
	})
}

// Drain stops the load and waits until every post is committed and every
// feed update read.
//
// A group whose lag never comes back to zero does not fail the scenario
// here: KeepsTheData judges it ("commits every post once the load stops"),
// and the other checks still run on the complete history (a worker that
// skips a record shows as a lost update, not as a drain timeout). Only the
// load or the verifier failing is fatal.
func Drain(ctx context.Context, st *fixtures.Stage) history.History {
	h, _ := DrainRead(ctx, st)
	return h
}

// Owner returns the worker that owned partition p in the latest snapshot.
func Owner(st *fixtures.Stage, p int32) string {
	GinkgoHelper()
	s, ok := st.Rec.LastSnapshot()
	Expect(ok).To(BeTrue(), "no group snapshot")
	for _, m := range s.Members {
		for _, q := range m.Partitions {
			if q == p {
				return m.Worker
			}
		}
	}
	Fail(fmt.Sprintf("partition %d has no owner", p))
	return ""
}

// Without returns ids minus the given ones.
func Without(ids []string, gone ...string) []string {
	var out []string
outer:
	for _, id := range ids {
		for _, g := range gone {
			if id == g {
				continue outer
			}
		}
		out = append(out, id)
	}
	return out
}
