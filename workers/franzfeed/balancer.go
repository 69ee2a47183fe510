package franzfeed

import (
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// balancer returns the kgo group balancer for the configured assignor. Under
// the KIP-848 protocol kgo sends "range" for its range balancer and
// "uniform" for its sticky one as the server assignor.
//
// A static member (GROUP_INSTANCE_ID) with an eager assignor gets a balancer
// whose JoinGroup metadata carries no generation: the contract requires a
// member restarted in place to send metadata byte-identical to its previous
// incarnation's, and kgo's range and roundrobin balancers write the current
// generation into it.
func balancer(c Config) kgo.GroupBalancer {
	var b kgo.GroupBalancer
	switch c.Assignor {
	case contract.AssignorRoundRobin:
		b = kgo.RoundRobinBalancer()
	case contract.AssignorCooperativeSticky:
		return kgo.CooperativeStickyBalancer()
	case contract.AssignorUniform:
		return kgo.CooperativeStickyBalancer()
	default:
		b = kgo.RangeBalancer()
	}
	if c.InstanceID != "" && c.Protocol == contract.ProtocolClassic {
		return restartStable{b}
	}
	return b
}

// restartStable is an eager balancer whose JoinGroup metadata does not
// depend on the member's history (no generation, no owned partitions).
type restartStable struct{ kgo.GroupBalancer }

func (r restartStable) JoinGroupMetadata(interests []string, _ map[string][]int32, _ int32) []byte {
	return r.GroupBalancer.JoinGroupMetadata(interests, nil, -1)
}
