package feed

import (
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// mutation is the seam through which the mutants build (go build -tags
// mutants; files mutant_*.go) injects one deliberate bug into the worker, so
// that the suite can prove it catches real bug classes (make selftest). The
// production build has no mutants: its mutation is noMutation, whose every
// hook leaves the worker's behaviour as documented, and it reads no
// environment variable for it (mutation_off.go).
//
// Each hook is consulted at one place where real consumers go wrong: the
// clients' configuration, each post before its records are produced, the
// wait for acknowledgements, the offsets handed to a commit, the rebalance
// callbacks, the transaction, and shutdown. All run on the poll goroutine.
type mutation interface {
	// Name is the mutant's catalogue name; "" for the production worker.
	Name() string
	// clientConfig may change the consumer's and producer's configuration.
	clientConfig(c Config, consumer, producer *kafka.ConfigMap)
	// post is called for each post after it is fanned out and before any
	// of its records is produced; it may change res (drop records, drop a
	// dead letter) or block.
	post(w *Worker, res *Result)
	// fannedOut is called once every record of an at-least-once batch is
	// handed to the producer, before the acknowledgements are awaited.
	fannedOut(w *Worker, b *batch)
	// awaitStep is called on each turn of the wait for acknowledgements
	// with the records that failed and are about to be produced again; it
	// returns those still to be produced again.
	awaitStep(w *Worker, b *batch, retry []recRef) []recRef
	// commitOffsets returns the offsets actually sent in an offset commit.
	commitOffsets(w *Worker, offsets map[int32]int64) map[int32]int64
	// assigning may change the partitions (and their start offsets) handed
	// to Assign/IncrementalAssign; assigned runs after them.
	assigning(w *Worker, c *kafka.Consumer, tps []kafka.TopicPartition, coop bool) []kafka.TopicPartition
	assigned(w *Worker, c *kafka.Consumer, tps []kafka.TopicPartition, coop bool)
	// revoking decides how a revoke is handled (see revokePlan).
	revoking(w *Worker, parts []int32, lost bool) revokePlan
	// batchWindow returns how long the poll loop gathers a batch after its
	// first record (d, batchWindow, in production): a longer one is an
	// in-memory prefetch queue.
	batchWindow(d time.Duration) time.Duration
	// commitTxn may take over the end of an exactly-once batch (offsets and
	// CommitTransaction) and report that it did; the batch's records are all
	// acknowledged and offsets are its next offsets.
	commitTxn(w *Worker, b *batch, offsets map[int32]int64) bool
	// shutdown decides how the worker leaves at shutdown.
	shutdown(w *Worker) shutdownPlan
	// quirks are the clauses of the worker contract itself a conformance
	// mutant breaks (make conformance must name each).
	quirks() Quirks
}

// Quirks are the contract clauses a conformance mutant breaks. The
// production worker has none (the zero value).
type Quirks struct {
	StdoutNoise       string // a plain line printed on stdout at start (the events clause)
	WordedDeadLetters bool   // dead letters without reason_kind, the kind only in words (the records clause)
	ExitOnTerm        bool   // exit 1 at once on SIGTERM (the sigterm clause)
}

// QuirksOf returns the contract quirks of cfg's mutant: none in the
// production build, where cfg.Mutant is always "".
func QuirksOf(cfg Config) Quirks {
	m, err := newMutation(cfg.Mutant)
	if err != nil {
		return Quirks{}
	}
	return m.quirks()
}

// revokePlan is how the rebalance callback handles a revoke. The
// production plan is {lost: what librdkafka says}.
type revokePlan struct {
	lost     bool // handle as lost (nothing committed, pending dropped)
	noCommit bool // revoked: drop the revoked partitions' pending records and ready offsets, commit nothing for them
	keep     bool // keep the revoked partitions' pending records and process them after the revoke
}

// shutdownPlan is how the worker leaves at shutdown. The production plan
// is the zero value: commit, Close (leave the group), Flush, Close.
type shutdownPlan struct {
	noClose bool // never close the consumer: the group waits for the session timeout
	purge   bool // purge the producer's queues instead of flushing them
}

// noMutation is the production worker: every hook is the identity. Mutants
// embed it and override the hooks they need.
type noMutation struct{}

func (noMutation) Name() string                                            { return "" }
func (noMutation) clientConfig(Config, *kafka.ConfigMap, *kafka.ConfigMap) {}
func (noMutation) post(*Worker, *Result)                                   {}
func (noMutation) fannedOut(*Worker, *batch)                               {}
func (noMutation) awaitStep(_ *Worker, _ *batch, retry []recRef) []recRef {
	return retry
}
func (noMutation) commitOffsets(_ *Worker, offsets map[int32]int64) map[int32]int64 {
	return offsets
}
func (noMutation) assigning(_ *Worker, _ *kafka.Consumer, tps []kafka.TopicPartition, _ bool) []kafka.TopicPartition {
	return tps
}
func (noMutation) assigned(*Worker, *kafka.Consumer, []kafka.TopicPartition, bool) {}
func (noMutation) revoking(_ *Worker, _ []int32, lost bool) revokePlan {
	return revokePlan{lost: lost}
}
func (noMutation) batchWindow(d time.Duration) time.Duration       { return d }
func (noMutation) commitTxn(*Worker, *batch, map[int32]int64) bool { return false }
func (noMutation) shutdown(*Worker) shutdownPlan                   { return shutdownPlan{} }
func (noMutation) quirks() Quirks                                  { return Quirks{} }
