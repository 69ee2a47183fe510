package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// TestJoinStall measures how long the partitions that keep their owner stop
// being processed while a fourth member joins a group of three under a
// steady load (about 200 posts/s over the 12 partitions), against the same
// measure in a window without a join. For each post the latency from its
// production to the first of its feed updates seen by a watcher is
// recorded; the figure per partition is the largest latency of the posts
// produced in the window. The workers' offset commits and processed batches
// are traced (Worker.trace) to show what the poll loops did meanwhile.
//
// It takes about 25 s per protocol and asserts little (timings on a shared
// host are noisy), so it runs only with FEED_STALL=1:
//
//	FEED_STALL=1 go test -count=1 -run TestJoinStall -v ./workers/feed
//
// FEED_STALL_MAX (a duration, e.g. 500ms) makes it fail when a kept
// partition's largest latency around the join exceeds it. FEED_STALL_DEBUG
// (librdkafka debug contexts, e.g. cgrp,topic,fetch) is given to every
// worker as FEEDWORKER_DEBUG; librdkafka prints on the test's stderr, and
// the join's unix time is logged to line its lines up with the timeline.
// FEED_STALL_DEBUG_MEMBERS (worker ids, e.g. w1,w51) restricts it to those
// workers.
//
// FEED_STALL_MEMBERS (default 3) is the group's size before the join (the
// joiner is w<N+1>) and FEED_STALL_PARTITIONS (default 12) the partition
// count of the topics; the load stays about 200 posts/s in all.
// FEED_STALL_HEARTBEAT_MS replaces the workers' 500 ms heartbeat interval,
// and FEEDWORKER_WAKE and FEEDWORKER_FETCH_WAIT_MAX_MS, if set, are passed
// to every worker. FEED_STALL_POST_EVERY (default 5ms) sets the load, and
// FEED_STALL_PROCESS_DELAY_MS the workers' PROCESS_DELAY_MS (a slow poll
// loop, as on a saturated host). The
// process's CPU time (getrusage) per window is logged: the host may be the
// bottleneck at large fleets.
func TestJoinStall(t *testing.T) {
	if testing.Short() || os.Getenv("FEED_STALL") == "" {
		t.Skip("measurement: set FEED_STALL=1")
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
	}{
		{"cooperative-sticky", map[string]string{contract.EnvAssignor: contract.AssignorCooperativeSticky}},
		{"consumer-protocol", map[string]string{contract.EnvGroupProtocol: contract.ProtocolConsumer}},
	} {
		t.Run(tc.name, func(t *testing.T) { measureJoinStall(t, tc.env) })
	}
}

type traceRec struct {
	worker string
	what   string
	start  time.Time
	d      time.Duration
	err    error
}

type stallTracer struct {
	mu   sync.Mutex
	recs []traceRec
}

func (s *stallTracer) hook(worker string) func(string, time.Time, time.Duration, error) {
	return func(what string, start time.Time, d time.Duration, err error) {
		s.mu.Lock()
		s.recs = append(s.recs, traceRec{worker, what, start, d, err})
		s.mu.Unlock()
	}
}

// startTracedWorker is startWorker with the trace hook set before Run.
func startTracedWorker(t *testing.T, bootstrap, id string, extra map[string]string, tr *stallTracer) *runningWorker {
	t.Helper()
	w, out := newTestWorker(t, bootstrap, id, extra)
	w.trace = tr.hook(id)
	return runWorker(w, out)
}

type srcKey struct {
	p   int32
	off int64
}

// latencyLog pairs each post's production time with the arrival of its first
// feed update.
type latencyLog struct {
	mu       sync.Mutex
	produced map[srcKey]time.Time
	seen     map[srcKey]time.Time
}

// stallEnvInt is an integer FEED_STALL_* variable, def when unset.
func stallEnvInt(t *testing.T, k string, def, min int) int {
	v := os.Getenv(k)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min {
		t.Fatalf("%s=%q: want an integer >= %d", k, v, min)
	}
	return n
}

func measureJoinStall(t *testing.T, env map[string]string) {
	members := stallEnvInt(t, "FEED_STALL_MEMBERS", 3, 1)
	nparts := stallEnvInt(t, "FEED_STALL_PARTITIONS", 12, members+1)
	if hb := os.Getenv("FEED_STALL_HEARTBEAT_MS"); hb != "" {
		env = maps.Clone(env)
		env[contract.EnvHeartbeatMS] = hb
	}
	for _, k := range []string{EnvWake, EnvFetchWaitMaxMS} { // passed on to the workers
		if v := os.Getenv(k); v != "" {
			env = maps.Clone(env)
			env[k] = v
		}
	}
	if v := os.Getenv("FEED_STALL_PROCESS_DELAY_MS"); v != "" {
		env = maps.Clone(env)
		env[contract.EnvProcessDelayMS] = v
	}
	every := 5 * time.Millisecond
	if v := os.Getenv("FEED_STALL_POST_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("FEED_STALL_POST_EVERY=%q: want a positive duration", v)
		}
		every = d
	}
	debugEnv := env
	if d := os.Getenv("FEED_STALL_DEBUG"); d != "" {
		debugEnv = maps.Clone(env)
		debugEnv[EnvDebug] = d
	}
	debugOnly := map[string]bool{}
	for _, id := range strings.Split(os.Getenv("FEED_STALL_DEBUG_MEMBERS"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			debugOnly[id] = true
		}
	}
	envOfWorker := func(id string) map[string]string {
		if len(debugOnly) == 0 || debugOnly[id] {
			return debugEnv
		}
		return env
	}
	cluster, err := kfake.NewCluster(
		kfake.NumBrokers(3),
		kfake.SeedTopics(int32(nparts), contract.DefaultPostsTopic, contract.DefaultFeedTopic, contract.DefaultDLQTopic),
		kfake.GroupMinSessionTimeout(time.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	bootstrap := strings.Join(cluster.ListenAddrs(), ",")
	settle := 30*time.Second + time.Duration(members)*time.Second
	tr := &stallTracer{}
	lg := &latencyLog{produced: map[srcKey]time.Time{}, seen: map[srcKey]time.Time{}}

	var workers []*runningWorker
	defer func() {
		for _, rw := range workers {
			rw.stop()
		}
		for _, rw := range workers {
			<-rw.done
		}
	}()
	for i := 1; i <= members; i++ {
		id := "w" + strconv.Itoa(i)
		workers = append(workers, startTracedWorker(t, bootstrap, id, envOfWorker(id), tr))
	}
	assignedAll := func(ws []*runningWorker) bool {
		n := 0
		for _, rw := range ws {
			a := len(rw.w.Status().Assigned)
			if a == 0 {
				return false
			}
			n += a
		}
		return n == nparts
	}
	waitFor(t, "the first workers assigned", settle, func() bool { return assignedAll(workers) })

	// Watcher: the first feed update of each source record.
	wcl, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...),
		kgo.ConsumeTopics(contract.DefaultFeedTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithCancel(context.Background())
	wdone := make(chan struct{})
	go func() {
		defer close(wdone)
		defer wcl.Close()
		for wctx.Err() == nil {
			fs := wcl.PollFetches(wctx)
			now := time.Now()
			fs.EachRecord(func(r *kgo.Record) {
				var u contract.FeedUpdate
				if json.Unmarshal(r.Value, &u) != nil {
					return
				}
				k := srcKey{u.SourcePartition, u.SourceOffset}
				lg.mu.Lock()
				if _, ok := lg.seen[k]; !ok {
					lg.seen[k] = now
				}
				lg.mu.Unlock()
			})
		}
	}()
	defer func() { wcancel(); <-wdone }()

	// Load: one post every 5 ms (FEED_STALL_POST_EVERY), partitions in turn; only authors with
	// followers, so that every post yields feed updates.
	g, _ := graph.New(DefaultGraphSeed, DefaultGraphUsers)
	var authors []int
	for a := 0; a < DefaultGraphUsers; a++ {
		if fs, _ := g.Followers(a); len(fs) > 0 {
			authors = append(authors, a)
		}
	}
	prod, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...),
		kgo.DefaultProduceTopic(contract.DefaultPostsTopic), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	lctx, lcancel := context.WithCancel(context.Background())
	ldone := make(chan struct{})
	go func() {
		defer close(ldone)
		rng := rand.New(rand.NewPCG(3, 3))
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := 0; lctx.Err() == nil; i++ {
			select {
			case <-lctx.Done():
				return
			case <-tick.C:
			}
			a := authors[rng.IntN(len(authors))]
			v, _ := json.Marshal(contract.Post{ID: fmt.Sprintf("s-%06d", i), Author: a, CreatedAt: time.Now().UTC(), Seq: int64(i)})
			at := time.Now()
			prod.Produce(context.Background(), &kgo.Record{Partition: int32(i % nparts), Key: []byte(strconv.Itoa(a)), Value: v},
				func(r *kgo.Record, err error) {
					if err != nil {
						return
					}
					lg.mu.Lock()
					lg.produced[srcKey{r.Partition, r.Offset}] = at
					lg.mu.Unlock()
				})
		}
	}()

	owners := func() map[int32]string {
		m := map[int32]string{}
		for _, rw := range workers {
			for _, p := range rw.w.Status().Assigned {
				m[p] = rw.w.cfg.WorkerID
			}
		}
		return m
	}

	time.Sleep(3 * time.Second) // warm up
	baseFrom, baseCPU := time.Now(), cpuTime()
	time.Sleep(5 * time.Second)
	baseTo, baseCPUTo := time.Now(), cpuTime()
	before := owners()

	joinAt, joinCPU := time.Now(), cpuTime()
	t.Logf("join at unix %.3f", float64(joinAt.UnixMilli())/1000)
	joinerID := "w" + strconv.Itoa(members+1)
	joiner := startTracedWorker(t, bootstrap, joinerID, envOfWorker(joinerID), tr)
	workers = append(workers, joiner)
	waitFor(t, "every worker assigned", settle, func() bool { return assignedAll(workers) })
	settled, settledCPU := time.Now(), cpuTime()
	time.Sleep(3 * time.Second)
	joinTo, joinCPUTo := time.Now(), cpuTime()
	busy := func(cpu time.Duration, wall time.Duration) string {
		return fmt.Sprintf("%.2f cores (%d ms CPU in %d ms)", cpu.Seconds()/wall.Seconds(), cpu.Milliseconds(), wall.Milliseconds())
	}
	t.Logf("members %d->%d, %d partitions; process CPU: baseline %s; join to all assigned %s; join window %s",
		members, members+1, nparts, busy(baseCPUTo-baseCPU, baseTo.Sub(baseFrom)),
		busy(settledCPU-joinCPU, settled.Sub(joinAt)), busy(joinCPUTo-joinCPU, joinTo.Sub(joinAt)))
	after := owners()
	lcancel()
	<-ldone
	prod.Flush(context.Background())

	// Wait until every post produced has been seen (at-least-once: none lost).
	waitFor(t, "every post's updates", 30*time.Second, func() bool {
		lg.mu.Lock()
		defer lg.mu.Unlock()
		for k := range lg.produced {
			if _, ok := lg.seen[k]; !ok {
				return false
			}
		}
		return true
	})

	// Partitions that moved: revoked or lost by anyone after the join, or
	// owned by someone else afterwards.
	moved := map[int32]bool{}
	var timeline []string
	for _, rw := range workers {
		for _, ev := range rw.out.events(t) {
			if ev.TS.Before(joinAt.Add(-time.Second)) {
				continue
			}
			switch ev.Event {
			case contract.EventRevoked, contract.EventLost:
				for _, p := range ev.Partitions {
					moved[p] = true
				}
				fallthrough
			case contract.EventAssigned:
				timeline = append(timeline, fmt.Sprintf("%+6dms %s %s %v gen %d", ev.TS.Sub(joinAt).Milliseconds(), rw.w.cfg.WorkerID, ev.Event, ev.Partitions, ev.Generation))
			case contract.EventError:
				timeline = append(timeline, fmt.Sprintf("%+6dms %s error %s", ev.TS.Sub(joinAt).Milliseconds(), rw.w.cfg.WorkerID, ev.Error))
			}
		}
	}
	for p, o := range before {
		if after[p] != o {
			moved[p] = true
		}
	}

	worstAt := map[int32]time.Time{} // the worst post's production in the join window
	maxLat := func(from, to time.Time) map[int32]time.Duration {
		lg.mu.Lock()
		defer lg.mu.Unlock()
		m := map[int32]time.Duration{}
		for k, at := range lg.produced {
			if at.Before(from) || !at.Before(to) {
				continue
			}
			if d := lg.seen[k].Sub(at); d > m[k.p] {
				m[k.p] = d
				if from == joinAt {
					worstAt[k.p] = at
				}
			}
		}
		return m
	}
	base, join := maxLat(baseFrom, baseTo), maxLat(joinAt, joinTo)
	var kept []int32
	for p := int32(0); p < int32(nparts); p++ {
		if !moved[p] {
			kept = append(kept, p)
		}
	}
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	var lines []string
	var baseKept, joinKept []time.Duration
	for p := int32(0); p < int32(nparts); p++ {
		tag := "moved"
		if !moved[p] {
			tag = "kept"
			baseKept = append(baseKept, base[p])
			joinKept = append(joinKept, join[p])
		}
		lines = append(lines, fmt.Sprintf("p%-2d %-5s %s->%s  base max %5s ms  join max %5s ms (post produced at %+d ms)",
			p, tag, before[p], after[p], ms(base[p]), ms(join[p]), worstAt[p].Sub(joinAt).Milliseconds()))
	}
	slices.Sort(baseKept)
	slices.Sort(joinKept)
	summary := func(ds []time.Duration) string {
		if len(ds) == 0 {
			return "-"
		}
		return fmt.Sprintf("median %s ms, max %s ms", ms(ds[len(ds)/2]), ms(ds[len(ds)-1]))
	}

	// The traces: commits and batches that took long, and every failed
	// commit, around the join.
	tr.mu.Lock()
	recs := slices.Clone(tr.recs)
	tr.mu.Unlock()
	sort.Slice(recs, func(i, j int) bool { return recs[i].start.Before(recs[j].start) })
	var slow []string
	var commitsBase, commitsJoin []time.Duration
	failed := 0
	for _, r := range recs {
		if r.what == "commit" {
			switch {
			case !r.start.Before(baseFrom) && r.start.Before(baseTo):
				commitsBase = append(commitsBase, r.d)
			case !r.start.Before(joinAt) && r.start.Before(joinTo):
				commitsJoin = append(commitsJoin, r.d)
			}
		}
		if r.start.Before(joinAt.Add(-time.Second)) || r.start.After(joinTo) {
			continue
		}
		if r.d >= 100*time.Millisecond || r.err != nil {
			if r.err != nil {
				failed++
			}
			e := ""
			if r.err != nil {
				e = " err=" + r.err.Error()
			}
			slow = append(slow, fmt.Sprintf("%+6dms %s %-7s took %5s ms%s", r.start.Sub(joinAt).Milliseconds(), r.worker, r.what, ms(r.d), e))
		}
	}
	slices.Sort(commitsBase)
	slices.Sort(commitsJoin)
	t.Logf("join at 0 ms; every worker assigned at %+d ms", settled.Sub(joinAt).Milliseconds())
	t.Logf("per partition, largest post->first update latency:\n%s", strings.Join(lines, "\n"))
	t.Logf("kept partitions %v: baseline window %s; join window %s", kept, summary(baseKept), summary(joinKept))
	t.Logf("commit durations: baseline %d commits, %s; join window %d commits, %s; %d failed around the join",
		len(commitsBase), summary(commitsBase), len(commitsJoin), summary(commitsJoin), failed)
	t.Logf("rebalance timeline:\n%s", strings.Join(timeline, "\n"))
	t.Logf("commits/batches >= 100 ms or failed, around the join:\n%s", strings.Join(slow, "\n"))

	// The posts of the kept partition that stalled longest, from 1 s before
	// the join to 1 s after every worker was assigned: when each was
	// produced and first seen.
	worstOf := func(ok func(int32) bool) int32 {
		worst := int32(-1)
		for _, p := range kept {
			if ok(p) && (worst < 0 || join[p] > join[worst]) {
				worst = p
			}
		}
		return worst
	}
	worsts := []int32{worstOf(func(int32) bool { return true })}
	if len(debugOnly) > 0 { // and the worst of the workers that print debug lines
		if p := worstOf(func(p int32) bool { return debugOnly[after[p]] }); p != worsts[0] {
			worsts = append(worsts, p)
		}
	}
	for _, worst := range worsts {
		if worst < 0 {
			continue
		}
		var posts []string
		lg.mu.Lock()
		for k, at := range lg.produced {
			if k.p == worst && !at.Before(joinAt.Add(-time.Second)) && at.Before(settled.Add(time.Second)) {
				posts = append(posts, fmt.Sprintf("offset %6d produced %+6d ms seen %+6d ms (latency %4d ms)", k.off,
					at.Sub(joinAt).Milliseconds(), lg.seen[k].Sub(joinAt).Milliseconds(), lg.seen[k].Sub(at).Milliseconds()))
			}
		}
		lg.mu.Unlock()
		slices.Sort(posts)
		t.Logf("kept partition p%d (owner %s), its posts around the join:\n%s", worst, after[worst], strings.Join(posts, "\n"))
	}

	if lim, err := time.ParseDuration(os.Getenv("FEED_STALL_MAX")); err == nil && len(joinKept) > 0 && joinKept[len(joinKept)-1] > lim {
		t.Errorf("a kept partition stalled %s around the join, over FEED_STALL_MAX=%s", joinKept[len(joinKept)-1], lim)
	}
}
