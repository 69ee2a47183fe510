// Package assignment holds the chaos specs that judge the assignments each
// assignor and group protocol produces as workers join and leave: the
// exact layout of range and roundrobin, balance everywhere, and that the
// sticky assignors (cooperative-sticky, KIP-848 uniform) move only what a
// membership change forces. The partitions each rebalance moved are
// counted in the suite summary.
package assignment

import (
	"github.com/streamsocial/feedchaos/suites/internal/kit"
)

// Its specs carry the label "assignment", which names the theme in reports and
// artifacts (artifacts/assignment/<spec>/).
var _ = kit.Theme("assignment", "assignment")
