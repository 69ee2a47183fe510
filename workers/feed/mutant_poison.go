//go:build mutants

package feed

import "fmt"

// Poison handling (catalogue class poison).

func init() {
	register("poison-crash", func() mutation { return poisonCrash{named{name: "poison-crash"}} })
	register("poison-skip", func() mutation { return poisonSkip{named{name: "poison-skip"}} })
}

// poisonCrash makes a post it cannot process a fatal error (exit 1).
type poisonCrash struct{ named }

func (poisonCrash) post(w *Worker, res *Result) {
	if res.Reason != "" && w.fatal == nil {
		w.fatal = fmt.Errorf("cannot process post: %s", res.Reason)
	}
}

// poisonSkip drops a post it cannot process: no dead letter, committed.
type poisonSkip struct{ named }

func (poisonSkip) post(_ *Worker, res *Result) {
	if res.Reason != "" {
		res.Records, res.Reason = nil, ""
	}
}
