package kit

import (
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

func TestASpecNeedingTheEmbeddedBrokerIsSkippedOnlyOnAnExternalCluster(t *testing.T) {
	labels := []string{"broker", Needs(EmbeddedBroker), "classic"}
	if why := unmet(false, labels); why != "" {
		t.Errorf("embedded broker: skipped (%s)", why)
	}
	if why := unmet(true, labels); !strings.Contains(why, "embedded broker") || !strings.Contains(why, "KAFKA_BOOTSTRAP") {
		t.Errorf("external cluster: reason %q", why)
	}
	if why := unmet(true, []string{"crash", "classic"}); why != "" {
		t.Errorf("a spec that declared nothing was skipped: %s", why)
	}
}

func TestTheRequirementLabelIsAValidGinkgoLabel(t *testing.T) {
	if strings.ContainsAny(Needs(EmbeddedBroker), "&|!,()/:{}") {
		t.Errorf("label %q has a character Ginkgo's label filter reserves", Needs(EmbeddedBroker))
	}
}

// The specs after the first of an Ordered container skipped in BeforeAll
// show the first one's reason, not Ginkgo's generic message.
func TestAContainersSkipReasonCarriesToItsLaterSpecs(t *testing.T) {
	skipped := func(msg string) SpecReport {
		return SpecReport{State: types.SpecStateSkipped, Failure: types.Failure{Message: msg}}
	}
	why := EmbeddedBroker.Reason
	if got := skipReason("c-test", skipped(why)); got != why {
		t.Errorf("first: %q", got)
	}
	if got := skipReason("c-test", skipped("Spec skipped because Skip() was called in BeforeAll")); got != why {
		t.Errorf("later: %q", got)
	}
	if got := skipReason("c-test", SpecReport{State: types.SpecStatePassed}); got != "" {
		t.Errorf("passed: %q", got)
	}
}
