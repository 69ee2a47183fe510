package partition

import (
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// One worker cut off from every broker (all its proxies closed), once per
// assignor and protocol.
var (
	_ = specs.CutOffSpec(func() specs.CutOffInput { return specs.CutOffInput{Combo: specs.ClassicRange} })
	_ = specs.CutOffSpec(func() specs.CutOffInput { return specs.CutOffInput{Combo: specs.ClassicRoundRobin} })
	_ = specs.CutOffSpec(func() specs.CutOffInput { return specs.CutOffInput{Combo: specs.ClassicCoopSticky} })
	_ = specs.CutOffSpec(func() specs.CutOffInput { return specs.CutOffInput{Combo: specs.Consumer848} })
	_ = specs.CutOffSpec(func() specs.CutOffInput { return specs.CutOffInput{Combo: specs.ClassicRangeEOS} })
)
