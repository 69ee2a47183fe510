package feed

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// TestUnreleasedInstanceIDIsRetried: under KIP-848 a static member that
// restarts in place after a crash is refused with UNRELEASED_INSTANCE_ID
// until its old incarnation's session expires, and librdkafka raises that
// as a fatal consumer error. The worker must keep trying with a new
// consumer, join once the coordinator accepts it, and process posts; not
// exit. The coordinator's refusal is injected for refuseFor.
func TestUnreleasedInstanceIDIsRetried(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts an in-process kfake cluster")
	}
	const refuseFor = 3 * time.Second
	cluster, bootstrap := newCluster(t)
	var refused atomic.Int64
	until := time.Now().Add(refuseFor)
	cluster.ControlKey(int16(kmsg.ConsumerGroupHeartbeat), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		req := kr.(*kmsg.ConsumerGroupHeartbeatRequest)
		if time.Now().After(until) || req.MemberEpoch != 0 {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.ConsumerGroupHeartbeatResponse)
		resp.ErrorCode = kerr.UnreleasedInstanceID.Code
		msg := "instance id held by another member (injected)"
		resp.ErrorMessage = &msg
		refused.Add(1)
		return resp, nil, true
	})
	start := time.Now()
	w := startWorker(t, bootstrap, "s1", map[string]string{
		contract.EnvGroupProtocol: contract.ProtocolConsumer,
		contract.EnvInstanceID:    "s1",
	})
	v := startVerifier(t, cluster)
	defer func() {
		if t.Failed() {
			for _, ev := range w.out.events(t) {
				t.Logf("event %s %s %v", ev.Event, ev.Error, ev.Detail)
			}
		}
	}()
	waitFor(t, "s1 assigned after the refusals", 30*time.Second, func() bool {
		select {
		case <-w.done:
			t.Fatalf("the worker stopped: %v", w.err)
		default:
		}
		return len(w.w.Status().Assigned) == 12
	})
	joined := time.Since(start)
	if refused.Load() == 0 {
		t.Fatal("the fault did not bite: no heartbeat was refused")
	}
	if joined < refuseFor {
		t.Fatalf("assigned after %s, before the refusals ended (%s)", joined, refuseFor)
	}
	t.Logf("%d joins refused with UNRELEASED_INSTANCE_ID; assigned %s after start", refused.Load(), joined.Round(10*time.Millisecond))
	posts, expected := makePosts(60, nil)
	producePosts(t, cluster, posts)
	waitFor(t, "every update", 30*time.Second, func() bool { g, n := v.count(expected, len(posts)); return g == n })
	w.shutdown(t)
	sawRetry := false
	for _, ev := range w.out.events(t) {
		if ev.Event == contract.EventError && ev.Detail[contract.DetailKind] == contract.ErrorKindRejoinRefused && ev.Detail[contract.DetailHeldFor] != "" {
			sawRetry = true
		}
	}
	if !sawRetry {
		t.Error("no error event told that the instance id was held and the worker joins again")
	}
}
