// Command selftest is make selftest: it runs each mutant of the catalogue
// (workers/feed/mutants) against the specs that must catch it, with
// CHAOS_MUTANT set so that the fixtures start the mutants image whatever
// WORKER_IMAGE names, then the correct worker through the union of those
// specs, and judges each from Ginkgo's JSON report: a mutant is caught
// only if a targeted spec failed and its failure names the mutant's
// invariant; survived, caught by another invariant, or by a timeout fail
// the run, and so does any failure of the correct worker. It writes
// reports/selftest.md and .json and prints the table.
//
//	go run ./cmd/selftest                         # every mutant, then the correct worker
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
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/workers/feed/mutants"
)

func main() {
	readme := flag.Bool("readme", false, "print README's mutants table and exit")
	fast := flag.Bool("fast", false, "only the fast subset of the catalogue")
	dry := flag.Bool("n", false, "print the ginkgo commands, run nothing")
	reports := flag.String("reports", "reports", "where selftest.md, selftest.json and the per-run reports go")
	suites := flag.String("suites", "./suites", "the Ginkgo suites to run (recursively)")
	timeout := flag.Duration("timeout", 10*time.Minute, "Ginkgo's --timeout for each run")
	procs := flag.Int("procs", 1, "Ginkgo parallel processes per run (each runs its own broker)")
	correct := flag.Bool("correct", true, "also run the correct worker through the union of the targeted specs")
	flag.Parse()
	if *readme {
		fmt.Print(mutants.Markdown())
		return
	}
	list, err := pick(os.Getenv("SELFTEST_MUTANTS"), *fast)
	if err != nil {
		fmt.Fprintf(os.Stderr, "selftest: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := runner{reports: *reports, suites: *suites, timeout: *timeout, dry: *dry, procs: *procs}
	if err := os.MkdirAll(r.runDir(), 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "selftest: %v\n", err)
		os.Exit(1)
	}

	start := time.Now()
	var rep Report
	for _, m := range list {
		o := r.mutant(ctx, m)
		rep.Mutants = append(rep.Mutants, o)
		fmt.Printf("selftest: %-28s %-16s named %-40s %s\n", m.Name, o.Verdict, strings.Join(o.Named, ","), o.Wall.Round(time.Second))
		if ctx.Err() != nil {
			break
		}
	}
	if *correct && ctx.Err() == nil {
		c := r.correct(ctx, list)
		rep.Correct = &c
		fmt.Printf("selftest: %-28s %-16s %d specs %s\n", "(correct worker)", c.Verdict, c.Ran, c.Wall.Round(time.Second))
	}
	rep.Wall = time.Since(start)
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

// pick returns the mutants to run: those named in csv (all if empty),
// only the fast ones with fast.
func pick(csv string, fast bool) ([]mutants.Mutant, error) {
	var out []mutants.Mutant
	if strings.TrimSpace(csv) != "" {
		for _, n := range strings.Split(csv, ",") {
			m, ok := mutants.Get(strings.TrimSpace(n))
			if !ok {
				return nil, fmt.Errorf("SELFTEST_MUTANTS: no mutant %q (one of %s)", n, strings.Join(mutants.Names(), ", "))
			}
			out = append(out, m)
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

type runner struct {
	reports, suites string
	timeout         time.Duration
	dry             bool
	procs           int
}

func (r runner) runDir() string { return filepath.Join(r.reports, "selftest") }

// filter is a mutant's label filter; the self-test's own specs (which
// pass when their mutant is caught) never count.
func filter(specs string) string { return "(" + specs + ") && !selftest" }

// mutant runs m's targeted specs with CHAOS_MUTANT=m and judges them.
func (r runner) mutant(ctx context.Context, m mutants.Mutant) Outcome {
	start := time.Now()
	specs, err := r.ginkgo(ctx, m.Name, filter(m.Specs), m.Focus, m.Name)
	o := judge(m, specs)
	o.Filter = filter(m.Specs)
	o.Wall = time.Since(start)
	if err != nil {
		o.Error = err.Error()
		if o.Ran == 0 {
			o.Verdict = NoSpecs
		}
	}
	return o
}

// correct runs the correct worker through the union of the mutants'
// targeted specs (focus ignored: the union is a superset).
func (r runner) correct(ctx context.Context, list []mutants.Mutant) Outcome {
	seen := map[string]bool{}
	var parts []string
	for _, m := range list {
		if !seen[m.Specs] {
			seen[m.Specs] = true
			parts = append(parts, "("+m.Specs+")")
		}
	}
	f := filter(strings.Join(parts, " || "))
	start := time.Now()
	specs, err := r.ginkgo(ctx, "correct", f, "", "")
	o := judgeCorrect(f, specs)
	o.Wall = time.Since(start)
	if err != nil && o.Ran == 0 {
		o.Error = err.Error()
	}
	return o
}

// ginkgo runs the suites with the label filter (and focus) and returns the
// specs of its JSON report. A non-zero exit is expected when specs fail;
// it is an error only if no report was written.
func (r runner) ginkgo(ctx context.Context, name, labels, focus, mutant string) ([]Spec, error) {
	report := "selftest-" + name + ".json"
	args := []string{"tool", "ginkgo", "-r", "--skip-package=internal", "--keep-going",
		"--timeout=" + r.timeout.String(), "--label-filter=" + labels,
		"--output-dir=" + r.runDir(), "--json-report=" + report}
	if focus != "" {
		args = append(args, "--focus="+focus)
	}
	if r.procs > 1 {
		args = append(args, fmt.Sprintf("--procs=%d", r.procs))
	}
	args = append(args, r.suites)
	env := append(os.Environ(), fixtures.EnvMutant+"="+mutant)
	if r.dry {
		fmt.Printf("%s=%q go %s\n", fixtures.EnvMutant, mutant, shellJoin(args))
		return nil, nil
	}
	logPath := filepath.Join(r.runDir(), name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, logf, logf
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // let Ginkgo clean up
	cmd.WaitDelay = 2 * time.Minute
	_ = os.Remove(filepath.Join(r.runDir(), report))
	runErr := cmd.Run()
	specs, err := readSpecs(filepath.Join(r.runDir(), report))
	if err != nil {
		return nil, fmt.Errorf("%w (ginkgo: %v; log %s)", err, runErr, logPath)
	}
	return specs, nil
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
