package broker

import (
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// The broker refusing one worker's feed updates (NOT_LEADER_OR_FOLLOWER)
// while its heartbeats and commits go through: past its delivery timeout
// and then healed, and ended by SIGTERM or SIGKILL while its updates are
// unacknowledged. Classic range: the fault is the producer's, not the
// group protocol's.
var (
	_ = specs.ProduceRefusedSpec(func() specs.ProduceRefusedInput {
		return specs.ProduceRefusedInput{Combo: specs.ClassicRange, Then: specs.ProduceHealed}
	})
	_ = specs.ProduceRefusedSpec(func() specs.ProduceRefusedInput {
		return specs.ProduceRefusedInput{Combo: specs.ClassicRange, Then: specs.ProduceSIGTERM}
	})
	_ = specs.ProduceRefusedSpec(func() specs.ProduceRefusedInput {
		return specs.ProduceRefusedInput{Combo: specs.ClassicRange, Then: specs.ProduceSIGKILL}
	})
)

// The broker holding back one worker's commits (each by CommitHold), then
// that worker stopped with SIGTERM: eager (range) and cooperative.
var (
	_ = specs.CommitsHeldSpec(func() specs.CommitsHeldInput { return specs.CommitsHeldInput{Combo: specs.ClassicRange} })
	_ = specs.CommitsHeldSpec(func() specs.CommitsHeldInput { return specs.CommitsHeldInput{Combo: specs.ClassicCoopSticky} })
)
