package franzfeed

import (
	"bytes"
	"testing"
)

// A static member's JoinGroup metadata must not depend on its generation or
// owned partitions (kfake rebalances a static rejoin on any difference).
func TestStaticEagerMetadataIsRestartStable(t *testing.T) {
	for _, a := range []string{"range", "roundrobin"} {
		b := balancer(Config{Assignor: a, Protocol: "classic", InstanceID: "w1"})
		fresh := b.JoinGroupMetadata([]string{"posts"}, nil, -1)
		later := b.JoinGroupMetadata([]string{"posts"}, map[string][]int32{"posts": {0, 1}}, 7)
		if !bytes.Equal(fresh, later) {
			t.Errorf("%s: metadata differs after a rebalance: %x vs %x", a, fresh, later)
		}
		if dyn := balancer(Config{Assignor: a, Protocol: "classic"}); bytes.Equal(dyn.JoinGroupMetadata([]string{"posts"}, nil, 7), fresh) {
			t.Errorf("%s: a dynamic member's metadata lost its generation", a)
		}
	}
}
