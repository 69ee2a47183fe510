// Package suites is the chaos suite: one Ginkgo suite, laid out like
// Kubernetes' e2e tests. This file runs it; the theme packages it imports
// (crash, partition, heartbeat, process, broker, assignment, delivery,
// scale, soak, selftest) register their specs, each with labels that name
// its theme and pick subsets:
//
//	go tool ginkgo run suites                          # every spec
//	go tool ginkgo run --label-filter=crash suites     # the crash specs
//	go tool ginkgo run -p suites                       # in parallel
//
// The set-up (bounds, the Docker check, the sweep of dead runs' leftovers,
// the image build) runs once per run, on the first parallel process.
package suites

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/suites/internal/kit"

	_ "github.com/streamsocial/feedchaos/suites/assignment"
	_ "github.com/streamsocial/feedchaos/suites/broker"
	_ "github.com/streamsocial/feedchaos/suites/crash"
	_ "github.com/streamsocial/feedchaos/suites/delivery"
	_ "github.com/streamsocial/feedchaos/suites/heartbeat"
	_ "github.com/streamsocial/feedchaos/suites/partition"
	_ "github.com/streamsocial/feedchaos/suites/process"
	_ "github.com/streamsocial/feedchaos/suites/scale"
	_ "github.com/streamsocial/feedchaos/suites/selftest"
	_ "github.com/streamsocial/feedchaos/suites/soak"
)

func TestChaos(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Chaos suite")
}

var _ = kit.Setup()
