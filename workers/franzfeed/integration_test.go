package franzfeed

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// TestInProcess runs two workers against an in-process kfake cluster per
// delivery mode and protocol, and checks that every post's feed updates
// arrive and every worker stops cleanly. (Not a substitute for the chaos
// suite: no faults.)
func TestInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process cluster")
	}
	for _, tc := range []struct{ delivery, protocol, assignor string }{
		{"at-least-once", "classic", "range"},
		{"at-least-once", "classic", "cooperative-sticky"},
		{"at-least-once", "consumer", "uniform"},
		{"exactly-once", "classic", "range"},
		{"exactly-once", "consumer", "uniform"},
	} {
		t.Run(tc.delivery+"-"+tc.protocol+"-"+tc.assignor, func(t *testing.T) {
			inProcess(t, tc.delivery, tc.protocol, tc.assignor)
		})
	}
}

func inProcess(t *testing.T, delivery, protocol, assignor string) {
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(6, "posts", "feed-updates", "posts-dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	g, _ := graph.New(1, 1000)

	type running struct {
		stop context.CancelFunc
		done chan error
	}
	var ws []running
	for i := 1; i <= 2; i++ {
		cfg, err := LoadConfig(func(k string) string {
			return map[string]string{
				"KAFKA_BOOTSTRAP": c.ListenAddrs()[0], "GROUP_ID": "g", "WORKER_ID": fmt.Sprintf("w%d", i),
				"DELIVERY": delivery, "GROUP_PROTOCOL": protocol, "ASSIGNOR": assignor,
			}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		w, err := New(ctx, cfg, io.Discard, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		soft, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(soft) }()
		ws = append(ws, running{stop, done})
	}

	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	want := map[string]bool{}
	for i := 0; i < 200; i++ {
		author := i % 1000
		v, _ := json.Marshal(contract.Post{ID: fmt.Sprintf("p%d", i), Author: author, CreatedAt: time.Now(), Seq: int64(i)})
		if err := prod.ProduceSync(ctx, &kgo.Record{Topic: "posts", Key: []byte(strconv.Itoa(author)), Value: v}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		fol, _ := g.Followers(author)
		for _, f := range fol {
			want[fmt.Sprintf("p%d/%d", i, f)] = true
		}
	}

	rd, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics("feed-updates"),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	seen := map[string]int{}
	for len(seen) < len(want) && ctx.Err() == nil {
		fs := rd.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) {
			u, err := contract.ParseFeedUpdate(r.Value)
			if err != nil {
				t.Errorf("feed update: %v", err)
				return
			}
			seen[fmt.Sprintf("%s/%d", u.PostID, u.Follower)]++
		})
	}
	if len(seen) != len(want) {
		t.Fatalf("read %d distinct feed updates, want %d", len(seen), len(want))
	}
	for _, w := range ws {
		w.stop()
		if err := <-w.done; err != nil {
			t.Fatalf("worker stopped with %v", err)
		}
	}
}
