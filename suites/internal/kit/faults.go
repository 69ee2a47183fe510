package kit

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
)

// Role targeting: the catalogue's faults act on a worker, the worker that
// owns a partition, or the broker that coordinates the group. These steps
// find them on the spec's stage.

// Worker returns the worker with id; it fails the spec if there is none.
func Worker(st *fixtures.Stage, id string) *fixtures.Worker {
	GinkgoHelper()
	w, ok := st.Fleet.Get(id)
	Expect(ok).To(BeTrue(), "no worker %s in the fleet (%v)", id, st.Fleet.IDs())
	return w
}

// OwnerOf returns the worker that owns partition p in the latest snapshot.
func OwnerOf(st *fixtures.Stage, p int32) *fixtures.Worker {
	GinkgoHelper()
	return Worker(st, Owner(st, p))
}

// Coordinator returns the index of the broker that coordinates the stage's
// group (every worker's proxy for it is broker-<index>).
func Coordinator(ctx context.Context, st *fixtures.Stage) int {
	GinkgoHelper()
	i, err := st.Coordinator(ctx)
	Expect(err).NotTo(HaveOccurred(), "looking up the group coordinator")
	Expect(i).To(BeNumerically(">=", 0))
	Expect(i).To(BeNumerically("<", st.BrokerCount()))
	GinkgoWriter.Printf("group %s is coordinated by broker-%d\n", st.Group, i)
	return i
}

// Restartables returns the workers with the given ids (all, when none) as
// the catalogue's restartable processes.
func Restartables(st *fixtures.Stage, ids ...string) []chaos.Restartable {
	GinkgoHelper()
	if len(ids) == 0 {
		ids = st.Fleet.IDs()
	}
	var out []chaos.Restartable
	for _, id := range ids {
		out = append(out, Worker(st, id))
	}
	return out
}

// BrokerFaults adapts the stage's broker control API to the catalogue's
// chaos.BrokerFaulter.
func BrokerFaults(st *fixtures.Stage) chaos.BrokerFaulter {
	GinkgoHelper()
	return brokerFaulter{Embedded(st)}
}

type brokerFaulter struct{ b *fixtures.Broker }

func (f brokerFaulter) AddFault(ctx context.Context, keys []string, group, kafkaErr string) (string, error) {
	return f.b.AddFault(ctx, fixtures.BrokerFault{Keys: keys, Group: group, Error: kafkaErr, Count: -1})
}

func (f brokerFaulter) RemoveFault(ctx context.Context, id string) (int64, error) {
	hits, err := f.b.RemoveFault(ctx, id)
	if err == nil && hits >= 0 {
		GinkgoWriter.Printf("broker fault %s failed %d requests\n", id, hits)
	}
	return hits, err
}

// ClientFaults adapts the stage's broker control API to the catalogue's
// chaos.ClientFaulter (faults on one client's requests).
func ClientFaults(st *fixtures.Stage) chaos.ClientFaulter { return brokerFaulter{Embedded(st)} }

func (f brokerFaulter) AddClientFault(ctx context.Context, client string, keys []string, topic, kafkaErr string) (string, error) {
	return f.b.AddFault(ctx, fixtures.BrokerFault{Keys: keys, Client: client, Topic: topic, Error: kafkaErr, Count: -1})
}

func (f brokerFaulter) FaultHits(ctx context.Context, id string) (int64, error) {
	return f.b.FaultHits(ctx, id)
}

// Holds adapts the stage's broker control API to the catalogue's
// chaos.HoldFaulter (one client's requests held back).
func Holds(st *fixtures.Stage) chaos.HoldFaulter { return brokerFaulter{Embedded(st)} }

func (f brokerFaulter) AddHold(ctx context.Context, client string, keys []string, hold time.Duration) (string, error) {
	return f.b.AddHold(ctx, fixtures.BrokerHold{Keys: keys, Client: client, Hold: hold})
}

func (f brokerFaulter) HoldHits(ctx context.Context, id string) (int64, error) {
	return f.b.HoldHits(ctx, id)
}

func (f brokerFaulter) RemoveHold(ctx context.Context, id string) (int64, error) {
	hits, err := f.b.RemoveHold(ctx, id)
	if err == nil && hits >= 0 {
		GinkgoWriter.Printf("broker hold %s held %d requests\n", id, hits)
	}
	return hits, err
}

// InjectTimed is Inject that also returns when Inject itself returned (a
// broker restart is over only then), besides when it began.
func InjectTimed(ctx context.Context, st *fixtures.Stage, f chaos.Fault, within time.Duration) (began, done time.Time) {
	GinkgoHelper()
	By(fmt.Sprintf("injecting %s on %s", f.Name(), f.Target()))
	began = time.Now()
	DeferCleanup(func(ctx SpecContext) { _ = chaos.Heal(ctx, st.Rec, f) }, NodeTimeout(time.Minute))
	Expect(chaos.Inject(ctx, st.Rec, f)).To(Succeed())
	done = time.Now()
	d, err := chaos.AwaitBite(ctx, st.Rec, st.Rec, f, began, within)
	Expect(err).NotTo(HaveOccurred(), "the fault must bite, or the spec proves nothing")
	GinkgoWriter.Printf("%s on %s: injected in %s, bit %s later\n", f.Name(), f.Target(), done.Sub(began).Round(10*time.Millisecond), d.Round(10*time.Millisecond))
	return began, done
}

// HoldFor keeps a fault in place until d has passed since from. This is the
// fault's own duration (a pause of 3 s, a broker down for 8 s), part of
// what is injected, not a wait for something to happen: those wait on
// conditions.
func HoldFor(ctx context.Context, from time.Time, d time.Duration) {
	GinkgoHelper()
	left := time.Until(from.Add(d))
	if left <= 0 {
		return
	}
	By(fmt.Sprintf("holding the fault for %s", d))
	select {
	case <-ctx.Done():
		Fail("interrupted while holding the fault: " + ctx.Err().Error())
	case <-time.After(left):
	}
}

// Watch keeps the load running until d has passed since from, as
// SteadyFor, but without needing the producer's acks (the broker may be
// the thing that is down): it waits on the observer having recorded a
// sample at or after from+d.
func Watch(ctx context.Context, st *fixtures.Stage, from time.Time, d time.Duration) {
	GinkgoHelper()
	_, err := st.WaitUntil(ctx, d+B.Stable, fmt.Sprintf("observing until %s after the mark", d), func() (bool, string) {
		s, ok := st.Rec.LastSnapshot()
		if ok && !s.At.Before(from.Add(d)) {
			return true, ""
		}
		return false, "waiting for the observer"
	})
	Expect(err).NotTo(HaveOccurred())
}

// Events returns the worker's lifecycle events at or after since, in time
// order.
func Events(h history.History, worker string, since time.Time) []history.WorkerEvent {
	var out []history.WorkerEvent
	for _, e := range h.Events {
		if e.Worker == worker && !e.TS.Before(since) {
			out = append(out, e)
		}
	}
	return out
}

// AwaitLagHeld waits until lag samples taken at or after since have shown
// total lag at or under the threshold for B.LagHold without a break, for
// at most within plus the hold. Like AwaitLagUnder it does not fail the
// spec: LagRecovered judges the history against the bound and the hold,
// and the load keeps running meanwhile, so that "lag stays down" is seen
// under load, not after it stopped.
func AwaitLagHeld(ctx context.Context, st *fixtures.Stage, since time.Time, within time.Duration) {
	var down time.Time
	_, _ = st.WaitUntil(ctx, within+B.LagHold, fmt.Sprintf("lag under threshold for %s", B.LagHold), func() (bool, string) {
		l, ok := st.Rec.LastLag()
		if !ok || l.At.Before(since) {
			return false, "no lag sample since the mark"
		}
		if l.Lag() > B.LagThreshold {
			down = time.Time{}
			return false, fmt.Sprintf("lag %d", l.Lag())
		}
		if down.IsZero() {
			down = l.At
		}
		return l.At.Sub(down) >= B.LagHold, fmt.Sprintf("lag %d, under the threshold for %s", l.Lag(), l.At.Sub(down).Round(time.Millisecond))
	})
}

// LagWindow is the window LagRecovered judges a fault in: lag risen (when
// rise) at or after injected, back under the threshold within the recovery
// bound of from, and held for B.LagHold before the load stopped.
func LagWindow(injected, from time.Time, rise bool) verify.LagWindow {
	return verify.LagWindow{Fault: injected, From: from, Hold: B.LagHold, Rise: rise}
}

// Known is an It of KeepsTheData that a scenario registers Pending,
// because a bug outside the worker under test (the client library, the
// broker) makes it fail on a correct worker: Why names the bug, and shows
// in the spec's text and the report. The It is still listed, never hidden.
type Known struct {
	It  string // the It's sentence, e.g. "never moves a committed offset backwards"
	Why string
}

// itUnless returns Ginkgo's It, registering the sentences named in known
// Pending with their reason.
func itUnless(known []Known) func(text string, args ...any) bool {
	return func(text string, args ...any) bool {
		for _, k := range known {
			if k.It == text {
				return It(fmt.Sprintf("%s [pending: %s]", text, k.Why), append([]any{Pending}, args...)...)
			}
		}
		return It(text, args...)
	}
}

// Scene is what a scenario's BeforeAll leaves for its Its: the stage, the
// drained history and the name of the fault, for reports.
type Scene struct {
	St    *fixtures.Stage
	H     history.History
	Fault string
	// ZombieGrace widens B.ZombieGrace for a scenario whose fault makes a
	// late write by a dropped member part of what it claims (a handler
	// slower than max.poll.interval finishes the post it was on).
	ZombieGrace time.Duration
}

// KeepsTheData registers the data-safety invariants every scenario
// states, one It each: "never lets two members own one partition" (the
// observer's view of the coordinator), "loses no feed update" (the
// verifier), "never moves a committed offset backwards" (every commit the
// broker accepted, and the observer's samples), "commits no post before
// all of its feed updates are appended" and "lets no worker write for a
// partition the coordinator had not given it (the broker's audit; not
// applicable, and said so, without one) or it had given back" (its own
// revoked and lost events against its feed updates' record timestamps),
// and "writes only lines and records the worker contract allows". scene is
// called when the Its run,
// after BeforeAll has set the stage and drained the history. Call it
// inside the scenario's Ordered container. The "loses no feed update" It also
// reports the run's feed-update latency per partition (ReportLatency,
// "whole run") and that of the partitions each fault affected, during it
// and after its heal (ReportFaultLatency), for the summary.
func KeepsTheData(scene func() Scene, known ...Known) {
	It := itUnless(known)
	It("never lets two members own one partition", func() {
		s := scene()
		Check(s.St, s.Fault, verify.ExclusiveOwnership(s.H, time.Time{}, time.Time{}))
	})
	It("loses no feed update", func() {
		s := scene()
		// Reported, not judged here: at-least-once may fan a post out
		// again after a fault (DeliversOnce and the control judge zero).
		Counted("duplicate feed updates", s.Fault, verify.DuplicateCopies(s.H), "reported")
		ReportLatency(s.St, s.H, "whole run", s.Fault, time.Time{}, time.Time{})
		ReportFaultLatency(s.St, s.H)
		Check(s.St, s.Fault, verify.NoLostUpdates(s.H, s.St.Graph))
	})
	It("never moves a committed offset backwards", func() {
		s := scene()
		Check(s.St, s.Fault, verify.CommittedMonotonicExact(s.H), verify.CommittedMonotonic(s.H))
	})
	It(drainsText, func() { checkDrained(scene()) })
	It("commits no post before all of its feed updates are appended", func() {
		s := scene()
		Check(s.St, s.Fault, verify.CommitsCoverAppends(s.H, s.St.Graph))
	})
	It("lets no worker write for a partition the coordinator had not given it or it had given back", func() {
		s := scene()
		Check(s.St, s.Fault, verify.NoZombieWrites(s.H, B.ZombieGrace+s.ZombieGrace), verify.NoWriteAfterRevoke(s.H))
	})
	ContractHonoured(scene)
}

// drainsText is the sentence of the drain It.
const drainsText = "commits every post once the load stops: lag back to zero within the drain bound"

// DrainsToZero registers the drain It alone, for a spec that does not
// register KeepsTheData: Drain no longer fails a spec whose lag never
// comes back to zero, this It does.
func DrainsToZero(scene func() Scene) {
	It(drainsText, func() { checkDrained(scene()) })
}

func checkDrained(s Scene) {
	GinkgoHelper()
	stopped := s.H.LoadStopped
	Check(s.St, s.Fault, verify.LagRecovered(s.H, verify.LagWindow{Fault: stopped, From: stopped, Until: s.H.End}, 0, B.Drain))
}

// ContractHonoured registers "writes only what the worker contract
// allows": every stdout line, feed update and dead letter parsed
// (verify.ContractHonoured).
func ContractHonoured(scene func() Scene) {
	It("writes only lines and records the worker contract allows", func() {
		s := scene()
		Check(s.St, s.Fault, verify.ContractHonoured(s.H))
	})
}

// DeliversOnce registers "delivers every feed update exactly once" (no
// duplicate reaches a read_committed reader) for a scenario whose fleet
// runs in exactly-once mode, and nothing otherwise. scene is called when
// the It runs.
func DeliversOnce(exactlyOnce bool, scene func() Scene) {
	if !exactlyOnce {
		return
	}
	It("delivers every feed update exactly once", func() {
		s := scene()
		_, appended := verify.DuplicateAppends(s.H)
		Check(s.St, s.Fault, verify.NoDuplicates(s.H), appended)
	})
	It("commits each post's offset in the transaction that appends its feed updates", func() {
		s := scene()
		Check(s.St, s.Fault, verify.AtomicOffsets(s.H))
	})
}
