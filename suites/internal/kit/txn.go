package kit

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
)

// FaultKillMidTxn names the fault KillMidTransaction injects.
const FaultKillMidTxn = "sigkill-mid-transaction"

// KillMidTransaction sends SIGKILL to one of ws at an instant when it has
// a transaction open that has already written feed updates, and returns
// the worker, that instant and the transaction it interrupted. It stops
// every candidate (SIGSTOP), asks the broker (fixtures.TxnProbe) whether
// the first record of an open transaction on some feed partition is one
// of theirs, kills that worker there and lets the others go on (SIGCONT);
// if none has one, it lets them all go on, waits until more was written,
// and tries again, for at most within. A stopped process can neither
// commit nor abort, so the kill lands inside the transaction the probe
// saw: the same as a SIGKILL at the instant of the SIGSTOP. Stopping
// several candidates at once only raises the odds of catching one inside
// a transaction; each is stopped for well under a second, far below the
// session timeout. The kill is recorded as fault marks (inject, and bit
// with the open transaction); the spec fails when no attempt found one.
func KillMidTransaction(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker, within time.Duration) (*fixtures.Worker, time.Time, fixtures.OpenTxn) {
	GinkgoHelper()
	By(fmt.Sprintf("killing one of %d workers with SIGKILL in the middle of one of its transactions", len(ws)))
	return stopMidTransaction(ctx, st, ws, within, FaultKillMidTxn, "SIGKILL while stopped", func(w *fixtures.Worker) {
		Expect(w.Kill(ctx)).To(Succeed())
	})
}

// FaultFreezeMidTxn names the fault FreezeMidTransaction injects.
const FaultFreezeMidTxn = "sigstop-mid-transaction"

// FreezeMidTransaction leaves one of ws stopped (SIGSTOP) at an instant
// when it has a transaction open that has already written feed updates,
// as KillMidTransaction finds it, and lets the others go on: a zombie in
// the making, whose open transaction must never commit once the group has
// moved its partitions (the caller continues it with SIGCONT). It returns
// the worker, the instant and the open transaction, recorded as fault
// marks (inject, and bit with the open transaction).
func FreezeMidTransaction(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker, within time.Duration) (*fixtures.Worker, time.Time, fixtures.OpenTxn) {
	GinkgoHelper()
	By(fmt.Sprintf("freezing one of %d workers with SIGSTOP in the middle of one of its transactions", len(ws)))
	return stopMidTransaction(ctx, st, ws, within, FaultFreezeMidTxn, "left stopped", func(*fixtures.Worker) {})
}

// stopMidTransaction stops ws until one of them is seen with a transaction
// open, applies hit to it while it is stopped, lets the others go on, and
// records the fault marks (fault, inject detail what).
func stopMidTransaction(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker, within time.Duration, fault, what string, hit func(*fixtures.Worker)) (*fixtures.Worker, time.Time, fixtures.OpenTxn) {
	GinkgoHelper()
	probe, err := fixtures.NewTxnProbe(st.Bootstrap(), st.Topics.Feed)
	Expect(err).NotTo(HaveOccurred())
	defer probe.Close()
	byID := map[string]*fixtures.Worker{}
	for _, w := range ws {
		byID[w.ID()] = w
	}
	signal := func(sig string, except string) {
		for _, w := range ws {
			if w.ID() != except {
				Expect(w.Signal(ctx, sig)).To(Succeed(), "SIG%s to %s", sig, w.ID())
			}
		}
	}
	// Whatever fails from here on, no worker stays stopped into the
	// stage's teardown (cleanups run last-registered first): SIGCONT to
	// each, errors ignored (a killed one is gone).
	DeferCleanup(func(ctx context.Context) {
		for _, w := range ws {
			_ = w.Signal(ctx, "CONT")
		}
	})
	deadline := time.Now().Add(within)
	attempts := 0
	var last string
	for time.Now().Before(deadline) {
		attempts++
		before, err := probe.HighWatermarks(ctx)
		Expect(err).NotTo(HaveOccurred())
		signal("STOP", "")
		var found *fixtures.OpenTxn
		// Transactions of workers that were not stopped (none, unless ws
		// is not the whole fleet) ahead of a candidate's on a partition
		// finish meanwhile; the candidates' cannot change.
		_, _ = st.WaitUntil(ctx, 600*time.Millisecond, "an open transaction of a stopped worker", func() (bool, string) {
			open, err := probe.Open(ctx)
			if err != nil {
				return false, err.Error()
			}
			for _, o := range open {
				if byID[o.Worker] != nil {
					found = &o
					return true, ""
				}
			}
			last = fmt.Sprintf("%d partitions with an open transaction, none first written by a stopped worker", len(open))
			return false, last
		})
		if found != nil {
			w := byID[found.Worker]
			at := time.Now()
			hit(w)
			signal("CONT", w.ID())
			st.Mark(fault, w.ID(), history.PhaseInject, fmt.Sprintf("%s, attempt %d", what, attempts))
			st.Mark(fault, w.ID(), history.PhaseBit, fmt.Sprintf("open transaction of %s: first record at feed partition %d offset %d (post %s)", w.ID(), found.Partition, found.Offset, found.PostID))
			GinkgoWriter.Printf("%s: %s (attempt %d) with a transaction open since feed partition %d offset %d (post %s)\n", fault, w.ID(), attempts, found.Partition, found.Offset, found.PostID)
			return w, at, *found
		}
		signal("CONT", "")
		// Let them run until more was written before stopping them again.
		_, _ = st.WaitUntil(ctx, 2*time.Second, "more feed updates written", func() (bool, string) {
			now, err := probe.HighWatermarks(ctx)
			return err == nil && now > before+20, "waiting for writes"
		})
	}
	Fail(fmt.Sprintf("no open transaction of %d stopped workers found in %d attempts within %s (last: %s): the %s could not be aimed", len(ws), attempts, within, last, fault))
	return nil, time.Time{}, fixtures.OpenTxn{}
}

// ReadFeedLogs reads the whole feed-updates log of the stage twice, as a
// read_uncommitted and as a read_committed reader, for
// verify.AbortedRedelivered. Call it after the drain.
func ReadFeedLogs(ctx context.Context, st *fixtures.Stage) (uncommitted, committed []verify.FeedRecord) {
	GinkgoHelper()
	conv := func(rs []fixtures.FeedLogRecord) []verify.FeedRecord {
		out := make([]verify.FeedRecord, len(rs))
		for i, r := range rs {
			u := r.Update
			out[i] = verify.FeedRecord{Partition: r.Partition, Offset: r.Offset, Update: history.UpdateSeen{
				At: u.ProducedAt, PostID: u.PostID, Follower: u.Follower, Worker: u.Worker, SourcePartition: u.SourcePartition, SourceOffset: u.SourceOffset}}
		}
		return out
	}
	for _, committed := range []bool{false, true} {
		rs, bad, err := fixtures.ReadFeedLog(ctx, st.Bootstrap(), st.Topics.Feed, committed, B.Drain)
		Expect(err).NotTo(HaveOccurred())
		Expect(bad).To(BeZero(), "records on %s that are not feed updates", st.Topics.Feed)
		GinkgoWriter.Printf("read the feed log (read_committed %v): %d feed updates\n", committed, len(rs))
		if committed {
			return uncommitted, conv(rs)
		}
		uncommitted = conv(rs)
	}
	return uncommitted, committed
}
