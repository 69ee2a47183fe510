// Package inproc compares the feed worker with the bare loop without
// containers, proxies or Docker: both run in this process against an
// in-process kfake broker and drain the same pre-loaded posts, taking turns
// with fresh groups. It isolates the client-side cost of the worker (its
// JSON and bookkeeping) from the topology the container bench adds, and
// runs in seconds:
//
//	go test -run '^$' -bench WorkerVsBareLoop -benchtime 1x ./bench/inproc
//
// Reported metrics: posts/s of each (the median of the rounds) and their
// ratio. Benchmarks only: `go test` alone runs nothing here.
package inproc

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/bench/bareloop"
	"github.com/streamsocial/feedchaos/workers/contract"
	"github.com/streamsocial/feedchaos/workers/feed"
)

const (
	posts  = 60000
	rounds = 3
)

func BenchmarkWorkerVsBareLoop(b *testing.B) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(12, "posts"), kfake.SeedTopics(12, "feed-updates"), kfake.SeedTopics(3, "posts-dlq"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	boot := c.ListenAddrs()[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(boot), kgo.DefaultProduceTopic("posts"))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < posts; i++ {
		a := r.IntN(1000)
		v, _ := json.Marshal(contract.Post{ID: "p" + strconv.Itoa(i), Author: a, CreatedAt: time.Now(), Seq: int64(i)})
		cl.Produce(context.Background(), &kgo.Record{Key: []byte(strconv.Itoa(a)), Value: v}, nil)
	}
	if err := cl.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	adm := kadm.NewClient(cl)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		var worker, bare []float64
		for round := 0; round < rounds; round++ {
			group := "w" + strconv.Itoa(n) + "-" + strconv.Itoa(round)
			worker = append(worker, drain(b, adm, group, func(stop <-chan struct{}) {
				env := map[string]string{contract.EnvBootstrap: boot, contract.EnvGroupID: group, contract.EnvWorkerID: "w1", contract.EnvHTTPAddr: "127.0.0.1:0"}
				cfg, err := feed.LoadConfig(func(k string) string { return env[k] })
				if err != nil {
					b.Error(err)
					return
				}
				w, err := feed.New(cfg, io.Discard)
				if err != nil {
					b.Error(err)
					return
				}
				ctx, cancel := context.WithCancel(context.Background())
				go func() { <-stop; cancel() }()
				_ = w.Run(ctx)
			}))
			group = "b" + strconv.Itoa(n) + "-" + strconv.Itoa(round)
			bare = append(bare, drain(b, adm, group, func(stop <-chan struct{}) {
				env := map[string]string{contract.EnvBootstrap: boot, contract.EnvGroupID: group, contract.EnvWorkerID: "b1"}
				bareloop.Run(func(k string) string { return env[k] }, stop, io.Discard, io.Discard)
			}))
		}
		w, bl := median(worker), median(bare)
		b.ReportMetric(w, "worker-posts/s")
		b.ReportMetric(bl, "bare-posts/s")
		b.ReportMetric(w/bl, "ratio")
		b.Logf("worker %v posts/s, bare loop %v posts/s", worker, bare)
	}
}

// drain runs loop until group has committed every post and returns the
// posts/s between 10% and 90% of the drain.
func drain(b *testing.B, adm *kadm.Client, group string, loop func(stop <-chan struct{})) float64 {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { defer close(done); loop(stop) }()
	defer func() { close(stop); <-done }()
	var t10, t90 time.Time
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		o, err := adm.FetchOffsetsForTopics(context.Background(), group, "posts")
		var sum int64
		if err == nil {
			o.Each(func(x kadm.OffsetResponse) {
				if x.At > 0 {
					sum += x.At
				}
			})
		}
		if t10.IsZero() && sum >= posts/10 {
			t10 = time.Now()
		}
		if sum >= posts*9/10 {
			t90 = time.Now()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if t90.IsZero() || t10.IsZero() {
		b.Fatalf("group %s did not drain the posts", group)
	}
	return float64(posts) * 0.8 / t90.Sub(t10).Seconds()
}

func median(fs []float64) float64 {
	s := append([]float64(nil), fs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
