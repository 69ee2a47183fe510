package feed

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// rejoinBackoff is how long the worker first waits before joining again
// after the coordinator refused its group.instance.id as still held.
const rejoinBackoff = time.Second

// instanceWait bounds how long the worker keeps retrying while the
// coordinator answers UNRELEASED_INSTANCE_ID: three classic session
// timeouts, and at least 90 s (twice Kafka's default KIP-848 session
// timeout, group.consumer.session.timeout.ms = 45 s, which the broker and
// not the worker sets). Past it the error is fatal: another live member
// most likely runs with the same GROUP_INSTANCE_ID.
func (w *Worker) instanceWait() time.Duration {
	return max(3*w.cfg.SessionTimeout, 90*time.Second)
}

// instanceHeld handles UNRELEASED_INSTANCE_ID. Under KIP-848 a static member
// that restarts in place after a crash (no leave was sent) is refused until
// the old incarnation's session expires, and librdkafka raises the refusal
// as a fatal error of the consumer instance. That is "not yet", not
// "never": the worker schedules a new consumer (rejoin) instead of
// stopping, until instanceWait has passed since the first refusal.
func (w *Worker) instanceHeld(e kafka.Error) {
	now := time.Now()
	if w.heldSince.IsZero() {
		w.heldSince = now
	}
	if held := now.Sub(w.heldSince); held > w.instanceWait() {
		if w.fatal == nil {
			w.fatal = fmt.Errorf("group.instance.id %q is still held by another member after %s of retries (is another worker running with the same %s?): %w",
				w.cfg.InstanceID, held.Round(time.Second), "GROUP_INSTANCE_ID", e)
		}
		return
	}
	w.rejoin = true
	w.em.ErrorLimited("consumer:"+e.Code().String(), 5*time.Second,
		fmt.Errorf("group.instance.id still held by a previous incarnation, joining again: %w", e),
		map[string]string{contract.DetailKind: contract.ErrorKindRejoinRefused, "client": "consumer", "code": strconv.Itoa(int(e.Code())),
			contract.DetailHeldFor: now.Sub(w.heldSince).Round(time.Millisecond).String()})
}

// retiredCloseWait bounds the Close of a consumer replaced after
// UNRELEASED_INSTANCE_ID. librdkafka 2.11.1 never completes the close of a
// KIP-848 consumer after a fatal error (rd_kafka_consumer_closed stays 0,
// so confluent-kafka-go's Close polls forever); the worker then abandons
// it: its goroutine and librdkafka threads stay until the process exits
// (a few MiB each, one per refused join, at most about a dozen over
// instanceWait thanks to the growing backoff). Its rebalance callback is
// disarmed first (rebalanceCallback), so it never touches the worker.
const retiredCloseWait = 2 * time.Second

// rejoinGroup replaces the consumer (unusable after a fatal error) with a
// new one and subscribes again after a backoff that starts at
// rejoinBackoff and doubles up to 8 s. If ctx
// ends during the wait, no new consumer is made and consumerClosed tells
// shutdown so. Poll goroutine only (the HTTP handlers never touch the
// consumer).
func (w *Worker) rejoinGroup(ctx context.Context) {
	w.rejoin = false
	w.retireConsumer(retiredCloseWait)
	// Normally nothing is assigned when the join is refused; should a
	// refusal ever come with partitions held, they are lost with the old
	// consumer: nothing more is committed for them.
	w.mu.Lock()
	held := sortedPartitions(w.st.assigned)
	w.st.assigned = map[int32]bool{}
	w.mu.Unlock()
	if len(held) > 0 {
		w.dropPending(held)
		w.ready.drop(held)
		w.metrics.Lost.Add(1)
		w.em.Emit(contract.Event{Event: contract.EventLost, Partitions: held, Detail: map[string]string{"reason": "consumer replaced after UNRELEASED_INSTANCE_ID"}})
	}
	w.rejoinWait = min(max(2*w.rejoinWait, rejoinBackoff), 8*time.Second)
	t := time.NewTimer(w.rejoinWait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return
	case <-t.C:
	}
	c, err := kafka.NewConsumer(w.cfg.ConsumerConfig())
	if err != nil {
		w.fatal = fmt.Errorf("creating consumer to join again: %w", err)
		return
	}
	w.consumer, w.consumerClosed = c, false
	if err := c.SubscribeTopics([]string{w.cfg.PostsTopic}, w.rebalanceCallback()); err != nil {
		w.fatal = fmt.Errorf("subscribe: %w", err)
	}
}

// retireConsumer closes the current consumer after a fatal error, giving up
// after bound (see retiredCloseWait): its rebalance callback is disarmed
// first, and consumerClosed is set. Poll goroutine only.
func (w *Worker) retireConsumer(bound time.Duration) {
	old := w.consumer
	w.incarnation.Add(1) // disarms old's rebalance callback
	w.consumerClosed = true
	// A commit still in flight on old (it fails at once after a fatal
	// error) must end before old is closed and destroyed under it; if it
	// does not, old is abandoned unclosed.
	if !w.reapCommit(bound) {
		w.em.ErrorLimited("consumer:abandoned", 30*time.Second,
			fmt.Errorf("an offset commit did not return within %s after a fatal error; the consumer is abandoned", bound), nil)
		return
	}
	w.wakes.Wait() // wakeFetchers' queries on old, each bounded (wake.go)
	closed := make(chan error, 1)
	go func() { closed <- old.Close() }()
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case err := <-closed:
		if err != nil {
			w.em.Error(fmt.Errorf("closing the consumer after a fatal error: %w", err), nil)
		}
	case <-t.C:
		w.em.ErrorLimited("consumer:abandoned", 30*time.Second,
			fmt.Errorf("the consumer did not close within %s after a fatal error (librdkafka); abandoned", bound), nil)
	}
}

// rebalanceCallback returns the rebalance callback of a new consumer. It
// forwards to onRebalance only while that consumer is the worker's current
// one: a retired consumer, closing (or stuck closing) on another
// goroutine, must never run the worker's rebalance handling.
func (w *Worker) rebalanceCallback() kafka.RebalanceCb {
	inc := w.incarnation.Load()
	return func(c *kafka.Consumer, ev kafka.Event) error {
		if w.incarnation.Load() != inc {
			return nil
		}
		return w.onRebalance(c, ev)
	}
}
