// Command bench measures the feed fleet and writes the performance report
// (reports/bench.md, bench.json and SVG charts, see package bench):
//
//   - per assignor × group protocol, a ladder of fleet sizes over a
//     120-partition posts topic under steady load; at every size the
//     throughput of draining a burst, CPU and memory of every worker and
//     proxy (docker stats), and the cost of one member joining and leaving
//     (time to a settled assignment, partitions moved, processing stall of
//     the partitions that did not move);
//   - one feed worker against a bare confluent-kafka-go consume -> produce
//     loop draining the same pre-loaded posts on the same broker.
//
// It builds the suite's images (plus the bare loop's) like the chaos
// suites, runs each ladder in its own stage (network, broker, fleet) and
// removes it afterwards, also on Ctrl-C. Use CHAOS_BROKER_PORT_BASE to keep
// its broker ports apart from a concurrent run.
//
//	go run ./cmd/bench -out reports
//	go run ./cmd/bench -sizes 1,2,5 -combos cooperative-sticky -bare=false   # a quick look
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/moby/client"

	"github.com/streamsocial/feedchaos/bench"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/workers/contract"
)

type options struct {
	out            string
	sizes          []int
	combos         []combo
	partitions     int
	rate           int
	burst          int
	startLimit     int
	statsLimit     int
	probes         bool
	ladder         bool
	bare           bool
	barePosts      int
	barePartitions int
	bareRounds     int
	timeout        time.Duration
	verbose        bool
	render         bool
	update         bool
}

type combo struct {
	Name, Assignor, Protocol string
}

var knownCombos = map[string]combo{
	"range":              {"classic range", contract.AssignorRange, contract.ProtocolClassic},
	"roundrobin":         {"classic roundrobin", contract.AssignorRoundRobin, contract.ProtocolClassic},
	"cooperative-sticky": {"classic cooperative-sticky", contract.AssignorCooperativeSticky, contract.ProtocolClassic},
	"consumer":           {"KIP-848 consumer, uniform", contract.AssignorUniform, contract.ProtocolConsumer},
	"consumer-range":     {"KIP-848 consumer, range", contract.AssignorRange, contract.ProtocolConsumer},
}

const (
	sessionTimeout = 6 * time.Second
	heartbeat      = time.Second
	sample         = 250 * time.Millisecond
	graphSeed      = 1
	graphUsers     = 1000
	quiet          = 5 * time.Second // steady load before a probe: its baseline window
)

func main() { os.Exit(run()) }

func run() int {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, o.timeout)
	defer cancelT()

	log := os.Stderr
	if o.render {
		rep, err := readReport(o.out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
		rep.Goals = bench.Goals(rep, ladderRun(o.out))
		paths, err := bench.Write(o.out, rep)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
		fmt.Fprintf(log, "wrote %s\n", strings.Join(paths, ", "))
		return 0
	}
	rep := bench.Report{Started: time.Now()}
	g, err := graph.New(graphSeed, graphUsers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	rep.Config = bench.Config{
		Sizes: o.sizes, Partitions: int32(o.partitions), PostRate: o.rate, Burst: o.burst, StartLimit: o.startLimit,
		SessionTimeout: sessionTimeout, Heartbeat: heartbeat, Probes: o.probes,
		BarePosts: o.barePosts, BarePartitions: int32(o.barePartitions), BareRounds: o.bareRounds,
		Seed: graphSeed, Users: graphUsers, FollowersMean: float64(g.Edges()) / float64(g.Users()),
		CommandLine: "go run ./cmd/bench " + strings.Join(os.Args[1:], " "), Commit: gitHead(),
	}
	rep.Machine, err = machine(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	fmt.Fprintf(log, "bench on %d CPUs, %s, Docker %s, %s\n", rep.Machine.CPUs, fixturesBytes(rep.Machine.MemoryBytes), rep.Machine.Docker, rep.Machine.Go)

	imgs, err := fixtures.BuildImages(ctx, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: images:", err)
		return 1
	}
	bareImg := ""
	if o.bare {
		if bareImg, err = fixtures.BuildImage(ctx, fixtures.BareLoopImage, log); err != nil {
			fmt.Fprintln(os.Stderr, "bench: image:", err)
			return 1
		}
	}

	if o.update {
		// Keep what this run does not redo.
		if prev, err := readReport(o.out); err == nil {
			if !o.ladder {
				rep.Combos, rep.Notes = prev.Combos, prev.Notes
				rep.Config.Sizes, rep.Config.Partitions, rep.Config.PostRate, rep.Config.Burst = prev.Config.Sizes, prev.Config.Partitions, prev.Config.PostRate, prev.Config.Burst
				rep.Config.StartLimit, rep.Config.Probes = prev.Config.StartLimit, prev.Config.Probes
			}
			if !o.bare {
				rep.Bare = prev.Bare
				rep.Config.BarePosts, rep.Config.BarePartitions, rep.Config.BareRounds = prev.Config.BarePosts, prev.Config.BarePartitions, prev.Config.BareRounds
			}
			rep.Started = prev.Started
			if rep.Machine.Librdkafka == "" {
				rep.Machine.Librdkafka = prev.Machine.Librdkafka
			}
			rep.Config.CommandLine = prev.Config.CommandLine + "; then " + rep.Config.CommandLine
		}
	}
	failed := false
	// The worker against the bare loop first: on a machine that has not just
	// torn down a hundred containers.
	if o.bare && ctx.Err() == nil {
		fmt.Fprintf(log, "\n== one worker against the bare loop, %d posts\n", o.barePosts)
		br := runBare(ctx, o, imgs, bareImg, g)
		if br.Error != "" {
			failed = true
		}
		rep.Bare = &br
		finish(o, &rep, log)
	}
	if o.ladder {
		for _, c := range o.combos {
			if ctx.Err() != nil {
				break
			}
			fmt.Fprintf(log, "\n== ladder %v, %s\n", o.sizes, c.Name)
			cr := runCombo(ctx, o, imgs, g, c, &rep)
			if cr.Error != "" || !cr.LostPass {
				failed = true
			}
			rep.Combos = append(rep.Combos, cr)
			// Write what we have after each combination: a long run
			// interrupted later still leaves a report.
			finish(o, &rep, log)
		}
	}
	paths := finish(o, &rep, log)
	fmt.Fprintf(log, "\n%s", bench.MainTable(rep))
	for _, gl := range rep.Goals {
		state := "not met"
		if !gl.Known {
			state = "not measured"
		} else if gl.Met {
			state = "met"
		}
		fmt.Fprintf(log, "goal %-70s %-12s %s\n", gl.Name, state, gl.Measured)
	}
	fmt.Fprintf(log, "\nwrote %s\n", strings.Join(paths, ", "))
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "bench: interrupted:", ctx.Err())
		return 1
	}
	if failed {
		return 1
	}
	return 0
}

// finish evaluates the goals and writes the report.
func finish(o options, rep *bench.Report, log io.Writer) []string {
	rep.Finished = time.Now()
	rep.Goals = bench.Goals(*rep, ladderRun(o.out))
	paths, err := bench.Write(o.out, *rep)
	if err != nil {
		fmt.Fprintf(log, "bench: writing the report: %v\n", err)
	}
	return paths
}

// readReport reads dir/bench.json.
func readReport(dir string) (bench.Report, error) {
	var rep bench.Report
	b, err := os.ReadFile(filepath.Join(dir, bench.FileJSON))
	if err != nil {
		return rep, err
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return rep, fmt.Errorf("%s: %w", bench.FileJSON, err)
	}
	return rep, nil
}

// ladderRun reads the scale suite's ladder report in dir with the largest
// fleet (the newest among equals), if any.
func ladderRun(dir string) *bench.LadderRun {
	files, _ := filepath.Glob(filepath.Join(dir, "scale-ladder-*.json"))
	var best *bench.LadderRun
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		l, err := bench.ParseLadderRun(b)
		if err != nil {
			continue
		}
		if st, err := os.Stat(f); err == nil {
			l.File, l.ModTime = f, st.ModTime()
		}
		if best == nil || top(l.Ladder) > top(best.Ladder) || (top(l.Ladder) == top(best.Ladder) && l.ModTime.After(best.ModTime)) {
			best = &l
		}
	}
	return best
}

func top(sizes []int) int {
	if len(sizes) == 0 {
		return 0
	}
	return sizes[len(sizes)-1]
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizes := fs.String("sizes", "1,2,5,10,25,50,100", "fleet sizes of the ladder, increasing")
	combos := fs.String("combos", "range,roundrobin,cooperative-sticky,consumer", "assignor × protocol combinations: range, roundrobin, cooperative-sticky (classic), consumer (KIP-848 uniform), consumer-range")
	fs.StringVar(&o.out, "out", "reports", "directory for bench.md, bench.json and the charts")
	fs.IntVar(&o.partitions, "partitions", 120, "partitions of posts in the ladder")
	fs.IntVar(&o.rate, "rate", 200, "steady load, posts/s")
	fs.IntVar(&o.burst, "burst", 6000, "posts per throughput burst at each size")
	fs.IntVar(&o.startLimit, "start-limit", 16, "containers started at once")
	fs.IntVar(&o.statsLimit, "stats-limit", 32, "docker stats calls at once")
	fs.BoolVar(&o.probes, "probes", true, "at every size, one member joins and leaves again")
	fs.BoolVar(&o.ladder, "ladder", true, "run the ladders")
	fs.BoolVar(&o.bare, "bare", true, "run one worker against the bare loop")
	fs.IntVar(&o.barePosts, "bare-posts", 150000, "posts pre-loaded for the worker-vs-bare runs")
	fs.IntVar(&o.barePartitions, "bare-partitions", 12, "partitions of posts for the worker-vs-bare runs")
	fs.IntVar(&o.bareRounds, "bare-rounds", 3, "rounds of (worker, bare loop); the best of each is compared")
	fs.DurationVar(&o.timeout, "timeout", 90*time.Minute, "give up after this long")
	fs.BoolVar(&o.verbose, "v", false, "print the stages' progress lines")
	fs.BoolVar(&o.update, "update", false, "keep the parts of -out/bench.json this run does not redo (with -ladder=false: the ladders; with -bare=false: the bare-loop comparison)")
	fs.BoolVar(&o.render, "render", false, "run nothing: re-render -out/bench.json (goals re-evaluated against the newest scale suite ladder report) into bench.md and the charts")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 200 {
			return o, fmt.Errorf("-sizes: %q is not a fleet size in [1, 200]", f)
		}
		if len(o.sizes) > 0 && n <= o.sizes[len(o.sizes)-1] {
			return o, fmt.Errorf("-sizes must increase: %d after %d", n, o.sizes[len(o.sizes)-1])
		}
		o.sizes = append(o.sizes, n)
	}
	for _, f := range strings.Split(*combos, ",") {
		c, ok := knownCombos[strings.TrimSpace(f)]
		if !ok {
			return o, fmt.Errorf("-combos: unknown %q", f)
		}
		o.combos = append(o.combos, c)
	}
	if o.burst < 100 || o.rate < 1 || o.startLimit < 1 || o.partitions < 1 || o.barePosts < 1000 || o.bareRounds < 1 {
		return o, errors.New("-burst >= 100, -rate, -start-limit, -partitions >= 1, -bare-posts >= 1000, -bare-rounds >= 1")
	}
	return o, nil
}

// stageConfig is the common stage configuration of the bench.
func stageConfig(o options, imgs fixtures.Images, spec string, workers, partitions int, c combo) fixtures.StageConfig {
	cfg := fixtures.StageConfig{
		Suite: "bench", Spec: spec, Images: imgs, Workers: workers, Partitions: int32(partitions),
		Assignor: c.Assignor, Protocol: c.Protocol, PostRate: o.rate, StartLimit: o.startLimit,
		SessionTimeout: sessionTimeout, HeartbeatInterval: heartbeat, SampleInterval: sample,
		GraphSeed: graphSeed, GraphUsers: graphUsers,
	}
	if o.verbose {
		cfg.Log = os.Stderr
	}
	return cfg
}

// runCombo runs the ladder of one combination.
func runCombo(ctx context.Context, o options, imgs fixtures.Images, g *graph.Graph, c combo, rep *bench.Report) (res bench.ComboResult) {
	res = bench.ComboResult{Name: c.Name, Assignor: c.Assignor, Protocol: c.Protocol}
	start := time.Now()
	st, err := fixtures.NewStage(ctx, stageConfig(o, imgs, "bench "+c.Name, o.sizes[0], o.partitions, c))
	defer func() {
		if st != nil {
			if err := st.Close(context.WithoutCancel(ctx)); err != nil {
				fmt.Fprintf(os.Stderr, "  tearing down: %v\n", err)
			}
		}
		res.Wall = time.Since(start)
	}()
	if err != nil {
		res.Error = err.Error()
		return res
	}
	probe, err := st.NewProgressProbe()
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer probe.Close()
	if _, err := st.WaitStable(ctx, st.Fleet.IDs(), time.Minute); err != nil {
		res.Error = err.Error()
		return res
	}
	st.Producer.Start()
	if _, err := st.WaitUntil(ctx, time.Minute, "feed updates flowing", func() (bool, string) {
		_, u := st.Rec.Counts()
		return u > 0, "no update yet"
	}); err != nil {
		res.Error = err.Error()
		return res
	}

	var changes []bench.Change
	type window struct {
		workers int
		t0, t1  time.Time
		// steady0, steady1 bound the steady load before the burst, in
		// which the feed-update latency is measured.
		steady0, steady1 time.Time
		idle, busy       []bench.Usage
		host             float64
	}
	var windows []window
	fail := func(format string, args ...any) {
		res.Error = fmt.Sprintf(format, args...)
		fmt.Fprintf(os.Stderr, "  %s\n", res.Error)
	}
	stable := func(members []string) bool {
		if _, err := st.WaitStable(ctx, members, 3*time.Minute); err != nil {
			fail("%d members never settled: %v", len(members), err)
			return false
		}
		awaitLag(ctx, st, time.Now(), time.Minute)
		return true
	}

	for i, size := range o.sizes {
		if i > 0 {
			from := len(st.Fleet.IDs())
			began := time.Now()
			ws, err := st.Fleet.Add(ctx, size-from)
			started := time.Now()
			if err != nil {
				fail("growing to %d: %v", size, err)
				break
			}
			fmt.Fprintf(os.Stderr, "  grew %d -> %d: containers in %s\n", from, size, started.Sub(began).Round(10*time.Millisecond))
			changes = append(changes, bench.Change{Kind: "grow", From: from, To: size, Began: began, Started: started, Members: st.Fleet.IDs(), Changed: ids(ws)})
			if !stable(st.Fleet.IDs()) {
				break
			}
		}
		// Resources under the steady load, then a burst drained as fast as
		// the fleet can.
		w := window{workers: size}
		s0, err := fixtures.SampleContainers(ctx, st.Containers(), o.statsLimit)
		if err != nil {
			fail("docker stats: %v", err)
			break
		}
		w.steady0 = time.Now()
		sleep(ctx, 3*time.Second)
		w.steady1 = time.Now()
		s1, err := fixtures.SampleContainers(ctx, st.Containers(), o.statsLimit)
		if err != nil {
			fail("docker stats: %v", err)
			break
		}
		w.idle = usage(fixtures.UsageBetween(s0, s1))
		w.t0 = time.Now()
		cpu0, _ := hostCPU()
		if _, err := st.Producer.Burst(ctx, o.burst); err != nil {
			fail("burst: %v", err)
			break
		}
		if err := awaitDrained(ctx, st, probe, 3*time.Minute); err != nil {
			fail("draining the burst at %d workers: %v", size, err)
			break
		}
		w.t1 = time.Now()
		if cpu1, ok := hostCPU(); ok {
			w.host = bench.BusyBetween(cpu0, cpu1)
		}
		s2, err := fixtures.SampleContainers(ctx, st.Containers(), o.statsLimit)
		if err != nil {
			fail("docker stats: %v", err)
			break
		}
		w.busy = usage(fixtures.UsageBetween(s1, s2))
		windows = append(windows, w)
		fmt.Fprintf(os.Stderr, "  %d workers: burst of %d drained in %s\n", size, o.burst, w.t1.Sub(w.t0).Round(10*time.Millisecond))
		awaitLag(ctx, st, time.Now(), time.Minute)

		if o.probes {
			// A quiet stretch first, so that the probe's baseline window is
			// not the burst's or the stats sampling's aftermath.
			sleep(ctx, quiet)
			// One member joins...
			from := len(st.Fleet.IDs())
			began := time.Now()
			ws, err := st.Fleet.Add(ctx, 1)
			started := time.Now()
			if err != nil {
				fail("join probe at %d: %v", size, err)
				break
			}
			changes = append(changes, bench.Change{Kind: "join", From: from, To: from + 1, Began: began, Started: started, Members: st.Fleet.IDs(), Changed: ids(ws)})
			if !stable(st.Fleet.IDs()) {
				break
			}
			// ... and leaves again.
			sleep(ctx, quiet)
			began = time.Now()
			rs, err := st.Fleet.Retire(ctx, 15*time.Second, ws[0].ID())
			if err != nil {
				fail("leave probe at %d: %v", size, err)
				break
			}
			changes = append(changes, bench.Change{Kind: "leave", From: from + 1, To: from, Began: began, At: rs[0].Signalled, Members: st.Fleet.IDs(), Changed: ids(ws)})
			if !stable(st.Fleet.IDs()) {
				break
			}
			fmt.Fprintf(os.Stderr, "  %d workers: join and leave probes done\n", size)
		}
		if size == o.sizes[len(o.sizes)-1] && rep.Machine.Librdkafka == "" {
			rep.Machine.Librdkafka = librdkafkaVersion(ctx, st)
		}
	}

	for _, w := range st.Fleet.Workers() {
		if text, err := w.Metrics(ctx); err == nil {
			res.Commits.AddPrometheus(text)
		}
	}
	out, err := st.DrainRead(ctx, time.Minute)
	if err != nil && res.Error == "" {
		fail("drain: %v", err)
	}
	if out.LagErr != nil {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s: after the load stopped the group's lag stayed at %d (%s): those posts were fanned out but their commit never landed (the workers printed %d commit errors).",
			c.Name, out.Lag, out.Worst, countCommitErrors(st.Rec.Snapshot())))
	}
	h := st.Rec.Snapshot()
	for _, w := range windows {
		sr := bench.SizeResult{Workers: w.workers, Drain: w.t1.Sub(w.t0), HostBusy: w.host}
		sr.PostsPerSec, sr.UpdatesPerSec = bench.Throughput(h, g, w.t0, w.t1)
		sr.Worker = bench.Summarize(fixtures.RoleWorker, w.idle, w.busy)
		sr.Proxy = bench.Summarize(fixtures.RoleProxy, w.idle, w.busy)
		sr.Broker = bench.Summarize(fixtures.RoleBroker, w.idle, w.busy)
		sr.Latency = bench.LatencyOf(h, g, w.steady0, w.steady1)
		res.Sizes = append(res.Sizes, sr)
	}
	for _, ch := range changes {
		if ch.At.IsZero() {
			ch.At = lastStarted(h, ch.Changed, ch.Started)
		}
		res.Rebalances = append(res.Rebalances, bench.Cost(h, g, ch))
	}
	lost := verify.NoLostUpdates(h, g)
	res.Lost, res.LostPass = lost.Message, lost.Pass
	if !lost.Pass {
		fmt.Fprintf(os.Stderr, "  %s\n", lost.Message)
	}
	notes(c, res, h, rep)
	return res
}

// notes adds what the workers printed around the largest join probe.
func notes(c combo, res bench.ComboResult, h history.History, rep *bench.Report) {
	top := res.Top()
	rb, ok := res.Probe("join", top)
	if !ok || rb.CommitErrors == 0 {
		return
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("%s, one member joining %d: the workers printed %d failed commits during the rebalance (over the whole ladder: %s); a worker's commit is synchronous, so its poll loop waits for it.",
		c.Name, top, rb.CommitErrors, commitErrorKinds(h)))
}

// commitErrorKinds lists the distinct commit errors the workers printed.
func commitErrorKinds(h history.History) string {
	seen := map[string]int{}
	for _, e := range h.Events {
		if e.Event == "error" && strings.HasPrefix(e.Error, "commit") {
			seen[strings.TrimPrefix(e.Error, "commit: ")]++
		}
	}
	var out []string
	for k, n := range seen {
		out = append(out, fmt.Sprintf("%q ×%d", k, n))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func countCommitErrors(h history.History) int {
	n := 0
	for _, e := range h.Events {
		if e.Event == "error" && strings.HasPrefix(e.Error, "commit") {
			n++
		}
	}
	return n
}

// lastStarted returns the latest "started" event of the given workers (the
// moment the last of them subscribed), or def.
func lastStarted(h history.History, workers []string, def time.Time) time.Time {
	want := map[string]bool{}
	for _, w := range workers {
		want[w] = true
	}
	var at time.Time
	for _, e := range h.Events {
		if e.Event == "started" && want[e.Worker] && e.TS.After(at) {
			at = e.TS
		}
	}
	if at.IsZero() {
		return def
	}
	return at
}

// awaitDrained waits until the group has committed every post acked so far
// and the verifier has read every feed update written by then.
func awaitDrained(ctx context.Context, st *fixtures.Stage, probe *fixtures.ProgressProbe, within time.Duration) error {
	target, err := st.Observer.Lag(ctx)
	if err != nil {
		return err
	}
	_, err = st.WaitUntil(ctx, within, "burst committed", func() (bool, string) {
		l, err := st.Observer.Lag(ctx)
		if err != nil {
			return false, err.Error()
		}
		for p, e := range target.End {
			if e > 0 && l.Committed[p] < e {
				return false, fmt.Sprintf("partition %d committed %d of %d", p, l.Committed[p], e)
			}
		}
		return true, ""
	})
	if err != nil {
		return err
	}
	ends, err := probe.FeedEnds(ctx)
	if err != nil {
		return err
	}
	_, err = st.WaitUntil(ctx, within, "burst's feed updates read", func() (bool, string) { return st.Verifier.Reached(ends) })
	return err
}

// awaitLag waits (without failing) for a lag sample at or after since at
// or under 50 records.
func awaitLag(ctx context.Context, st *fixtures.Stage, since time.Time, within time.Duration) {
	_, _ = st.WaitUntil(ctx, within, "lag back down", func() (bool, string) {
		l, ok := st.Rec.LastLag()
		return ok && !l.At.Before(since) && l.Lag() <= 50, "lag"
	})
}

func usage(us []fixtures.Usage) []bench.Usage {
	out := make([]bench.Usage, len(us))
	for i, u := range us {
		out[i] = bench.Usage{Role: u.Role, Cores: u.Cores, Mem: u.Mem, RSS: u.RSS}
	}
	return out
}

func ids(ws []*fixtures.Worker) []string {
	var out []string
	for _, w := range ws {
		if w != nil {
			out = append(out, w.ID())
		}
	}
	return out
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// machine describes the host and the Docker engine.
func machine(ctx context.Context) (bench.Machine, error) {
	m := bench.Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), Date: time.Now()}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fs := strings.Fields(sc.Text()); len(fs) >= 2 && fs[0] == "MemTotal:" {
				kb, _ := strconv.ParseUint(fs[1], 10, 64)
				m.MemoryBytes = kb << 10
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				m.OS = strings.Trim(v, `"`)
			}
		}
	}
	cli, err := fixtures.Docker(ctx)
	if err != nil {
		return m, err
	}
	if v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{}); err == nil {
		m.Docker = v.Version
	}
	if info, err := cli.Info(ctx, client.InfoOptions{}); err == nil {
		m.DockerStorage = info.Info.Driver
		m.Cgroup = info.Info.CgroupVersion
	}
	return m, nil
}

// librdkafkaVersion reads the librdkafka version a worker printed in its
// started event.
func librdkafkaVersion(ctx context.Context, st *fixtures.Stage) string {
	ws := st.Fleet.Workers()
	if len(ws) == 0 {
		return ""
	}
	logs, err := ws[0].Logs(ctx)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(logs, "\n") {
		if i := strings.Index(l, `"librdkafka":"`); i >= 0 {
			rest := l[i+len(`"librdkafka":"`):]
			if j := strings.IndexByte(rest, '"'); j >= 0 {
				return rest[:j]
			}
		}
	}
	return ""
}

// hostCPU reads the host's cumulative CPU times.
func hostCPU() (bench.CPUTimes, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return bench.CPUTimes{}, false
	}
	return bench.ParseProcStat(string(b))
}

func gitHead() string {
	root, err := fixtures.ModuleRoot()
	if err != nil {
		return ""
	}
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain").Output(); err == nil && len(st) > 0 {
		s += " (with uncommitted changes)"
	}
	return s
}

func fixturesBytes(n uint64) string { return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30)) }
