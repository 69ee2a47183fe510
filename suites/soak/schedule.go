package soak

import (
	"time"

	"github.com/streamsocial/feedchaos/bounds"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

var (
	// A short seeded schedule, run with every make chaos: a few faults of
	// random kinds, targets and holds, a quiet time apart.
	_ = specs.ScheduleSpec(func() specs.ScheduleInput {
		return specs.ScheduleInput{
			Describe: "a fleet under a short seeded schedule of faults",
			Labels:   []string{"schedule", kit.Needs(kit.EmbeddedBroker)}, // its faults include broker restarts
			Combo:    specs.ClassicCoopSticky,
			Duration: func(b bounds.Bounds) time.Duration { return b.ScheduleDuration },
			Quiet:    func(b bounds.Bounds) time.Duration { return b.ScheduleQuiet },
		}
	})

	// The long soak (make soak; CHAOS_SOAK_DURATION): the same catalogue
	// for as long as asked.
	_ = specs.ScheduleSpec(func() specs.ScheduleInput {
		return specs.ScheduleInput{
			Describe: "a fleet soaked in a long seeded schedule of faults",
			Labels:   []string{"soak", kit.Needs(kit.EmbeddedBroker)},
			Combo:    specs.ClassicCoopSticky,
			Duration: func(b bounds.Bounds) time.Duration { return b.SoakDuration },
			Quiet:    func(b bounds.Bounds) time.Duration { return b.ScheduleQuiet },
		}
	})
)
