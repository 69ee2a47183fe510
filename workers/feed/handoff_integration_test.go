package feed

import (
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// TestHandOff measures the graceful hand-off: from the moment one of three
// idle workers (classic range) is told to stop to the moment the other two
// hold all 12 partitions (their rebalance callbacks' state, read every
// 5 ms), for each heartbeat.interval.ms in FEED_HANDOFF_INTERVALS (default
// 1000,300), FEED_HANDOFF_RUNS times each (default 5). The leaver leaves the
// group at once; the others learn of the rebalance only from their next
// heartbeat, so the hand-off is about the leaver's revoke plus up to one
// heartbeat interval plus the rebalance. It asserts nothing and runs only
// with FEED_HANDOFF=1:
//
//	FEED_HANDOFF=1 go test -count=1 -run TestHandOff -v ./workers/feed
func TestHandOff(t *testing.T) {
	if testing.Short() || os.Getenv("FEED_HANDOFF") == "" {
		t.Skip("measurement: set FEED_HANDOFF=1")
	}
	intervals := []string{"1000", "300"}
	if v := os.Getenv("FEED_HANDOFF_INTERVALS"); v != "" {
		intervals = splitComma(v)
	}
	runs := 5
	if v := os.Getenv("FEED_HANDOFF_RUNS"); v != "" {
		runs, _ = strconv.Atoi(v)
	}
	for _, hb := range intervals {
		var ds []time.Duration
		for range runs {
			ds = append(ds, measureHandOff(t, hb))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		t.Logf("heartbeat %s ms: hand-off %v (sorted, %d runs)", hb, ds, len(ds))
	}
}

func measureHandOff(t *testing.T, hb string) time.Duration {
	_, bootstrap := newCluster(t)
	extra := map[string]string{contract.EnvHeartbeatMS: hb}
	ws := []*runningWorker{
		startWorker(t, bootstrap, "w1", extra),
		startWorker(t, bootstrap, "w2", extra),
		startWorker(t, bootstrap, "w3", extra),
	}
	defer func() {
		for _, w := range ws[1:] {
			w.stop()
			<-w.done
		}
	}()
	owned := func(ws []*runningWorker) int {
		n := 0
		for _, w := range ws {
			n += len(w.w.Status().Assigned)
		}
		return n
	}
	waitFor(t, "three workers owning 12 partitions", 60*time.Second, func() bool {
		for _, w := range ws {
			if len(w.w.Status().Assigned) == 0 {
				return false
			}
		}
		return owned(ws) == 12
	})
	// Stop at a random phase of the heartbeats (they start together when
	// the group forms).
	time.Sleep(2*time.Second + time.Duration(rand.IntN(1000))*time.Millisecond)
	start := time.Now()
	ws[0].stop()
	for owned(ws[1:]) != 12 {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("heartbeat %s ms: the others never owned all 12 partitions", hb)
		}
		time.Sleep(5 * time.Millisecond)
	}
	d := time.Since(start)
	<-ws[0].done
	return d.Round(time.Millisecond)
}
