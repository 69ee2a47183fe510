//go:build mutants

package feed

import (
	"sort"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Liveness (catalogue class liveness).

func init() {
	register("poll-starvation", func() mutation { return &pollStarvation{named: named{name: "poll-starvation"}} })
	register("heartbeat-interval-too-long", func() mutation {
		return heartbeatTooLong{named{name: "heartbeat-interval-too-long"}}
	})
}

// pollStarvation blocks the poll loop for MaxPollInterval + 2 s on the
// first post of a celebrity author (top 1% by followers), once.
type pollStarvation struct {
	named
	once    sync.Once
	celebs  map[int]bool
	blocked bool
}

func (s *pollStarvation) post(w *Worker, res *Result) {
	if s.blocked || res.Reason != "" {
		return
	}
	s.once.Do(func() { s.celebs = celebrities(w) })
	if !s.celebs[res.Post.Author] {
		return
	}
	s.blocked = true
	w.sleep(w.cfg.MaxPollInterval + 2*time.Second)
}

// celebrities returns the top 1% of the graph's users by follower count.
func celebrities(w *Worker) map[int]bool {
	g := w.fan.Graph
	type uf struct{ u, n int }
	all := make([]uf, 0, g.Users())
	for u := 0; u < g.Users(); u++ {
		f, _ := g.Followers(u)
		all = append(all, uf{u, len(f)})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n || (all[i].n == all[j].n && all[i].u < all[j].u) })
	out := map[int]bool{}
	for _, x := range all[:max(1, len(all)/100)] {
		out[x.u] = true
	}
	return out
}

// heartbeatTooLong sets heartbeat.interval.ms to 80% of the session timeout.
type heartbeatTooLong struct{ named }

func (heartbeatTooLong) clientConfig(c Config, consumer, _ *kafka.ConfigMap) {
	if _, classic := (*consumer)["heartbeat.interval.ms"]; classic {
		(*consumer)["heartbeat.interval.ms"] = int(c.SessionTimeout.Milliseconds() * 8 / 10)
	}
}
