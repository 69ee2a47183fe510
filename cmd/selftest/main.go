// Command selftest is make selftest: it runs each mutant of the catalogue
// (workers/feed/mutants) against the specs that must catch it, with
// CHAOS_MUTANT set so that the fixtures start the mutants image whatever
// WORKER_IMAGE names, then the correct worker through the union of those
// specs, and judges each from Ginkgo's JSON report: a mutant is caught
// only if a targeted spec failed and its failure names the mutant's
// invariant; survived, caught by another invariant, or by a timeout fail
// the run, and so does any failure of the correct worker. The runs go
// -jobs at a time (see runner.run). It writes reports/selftest.md and
// .json and prints the table.
//
//	go run ./cmd/selftest -jobs 2                 # every mutant and the correct worker, two runs at once
//	SELFTEST_MUTANTS=drop-updates,poison-skip go run ./cmd/selftest
//	go run ./cmd/selftest -fast                   # the fast subset (⚡ in README)
//	go run ./cmd/selftest -n                      # print the ginkgo commands only
//	go run ./cmd/selftest -readme                 # print README's catalogue table
//
// It starts Docker containers through Ginkgo: run it under the shared
// Docker lock on a shared machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/streamsocial/feedchaos/workers/feed/mutants"
)

func main() {
	readme := flag.Bool("readme", false, "print README's mutants table and exit")
	fast := flag.Bool("fast", false, "only the fast subset of the catalogue")
	dry := flag.Bool("n", false, "print the ginkgo commands, run nothing")
	reports := flag.String("reports", "reports", "where selftest.md, selftest.json and the per-run reports go")
	artifacts := flag.String("artifacts", filepath.Join(artifactsRoot(), "selftest"), "where each run's timelines go (one directory per mutant)")
	suites := flag.String("suites", "./suites", "the Ginkgo suite package, compiled once and run by every run")
	timeout := flag.Duration("timeout", 10*time.Minute, "Ginkgo's --timeout for each run")
	jobs := flag.Int("jobs", 1, "Ginkgo runs at once (each starts its own brokers; make selftest uses PROCS)")
	procs := flag.Int("procs", 1, "Ginkgo parallel processes per run (each runs its own broker)")
	correct := flag.Bool("correct", true, "also run the correct worker through the union of the targeted specs")
	flag.Parse()
	if *readme {
		fmt.Print(mutants.Markdown())
		return
	}
	if *jobs < 1 || *procs < 1 {
		fmt.Fprintf(os.Stderr, "selftest: -jobs and -procs must be at least 1 (got %d, %d)\n", *jobs, *procs)
		os.Exit(2)
	}
	list, err := pick(os.Getenv("SELFTEST_MUTANTS"), *fast)
	if err != nil {
		fmt.Fprintf(os.Stderr, "selftest: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := runner{reports: *reports, artifacts: *artifacts, suites: *suites, timeout: *timeout, dry: *dry, procs: *procs}
	if err := r.prepare(ctx, *jobs); err != nil {
		r.cleanup()
		fmt.Fprintf(os.Stderr, "selftest: %v\n", err)
		os.Exit(1)
	}

	start := time.Now()
	rep := r.run(ctx, list, *correct, *jobs, lastWalls(filepath.Join(*reports, "selftest.json")))
	rep.Wall = time.Since(start)
	r.cleanup()
	if *dry {
		return
	}
	md, err := rep.write(*reports)
	if err != nil {
		fmt.Fprintf(os.Stderr, "selftest: %v\n", err)
		os.Exit(1)
	}
	fmt.Println()
	fmt.Print(md)
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "selftest: interrupted: the report covers only what ran")
		os.Exit(130)
	}
	if !rep.OK() {
		os.Exit(1)
	}
}

// artifactsRoot is the suites' timeline root: $CHAOS_ARTIFACTS or artifacts.
func artifactsRoot() string {
	if d := os.Getenv("CHAOS_ARTIFACTS"); d != "" {
		return d
	}
	return "artifacts"
}

// pick returns the mutants to run: those named in csv (all if empty),
// only the fast ones with fast.
func pick(csv string, fast bool) ([]mutants.Mutant, error) {
	var out []mutants.Mutant
	if strings.TrimSpace(csv) != "" {
		seen := map[string]bool{}
		for _, n := range strings.Split(csv, ",") {
			m, ok := mutants.Get(strings.TrimSpace(n))
			if !ok {
				return nil, fmt.Errorf("SELFTEST_MUTANTS: no mutant %q (one of %s)", n, strings.Join(mutants.Names(), ", "))
			}
			if !seen[m.Name] {
				seen[m.Name] = true
				out = append(out, m)
			}
		}
	} else {
		out = append(out, mutants.All...)
	}
	if fast {
		kept := out[:0]
		for _, m := range out {
			if m.Fast {
				kept = append(kept, m)
			}
		}
		out = kept
	}
	if len(out) == 0 {
		return nil, errors.New("no mutant selected")
	}
	return out, nil
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " &|!()'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
