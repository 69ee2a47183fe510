// Package partition holds the chaos specs in which a feed worker's network
// path to Kafka breaks: cut off entirely, and (with its toxiproxy) slowed,
// sliced or reset. Only the worker's own proxy is touched; the other
// workers and the harness keep their links.
package partition

import (
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Its specs carry the label "partition", which names the theme in reports and
// artifacts (artifacts/partition/<spec>/).
var _ = kit.Theme("partition", "partition")

var _ = specs.Control("partition")
