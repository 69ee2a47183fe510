package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/streamsocial/feedchaos/bench"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// runBare pre-loads the posts topic, then drains it alternately with one
// feed worker and with the bare loop, each with a fresh group and its own
// output topic, each behind its own proxy, on the same broker.
func runBare(ctx context.Context, o options, imgs fixtures.Images, bareImg string, g *graph.Graph) (br bench.BareResult) {
	br = bench.BareResult{Posts: o.barePosts, Partitions: int32(o.barePartitions), Goal: bench.GoalBareRatio, Delivery: contract.DeliveryAtLeastOnce}
	fail := func(format string, args ...any) bench.BareResult {
		br.Error = fmt.Sprintf(format, args...)
		fmt.Fprintf(os.Stderr, "  %s\n", br.Error)
		return br
	}
	st, err := fixtures.NewStage(ctx, stageConfig(o, imgs, "bench bare loop", 1, o.barePartitions, knownCombos["range"]))
	defer func() {
		if st != nil {
			if err := st.Close(context.WithoutCancel(ctx)); err != nil {
				fmt.Fprintf(os.Stderr, "  tearing down: %v\n", err)
			}
		}
	}()
	if err != nil {
		return fail("stage: %v", err)
	}
	// The stage's own worker would drain the pre-load: it goes first.
	if _, err := st.Fleet.Retire(ctx, 15*time.Second, st.Fleet.IDs()...); err != nil {
		return fail("retiring the stage's worker: %v", err)
	}
	probe, err := st.NewProgressProbe()
	if err != nil {
		return fail("%v", err)
	}
	defer probe.Close()

	took, err := st.Producer.Burst(ctx, o.barePosts)
	if err != nil {
		return fail("pre-loading %d posts: %v", o.barePosts, err)
	}
	br.Preload = bench.Preload{Took: took, Rate: float64(o.barePosts) / took.Seconds()}
	h := st.Rec.Snapshot()
	for _, p := range h.Posts {
		br.Expected += int64(g.FollowerCount(p.Author))
	}
	total, err := probe.End(ctx, fixtures.PostsTopic)
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(os.Stderr, "  pre-loaded %d posts in %s (%d feed updates to make)\n", total, took.Round(time.Millisecond), br.Expected)

	for round := 1; round <= o.bareRounds; round++ {
		var rates [2]float64
		// The order flips every round, so a machine whose load drifts
		// during the runs does not favour one loop.
		order := []string{"feedworker", "bareloop", "bareloop-raw"}
		if round%2 == 0 {
			order = []string{"bareloop-raw", "bareloop", "feedworker"}
		}
		for _, name := range order {
			run, err := drainOnce(ctx, st, probe, o, name, round, bareImg, total)
			if err != nil {
				return fail("%s round %d: %v", name, round, err)
			}
			fmt.Fprintf(os.Stderr, "  %s #%d: %.0f posts/s, %.0f updates/s, CPU %.2f, RSS %.1f MiB, drained in %s\n",
				name, round, run.PostsPerSec, run.UpdatesPerSec, run.CPU, float64(run.RSS)/(1<<20), run.Drain.Round(10*time.Millisecond))
			if run.Produced < br.Expected {
				br.Notes = append(br.Notes, fmt.Sprintf("%s #%d produced %d records, fewer than the %d expected", name, round, run.Produced, br.Expected))
			}
			br.Runs = append(br.Runs, run)
			switch name {
			case "feedworker":
				rates[0] = run.PostsPerSec
			case "bareloop":
				rates[1] = run.PostsPerSec
			}
			if best := bestOf(&br, name); run.PostsPerSec > best.PostsPerSec {
				*best = run
			}
		}
		if rates[1] > 0 {
			br.RoundRatios = append(br.RoundRatios, rates[0]/rates[1])
		}
	}
	br.RatioMedian = bench.MedianFloat(br.RoundRatios)
	if br.Bare.PostsPerSec > 0 {
		br.Ratio = br.Worker.PostsPerSec / br.Bare.PostsPerSec
	}
	if br.BareRaw.PostsPerSec > 0 {
		br.RatioRaw = br.Worker.PostsPerSec / br.BareRaw.PostsPerSec
	}
	return br
}

func bestOf(br *bench.BareResult, name string) *bench.BareRun {
	switch name {
	case "feedworker":
		return &br.Worker
	case "bareloop":
		return &br.Bare
	}
	return &br.BareRaw
}

// drainOnce starts one loop (the feed worker or the bare loop) with a
// fresh group on the pre-loaded posts and measures it until it committed
// all total posts.
func drainOnce(ctx context.Context, st *fixtures.Stage, probe *fixtures.ProgressProbe, o options, name string, round int, bareImg string, total int64) (bench.BareRun, error) {
	run := bench.BareRun{Name: name, Round: round}
	group := fmt.Sprintf("bench-%s-%d-%s", name, round, st.ID)
	out := fmt.Sprintf("feed-bench-%s-%d", name, round)
	if err := st.CreateTopic(ctx, out, int32(o.barePartitions)); err != nil {
		return run, err
	}
	env := map[string]string{contract.EnvGroupID: group, contract.EnvFeedTopic: out}
	id := fmt.Sprintf("bare%d", round)
	if name == "bareloop-raw" {
		env["BARE_VALUE"], id = "raw", fmt.Sprintf("bareraw%d", round)
	}
	began := time.Now()
	var w *fixtures.Worker
	if name == "feedworker" {
		ws, err := st.Fleet.AddWithEnv(ctx, 1, env)
		if err != nil {
			return run, err
		}
		w = ws[0]
	} else {
		var err error
		if w, err = st.Fleet.AddCustom(ctx, id, bareImg, env); err != nil {
			return run, err
		}
	}
	defer func() { _, _ = st.Fleet.Retire(context.WithoutCancel(ctx), 15*time.Second, w.ID()) }()
	var refs []fixtures.ContainerRef
	for _, r := range st.Fleet.Containers() {
		if r.Worker == w.ID() {
			refs = append(refs, r)
		}
	}

	type stats struct {
		done chan struct{}
		s    []fixtures.ContainerSample
	}
	sampleAsync := func() *stats {
		s := &stats{done: make(chan struct{})}
		go func() {
			defer close(s.done)
			s.s, _ = fixtures.SampleContainers(ctx, refs, 4)
		}()
		return s
	}
	var progress []bench.Progress
	var s10, s90 *stats
	deadline := time.Now().Add(5 * time.Minute)
	for {
		p, err := probe.Read(ctx, group, fixtures.PostsTopic, out)
		if err == nil {
			progress = append(progress, bench.Progress{At: p.At, Committed: p.Committed, Produced: p.Produced})
			if s10 == nil && p.Committed >= total/10 {
				s10 = sampleAsync()
			}
			if s90 == nil && p.Committed >= total*9/10 {
				s90 = sampleAsync()
			}
			if p.Committed >= total {
				run.Drain = time.Since(began)
				run.Produced = p.Produced
				break
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			last := int64(0)
			if len(progress) > 0 {
				last = progress[len(progress)-1].Committed
			}
			return run, fmt.Errorf("committed %d of %d posts within 5 minutes", last, total)
		}
		time.Sleep(100 * time.Millisecond)
	}
	run.PostsPerSec, run.UpdatesPerSec, _, _, _ = bench.RateBetween(progress, total, 0.1, 0.9)
	if s10 != nil && s90 != nil {
		<-s10.done
		<-s90.done
		for _, u := range fixtures.UsageBetween(s10.s, s90.s) {
			switch u.Role {
			case fixtures.RoleWorker:
				run.CPU, run.RSS, run.Mem = u.Cores, u.RSS, u.Mem
			case fixtures.RoleProxy:
				run.ProxyCPU = u.Cores
			}
		}
	}
	return run, nil
}
