package chaos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// view is a GroupView fed by the test: the snapshots and lag samples become
// visible at their own time (relative to the view's start).
type view struct {
	start time.Time
	snaps []history.GroupSnapshot
	lags  []history.LagSample
}

func newView() *view { return &view{start: time.Now()} }

func (v *view) snap(after time.Duration, state string, members ...history.Member) *view {
	v.snaps = append(v.snaps, history.GroupSnapshot{At: v.start.Add(after), State: state, Members: members})
	return v
}

func (v *view) lag(after time.Duration, committed, end map[int32]int64) *view {
	v.lags = append(v.lags, history.LagSample{At: v.start.Add(after), Committed: committed, End: end})
	return v
}

func (v *view) LastSnapshot() (history.GroupSnapshot, bool) {
	var last *history.GroupSnapshot
	for i := range v.snaps {
		if !v.snaps[i].At.After(time.Now()) {
			last = &v.snaps[i]
		}
	}
	if last == nil {
		return history.GroupSnapshot{}, false
	}
	return *last, true
}

func (v *view) LastLag() (history.LagSample, bool) {
	var last *history.LagSample
	for i := range v.lags {
		if !v.lags[i].At.After(time.Now()) {
			last = &v.lags[i]
		}
	}
	if last == nil {
		return history.LagSample{}, false
	}
	return *last, true
}

func (v *view) SnapshotBefore(t time.Time) (history.GroupSnapshot, bool) {
	var last *history.GroupSnapshot
	for i := range v.snaps {
		if v.snaps[i].Err == "" && !v.snaps[i].At.After(t) {
			last = &v.snaps[i]
		}
	}
	if last == nil {
		return history.GroupSnapshot{}, false
	}
	return *last, true
}

func (v *view) LagBefore(t time.Time) (history.LagSample, bool) {
	var last *history.LagSample
	for i := range v.lags {
		if !v.lags[i].At.After(t) {
			last = &v.lags[i]
		}
	}
	if last == nil {
		return history.LagSample{}, false
	}
	return *last, true
}

func m(w, id string, parts ...int32) history.Member {
	return history.Member{Worker: w, MemberID: id, Partitions: parts}
}

var ms = time.Millisecond

func TestLeavesBitesWhenAllListedWorkersAreGone(t *testing.T) {
	v := newView().
		snap(0, "Stable", m("w1", "a", 0), m("w2", "b", 1), m("w3", "c", 2)).
		snap(150*ms, "PreparingRebalance", m("w2", "b", 1), m("w3", "c", 2)).
		snap(300*ms, "Stable", m("w3", "c", 0, 1, 2))
	if err := (Leaves{"w1", "w2"}).Await(context.Background(), v, v.start, 2*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestLeavesDoesNotBiteWhileTheWorkerStays(t *testing.T) {
	v := newView().snap(0, "Stable", m("w1", "a", 0), m("w2", "b", 1))
	err := (Leaves{"w1"}).Await(context.Background(), v, v.start, 300*ms)
	if !errors.Is(err, ErrNoBite) || !strings.Contains(err.Error(), "w1 leaving the group") {
		t.Fatalf("want no-bite naming w1, got %v", err)
	}
	// An empty Leaves wants an empty group.
	if err := (Leaves{}).Await(context.Background(), v, v.start, 300*ms); !errors.Is(err, ErrNoBite) {
		t.Fatalf("want no-bite for a group with members, got %v", err)
	}
	// A snapshot older than since does not count.
	old := newView().snap(0, "Empty")
	if err := (Leaves{}).Await(context.Background(), old, old.start.Add(time.Hour), 200*ms); !errors.Is(err, ErrNoBite) {
		t.Fatalf("an old snapshot made it bite: %v", err)
	}
}

func TestStallsWatchesOnlyTheWorkersPartitions(t *testing.T) {
	v := newView().snap(0, "Stable", m("w1", "a", 0, 1), m("w2", "b", 2))
	// Partition 2 (w2's) is far behind; w1's partitions are not.
	v.lag(0, map[int32]int64{0: 10, 1: 10, 2: 0}, map[int32]int64{0: 12, 1: 11, 2: 500})
	if err := (Stalls{Worker: "w1", MinLag: 20}).Await(context.Background(), v, v.start, 300*ms); !errors.Is(err, ErrNoBite) {
		t.Fatalf("w1 did not stall but bit: %v", err)
	}
	v.lag(200*ms, map[int32]int64{0: 10, 1: 10, 2: 0}, map[int32]int64{0: 25, 1: 21, 2: 500})
	if err := (Stalls{Worker: "w1", MinLag: 20}).Await(context.Background(), v, v.start, 2*time.Second); err != nil {
		t.Fatalf("w1 is 26 behind: %v", err)
	}
	// The whole group: 503 behind before, 526 after: 23 more.
	if err := (Stalls{MinLag: 20}).Await(context.Background(), v, v.start, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := (Stalls{MinLag: 500}).Await(context.Background(), v, v.start, 300*ms); !errors.Is(err, ErrNoBite) {
		t.Fatalf("the group was already 503 behind before the fault, yet a 500 stall bit: %v", err)
	}
	// A worker without partitions cannot stall.
	if err := (Stalls{Worker: "w9", MinLag: 1}).Await(context.Background(), v, v.start, time.Second); !errors.Is(err, ErrNoBite) || !strings.Contains(err.Error(), "owns no partition") {
		t.Fatalf("got %v", err)
	}
}

// A worker that was already behind when the fault came must fall further
// behind: on a loaded host a fault that did nothing must not bite.
func TestStallsIsJudgedAgainstTheLagBeforeTheFault(t *testing.T) {
	v := newView().snap(-time.Second, "Stable", m("w1", "a", 0))
	v.lag(-500*ms, map[int32]int64{0: 100}, map[int32]int64{0: 130}) // 30 behind before
	v.lag(100*ms, map[int32]int64{0: 110}, map[int32]int64{0: 145})  // 35 behind after
	err := (Stalls{Worker: "w1", MinLag: 20}).Await(context.Background(), v, v.start, 400*ms)
	if !errors.Is(err, ErrNoBite) || !strings.Contains(err.Error(), "30 before the fault") {
		t.Fatalf("5 more records behind is no stall of 20; got %v", err)
	}
	v.lag(300*ms, map[int32]int64{0: 110}, map[int32]int64{0: 160}) // 50 behind: 20 more
	if err := (Stalls{Worker: "w1", MinLag: 20}).Await(context.Background(), v, v.start, time.Second); err != nil {
		t.Fatal(err)
	}
}

// A worker that was no member when the fault was injected cannot show the
// fault by being absent.
func TestLeavesNeedsTheWorkerToBeAMemberAtInjection(t *testing.T) {
	v := newView().
		snap(-time.Second, "Stable", m("w2", "b", 0, 1)).
		snap(100*ms, "Stable", m("w2", "b", 0, 1))
	err := (Leaves{"w1"}).Await(context.Background(), v, v.start, time.Second)
	if !errors.Is(err, ErrNoBite) || !strings.Contains(err.Error(), "w1 was not a member") {
		t.Fatalf("want no-bite: w1 was not a member; got %v", err)
	}
	if err := (Leaves{"w1"}).Await(context.Background(), newView(), time.Now(), 100*ms); !errors.Is(err, ErrNoBite) {
		t.Fatalf("no snapshot before the injection must not bite, got %v", err)
	}
}

func TestRejoinedNeedsEveryMemberNew(t *testing.T) {
	v := newView().
		snap(0, "Stable", m("w1", "a", 0), m("w2", "b", 1)).
		snap(100*ms, "Stable", m("w1", "a2", 0), m("w2", "b", 1)) // w2 kept its session
	if err := (Rejoined{Before: []string{"a", "b"}}).Await(context.Background(), v, v.start, 400*ms); !errors.Is(err, ErrNoBite) {
		t.Fatalf("w2 still has its old member id, yet it bit: %v", err)
	}
	v.snap(200*ms, "Stable", m("w1", "a2", 0), m("w2", "b2", 1))
	if err := (Rejoined{Before: []string{"a", "b"}}).Await(context.Background(), v, v.start, time.Second); err != nil {
		t.Fatal(err)
	}
	// KIP-848 members keep their ids: a new epoch counts.
	e := newView()
	e.snaps = append(e.snaps, history.GroupSnapshot{At: e.start, State: "Stable", Generation: 9, Members: []history.Member{m("w1", "a", 0)}})
	if err := (Rejoined{Before: []string{"a"}, BeforeGeneration: 7}).Await(context.Background(), e, e.start, time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestUnobservableNeedsAFailedSnapshot(t *testing.T) {
	v := newView().snap(0, "Stable", m("w1", "a", 0))
	if err := (Unobservable{}).Await(context.Background(), v, v.start, 200*ms); !errors.Is(err, ErrNoBite) {
		t.Fatalf("got %v", err)
	}
	v.snaps = append(v.snaps, history.GroupSnapshot{At: v.start.Add(100 * ms), Err: "dial tcp: connection refused"})
	if err := (Unobservable{}).Await(context.Background(), v, v.start, time.Second); err != nil {
		t.Fatal(err)
	}
}

// fakeLink records toxic calls.
type fakeLink struct {
	mu      sync.Mutex
	toxics  map[string]string // name -> type/stream/brokers
	failAdd string
}

func (l *fakeLink) AddToxic(_ context.Context, name, typ, stream string, attrs map[string]any, brokers ...int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.toxics == nil {
		l.toxics = map[string]string{}
	}
	if stream == l.failAdd {
		return errors.New("toxiproxy says no")
	}
	if _, ok := l.toxics[name]; ok {
		return fmt.Errorf("toxic %s already exists", name)
	}
	l.toxics[name] = fmt.Sprintf("%s/%s/%v/%v", typ, stream, brokers, attrs)
	return nil
}

func (l *fakeLink) RemoveToxic(_ context.Context, name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.toxics, name)
	return nil
}

func TestToxicInjectHealIdempotent(t *testing.T) {
	ctx := context.Background()
	l := &fakeLink{}
	f := Blackhole("w1", l, Upstream, Downstream)
	if f.Name() != "blackhole" || f.Target() != "w1" {
		t.Fatalf("name %q target %q", f.Name(), f.Target())
	}
	if err := f.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	if len(l.toxics) != 2 || !strings.HasPrefix(l.toxics["chaos-blackhole-upstream"], "timeout/upstream/[]") {
		t.Fatalf("toxics %v", l.toxics)
	}
	for range 2 {
		if err := f.Heal(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(l.toxics) != 0 {
		t.Fatalf("heal left %v", l.toxics)
	}
	lat := Latency("w2", l, 2700*ms, 0, Upstream, 1)
	if lat.Name() != "latency" || lat.Target() != "w2->broker-1" {
		t.Fatalf("latency name %q target %q", lat.Name(), lat.Target())
	}
	if err := lat.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	if got := l.toxics["chaos-latency-upstream"]; !strings.Contains(got, "latency/upstream/[1]") || !strings.Contains(got, "latency:2700") {
		t.Fatalf("latency toxic %q", got)
	}
	if Latency("w2", l, time.Second, time.Second, Upstream).Name() != "jitter" {
		t.Fatal("a latency with jitter is named jitter")
	}
}

func TestToxicInjectFailureRollsBack(t *testing.T) {
	l := &fakeLink{failAdd: Downstream}
	err := Blackhole("w1", l, Upstream, Downstream).Inject(context.Background())
	if err == nil || !strings.Contains(err.Error(), "toxiproxy says no") {
		t.Fatalf("got %v", err)
	}
	if len(l.toxics) != 0 {
		t.Fatalf("a failed inject left %v", l.toxics)
	}
}

type fakeProc struct {
	id      string
	mu      sync.Mutex
	signals []string
	running bool
	failSig string
}

func (p *fakeProc) ID() string { return p.id }
func (p *fakeProc) Kill(ctx context.Context) error {
	return p.Signal(ctx, "KILL")
}
func (p *fakeProc) Signal(_ context.Context, sig string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.running {
		return fmt.Errorf("container %s is not running", p.id)
	}
	if sig == p.failSig {
		return errors.New("docker said no")
	}
	p.signals = append(p.signals, sig)
	if sig == "KILL" || sig == "TERM" {
		p.running = false
	}
	return nil
}

func TestKillManyKillsEveryoneAndJoinsErrors(t *testing.T) {
	a, b := &fakeProc{id: "w1", running: true}, &fakeProc{id: "w2", running: true, failSig: "KILL"}
	f := KillMany{Ps: []Process{a, b}}
	if f.Target() != "w1+w2" {
		t.Fatalf("target %q", f.Target())
	}
	err := f.Inject(context.Background())
	if err == nil || !strings.Contains(err.Error(), "docker said no") || a.running {
		t.Fatalf("got %v, w1 running %v", err, a.running)
	}
	if err := (KillMany{}).Inject(context.Background()); err == nil {
		t.Fatal("killing nobody must fail")
	}
}

func TestSigStopHealOnADeadProcessIsNotAnError(t *testing.T) {
	p := &fakeProc{id: "w1", running: true}
	f := SigStop{P: p}
	if err := f.Inject(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := f.Heal(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.running = false
	if err := f.Heal(context.Background()); err != nil {
		t.Fatalf("SIGCONT to a dead worker: %v", err)
	}
	if strings.Join(p.signals, ",") != "STOP,CONT" {
		t.Fatalf("signals %v", p.signals)
	}
}

// failing is a fault whose Inject or Heal fails.
type failing struct {
	name          string
	injErr, hlErr error
	healed        *int
}

func (f failing) Name() string                   { return f.name }
func (f failing) Target() string                 { return "x" }
func (f failing) Inject(context.Context) error   { return f.injErr }
func (f failing) Heal(ctx context.Context) error { *f.healed++; return f.hlErr }

func TestAllHealsEveryPartEvenWhenOneFails(t *testing.T) {
	n := 0
	a := All{Kind: "both", Label: "x,y", Faults: []Fault{
		failing{name: "a", hlErr: errors.New("a would not heal"), healed: &n},
		failing{name: "b", healed: &n},
	}, Shows: Leaves{}}
	err := a.Heal(context.Background())
	if n != 2 || err == nil || !strings.Contains(err.Error(), "a on x: a would not heal") {
		t.Fatalf("healed %d, err %v", n, err)
	}
	if err := (All{Kind: "none"}).Inject(context.Background()); err == nil {
		t.Fatal("an empty set must not inject")
	}
	if err := (All{Kind: "blind", Faults: a.Faults}).Bit(context.Background(), newView(), time.Now(), time.Second); err == nil {
		t.Fatal("a set without a symptom cannot bite")
	}
}

type marks struct{ got []history.FaultMark }

func (m *marks) Fault(f history.FaultMark) { m.got = append(m.got, f) }

func TestSeededFaultCarriesItsSeedInEveryMark(t *testing.T) {
	v := newView().snap(0, "Stable", m("w3", "c", 0)).snap(200*ms, "Stable")
	p := &fakeProc{id: "w3", running: true}
	f := WithSeed(Kill{P: p}, 99)
	rec := &marks{}
	ctx := context.Background()
	if err := Inject(ctx, rec, f); err != nil {
		t.Fatal(err)
	}
	if _, err := AwaitBite(ctx, rec, v, f, v.start, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := Heal(ctx, rec, f); err != nil {
		t.Fatal(err)
	}
	if len(rec.got) != 3 {
		t.Fatalf("marks %+v", rec.got)
	}
	for _, mk := range rec.got {
		if mk.Seed != 99 || mk.Fault != "sigkill" || mk.Target != "w3" {
			t.Fatalf("mark %+v", mk)
		}
	}
}

func TestAwaitBiteRecordsNoMarkWhenItDidNotBite(t *testing.T) {
	v := newView().snap(0, "Stable", m("w3", "c", 0))
	rec := &marks{}
	_, err := AwaitBite(context.Background(), rec, v, Kill{P: &fakeProc{id: "w3"}}, v.start, 300*ms)
	if !errors.Is(err, ErrNoBite) || len(rec.got) != 0 {
		t.Fatalf("err %v, marks %+v", err, rec.got)
	}
}

func TestSettledOnceNeedsStableAndEachPartitionOnce(t *testing.T) {
	ok := history.GroupSnapshot{State: "Stable", Members: []history.Member{m("w1", "a", 0, 1), m("w2", "b", 2)}}
	if !settledOnce(ok, 3) {
		t.Fatal("a stable group owning 0-2 once is settled")
	}
	for name, s := range map[string]history.GroupSnapshot{
		"rebalancing": {State: "PreparingRebalance", Members: ok.Members},
		"unowned":     {State: "Stable", Members: []history.Member{m("w1", "a", 0, 1)}},
		"twice":       {State: "Stable", Members: []history.Member{m("w1", "a", 0, 1, 2), m("w2", "b", 2)}},
	} {
		if settledOnce(s, 3) {
			t.Errorf("%s: counted as settled: %+v", name, s)
		}
	}
}

func TestLagOfSumsOnlyTheGivenPartitions(t *testing.T) {
	l := history.LagSample{Committed: map[int32]int64{0: 5, 1: -1, 2: 9}, End: map[int32]int64{0: 10, 1: 4, 2: 9}}
	if got := lagOf(l, []int32{0, 1}); got != 9 {
		t.Fatalf("lag of 0,1 = %d, want 5+4", got)
	}
	if got := lagOf(l, nil); got != 9 {
		t.Fatalf("total lag = %d, want 9", got)
	}
}
