// Package heartbeat holds the chaos specs in which a worker's heartbeats
// to its group coordinator are delayed: below half the session timeout the
// group must not notice (no rebalance), above the session timeout the
// member must be evicted and its partitions reassigned. The delay is a
// latency toxic on the worker's own proxy to the coordinator, so its
// fetches, produce requests and commits to that broker are delayed too, as
// they would be on a slow path to it.
package heartbeat

import (
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Its specs carry the label "heartbeat", which names the theme in reports and
// artifacts (artifacts/heartbeat/<spec>/).
var _ = kit.Theme("heartbeat", "heartbeat")

var _ = specs.Control("heartbeat")
