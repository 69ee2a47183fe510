package franzfeed

import (
	"encoding/json"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// Events writes contract events, one JSON object per line, to its writer
// (stdout): nothing else may go there. Safe for concurrent use; each line is
// written with a single Write.
type Events struct {
	mu     sync.Mutex
	w      io.Writer
	worker string
	now    func() time.Time
}

// NewEvents returns an Events writing w's lines for worker.
func NewEvents(w io.Writer, worker string) *Events {
	return &Events{w: w, worker: worker, now: time.Now}
}

// Emit prints ev with ts and worker filled in. Partitions are sorted.
func (e *Events) Emit(ev contract.Event) {
	ev.TS = e.now()
	ev.Worker = e.worker
	if len(ev.Partitions) > 0 {
		ev.Partitions = slices.Sorted(slices.Values(ev.Partitions))
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return // a contract.Event always marshals
	}
	b = append(b, '\n')
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.w.Write(b)
}

// Error prints an error event; kind may be empty, detail may be nil.
func (e *Events) Error(err error, kind string, detail map[string]string) {
	d := maps.Clone(detail)
	if kind != "" {
		if d == nil {
			d = map[string]string{}
		}
		d[contract.DetailKind] = kind
	}
	e.Emit(contract.Event{Event: contract.EventError, Error: err.Error(), Detail: d})
}
