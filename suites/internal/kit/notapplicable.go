package kit

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/streamsocial/feedchaos/verify"
)

// judged counts the checks the running spec judged through Check and
// CheckEach, and which of them were not applicable (an audit check on a
// cluster with no audit). A spec runs one at a time per Ginkgo process, so
// one value per process is enough; BeforeEach resets it.
var judged struct {
	all, na int
	why     []string
}

var _ = BeforeEach(func() { judged.all, judged.na, judged.why = 0, 0, nil })

// noteJudged counts r for the running spec.
func noteJudged(r verify.Result) {
	judged.all++
	if r.NotApplicable {
		judged.na++
		judged.why = append(judged.why, r.Check+": "+r.Message)
	}
}

// A spec whose every check was not applicable proved nothing: it is
// reported skipped, with the reasons, never passed.
var _ = AfterEach(func() {
	if judged.all == 0 || judged.na < judged.all || CurrentSpecReport().Failed() {
		return
	}
	Skip("not applicable: " + strings.Join(judged.why, "; "))
})
