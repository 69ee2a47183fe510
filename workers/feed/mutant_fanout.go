//go:build mutants

package feed

// Fan-out (catalogue class fan-out).

func init() {
	register("drop-updates", func() mutation { return &dropUpdates{named: named{name: "drop-updates"}} })
	register("skip-last-follower", func() mutation { return skipLastFollower{named{name: "skip-last-follower"}} })
}

// dropUpdates never produces every 7th feed update, and commits its post.
type dropUpdates struct {
	named
	seen int64 // feed updates seen (poll goroutine only)
}

func (d *dropUpdates) post(w *Worker, res *Result) {
	if res.Reason != "" {
		return
	}
	kept := res.Records[:0]
	for _, r := range res.Records {
		d.seen++
		if d.seen%7 == 0 {
			continue
		}
		kept = append(kept, r)
	}
	res.Records = kept
}

// skipLastFollower drops each post's last follower.
type skipLastFollower struct{ named }

func (skipLastFollower) post(_ *Worker, res *Result) {
	if res.Reason == "" && len(res.Records) > 0 {
		res.Records = res.Records[:len(res.Records)-1]
	}
}
