package feed

import (
	"encoding/json"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// Emitter writes lifecycle events, one JSON object (contract.Event) per line.
// It is safe for concurrent use: every line goes through one mutex-guarded
// encoder, so lines never interleave.
type Emitter struct {
	mu     sync.Mutex
	enc    *json.Encoder
	worker string
	now    func() time.Time

	// lastErr rate-limits identical survived errors (see ErrorLimited).
	lastErr map[string]time.Time
}

// NewEmitter returns an Emitter writing to w for the named worker.
func NewEmitter(w io.Writer, worker string) *Emitter {
	return &Emitter{enc: json.NewEncoder(w), worker: worker, now: time.Now, lastErr: map[string]time.Time{}}
}

// Emit fills in the timestamp and worker, and writes ev. Write errors are
// ignored: stdout going away must not stop the worker.
func (e *Emitter) Emit(ev contract.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ev.TS.IsZero() {
		ev.TS = e.now().UTC()
	}
	if ev.Worker == "" {
		ev.Worker = e.worker
	}
	_ = e.enc.Encode(ev)
}

// Error emits an error event.
func (e *Emitter) Error(err error, detail map[string]string) {
	e.Emit(contract.Event{Event: contract.EventError, Error: err.Error(), Detail: detail})
}

// ErrorLimited emits an error event unless one with the same key was emitted
// within the last every; it reports whether it emitted.
func (e *Emitter) ErrorLimited(key string, every time.Duration, err error, detail map[string]string) bool {
	e.mu.Lock()
	now := e.now()
	if t, ok := e.lastErr[key]; ok && now.Sub(t) < every {
		e.mu.Unlock()
		return false
	}
	e.lastErr[key] = now
	e.mu.Unlock()
	e.Error(err, detail)
	return true
}

// sortedPartitions returns the keys of m ascending.
func sortedPartitions[V any](m map[int32]V) []int32 {
	ps := make([]int32, 0, len(m))
	for p := range m {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return ps
}

// committedLog throttles committed events: each commit's offsets are merged
// into a pending set, which is printed at most once per interval, and always
// when Flush is called (before revoked, lost and stopped events, so the last
// commit before any of them is on stdout). Used only by the poll goroutine.
type committedLog struct {
	em       *Emitter
	every    time.Duration
	pending  map[int32]int64
	lastEmit time.Time
}

func (l *committedLog) add(offsets map[int32]int64, now time.Time) {
	if l.pending == nil {
		l.pending = map[int32]int64{}
	}
	for p, o := range offsets {
		l.pending[p] = o
	}
	if now.Sub(l.lastEmit) >= l.every {
		l.Flush(now)
	}
}

// Flush prints the pending commits, if any.
func (l *committedLog) Flush(now time.Time) {
	if len(l.pending) == 0 {
		return
	}
	l.em.Emit(contract.Event{Event: contract.EventCommitted, Partitions: sortedPartitions(l.pending), Offsets: l.pending})
	l.pending = nil
	l.lastEmit = now
}
