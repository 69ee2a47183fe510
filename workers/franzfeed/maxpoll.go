package franzfeed

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// maxPoll enforces MAX_POLL_INTERVAL_MS, which kgo does not have: it
// heartbeats from its own goroutine however long the application takes
// between polls. Like the Java client's heartbeat thread, a watchdog sends
// the member's LeaveGroup as soon as a batch has run longer than the
// interval; the group rebalances without it, kgo's next heartbeat finds
// the member unknown (lost, once the batch is done) and joins again. The
// worker prints an error of kind max-poll-exceeded when the batch is done.
// Classic protocol only (the contract's slow-handler spec runs classic).
type maxPoll struct {
	busySince atomic.Int64 // unix nanos of the poll whose batch runs; 0 when idle
	left      atomic.Bool
}

// begin marks a batch polled at now; end marks it done and reports whether
// the watchdog made the member leave during it.
func (m *maxPoll) begin(now time.Time) { m.busySince.Store(now.UnixNano()); m.left.Store(false) }
func (m *maxPoll) end() bool           { m.busySince.Store(0); return m.left.Load() }

// overdue reports whether the running batch was polled more than limit
// before now and the member has not left for it yet.
func (m *maxPoll) overdue(now time.Time, limit time.Duration) bool {
	s := m.busySince.Load()
	return s != 0 && !m.left.Load() && now.Sub(time.Unix(0, s)) > limit
}

// watchMaxPoll runs until ctx ends, leaving the group for an overdue batch.
func (w *Worker) watchMaxPoll(ctx context.Context) {
	if w.cfg.Protocol != contract.ProtocolClassic {
		return
	}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if !w.poll.overdue(now, w.cfg.MaxPollInterval) {
				continue
			}
			w.poll.left.Store(true)
			if err := w.leaveGroup(ctx); err != nil {
				w.ev.Error(fmt.Errorf("leave the group after exceeding %s: %s: %w", contract.EnvMaxPollMS, w.cfg.MaxPollInterval, err), "", nil)
			}
		}
	}
}

// leaveGroup sends this member's LeaveGroup to the coordinator.
func (w *Worker) leaveGroup(ctx context.Context) error {
	member, _ := w.cl.GroupMetadata()
	if member == "" {
		return errors.New("not a member")
	}
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Group = w.cfg.Group
	req.MemberID = member
	m := kmsg.NewLeaveGroupRequestMember()
	m.MemberID = member
	if w.cfg.InstanceID != "" {
		m.InstanceID = &w.cfg.InstanceID
	}
	req.Members = []kmsg.LeaveGroupRequestMember{m}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := req.RequestWith(rctx, w.cl)
	if err != nil {
		return err
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return err
	}
	for _, mr := range resp.Members {
		if err := kerr.ErrorForCode(mr.ErrorCode); err != nil {
			return err
		}
	}
	return nil
}
