package delivery

import (
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Static membership (KIP-345): a member restarted in place within the
// session timeout comes back as itself with its partitions and no
// rebalance. Classic range after SIGKILL and after SIGTERM (a static member
// sends no LeaveGroup); the KIP-848 protocol after SIGTERM (a static leave,
// member epoch -2, keeps its assignment reserved).
//
// KIP-848 after SIGKILL cannot come back without a rebalance (see the
// package comment): StaticRefusedSpec proves the worker keeps trying while
// refused and owns partitions again once the old session expires. Classic
// cooperative-sticky is not registered: its rejoin rebalances (package
// comment).
var (
	_ = specs.StaticRefusedSpec()
	_ = specs.StaticRestartSpec(func() specs.StaticRestartInput {
		return specs.StaticRestartInput{Combo: specs.ClassicRange, Signal: "KILL"}
	})
	_ = specs.StaticRestartSpec(func() specs.StaticRestartInput {
		return specs.StaticRestartInput{Combo: specs.ClassicRange, Signal: "TERM"}
	})
	_ = specs.StaticRestartSpec(func() specs.StaticRestartInput {
		return specs.StaticRestartInput{Combo: specs.Consumer848, Signal: "TERM"}
	})
)
