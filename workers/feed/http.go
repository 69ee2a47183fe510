package feed

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// snapshotEvery is how often the poll goroutine refreshes positions, lag and
// group metadata for /status and /metrics.
const snapshotEvery = 250 * time.Millisecond

// refreshSnapshot reads positions, cached high watermarks and the group
// metadata from the consumer into the snapshot. Poll goroutine only (the
// HTTP goroutines never touch the consumer, which may be closed under them).
func (w *Worker) refreshSnapshot(force bool) {
	now := time.Now()
	if !force && now.Sub(w.lastSnap) < snapshotEvery {
		return
	}
	w.lastSnap = now
	w.refreshGroupMeta()
	w.mu.Lock()
	parts := sortedPartitions(w.st.assigned)
	committed := make(map[int32]int64, len(w.st.committed))
	for p, o := range w.st.committed {
		committed[p] = o
	}
	w.mu.Unlock()
	if len(parts) == 0 {
		return
	}
	tps := make([]kafka.TopicPartition, len(parts))
	for i, p := range parts {
		tps[i] = kafka.TopicPartition{Topic: &w.cfg.PostsTopic, Partition: p}
	}
	pos, err := w.consumer.Position(tps)
	positions := map[int32]int64{}
	if err == nil {
		for _, tp := range pos {
			if tp.Offset >= 0 {
				positions[tp.Partition] = int64(tp.Offset)
			}
		}
	}
	lag := map[int32]int64{}
	for _, p := range parts {
		_, high, err := w.consumer.GetWatermarkOffsets(w.cfg.PostsTopic, p)
		if err != nil || high < 0 {
			continue
		}
		at, ok := positions[p]
		if !ok {
			at, ok = committed[p]
		}
		if !ok {
			continue
		}
		lag[p] = max(0, high-at)
	}
	w.mu.Lock()
	for p, o := range positions {
		if w.st.assigned[p] {
			w.st.positions[p] = o
		}
	}
	w.st.lag = map[int32]int64{}
	for p, l := range lag {
		if w.st.assigned[p] {
			w.st.lag[p] = l
		}
	}
	w.mu.Unlock()
}

// Status returns the worker's status (contract.Status). Safe for concurrent
// use; it reads the last snapshot.
func (w *Worker) Status() contract.Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := contract.Status{
		Worker:      w.cfg.WorkerID,
		MemberID:    w.st.memberID,
		Generation:  w.st.generation,
		Assignor:    w.cfg.Assignor,
		Protocol:    w.cfg.Protocol,
		Assigned:    sortedPartitions(w.st.assigned),
		Positions:   map[int32]int64{},
		Committed:   map[int32]int64{},
		Consumed:    w.metrics.Consumed.Load(),
		Produced:    w.metrics.Produced.Load(),
		DeadLetters: w.metrics.DeadLetters.Load(),
		Stopping:    w.stopping.Load(),
	}
	for p, o := range w.st.positions {
		s.Positions[p] = o
	}
	for p, o := range w.st.committed {
		s.Committed[p] = o
	}
	return s
}

// Handler serves /healthz (200, or 503 once stopping), /status (JSON) and
// /metrics (Prometheus text). Safe for concurrent use, before, during and
// after Run.
func (w *Worker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(contract.PathHealth, func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if w.stopping.Load() {
			rw.WriteHeader(http.StatusServiceUnavailable)
			_, _ = rw.Write([]byte("stopping\n"))
			return
		}
		_, _ = rw.Write([]byte("ok\n"))
	})
	mux.HandleFunc(contract.PathStatus, func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(rw).Encode(w.Status())
	})
	mux.HandleFunc(contract.PathMetrics, func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.mu.Lock()
		g := Gauges{AssignedPartitions: len(w.st.assigned), Lag: make(map[int32]int64, len(w.st.lag))}
		for p, l := range w.st.lag {
			g.Lag[p] = l
		}
		w.mu.Unlock()
		w.metrics.Render(rw, g)
	})
	return mux
}
