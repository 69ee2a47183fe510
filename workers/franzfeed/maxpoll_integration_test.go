package franzfeed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// syncBuffer is a stdout the test reads while the worker writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// A worker slower than MAX_POLL_INTERVAL_MS leaves its group (its
// partitions go to the other member) and says so with max-poll-exceeded.
func TestSlowWorkerLeavesItsGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process cluster")
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "posts", "feed-updates", "posts-dlq"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	logs := &syncBuffer{}
	start := func(id string, env map[string]string) (*syncBuffer, context.CancelFunc) {
		base := map[string]string{"KAFKA_BOOTSTRAP": c.ListenAddrs()[0], "GROUP_ID": "g", "WORKER_ID": id}
		for k, v := range env {
			base[k] = v
		}
		cfg, err := LoadConfig(func(k string) string { return base[k] })
		if err != nil {
			t.Fatal(err)
		}
		out := &syncBuffer{}
		w, err := New(ctx, cfg, out, logs)
		if err != nil {
			t.Fatal(err)
		}
		soft, stop := context.WithCancel(ctx)
		go func() { _ = w.Run(soft) }()
		return out, stop
	}
	fastOut, stopFast := start("fast", nil)
	defer stopFast()
	slowOut, stopSlow := start("slow", map[string]string{"PROCESS_DELAY_MS": "3000", "MAX_POLL_INTERVAL_MS": "1500"})
	defer stopSlow()

	// the manual partitioner: the default one ignores Record.Partition, and a
	// partition that gets no post would leave the slow worker nothing to be
	// slow on
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	deadline := time.Now().Add(40 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		v, _ := json.Marshal(contract.Post{ID: fmt.Sprintf("p%d", i), Author: 1, CreatedAt: time.Now()})
		for p := int32(0); p < 2; p++ {
			if err := prod.ProduceSync(ctx, &kgo.Record{Topic: "posts", Partition: p, Value: v}).FirstErr(); err != nil {
				t.Fatalf("produce a post to partition %d: %v", p, err)
			}
		}
		if strings.Contains(slowOut.String(), contract.ErrorKindMaxPollExceeded) && lastAssigned(fastOut.String()) == 2 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("slow worker's events:\n%s\nfast worker's:\n%s\nclient logs:\n%s", slowOut, fastOut, logs)
}

// lastAssigned counts the partitions a worker holds after its events.
func lastAssigned(out string) int {
	held := map[int32]bool{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		ev, err := contract.ParseEvent([]byte(l))
		if err != nil {
			continue
		}
		for _, p := range ev.Partitions {
			switch ev.Event {
			case contract.EventAssigned:
				held[p] = true
			case contract.EventRevoked, contract.EventLost:
				delete(held, p)
			}
		}
	}
	return len(held)
}
