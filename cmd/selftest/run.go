package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/workers/feed/mutants"
)

// runner runs Ginkgo for the self-test. Its fields are set once; run may
// start several Ginkgo runs at once, each with its own report, log,
// timelines and owner (see job), so they never touch each other's files or
// containers.
type runner struct {
	reports, artifacts, suites string
	timeout                    time.Duration
	dry                        bool
	procs                      int
	ginkgoBin                  string // built by prepare
	testBin                    string // the suite compiled once by prepare; removed by cleanup
	portBase                   int    // the first run's broker port base; each slot gets its own block
}

func (r runner) runDir() string { return filepath.Join(r.reports, "selftest") }

// prepare checks that jobs runs fit the broker ports below the ephemeral
// range, makes the run directory, builds the Ginkgo CLI there (the version
// go.mod pins), so that each run's CLI process is the direct child whose pid
// owns that run's containers, makes the report and timeline directories
// absolute, and compiles the suite once: concurrent
// Ginkgo runs that each compiled it would write, run and delete the same
// suites.test. The compiled suite sits in the suites' directory, so its
// working directory is the one of a plain run.
func (r *runner) prepare(ctx context.Context, jobs int) error {
	// The runs' working directory is the suites' (where the compiled suite
	// sits): every path handed to them must be absolute.
	for _, p := range []*string{&r.reports, &r.artifacts} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	r.portBase = fixtures.DefaultBrokerPortBase
	if s := os.Getenv("CHAOS_BROKER_PORT_BASE"); s != "" {
		b, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("CHAOS_BROKER_PORT_BASE=%q: %w", s, err)
		}
		r.portBase = b
	}
	if top := r.portBase + jobs*fixtures.BrokerPortSpan; top > fixtures.FirstEphemeralPort {
		return fmt.Errorf("-jobs %d needs broker ports %d-%d, into the ephemeral range (%d and up): fewer jobs or a lower CHAOS_BROKER_PORT_BASE", jobs, r.portBase, top-1, fixtures.FirstEphemeralPort)
	}
	if r.dry {
		return nil
	}
	if err := os.MkdirAll(r.runDir(), 0o755); err != nil {
		return err
	}
	bin, err := filepath.Abs(filepath.Join(r.runDir(), "ginkgo"))
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/onsi/ginkgo/v2/ginkgo").CombinedOutput()
	if err != nil {
		return fmt.Errorf("building the Ginkgo CLI: %w\n%s", err, out)
	}
	r.ginkgoBin = bin
	test, err := filepath.Abs(filepath.Join(r.suites, fmt.Sprintf("selftest-%d.test", os.Getpid())))
	if err != nil {
		return err
	}
	out, err = exec.CommandContext(ctx, "go", "test", "-c", "-o", test, r.suites).CombinedOutput()
	if err != nil {
		return fmt.Errorf("compiling the suites %s: %w\n%s", r.suites, err, out)
	}
	r.testBin = test
	return nil
}

// cleanup removes the compiled suite.
func (r runner) cleanup() {
	if r.testBin != "" {
		_ = os.Remove(r.testBin)
	}
}

// filter is a mutant's label filter; the self-test's own specs (which
// pass when their mutant is caught) never count.
func filter(specs string) string { return "(" + specs + ") && !selftest" }

// unionFilter is the correct worker's filter: the union of the mutants'
// targeted specs (focus ignored: the union is a superset).
func unionFilter(list []mutants.Mutant) string {
	seen := map[string]bool{}
	var parts []string
	for _, m := range list {
		if !seen[m.Specs] {
			seen[m.Specs] = true
			parts = append(parts, "("+m.Specs+")")
		}
	}
	return filter(strings.Join(parts, " || "))
}

// job is one Ginkgo run: a mutant's targeted specs (mutant set), or the
// correct worker through the union of them (mutant nil).
type job struct {
	name   string // names its report, log and timeline directory
	labels string
	focus  string
	mutant *mutants.Mutant
	expect time.Duration // its wall time in the last report, for ordering
}

// run runs every job, at most jobs at once, longest expected first (the
// correct worker's union, then the mutants by their last wall time, the
// catalogue's order where none is known), and prints one line per run as it
// ends. The report keeps the catalogue's order.
func (r runner) run(ctx context.Context, list []mutants.Mutant, correct bool, jobs int, last map[string]time.Duration) Report {
	var todo []job
	for i := range list {
		m := &list[i]
		todo = append(todo, job{name: m.Name, labels: filter(m.Specs), focus: m.Focus, mutant: m, expect: last[m.Name]})
	}
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].expect > todo[j].expect })
	if correct {
		todo = append([]job{{name: "correct", labels: unionFilter(list)}}, todo...)
	}
	if !r.dry {
		fmt.Printf("selftest: %d Ginkgo runs, %d at once, %d process(es) each; logs, reports and timelines under %s and %s\n",
			len(todo), jobs, r.procs, r.runDir(), r.artifacts)
	}

	if r.dry {
		jobs = 1 // the commands in order
	}
	outcomes := make(map[string]Outcome, len(todo))
	var mu sync.Mutex
	done := 0
	queue := make(chan job)
	var wg sync.WaitGroup
	for slot := range min(jobs, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				if ctx.Err() != nil {
					continue // interrupted: what is queued does not start
				}
				o := r.one(ctx, j, slot)
				mu.Lock()
				outcomes[j.name] = o
				done++
				if !r.dry {
					what := o.Mutant
					detail := "named " + strings.Join(o.Named, ",")
					if j.mutant == nil {
						what, detail = "(correct worker)", fmt.Sprintf("%d specs", o.Ran)
					}
					fmt.Printf("selftest: [%2d/%d] %-28s %-16s %-48s %s\n", done, len(todo), what, o.Verdict, detail, o.Wall.Round(time.Second))
				}
				mu.Unlock()
			}
		}()
	}
dispatch:
	for _, j := range todo {
		select {
		case queue <- j:
		case <-ctx.Done():
			break dispatch
		}
	}
	close(queue)
	wg.Wait()

	var rep Report
	for _, m := range list {
		if o, ok := outcomes[m.Name]; ok {
			rep.Mutants = append(rep.Mutants, o)
		}
	}
	if o, ok := outcomes["correct"]; ok {
		rep.Correct = &o
	}
	return rep
}

// one runs a job in a pool slot and judges it.
func (r runner) one(ctx context.Context, j job, slot int) Outcome {
	start := time.Now()
	specs, left, err := r.ginkgo(ctx, j, slot)
	var o Outcome
	if j.mutant != nil {
		o = judge(*j.mutant, specs)
		o.Filter = j.labels
	} else {
		o = judgeCorrect(j.labels, specs)
	}
	o.Wall = time.Since(start)
	o.Left = left
	if err != nil {
		o.Error = err.Error()
		if o.Ran == 0 {
			o.Verdict = NoSpecs
		}
	}
	return o
}

// ginkgo runs the compiled suite for j in a pool slot and returns the specs
// of its JSON report and what the run left behind on the engine (removed
// here; "" for nothing). A non-zero exit is expected when specs fail; it is
// an error only if no report was written.
//
// Each slot has its own block of broker host ports (CHAOS_BROKER_PORT_BASE),
// so a broker restarted in one run never finds its ports taken by a broker
// another run started while it was down.
//
// Each run is its own owner of containers (CHAOS_OWNER unset: the suite
// takes its Ginkgo CLI's pid), so a run's final sweep removes only its own
// stages and the start-of-run sweep of another run keeps them (their owner
// is alive); once it ends, whatever still carries its pid is swept here.
func (r runner) ginkgo(ctx context.Context, j job, slot int) ([]Spec, string, error) {
	report := "selftest-" + j.name + ".json"
	args := []string{"--keep-going",
		"--timeout=" + r.timeout.String(), "--label-filter=" + j.labels,
		"--output-dir=" + r.runDir(), "--json-report=" + report}
	if j.focus != "" {
		args = append(args, "--focus="+j.focus)
	}
	if r.procs > 1 {
		args = append(args, fmt.Sprintf("--procs=%d", r.procs))
	}
	mutant := ""
	if j.mutant != nil {
		mutant = j.mutant.Name
	}
	set := map[string]string{
		fixtures.EnvMutant:       mutant,
		"CHAOS_ARTIFACTS":        filepath.Join(r.artifacts, j.name),
		"CHAOS_REPORTS":          r.runDir(),
		"CHAOS_RUN":              "selftest-" + j.name,
		"CHAOS_PROGRESS":         "",
		"CHAOS_BROKER_PORT_BASE": strconv.Itoa(r.portBase + slot*fixtures.BrokerPortSpan),
	}
	if r.dry {
		fmt.Printf("env -u CHAOS_OWNER %s go tool ginkgo %s %s\n", shellJoin(childEnv(nil, set)), shellJoin(args), r.suites)
		return nil, "", nil
	}
	args = append(args, r.testBin)
	env := childEnv(os.Environ(), set, "CHAOS_OWNER")
	logPath := filepath.Join(r.runDir(), j.name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, r.ginkgoBin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, logf, logf
	// The run gets its own process group, and an interrupt goes to the whole
	// group, as a terminal's Ctrl-C would: the Ginkgo CLI alone does not pass
	// it on to its test process, which would go on starting stages. Ginkgo
	// then cleans up (each spec's teardown, the final sweep) before it exits.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }
	cmd.WaitDelay = 2 * time.Minute
	_ = os.Remove(filepath.Join(r.runDir(), report))
	runErr := cmd.Run()
	left := ""
	if cmd.Process != nil {
		left = sweepOwner(strconv.Itoa(cmd.Process.Pid))
	}
	specs, err := readSpecs(filepath.Join(r.runDir(), report))
	if err != nil {
		return nil, left, fmt.Errorf("%w (ginkgo: %v; log %s)", err, runErr, logPath)
	}
	return specs, left, nil
}

// sweepOwner removes what a finished run still has on the engine and says
// what that was ("" for nothing).
func sweepOwner(owner string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := fixtures.Sweep(ctx, fixtures.Scope{Owner: owner})
	switch {
	case err != nil && rep.Containers+rep.Networks+rep.Volumes > 0:
		return fmt.Sprintf("%s (removed), and more it could not remove: %v", rep, err)
	case err != nil:
		return fmt.Sprintf("something it could not remove or list: %v", err)
	case rep.Containers+rep.Networks+rep.Volumes > 0:
		return rep.String() + " (removed)"
	}
	return ""
}

// childEnv is env with set applied ("" removes a variable) and drop removed.
func childEnv(env []string, set map[string]string, drop ...string) []string {
	gone := map[string]bool{}
	for _, d := range drop {
		gone[d] = true
	}
	for k := range set {
		gone[k] = true
	}
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !gone[k] {
			out = append(out, kv)
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if set[k] != "" {
			out = append(out, k+"="+set[k])
		}
	}
	return out
}

// lastWalls reads the wall time of each run from an earlier selftest.json
// (none when it is missing or unreadable: ordering is only a hint).
func lastWalls(path string) map[string]time.Duration {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var rep Report
	if json.Unmarshal(b, &rep) != nil {
		return nil
	}
	out := map[string]time.Duration{}
	for _, o := range rep.Mutants {
		out[o.Mutant] = o.Wall
	}
	return out
}
