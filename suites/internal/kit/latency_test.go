package kit

import (
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/verify"
)

func TestWriteLatenciesRendersEachWindowWithItsSpread(t *testing.T) {
	p := func(part int32, p99 time.Duration) verify.PartitionLatency {
		return verify.PartitionLatency{Partition: part, Count: 200, P50: 10 * time.Millisecond, P99: p99, Max: 2 * p99}
	}
	specs := []SpecSummary{
		{Spec: "steady", State: "passed", Latencies: []LatencyEntry{{
			What: "steady load", Fault: "none", All: verify.PartitionLatency{Partition: -1, Count: 400, P50: 10 * time.Millisecond, P99: 30 * time.Millisecond, Max: 61 * time.Millisecond},
			Spread: 1.5, Worst: 1, Median: 0, Partitions: []verify.PartitionLatency{p(0, 20*time.Millisecond), p(1, 30*time.Millisecond)},
		}, {What: "during kill -9 on w2, partitions 4,5", Worst: -1, Median: -1, All: p(-1, 900*time.Millisecond)}}},
		{Spec: "no latency", State: "passed"},
	}
	var b strings.Builder
	writeLatencies(&b, specs)
	out := b.String()
	for _, w := range []string{
		"| steady | passed | steady load | 400 | 10ms | 30ms | 61ms | 1.50 (p1 30ms / p0 20ms) |",
		"| 〃 | passed | during kill -9 on w2, partitions 4,5 | 200 | 10ms | 900ms | 1.8s | - |",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q in:\n%s", w, out)
		}
	}
	if strings.Contains(out, "no latency") {
		t.Errorf("a spec without latency has a row:\n%s", out)
	}
	var empty strings.Builder
	writeLatencies(&empty, specs[1:])
	if empty.Len() != 0 {
		t.Errorf("no table expected, got %q", empty.String())
	}
}
