// Package selftest proves that the suite can fail: it runs deliberately
// broken workers and asserts that the checkers catch them, and that the
// failure leaves a readable timeline. A checker that cannot fail is a
// defect; these specs are how we know ours can.
package selftest

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/suites/internal/kit"
)

func TestSelftest(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Selftest suite")
}

var _ = kit.Setup("selftest")
