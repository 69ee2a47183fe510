//go:build mutants

package feed

// Graceful shutdown (catalogue class shutdown).

func init() {
	register("no-leave-on-close", func() mutation { return noLeaveOnClose{named{name: "no-leave-on-close"}} })
	register("close-without-flush", func() mutation { return closeWithoutFlush{named{name: "close-without-flush"}} })
}

// noLeaveOnClose commits at shutdown but never closes the consumer.
type noLeaveOnClose struct{ named }

func (noLeaveOnClose) shutdown(*Worker) shutdownPlan { return shutdownPlan{noClose: true} }

// closeWithoutFlush stops waiting for acknowledgements once stopping,
// commits every polled post and purges the producer.
type closeWithoutFlush struct{ named }

func (closeWithoutFlush) awaitStep(w *Worker, b *batch, retry []recRef) []recRef {
	if !w.stopping.Load() {
		return retry
	}
	b.settleAll()
	return nil
}

func (closeWithoutFlush) shutdown(*Worker) shutdownPlan { return shutdownPlan{purge: true} }

// settleAll marks every post of the batch processed and acknowledged
// (mutants only).
func (b *batch) settleAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.posts {
		b.posts[i].processed = true
		b.posts[i].pending = 0
	}
	b.outstanding = 0
	b.retry = nil
}
