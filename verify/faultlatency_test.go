package verify

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

// w2 owns partitions 2 and 3 when it is paused from +1s to +2s: their
// updates wait 500 ms during the pause, everything else 10 ms.
func TestFaultLatenciesOfTheAffectedPartitionsDuringAndAfter(t *testing.T) {
	b := ht.New(6).Snapshot(500*ms, "Stable", 1, fleet()...)
	for i := 0; i < 300; i++ {
		at := time.Duration(i) * 10 * ms
		for p := int32(0); p < 6; p++ {
			lat := 10 * ms
			if (p == 2 || p == 3) && at >= s && at < 2*s {
				lat = 500 * ms
			}
			id := fmt.Sprintf("p%d-%d", p, i)
			b.Post(at, id, 7, p, int64(i)).Update(at+lat, id, 1, "w1", p, int64(i))
		}
	}
	h := b.Fault(s, "pause", "w2", history.PhaseInject).Fault(2*s, "pause", "w2", history.PhaseHeal).History()
	got := FaultLatencies(h, nil)
	if len(got) != 2 {
		t.Fatalf("want during and after, got %+v", got)
	}
	d, a := got[0], got[1]
	if d.Phase != PhaseDuring || !reflect.DeepEqual(d.Partitions, []int32{2, 3}) || d.Latency.Count != 2*101 || d.Latency.P99 != 500*ms || d.Latency.P50 != 500*ms {
		t.Errorf("during: %+v", d)
	}
	if a.Phase != PhaseAfter || a.Latency.Count != 2*100 || a.Latency.Max != 10*ms {
		t.Errorf("after: %+v", a)
	}

	// A fault on the broker (no member) affects every partition, and one
	// never healed lasts to the end.
	h2 := b.Fault(2500*ms, "restart", "broker", history.PhaseInject).History()
	got = FaultLatencies(h2, nil)
	last := got[len(got)-1]
	if last.Phase != PhaseDuring || len(last.Partitions) != 6 || !last.To.Equal(h2.End) || last.Latency.Count != 6*50 {
		t.Errorf("broker fault: %+v", last)
	}
}
