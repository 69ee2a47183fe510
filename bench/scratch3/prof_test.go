package scratch3

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/workers/contract"
	"github.com/streamsocial/feedchaos/workers/feed"
)

func TestProfileWorker(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(12, "posts"), kfake.SeedTopics(12, "feed-updates"), kfake.SeedTopics(3, "posts-dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	boot := c.ListenAddrs()[0]
	cl, _ := kgo.NewClient(kgo.SeedBrokers(boot), kgo.DefaultProduceTopic("posts"))
	r := rand.New(rand.NewPCG(1, 2))
	const N = 60000
	for i := 0; i < N; i++ {
		a := r.IntN(1000)
		v, _ := json.Marshal(contract.Post{ID: "p" + strconv.Itoa(i), Author: a, CreatedAt: time.Now(), Seq: int64(i)})
		cl.Produce(context.Background(), &kgo.Record{Key: []byte(strconv.Itoa(a)), Value: v}, nil)
	}
	cl.Flush(context.Background())
	env := map[string]string{contract.EnvBootstrap: boot, contract.EnvGroupID: "g", contract.EnvWorkerID: "w1", contract.EnvHTTPAddr: "127.0.0.1:0"}
	cfg, err := feed.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	w, err := feed.New(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	start := time.Now()
	go func() { w.Run(ctx); close(done) }()
	adm := kadm.NewClient(cl)
	for {
		o, err := adm.FetchOffsetsForTopics(context.Background(), "g", "posts")
		var sum int64
		if err == nil {
			o.Each(func(x kadm.OffsetResponse) {
				if x.At > 0 {
					sum += x.At
				}
			})
		}
		if sum >= N {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("worker drained %d posts in %s: %.0f posts/s", N, time.Since(start), N/time.Since(start).Seconds())
	cancel()
	<-done
}
