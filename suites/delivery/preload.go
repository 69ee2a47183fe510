package delivery

import (
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Posts waiting before the group first joins, and no committed offset: the
// workers must start from the earliest offset (the worker contract), so
// every one of those posts is fanned out. Fault-free; short.
var _ = specs.PreloadSpec(func() specs.PreloadInput {
	return specs.PreloadInput{Combo: specs.ClassicRange}
})
