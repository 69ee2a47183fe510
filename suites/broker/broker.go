// Package broker holds the chaos specs in which the Kafka side fails for
// the whole group at once: the broker restarted or stopped for longer than
// the session timeout, and the group coordinator refusing, cut off from or
// slow for every worker. The group must re-form with every partition owned
// once, and nothing the broker acknowledged may be lost (the broker image
// persists to its data dir).
package broker

import (
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Its specs carry the label "broker", which names the theme in reports and
// artifacts (artifacts/broker/<spec>/).
var _ = kit.Theme("broker", "broker")

var _ = specs.Control("broker")
