// Package soak holds the seeded random schedules of faults: a short one
// (label "schedule", part of make chaos) and a long soak (label "soak",
// make soak, its length CHAOS_SOAK_DURATION). Each prints its seed;
// CHAOS_SEED=<seed> replays the same schedule.
package soak

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

func TestSoak(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Soak suite")
}

var _ = kit.Setup("soak")
var _ = specs.Control("schedule")
