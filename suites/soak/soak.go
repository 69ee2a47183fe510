// Package soak holds the seeded random schedules of faults: a short one
// (label "schedule", part of make chaos) and a long soak (label "soak",
// make soak, its length CHAOS_SOAK_DURATION). Each prints its seed;
// CHAOS_SEED=<seed> replays the same schedule.
package soak

import (
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Its specs carry one of the labels "schedule", "soak", which name the theme
// "soak" in reports and artifacts (artifacts/soak/<spec>/).
var _ = kit.Theme("soak", "schedule", "soak")

var _ = specs.Control("schedule")
