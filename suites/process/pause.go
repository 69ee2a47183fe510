package process

import (
	"context"
	"time"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

var (
	// Frozen for less than the session timeout (kit.B.PauseShort, with a
	// heartbeat interval to spare): the coordinator hears from it again in
	// time, so nothing moves; its partitions only fall behind meanwhile.
	_ = specs.QuietSpec(func() specs.QuietInput {
		return specs.QuietInput{
			Describe: "a worker paused for less than the session timeout",
			Labels:   []string{"pause"},
			Combo:    specs.ClassicRange,
			Fault: func(ctx context.Context, st *fixtures.Stage, w *fixtures.Worker) chaos.Fault {
				return chaos.Pause{P: w, Shows: chaos.Stalls{Worker: w.ID(), MinLag: kit.B.BiteLag}}
			},
			Hold: func() time.Duration { return kit.B.PauseShort },
		}
	})

	// Frozen until the group has evicted it and settled without it, then
	// thawed: a zombie that still believes it owns its partitions.
	_ = pausedLong(specs.ClassicRange)
	_ = pausedLong(specs.Consumer848, kit.Known{It: "never moves a committed offset backwards", Why: librdkafkaStaleEpochCommit})
	// Exactly-once: the thawed zombie's open transaction must be fenced or
	// aborted, never committed next to its successor's.
	_ = pausedLong(specs.ClassicRangeEOS)

	// The same with SIGSTOP instead of the freezer, under the cooperative
	// assignor, where only the stopped worker's partitions move.
	_ = specs.EvictSpec(func() specs.EvictInput {
		return specs.EvictInput{
			Describe: "a worker stopped with SIGSTOP until it is evicted, then continued (a zombie)",
			Labels:   []string{"pause"},
			Combo:    specs.ClassicCoopSticky,
			Fault: func(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker) chaos.Fault {
				return chaos.SigStop{P: ws[0]}
			},
		}
	})
)

// librdkafkaStaleEpochCommit is why the KIP-848 zombie's committed offsets
// go back: an offset commit the worker issued before it was frozen is sent
// by librdkafka (2.11.1) after the thaw under the member's new epoch, so
// the coordinator accepts it and the committed offset of partitions the
// others have since advanced goes back (the broker's audit: partition 2
// committed 36 by w2, then 14 by the thawed w3 at its new epoch 1 ms
// later). The worker cannot recall a commit librdkafka holds; classic
// groups refuse it (the old generation), and at-least-once the cost is
// duplicates, not loss.
const librdkafkaStaleEpochCommit = "librdkafka sends a commit issued before the member was fenced under its new KIP-848 epoch, and it is accepted"

func pausedLong(c specs.Combination, known ...kit.Known) bool {
	return specs.EvictSpec(func() specs.EvictInput {
		return specs.EvictInput{
			Describe: "a worker paused for longer than the session timeout, then thawed (a zombie)",
			Labels:   []string{"pause"},
			Combo:    c,
			Fault: func(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker) chaos.Fault {
				return chaos.Pause{P: ws[0]}
			},
			Known: known,
		}
	})
}
