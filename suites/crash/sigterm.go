package crash

import (
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// SIGTERM of the owner of partition 0: an eager assignor (range), a
// cooperative one, and KIP-848. The leave is explicit in each, so the
// partitions move within the graceful bound, not the session timeout.
var (
	_ = specs.TermSpec(func() specs.TermInput { return specs.TermInput{Combo: specs.ClassicRange} })
	_ = specs.TermSpec(func() specs.TermInput { return specs.TermInput{Combo: specs.ClassicCoopSticky} })
	_ = specs.TermSpec(func() specs.TermInput { return specs.TermInput{Combo: specs.Consumer848} })
	// Exactly-once: the leaver's last transaction commits its offsets with
	// its updates, and no update reaches a read_committed reader twice.
	_ = specs.TermSpec(func() specs.TermInput { return specs.TermInput{Combo: specs.ClassicRangeEOS} })
)
