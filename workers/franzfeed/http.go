package franzfeed

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// Status returns the worker's /status body.
func (w *Worker) Status() contract.Status {
	member, gen := w.cl.GroupMetadata()
	w.mu.Lock()
	defer w.mu.Unlock()
	assigned := make([]int32, 0, len(w.assigned))
	for p := range w.assigned {
		assigned = append(assigned, p)
	}
	slices.Sort(assigned)
	return contract.Status{
		Worker: w.cfg.WorkerID, MemberID: member, Generation: gen,
		Assignor: w.cfg.Assignor, Protocol: w.cfg.Protocol,
		Assigned: assigned, Positions: w.offs.Positions(), Committed: w.offs.CommittedCopy(),
		Consumed: w.stats.Consumed.Load(), Produced: w.stats.Produced.Load(), DeadLetters: w.stats.DeadLetters.Load(),
		Stopping: w.stopping.Load(),
	}
}

// Handler serves /healthz, /status and /metrics.
func (w *Worker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(contract.PathHealth, func(rw http.ResponseWriter, _ *http.Request) {
		if !w.Healthy() {
			http.Error(rw, "stopping", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(rw, "ok")
	})
	mux.HandleFunc(contract.PathStatus, func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(rw).Encode(w.Status())
	})
	mux.HandleFunc(contract.PathMetrics, func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprint(rw, w.metrics())
	})
	return mux
}

// metrics renders the counters in the Prometheus text format. The commit
// latency histogram and per-partition lag are not exposed (the contract
// makes the histogram optional; no spec reads /metrics).
func (w *Worker) metrics() string {
	st := w.Status()
	var b strings.Builder
	counter := func(name, help string, v int64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	counter("franzfeed_records_consumed_total", "Posts consumed.", st.Consumed)
	counter("franzfeed_feed_updates_produced_total", "Feed updates and dead letters acknowledged.", st.Produced)
	counter("franzfeed_dead_letters_total", "Posts dead-lettered.", st.DeadLetters)
	counter("franzfeed_commit_failures_total", "Commits the coordinator refused.", w.stats.CommitFailures.Load())
	fmt.Fprintf(&b, "# HELP franzfeed_rebalances_total Rebalance callbacks by kind.\n# TYPE franzfeed_rebalances_total counter\n")
	fmt.Fprintf(&b, "franzfeed_rebalances_total{kind=\"assigned\"} %d\n", w.stats.Assigns.Load())
	fmt.Fprintf(&b, "franzfeed_rebalances_total{kind=\"revoked\"} %d\n", w.stats.Revokes.Load())
	fmt.Fprintf(&b, "franzfeed_rebalances_total{kind=\"lost\"} %d\n", w.stats.Losses.Load())
	fmt.Fprintf(&b, "# HELP franzfeed_assigned_partitions Partitions assigned.\n# TYPE franzfeed_assigned_partitions gauge\nfranzfeed_assigned_partitions %d\n", len(st.Assigned))
	return b.String()
}
