package assignment

import (
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Steady load over the skewed follow graph, once per assignor and protocol:
// the worst partition's p99 feed-update latency must stay within
// LatencySpread (2x) of the median partition's.
var (
	_ = specs.LatencySpec(func() specs.LatencyInput {
		return specs.LatencyInput{Combo: specs.ClassicRange, Labels: []string{"assignment"}}
	})
	_ = specs.LatencySpec(func() specs.LatencyInput {
		return specs.LatencyInput{Combo: specs.ClassicRoundRobin, Labels: []string{"assignment"}}
	})
	_ = specs.LatencySpec(func() specs.LatencyInput {
		return specs.LatencyInput{Combo: specs.ClassicCoopSticky, Labels: []string{"assignment"}}
	})
	_ = specs.LatencySpec(func() specs.LatencyInput {
		return specs.LatencyInput{Combo: specs.Consumer848, Labels: []string{"assignment"}}
	})
)
