// Package crash holds the chaos specs in which a feed worker's process
// dies or is stopped: SIGKILL, SIGTERM, and their controls.
package crash

import (
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Its specs carry the label "crash", which names the theme in reports and
// artifacts (artifacts/crash/<spec>/).
var _ = kit.Theme("crash", "crash")

var _ = specs.Control("crash", "smoke")
