package feed

import (
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// TestHeartbeatCost measures what a shorter heartbeat interval costs an idle
// group of 100 members (FEED_HBCOST_MEMBERS): the Heartbeat requests the
// coordinator answers per second and the CPU of the whole process (kfake
// and every worker's librdkafka clients) over 15 s once the group is
// stable, for heartbeat.interval.ms 1000 and 300 (FEED_HBCOST_INTERVALS,
// comma-separated ms). It asserts nothing and runs only with FEED_HBCOST=1:
//
//	FEED_HBCOST=1 go test -count=1 -run TestHeartbeatCost -v ./workers/feed
func TestHeartbeatCost(t *testing.T) {
	if testing.Short() || os.Getenv("FEED_HBCOST") == "" {
		t.Skip("measurement: set FEED_HBCOST=1")
	}
	members := 100
	if v := os.Getenv("FEED_HBCOST_MEMBERS"); v != "" {
		members, _ = strconv.Atoi(v)
	}
	intervals := []string{"1000", "300"}
	if v := os.Getenv("FEED_HBCOST_INTERVALS"); v != "" {
		intervals = splitComma(v)
	}
	for _, hb := range intervals {
		t.Run("heartbeat-"+hb+"ms", func(t *testing.T) { measureHeartbeatCost(t, members, hb) })
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func measureHeartbeatCost(t *testing.T, members int, hb string) {
	cluster, bootstrap := newCluster(t)
	var heartbeats atomic.Int64
	cluster.ControlKey(int16(kmsg.Heartbeat), func(kmsg.Request) (kmsg.Response, error, bool) {
		heartbeats.Add(1)
		return nil, nil, false // count only; the cluster answers
	})
	extra := map[string]string{contract.EnvHeartbeatMS: hb, contract.EnvAssignor: contract.AssignorCooperativeSticky}
	var ws []*runningWorker
	for i := range members {
		ws = append(ws, startWorker(t, bootstrap, "w"+strconv.Itoa(i+1), extra))
	}
	defer func() {
		for _, w := range ws {
			w.stop()
		}
		for _, w := range ws {
			<-w.done
		}
	}()
	// Stable: no JoinGroup for 5 s (the group re-forms as members arrive).
	var joins atomic.Int64
	cluster.ControlKey(int16(kmsg.JoinGroup), func(kmsg.Request) (kmsg.Response, error, bool) {
		joins.Add(1)
		return nil, nil, false
	})
	deadline := time.Now().Add(3 * time.Minute)
	last, quietSince := int64(-1), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		if n := joins.Load(); n != last {
			last, quietSince = n, time.Now()
		} else if time.Since(quietSince) >= 5*time.Second {
			break
		}
	}
	const window = 15 * time.Second
	hb0, cpu0, t0 := heartbeats.Load(), cpuTime(), time.Now()
	time.Sleep(window)
	hb1, cpu1, el := heartbeats.Load(), cpuTime(), time.Since(t0)
	t.Logf("%d idle members, heartbeat %s ms: %.0f heartbeats/s, CPU %.3f cores (broker + all clients), %d JoinGroups before the window",
		members, hb, float64(hb1-hb0)/el.Seconds(), (cpu1-cpu0).Seconds()/el.Seconds(), last)
}
