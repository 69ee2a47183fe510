// Package crash holds the chaos specs in which a feed worker's process
// dies or is stopped: SIGKILL, SIGTERM, and their controls.
package crash

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

func TestCrash(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Crash suite")
}

var _ = kit.Setup("crash")
var _ = specs.Control("crash", "smoke")
