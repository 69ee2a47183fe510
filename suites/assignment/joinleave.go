package assignment

import (
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Three workers, a fourth joins, then the second leaves with SIGTERM: once
// per assignor and protocol. Range and roundrobin must produce their exact
// layouts; cooperative-sticky and the broker's KIP-848 uniform assignor
// must move only what the change forces; all must stay balanced and lose
// nothing.
var (
	_ = specs.AssignmentSpec(func() specs.AssignmentInput { return specs.AssignmentInput{Combo: specs.ClassicRange} })
	_ = specs.AssignmentSpec(func() specs.AssignmentInput { return specs.AssignmentInput{Combo: specs.ClassicRoundRobin} })
	_ = specs.AssignmentSpec(func() specs.AssignmentInput { return specs.AssignmentInput{Combo: specs.ClassicCoopSticky} })
	_ = specs.AssignmentSpec(func() specs.AssignmentInput { return specs.AssignmentInput{Combo: specs.Consumer848} })
	_ = specs.AssignmentSpec(func() specs.AssignmentInput { return specs.AssignmentInput{Combo: specs.Consumer848Range} })
	// Exactly-once through a join and a leave: both rebalances move
	// partitions between transactional producers.
	_ = specs.AssignmentSpec(func() specs.AssignmentInput { return specs.AssignmentInput{Combo: specs.ClassicRangeEOS} })
)
