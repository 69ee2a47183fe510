package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/streamsocial/feedchaos/fixtures"
)

func main() {
	n := flag.Int("n", 10, "workers")
	add := flag.Int("add", 0, "then add")
	limit := flag.Int("limit", 8, "start limit")
	assignor := flag.String("a", "cooperative-sticky", "")
	flag.Parse()
	ctx := context.Background()
	imgs, err := fixtures.BuildImages(ctx, os.Stdout)
	if err != nil {
		panic(err)
	}
	t := time.Now()
	st, err := fixtures.NewStage(ctx, fixtures.StageConfig{Suite: "scratch", Spec: "scratch", Images: imgs, Workers: *n, Partitions: 120, Assignor: *assignor, StartLimit: *limit, Log: os.Stdout, PostRate: 100})
	defer func() { fmt.Println("close", st.Close(context.Background())) }()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("stage up", time.Since(t))
	d, err := st.WaitStable(ctx, st.Fleet.IDs(), 2*time.Minute)
	fmt.Println("stable", d, err)
	st.Producer.Start()
	time.Sleep(5 * time.Second)
	if *add > 0 {
		t = time.Now()
		_, err = st.Fleet.Add(ctx, *add)
		fmt.Println("added", *add, time.Since(t), err)
		d, err := st.WaitStable(ctx, st.Fleet.IDs(), 2*time.Minute)
		fmt.Println("stable", d, err)
	}
	refs := st.Containers()
	for i := 0; i < 3; i++ {
		t := time.Now()
		s, err := fixtures.SampleContainer(ctx, refs[i+1])
		fmt.Println("one sample", time.Since(t), s.At, err)
	}
	t = time.Now()
	a, err := fixtures.SampleContainers(ctx, refs, 8)
	fmt.Println("sampled", len(a), time.Since(t), err)
	time.Sleep(10 * time.Second)
	b, _ := fixtures.SampleContainers(ctx, refs, 8)
	var tot uint64
	for _, u := range fixtures.UsageBetween(a, b) {
		fmt.Printf("%-7s %-5s cores=%.3f mem=%.1fMiB rss=%.1fMiB\n", u.Role, u.Worker, u.Cores, float64(u.Mem)/(1<<20), float64(u.RSS)/(1<<20))
		tot += u.Mem
	}
	fmt.Printf("total mem %.1f MiB\n", float64(tot)/(1<<20))
	d, err = st.Drain(ctx, time.Minute)
	fmt.Println("drain", d, err)
}
