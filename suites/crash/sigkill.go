package crash

import (
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// SIGKILL of the owner of partition 0, once per assignor and protocol: the
// coordinator notices only when the session times out, so the bound is the
// session timeout plus slack in every combination; what differs is how the
// partitions move (eager revoke-all, cooperative, broker-side KIP-848).
var (
	_ = specs.KillSpec(func() specs.KillInput {
		return specs.KillInput{Combo: specs.ClassicRange, Labels: []string{"smoke"}}
	})
	_ = specs.KillSpec(func() specs.KillInput { return specs.KillInput{Combo: specs.ClassicRoundRobin} })
	_ = specs.KillSpec(func() specs.KillInput { return specs.KillInput{Combo: specs.ClassicCoopSticky} })
	_ = specs.KillSpec(func() specs.KillInput { return specs.KillInput{Combo: specs.Consumer848} })
	_ = specs.KillSpec(func() specs.KillInput { return specs.KillInput{Combo: specs.ClassicRangeEOS, Restart: true} })
)
