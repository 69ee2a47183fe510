package specs

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// Combination is how the fleet consumes: the assignor and group protocol
// (and the delivery mode). Behaviour under a fault differs by combination —
// an eager assignor revokes everything on every rebalance, a cooperative
// one only what moves, and under KIP-848 the broker assigns and times
// members out — so the specs whose outcome depends on it are registered
// once per combination.
type Combination struct {
	Assignor string // range, roundrobin, cooperative-sticky; with the consumer protocol the server-side uniform or range
	Protocol string // classic (default) or consumer (KIP-848)
	Delivery string // at-least-once (default) or exactly-once
}

// The combinations the tables run.
var (
	ClassicRange      = Combination{Assignor: contract.AssignorRange, Protocol: contract.ProtocolClassic}
	ClassicRoundRobin = Combination{Assignor: contract.AssignorRoundRobin, Protocol: contract.ProtocolClassic}
	ClassicCoopSticky = Combination{Assignor: contract.AssignorCooperativeSticky, Protocol: contract.ProtocolClassic}
	Consumer848       = Combination{Assignor: contract.AssignorUniform, Protocol: contract.ProtocolConsumer}
	ClassicRangeEOS   = Combination{Assignor: contract.AssignorRange, Protocol: contract.ProtocolClassic, Delivery: contract.DeliveryExactlyOnce}
)

// String names the combination in a spec's text: "classic range",
// "KIP-848 consumer protocol", "... exactly-once".
func (c Combination) String() string {
	var s string
	switch c.Protocol {
	case contract.ProtocolConsumer:
		s = "KIP-848 consumer protocol"
		if c.Assignor != "" {
			s += ", " + c.Assignor + " assignor"
		}
	default:
		s = "classic " + or(c.Assignor, contract.AssignorRange)
	}
	if c.Delivery == contract.DeliveryExactlyOnce {
		s += ", exactly-once"
	}
	return s
}

// Labels are Ginkgo labels for the combination (protocol, assignor,
// delivery), so that --label-filter=kip848 or =eos picks a slice.
func (c Combination) Labels() []string {
	var ls []string
	if c.Protocol == contract.ProtocolConsumer {
		ls = append(ls, "kip848")
	} else {
		ls = append(ls, "classic", strings.ReplaceAll(or(c.Assignor, contract.AssignorRange), "-", ""))
	}
	if c.Delivery == contract.DeliveryExactlyOnce {
		ls = append(ls, "eos")
	}
	return ls
}

// ExactlyOnce reports whether the combination runs the exactly-once mode.
func (c Combination) ExactlyOnce() bool { return c.Delivery == contract.DeliveryExactlyOnce }

// StageConfig is the run's stage configuration with the combination set.
func (c Combination) StageConfig() fixtures.StageConfig {
	cfg := kit.StageConfig()
	cfg.Assignor, cfg.Protocol, cfg.Delivery = c.Assignor, c.Protocol, c.Delivery
	return cfg
}

// container registers an Ordered, ContinueOnFailure container for a
// scenario. A non-empty pending registers it Pending, its reason in the
// text: for a spec that the broker or client makes impossible today, kept
// so that it runs again (and must pass) once that is fixed.
func container(text string, labels []string, pending string, body func()) bool {
	args := []any{Ordered, ContinueOnFailure, Label(labels...)}
	if pending != "" {
		args = append(args, Pending)
		text += " [pending: " + pending + "]"
	}
	return Describe(text, append(args, body)...)
}

// describe appends the combination to a spec's text.
func describe(text string, c Combination) string {
	return fmt.Sprintf("%s (%s)", text, c)
}

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
