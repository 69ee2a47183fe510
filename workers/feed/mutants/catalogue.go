// Package mutants is the catalogue of deliberately broken feed workers: one
// entry per mutant, each a bug real teams ship, with the invariant that must
// name it and the specs that must catch it. The mutants themselves live in
// workers/feed (files mutant_*.go, built only with -tags mutants, image
// streamsocial/feedworker-mutants) and are chosen by EnvMutant; this
// package is plain data, importable by any build, so that a runner (make
// selftest) and the README can iterate it.
package mutants

import "sort"

// EnvMutant names the mutant a worker of the mutants build runs. The
// production worker does not read it.
const EnvMutant = "FEEDWORKER_MUTANT"

// Bug classes (the spread issue 15 asks for).
const (
	ClassCommitOrder = "commit-ordering"
	ClassRebalance   = "rebalance"
	ClassOffsets     = "offsets"
	ClassShutdown    = "shutdown"
	ClassLiveness    = "liveness"
	ClassEOS         = "exactly-once"
	ClassPoison      = "poison"
	ClassFanOut      = "fan-out"
	ClassContract    = "contract"
)

// Invariant names: the verify/ check names, and the audit checks being
// added beside this catalogue (commits-cover-appends, atomic-offsets,
// no-zombie-writes, duplicates).
const (
	NoLostUpdates       = "no-lost-updates"
	NoDuplicates        = "no-duplicates"
	CommittedMonotonic  = "committed-monotonic"
	CommittedExact      = "committed-monotonic-exact" // audit: every accepted commit
	Reassigned          = "reassigned"
	NoRebalance         = "no-rebalance"
	LagBounded          = "lag-bounded"
	PoisonDeadLettered  = "poison-dead-lettered"
	AbortedRedelivered  = "aborted-redelivered"
	ContractHonoured    = "contract-honoured"
	CommitsCoverAppends = "commits-cover-appends" // audit: class premature-commit
	AtomicOffsets       = "atomic-offsets"        // audit
	NoZombieWrites      = "no-zombie-writes"      // audit
	LeaverCommitted     = "leaver-committed"      // a graceful leaver's posts fanned out again by its successor
	KeptNotReplayed     = "kept-not-replayed"     // a partition kept through a cooperative rebalance is not fanned out twice
	RevokedWhileOwned   = "revoked-while-owned"   // audit + events: a partition given away while its worker was out is reported lost, not revoked
	NoWriteAfterRevoke  = "no-write-after-revoke" // events + record timestamps: nothing produced from a partition its worker printed revoked or lost for
)

// Expectation says whether today's checks and specs are expected to catch
// a mutant.
type Expectation string

const (
	// CaughtToday: an existing spec fails on the mutant, naming Invariant.
	CaughtToday Expectation = "caught-today"
	// NeedsAudit: only a check on the broker's audit or the data
	// (Invariant) can name it, and no make selftest run has shown it
	// caught yet.
	NeedsAudit Expectation = "needs-audit"
	// NeedsFault: it needs a fault or spec that does not exist yet (Specs
	// names the label it is expected to carry).
	NeedsFault Expectation = "needs-fault"
)

// Mutant is one deliberately broken worker.
type Mutant struct {
	Name      string // FEEDWORKER_MUTANT value
	Class     string // Class*
	Bug       string // what the worker does wrong
	Why       string // why teams ship it
	Invariant string // the invariant whose failure must name it
	Also      []string
	// Specs is the Ginkgo label filter of the specs that must catch it;
	// Focus, when set, narrows them by spec text (ginkgo --focus).
	Specs string
	Focus string
	Today Expectation
	Cite  string // an issue where real users hit the bug class
	Fast  bool   // in make test's fast subset
}

// All is the catalogue, in class order.
var All = []Mutant{
	// --- commit ordering in at-least-once ---
	{
		Name: "commit-before-ack", Class: ClassCommitOrder,
		Bug:       "commits a batch's offsets as soon as its feed updates are handed to the producer, before they are acknowledged",
		Why:       "Produce() returned nil, so the write looks done; the delivery report arrives later on another channel and is easy to treat as logging",
		Invariant: CommitsCoverAppends, Also: []string{NoLostUpdates},
		Specs: "crash && smoke && !control", Today: CaughtToday, Fast: true,
		Cite: "https://github.com/confluentinc/librdkafka/issues/1122",
	},
	{
		Name: "ignore-delivery-errors", Class: ClassCommitOrder,
		Bug:       "counts a feed update whose delivery failed as delivered and commits past it (the batch's highest offset while an earlier produce failed)",
		Why:       "delivery reports are drained only to free memory; a failed one is logged, never retried, and the consumer commits its position",
		Invariant: CommitsCoverAppends, Also: []string{NoLostUpdates},
		Specs: "produce && refused-long", Today: CaughtToday,
		Cite: "https://github.com/IBM/sarama/issues/784",
	},
	{
		Name: "commit-offset-plus-one", Class: ClassCommitOrder,
		Bug:       "commits the next offset plus one (last processed + 2): the next owner of a partition skips one post",
		Why:       "Kafka commits the next offset to read, and some client APIs add the 1 for you (commit_message) while others take it as is; teams add it twice",
		Invariant: NoLostUpdates,
		Specs:     "crash && smoke && !control", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/librdkafka/issues/2745",
	},

	// --- revoke, lost and assign handling ---
	{
		Name: "no-commit-on-revoke", Class: ClassRebalance,
		Bug:       "on revoke drops the revoked partitions' buffered records and ready offsets without committing them (prints revoked all the same)",
		Why:       "the revoke callback is left empty, or commits asynchronously and returns before the commit lands",
		Invariant: LeaverCommitted,
		Specs:     "commits-held", Today: CaughtToday,
		Cite: "https://github.com/akka/alpakka-kafka/issues/1038",
	},
	{
		Name: "zombie-buffered", Class: ClassRebalance,
		Bug:       "prefetches records into an in-memory queue (gathers 300 ms batches) and, when a partition is revoked or lost, processes its queued records after it has gone (writes no commit covers)",
		Why:       "records are prefetched into an in-memory queue that the rebalance callback does not filter",
		Invariant: NoWriteAfterRevoke, Also: []string{LeaverCommitted, NoDuplicates},
		Specs: "assignment && range", Today: CaughtToday,
		Cite: "https://github.com/apache/pekko-connectors-kafka/issues/616",
	},
	{
		Name: "lost-as-revoked", Class: ClassRebalance,
		Bug:       "handles lost partitions like revoked ones: processes their buffered records, commits and prints revoked",
		Why:       "the callback ignores AssignmentLost() (or the client has one onPartitionsRevoked for both)",
		Invariant: RevokedWhileOwned, Also: []string{NoZombieWrites},
		Specs: "pause && classic && range && !eos", Focus: "longer than the session timeout", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/parallel-consumer/issues/777",
	},
	{
		Name: "coop-assign-resets", Class: ClassRebalance,
		Bug:       "on every cooperative (incremental) assign, seeks every partition it already owned back to its last committed offset",
		Why:       "code written for eager rebalances re-initialises all positions on assign; under cooperative the retained partitions never stopped",
		Invariant: KeptNotReplayed,
		Specs:     "assignment && cooperativesticky", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/librdkafka/issues/3891",
	},

	// --- offsets ---
	{
		Name: "stale-position-rewind", Class: ClassOffsets,
		Bug:       "remembers the last offset it committed per partition and, when the partition is assigned to it again (A -> B -> A), resumes there and commits it on assignment, ignoring what B committed",
		Why:       "a local offset cache outlives the assignment it belongs to; committing the position on assignment is a framework option (Spring Kafka's assignment commit)",
		Invariant: CommittedExact, Also: []string{CommittedMonotonic},
		Specs: "assignment && range", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/parallel-consumer/issues/777",
	},
	{
		Name: "skip-after-rebalance", Class: ClassOffsets,
		Bug:       "starts every assigned partition at its committed offset plus one: one post skipped per partition per rebalance",
		Why:       "the committed offset is taken for the last processed one (off by one)",
		Invariant: NoLostUpdates,
		Specs:     "crash && smoke && !control", Today: CaughtToday, Fast: true,
		Cite: "https://github.com/haskell-works/hw-kafka-client/pull/49",
	},
	{
		Name: "reset-latest", Class: ClassOffsets,
		Bug:       "auto.offset.reset=latest: a partition without a committed offset starts at its end",
		Why:       "latest is the Java client's default; tests never publish before the group first joins",
		Invariant: NoLostUpdates,
		Specs:     "preload", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/librdkafka/issues/1122",
	},

	// --- graceful shutdown ---
	{
		Name: "no-leave-on-close", Class: ClassShutdown,
		Bug:       "on SIGTERM commits and exits without closing the consumer: no LeaveGroup, so its partitions wait for the session timeout",
		Why:       "the process exits from a signal handler (os.Exit) before deferred Close runs",
		Invariant: Reassigned,
		Specs:     "crash && classic && range && !control", Focus: "SIGTERM", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/confluent-kafka-go/issues/538",
	},
	{
		Name: "close-without-flush", Class: ClassShutdown,
		Bug:       "on SIGTERM stops waiting for acknowledgements, commits every post it polled, and purges the producer instead of flushing it",
		Why:       "Close() looks like it flushes; the shutdown budget is spent elsewhere",
		Invariant: CommitsCoverAppends, Also: []string{NoLostUpdates},
		Specs: "produce && sigterm", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/confluent-kafka-python/pull/2066",
	},

	// --- liveness ---
	{
		Name: "poll-starvation", Class: ClassLiveness,
		Bug:       "the first post of a celebrity author (top 1% by followers) blocks the poll loop for max.poll.interval plus 2 s",
		Why:       "a synchronous call to a slow service inside the handler, for the rare big fan-out",
		Invariant: LagBounded, Also: []string{NoRebalance},
		Specs: "control && smoke", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/librdkafka/issues/2971",
	},
	{
		Name: "heartbeat-interval-too-long", Class: ClassLiveness,
		Bug:       "heartbeat.interval.ms at 80% of session.timeout.ms: a heartbeat delayed by more than a fifth of the session (jitter) and the member is evicted",
		Why:       "fewer heartbeats look cheaper; the 1/3 rule is a recommendation nobody enforces",
		Invariant: NoRebalance,
		Specs:     "heartbeat && !control", Focus: "less than half the session timeout", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/confluent-kafka-dotnet/issues/785",
	},

	// --- exactly-once ---
	{
		Name: "eos-offsets-outside-txn", Class: ClassEOS,
		Bug:       "commits the transaction without its offsets, then commits them with a plain consumer commit",
		Why:       "the consumer already had a commit path; SendOffsetsToTransaction looks optional",
		Invariant: AtomicOffsets, Also: []string{NoDuplicates},
		Specs: "delivery && eos && !zombie", Today: CaughtToday,
		Cite: "https://github.com/databricks/iceberg-kafka-connect/issues/200",
	},
	{
		Name: "eos-auto-commit", Class: ClassEOS,
		Bug:       "leaves enable.auto.commit on (every 100 ms) with automatic offset store, and sends no offsets to the transaction: offsets of an open transaction get committed",
		Why:       "auto-commit is the default; transactions are added later without turning it off",
		Invariant: AtomicOffsets, Also: []string{AbortedRedelivered, NoLostUpdates},
		Specs: "delivery && eos && !zombie", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/librdkafka/issues/2609",
	},
	{
		Name: "eos-unfenced-txn-id", Class: ClassEOS,
		Bug:       "a random transactional.id per start and group-id-only metadata on the offsets: a zombie is never fenced, and a restarted worker never aborts its predecessor's transaction",
		Why:       "ids must be unique per instance, so teams generate them; the pre-KIP-447 API took only the group id",
		Invariant: NoZombieWrites, Also: []string{NoDuplicates, CommittedExact},
		Specs: "eos && zombie", Today: CaughtToday,
		Cite: "https://github.com/databricks/iceberg-kafka-connect/issues/200",
	},

	// --- poison handling ---
	{
		Name: "poison-crash", Class: ClassPoison,
		Bug:       "exits with a fatal error on a post it cannot parse instead of dead-lettering it: every owner of the partition crashes in turn",
		Why:       "a decode error is returned up the stack like any other error",
		Invariant: PoisonDeadLettered,
		Specs:     "dlq", Today: CaughtToday,
		Cite: "https://github.com/confluentinc/librdkafka/issues/3732",
	},
	{
		Name: "poison-skip", Class: ClassPoison,
		Bug:       "skips a post it cannot parse without a dead letter, and commits past it",
		Why:       "`continue` on a decode error keeps the consumer alive and the alert quiet",
		Invariant: PoisonDeadLettered,
		Specs:     "dlq", Today: CaughtToday, Fast: true,
		Cite: "https://github.com/mateusjunges/laravel-kafka/issues/74",
	},

	// --- fan-out ---
	{
		Name: "drop-updates", Class: ClassFanOut,
		Bug:       "skips producing every 7th feed update but commits the post as done",
		Why:       "stands for any handler that swallows an error per record (the suite's first self-test)",
		Invariant: NoLostUpdates,
		Specs:     "control && smoke", Today: CaughtToday,
	},
	{
		Name: "skip-last-follower", Class: ClassFanOut,
		Bug:       "drops each post's last follower (an off-by-one in a hand-written dedupe of the follower list)",
		Why:       "dedupe-by-previous loops that stop one short pass every test with a single follower",
		Invariant: NoLostUpdates,
		Specs:     "control && smoke", Today: CaughtToday,
		Cite: "https://github.com/getsentry/snuba/pull/4695",
	},
	// --- the contract itself (also what make conformance must name) ---
	{
		Name: "stdout-noise", Class: ClassContract,
		Bug:       "prints a plain log line on stdout at start, among its JSON events",
		Why:       "a logging library's default writer is stdout; the event stream and the logs share it",
		Invariant: ContractHonoured,
		Specs:     "control && smoke", Today: CaughtToday,
	},
	{
		Name: "worded-dead-letters", Class: ClassContract,
		Bug:       "writes dead letters without reason_kind: the kind only in the reason's words",
		Why:       "the reason string was always read by humans; nobody noticed a program needs a field",
		Invariant: ContractHonoured, Also: []string{PoisonDeadLettered},
		Specs: "dlq && smoke", Today: CaughtToday,
	},
	{
		Name: "exit-1-on-term", Class: ClassContract,
		Bug:       "exits 1 at once on SIGTERM, without finishing, committing or leaving",
		Why:       "a signal handler that calls os.Exit, or none at all under a shell entry point",
		Invariant: "exit code",
		Specs:     "crash && range && !eos", Focus: "SIGTERM under steady load \\(classic range\\)", Today: CaughtToday,
	},
}

// Get returns the mutant named name.
func Get(name string) (Mutant, bool) {
	for _, m := range All {
		if m.Name == name {
			return m, true
		}
	}
	return Mutant{}, false
}

// Names returns every mutant's name, sorted.
func Names() []string {
	out := make([]string, 0, len(All))
	for _, m := range All {
		out = append(out, m.Name)
	}
	sort.Strings(out)
	return out
}
