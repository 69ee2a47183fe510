// Package process holds the chaos specs in which a feed worker's process
// keeps running but stops making progress: frozen (docker pause, SIGSTOP)
// for less or more than the session timeout, and a handler slower than
// max.poll.interval.ms. The frozen worker that wakes up after being evicted
// is a zombie: it must not make a feed update disappear or a committed
// offset go back.
package process

import (
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Its specs carry one of the labels "pause", "slow", which name the theme
// "process" in reports and artifacts (artifacts/process/<spec>/).
var _ = kit.Theme("process", "pause", "slow")

var _ = specs.Control("pause", "slow")
