// Package partition holds the chaos specs in which a feed worker's network
// path to Kafka breaks: cut off entirely, and (with its toxiproxy) slowed,
// sliced or reset. Only the worker's own proxy is touched; the other
// workers and the harness keep their links.
package partition

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

func TestPartition(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Partition suite")
}

var _ = kit.Setup("partition")
var _ = specs.Control("partition")
