package feed

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// TestFailedCommitIsRetriedAfterTheLoadStops: the broker refuses every
// offset commit while a burst of posts is processed; once it accepts
// commits again, and with no further post arriving, the worker must still
// commit every post it processed (before the fix a failed commit waited
// for the next record of its partition, so the group's lag never returned
// to zero after the load stopped).
func TestFailedCommitIsRetriedAfterTheLoadStops(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts an in-process kfake cluster")
	}
	cluster, bootstrap := newCluster(t)
	posts, expected := makePosts(120, nil)
	w := startWorker(t, bootstrap, "w1", map[string]string{contract.EnvAssignor: contract.AssignorCooperativeSticky})
	v := startVerifier(t, cluster)
	waitFor(t, "w1 assigned", 30*time.Second, func() bool { return len(w.w.Status().Assigned) == 12 })

	var refusing atomic.Bool
	var refused atomic.Int64
	refusing.Store(true)
	cluster.ControlKey(int16(kmsg.OffsetCommit), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		if !refusing.Load() {
			return nil, nil, false
		}
		req := kr.(*kmsg.OffsetCommitRequest)
		resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewOffsetCommitResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewOffsetCommitResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.OffsetMetadataTooLarge.Code // not retried inside librdkafka, no rejoin
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		refused.Add(1)
		return resp, nil, true
	})

	producePosts(t, cluster, posts)
	waitFor(t, "every update", 30*time.Second, func() bool { g, n := v.count(expected, len(posts)); return g == n })
	if refused.Load() == 0 {
		t.Fatal("the fault did not bite: no commit was refused")
	}
	refusing.Store(false)
	t.Logf("%d commits refused; commits accepted again, no further post", refused.Load())

	adm, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	ac := kadm.NewClient(adm)
	var lag int64
	waitFor(t, "committed up to the end of every partition", 15*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l, err := ac.Lag(ctx, "feed")
		if err != nil || l.Error() != nil {
			return false
		}
		lag = l["feed"].Lag.Total()
		return lag == 0
	})
	if got := w.w.Metrics().CommitFailures.Load(); got == 0 {
		t.Errorf("feedworker_commit_failures_total = 0, want the refused commits counted")
	}
	w.shutdown(t)
}
