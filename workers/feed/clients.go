package feed

import (
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// ConsumerConfig is the librdkafka configuration of the posts consumer.
//
// Under GROUP_PROTOCOL=consumer (KIP-848) librdkafka rejects
// session.timeout.ms, heartbeat.interval.ms and partition.assignment.strategy
// (the broker owns them), so they are only set for the classic protocol.
func (c Config) ConsumerConfig() *kafka.ConfigMap {
	m := kafka.ConfigMap{
		"bootstrap.servers":    c.Bootstrap,
		"group.id":             c.GroupID,
		"client.id":            c.WorkerID, // the harness maps members to workers by it
		"enable.auto.commit":   false,
		"auto.offset.reset":    "earliest",
		"max.poll.interval.ms": int(c.MaxPollInterval.Milliseconds()),
		// The loop commits explicitly; nothing is stored automatically.
		"enable.auto.offset.store": false,
		"isolation.level":          "read_committed",
		// Surface partition EOFs? No: they are noise for this worker.
		"enable.partition.eof": false,
		// Addresses are numeric 127.0.0.1:port in the container; never do a
		// reverse lookup.
		"broker.address.family": "v4",
		"log.connection.close":  false,
		"enable.metrics.push":   false, // no KIP-714 telemetry
		// See DefaultReconnectBackoffMax: reconnect within about a second
		// of a broker's return, not up to 10 s later.
		"reconnect.backoff.max.ms": c.reconnectBackoffMaxMS(),
	}
	if c.Debug != "" {
		m["debug"] = c.Debug
	}
	if c.FetchWaitMax > 0 {
		m["fetch.wait.max.ms"] = int(c.FetchWaitMax.Milliseconds())
	}
	if c.Protocol == contract.ProtocolConsumer {
		m["group.protocol"] = "consumer"
		if c.Assignor != "" {
			m["group.remote.assignor"] = c.Assignor
		}
	} else {
		m["group.protocol"] = "classic"
		m["partition.assignment.strategy"] = c.Assignor
		m["session.timeout.ms"] = int(c.SessionTimeout.Milliseconds())
		m["heartbeat.interval.ms"] = int(c.HeartbeatInterval.Milliseconds())
	}
	if c.InstanceID != "" {
		m["group.instance.id"] = c.InstanceID
	}
	return &m
}

// ProducerConfig is the librdkafka configuration of the feed-update and
// dead-letter producer: idempotent, acks=all, a small linger; transactional
// in exactly-once mode.
func (c Config) ProducerConfig() *kafka.ConfigMap {
	m := kafka.ConfigMap{
		"bootstrap.servers":        c.Bootstrap,
		"client.id":                c.WorkerID + "-producer",
		"acks":                     "all",
		"enable.idempotence":       true,
		"linger.ms":                5,
		"broker.address.family":    "v4",
		"log.connection.close":     false,
		"enable.metrics.push":      false,
		"reconnect.backoff.max.ms": c.reconnectBackoffMaxMS(),
		// A delivery that has not succeeded in this long is reported as
		// failed and retried by the worker (never committed past).
		"message.timeout.ms": int(DeliveryTimeout.Milliseconds()),
		// Delivery reports carry only the record's Opaque (its recRef) and
		// its error: the worker re-reads a failed record from its batch, so
		// confluent-kafka-go need not copy each key and value back into Go.
		"go.delivery.report.fields": "none",
	}
	if c.ExactlyOnce() {
		m["transactional.id"] = c.TransactionalID()
		m["transaction.timeout.ms"] = 60000
	}
	return &m
}

// DeliveryTimeout is librdkafka's message.timeout.ms: how long the producer
// retries one record before reporting it failed. The worker then produces it
// again; it never commits past it.
const DeliveryTimeout = 30 * time.Second

// reconnectBackoffMaxMS is reconnect.backoff.max.ms: ReconnectBackoffMax, or
// DefaultReconnectBackoffMax for a Config built without LoadConfig. It is
// never below librdkafka's reconnect.backoff.ms (100 ms by default).
func (c Config) reconnectBackoffMaxMS() int {
	d := c.ReconnectBackoffMax
	if d <= 0 {
		d = DefaultReconnectBackoffMax
	}
	return int(max(d, 100*time.Millisecond).Milliseconds())
}
