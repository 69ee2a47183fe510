package kit

import (
	"strings"
	"testing"
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
