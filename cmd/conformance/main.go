// Command conformance checks one worker image against README's worker
// contract without faults, in about two minutes, and prints one PASS or
// FAIL line per clause; it exits 1 when any clause fails. It tests the
// image named by WORKER_IMAGE (which must be on the local engine), else the
// bundled feed worker built from source. Run it as `make conformance`
// under the Docker lock. CHAOS_MUTANT, if set, runs the workers from the
// mutants image with that mutant: the contract class (stdout-noise,
// worded-dead-letters, exit-1-on-term) each break one clause, to see the
// report fail and name it.
//
// Clauses, in the order they run (each is a function in clauses.go):
//
//	bad-env        a bad value exits 2 within 15 s, naming the variable
//	endpoints      /healthz 200, /status JSON naming the worker, /metrics 200
//	static-restart a static member stopped with SIGTERM and started again in
//	               place comes back with its partitions and no rebalance
//	sigterm        SIGTERM exits 0 within the shutdown bound, after stopping
//	               and stopped events
//	second-signal  a second signal during shutdown exits 130 at once
//	events         every stdout line is a contract event, every worker
//	               printed started and assigned
//	records        feed updates and dead letters parse, poison is
//	               dead-lettered with its reason_kind and raw
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/streamsocial/feedchaos/bounds"
	"github.com/streamsocial/feedchaos/fixtures"
)

func main() { os.Exit(run()) }

func run() int {
	b, err := bounds.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	imgs, err := fixtures.BuildImages(ctx, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		return 2
	}
	// CHAOS_MUTANT runs a deliberately broken worker from the mutants
	// image (the contract class: stdout-noise, worded-dead-letters,
	// exit-1-on-term each break one clause), to see the clauses fail.
	mutant := os.Getenv(fixtures.EnvMutant)
	note := ""
	if mutant != "" {
		note = fmt.Sprintf(" (workers run the %s mutant: expect failures)", mutant)
	}
	fmt.Printf("conformance of %s against README's worker contract%s\n", imgs.Worker, note)
	st, err := fixtures.NewStage(ctx, fixtures.StageConfig{
		Suite: "conformance", Spec: "conformance", Images: imgs,
		Workers: 2, Partitions: 6, StaticMembership: true, Log: os.Stderr, Mutant: mutant,
	})
	defer func() {
		cctx, c := context.WithTimeout(context.Background(), time.Minute)
		defer c()
		_ = st.Close(cctx)
	}()
	if err != nil {
		fmt.Println("FAIL  start: the stage did not start:", err)
		return 1
	}
	r := &report{}
	c := &conf{st: st, b: b, r: r}
	c.run(ctx)
	fmt.Printf("%d clauses passed, %d failed in %s\n", r.passed, r.failed, time.Since(start).Round(time.Second))
	if r.failed > 0 {
		return 1
	}
	return 0
}

// report prints one line per clause and counts them.
type report struct{ passed, failed int }

func (r *report) clause(name string, err error, ok string) {
	if err != nil {
		r.failed++
		fmt.Printf("FAIL  %-15s %v\n", name, err)
		return
	}
	r.passed++
	fmt.Printf("PASS  %-15s %s\n", name, ok)
}
