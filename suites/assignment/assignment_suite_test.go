// Package assignment holds the chaos specs that judge the assignments each
// assignor and group protocol produces as workers join and leave: the
// exact layout of range and roundrobin, balance everywhere, and that the
// sticky assignors (cooperative-sticky, KIP-848 uniform) move only what a
// membership change forces. The partitions each rebalance moved are
// counted in the suite summary.
package assignment

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/suites/internal/kit"
)

func TestAssignment(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Assignment suite")
}

var _ = kit.Setup("assignment")
