// Package selftest proves that the suite can fail: it runs deliberately
// broken workers and asserts that the checkers catch them, and that the
// failure leaves a readable timeline. A checker that cannot fail is a
// defect; these specs are how we know ours can.
package selftest

import (
	"github.com/streamsocial/feedchaos/suites/internal/kit"
)

// Its specs carry the label "selftest", which names the theme in reports and
// artifacts (artifacts/selftest/<spec>/).
var _ = kit.Theme("selftest", "selftest")
