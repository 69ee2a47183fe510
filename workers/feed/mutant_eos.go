//go:build mutants

package feed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Exactly-once: atomicity, fencing, transactional id (catalogue class
// exactly-once).

func init() {
	register("eos-offsets-outside-txn", func() mutation { return eosOffsetsOutside{named{name: "eos-offsets-outside-txn"}} })
	register("eos-auto-commit", func() mutation { return eosAutoCommit{named{name: "eos-auto-commit"}} })
	register("eos-unfenced-txn-id", func() mutation { return eosUnfenced{named{name: "eos-unfenced-txn-id"}} })
}

// eosOffsetsOutside commits the transaction without offsets, then the
// offsets with a plain consumer commit.
type eosOffsetsOutside struct{ named }

func (eosOffsetsOutside) commitTxn(w *Worker, b *batch, offsets map[int32]int64) bool {
	start := time.Now()
	if err := w.txnRetry(w.producer.CommitTransaction); err != nil {
		w.txnFailed(b, "commit", err)
		return true
	}
	w.metrics.ObserveCommit(time.Since(start))
	w.deadLetterEvents(b)
	if _, err := w.consumer.CommitOffsets(w.topicPartitions(offsets)); err != nil {
		w.em.ErrorLimited("mutant:commit", 5*time.Second, fmt.Errorf("plain commit after the transaction: %w", err), nil)
		return true
	}
	w.noteCommitted(offsets)
	return true
}

// eosAutoCommit leaves offsets to the consumer's auto-commit (every
// 100 ms, offsets stored as records are polled) and sends none to the
// transaction.
type eosAutoCommit struct{ named }

func (eosAutoCommit) clientConfig(_ Config, consumer, _ *kafka.ConfigMap) {
	(*consumer)["enable.auto.commit"] = true
	(*consumer)["auto.commit.interval.ms"] = 100
	(*consumer)["enable.auto.offset.store"] = true
}

func (eosAutoCommit) commitTxn(w *Worker, b *batch, _ map[int32]int64) bool {
	start := time.Now()
	if err := w.txnRetry(w.producer.CommitTransaction); err != nil {
		w.txnFailed(b, "commit", err)
		return true
	}
	w.metrics.ObserveCommit(time.Since(start))
	w.deadLetterEvents(b)
	return true
}

// eosUnfenced uses a random transactional.id per start and sends offsets
// with group-id-only metadata (no generation, no member id).
type eosUnfenced struct{ named }

func (eosUnfenced) clientConfig(c Config, _, producer *kafka.ConfigMap) {
	if _, ok := (*producer)["transactional.id"]; !ok {
		return
	}
	r := make([]byte, 4)
	_, _ = rand.Read(r)
	(*producer)["transactional.id"] = c.TransactionalID() + "-" + hex.EncodeToString(r)
}

func (eosUnfenced) commitTxn(w *Worker, b *batch, offsets map[int32]int64) bool {
	start := time.Now()
	md, err := kafka.NewTestConsumerGroupMetadata(w.cfg.GroupID)
	if err != nil {
		w.txnFailed(b, "group metadata", err)
		return true
	}
	if err := w.txnRetry(func(ctx context.Context) error {
		return w.producer.SendOffsetsToTransaction(ctx, w.topicPartitions(offsets), md)
	}); err != nil {
		w.txnFailed(b, "send offsets", err)
		return true
	}
	if err := w.txnRetry(w.producer.CommitTransaction); err != nil {
		w.txnFailed(b, "commit", err)
		return true
	}
	w.metrics.ObserveCommit(time.Since(start))
	w.deadLetterEvents(b)
	w.noteCommitted(offsets)
	return true
}
