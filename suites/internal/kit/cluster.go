package kit

import (
	"fmt"
	"os"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/streamsocial/feedchaos/fixtures"
)

// Requirement is something a spec needs of the Kafka it runs against
// beyond the Kafka protocol. A spec declares it with Needs; on a cluster
// that lacks it the spec is skipped, with the reason, before its stage
// starts: never run against a broker that cannot do what it asks, and
// never passed.
type Requirement struct {
	Label  string // the Ginkgo label Needs adds
	Reason string // why a cluster without it cannot run the spec
}

// EmbeddedBroker is the suite's own broker (kfakebroker, one per spec): its
// control API (the coordinator's request faults, the group's generation),
// its audit, and a container the suite can stop and restart. An external
// cluster (KAFKA_BOOTSTRAP) has none of these.
var EmbeddedBroker = Requirement{
	Label:  "needs-embedded-broker",
	Reason: "needs the embedded broker (its control API, audit or container), and this run's Kafka is another (KAFKA_BOOTSTRAP or KAFKA_IMAGE)",
}

// requirements are every Requirement, for the check in NewStage.
var requirements = []Requirement{EmbeddedBroker}

// Needs returns the label that declares r, for a spec's Labels.
func Needs(r Requirement) string { return r.Label }

// external is the run's external cluster (nil: the embedded broker).
func external() *fixtures.ExternalCluster {
	e, _ := fixtures.External() // validated in Setup
	return e
}

// kafkaImage is the run's Apache Kafka image ("": none).
func kafkaImage() string { return strings.TrimSpace(os.Getenv(fixtures.EnvKafkaImage)) }

// embedded reports whether this run's specs get the embedded broker.
func embedded() bool { return external() == nil && kafkaImage() == "" }

// checkClusterEnv refuses two cluster modes at once.
func checkClusterEnv() error {
	if _, err := fixtures.External(); err != nil {
		return err
	}
	if external() != nil && kafkaImage() != "" {
		return fmt.Errorf("%s and %s are both set: pick one cluster mode", fixtures.EnvKafkaBootstrap, fixtures.EnvKafkaImage)
	}
	return nil
}

// unmet returns the reason a spec with labels cannot run on a Kafka other
// than the embedded broker (when ext) or "".
func unmet(ext bool, labels []string) string {
	if !ext {
		return ""
	}
	for _, r := range requirements {
		if slices.Contains(labels, r.Label) {
			return r.Reason
		}
	}
	return ""
}

// skipUnmet skips the current spec when its cluster lacks a requirement it
// declared.
func skipUnmet() {
	if why := unmet(!embedded(), CurrentSpecReport().Labels()); why != "" {
		Skip(why)
	}
}

// Embedded returns the stage's embedded broker. A spec that reaches it on
// an external cluster without having declared Needs(EmbeddedBroker) is
// skipped here, with the reason, rather than run without it.
func Embedded(st *fixtures.Stage) *fixtures.Broker {
	GinkgoHelper()
	if st.Broker == nil {
		Skip(EmbeddedBroker.Reason + " (undeclared: add kit.Needs(kit.EmbeddedBroker) to the spec's labels)")
	}
	return st.Broker
}

// clusterMode describes this run's Kafka for the set-up's log.
func clusterMode() string {
	e := external()
	if img := kafkaImage(); img != "" {
		return fmt.Sprintf("three KRaft brokers of %s per spec (specs labelled %s are skipped)", img, EmbeddedBroker.Label)
	}
	if e == nil {
		return "embedded broker (one kfakebroker container per spec)"
	}
	s := fmt.Sprintf("external cluster %s (specs labelled %s are skipped)", strings.Join(e.Bootstrap, ","), EmbeddedBroker.Label)
	if e.Network != "" {
		s += ", Docker network " + e.Network
	}
	return s
}
