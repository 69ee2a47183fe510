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
// Not registered, because the protocol makes them rebalance (see the
// package comment): KIP-848 after SIGKILL, and classic cooperative-sticky.
var (
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
