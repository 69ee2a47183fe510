// Command chaosctl is the suite's housekeeping tool:
//
//	chaosctl images            build (or reuse) the broker, toxiproxy, worker and worker-mutants images
//	chaosctl image franzfeed   build (or reuse) the franz-go worker's image and print its tag alone
//	chaosctl clean [-owner ID] [-images]
//	                           remove every container, network and volume the suite
//	                           created (only run ID's with -owner; images too with -images)
//	chaosctl leftovers [-owner ID]
//	                           exit 1 if anything the suite (or run ID) created is still there
//	chaosctl testlog OUT.json  copy `go test -json` from stdin to OUT.json and print
//	                           package results and failing tests' output
//	chaosctl tally FILE...     count tests and specs in `go test -json` and Ginkgo
//	                           JSON reports and print "N passed, N failed"
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/streamsocial/feedchaos/fixtures"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// testcontainers' logger would print its Docker banner on every call;
	// chaosctl says what it did itself, and returns every error.
	tclog.SetDefault(tclog.NewNoopLogger())
	var err error
	switch os.Args[1] {
	case "images":
		err = images(ctx)
	case "image":
		err = image(ctx, os.Args[2:])
	case "clean":
		fs := flag.NewFlagSet("clean", flag.ExitOnError)
		imgs := fs.Bool("images", false, "also remove the suite's images")
		owner := fs.String("owner", "", "only what the run with this owner id created (see CHAOS_OWNER)")
		_ = fs.Parse(os.Args[2:])
		err = clean(ctx, *owner, *imgs)
	case "testlog":
		err = runTestLog(os.Args[2:])
	case "leftovers":
		fs := flag.NewFlagSet("leftovers", flag.ExitOnError)
		owner := fs.String("owner", "", "only what the run with this owner id created")
		_ = fs.Parse(os.Args[2:])
		err = leftovers(ctx, *owner)
	case "tally":
		var t tally
		t, err = tallyFiles(os.Args[2:])
		if err == nil {
			fmt.Println(t.detail())
			fmt.Printf("%d passed, %d failed\n", t.passed, t.failed)
			if t.failed > 0 {
				os.Exit(1)
			}
		}
	case "-h", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "chaosctl %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: chaosctl images | image franzfeed | clean [-owner ID] [-images] | leftovers [-owner ID] | testlog OUT.json | tally FILE...`)
}

func images(ctx context.Context) error {
	start := time.Now()
	imgs, err := fixtures.BuildImages(ctx, os.Stdout)
	if err != nil {
		return err
	}
	if imgs.Mutants == "" {
		if imgs.Mutants, err = fixtures.BuildImage(ctx, fixtures.MutantsImage, os.Stdout); err != nil {
			return err
		}
	}
	fmt.Printf("images ready in %s: broker=%s proxy=%s worker=%s mutants=%s\n", time.Since(start).Round(time.Millisecond), imgs.Broker, imgs.Proxy, imgs.Worker, imgs.Mutants)
	return nil
}

// image builds one optional image and prints its tag on stdout alone (the
// build's progress goes to stderr), for WORKER_IMAGE=$(chaosctl image ...).
func image(ctx context.Context, args []string) error {
	specs := map[string]fixtures.ImageSpec{fixtures.FranzImage.Name: fixtures.FranzImage}
	if len(args) != 1 {
		return fmt.Errorf("want one image name (franzfeed)")
	}
	spec, ok := specs[args[0]]
	if !ok {
		return fmt.Errorf("unknown image %q (want franzfeed)", args[0])
	}
	tag, err := fixtures.BuildImage(ctx, spec, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Println(tag)
	return nil
}

func clean(ctx context.Context, owner string, withImages bool) error {
	rep, err := fixtures.Sweep(ctx, fixtures.Scope{Owner: owner})
	fmt.Printf("removed %s\n", rep)
	if err != nil {
		return err
	}
	if withImages {
		n, err := fixtures.RemoveImages(ctx)
		fmt.Printf("removed %d images\n", n)
		return err
	}
	return nil
}

func leftovers(ctx context.Context, owner string) error {
	rep, err := fixtures.Leftovers(ctx, owner)
	if err != nil {
		return err
	}
	if rep.Containers+rep.Networks+rep.Volumes > 0 {
		return fmt.Errorf("the suite left %s behind (run make clean)", rep)
	}
	fmt.Println("nothing left behind: 0 containers, 0 networks, 0 volumes")
	return nil
}
