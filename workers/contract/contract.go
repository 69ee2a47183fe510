// Package contract is the StreamSocial feed worker's contract with the world:
// the records it reads and writes, the lifecycle events it prints, and the
// environment it is configured by. The harness tests any worker image that
// honours this contract (WORKER_IMAGE=...), so nothing here may depend on
// how the bundled worker is built. Changing a JSON name here is a breaking
// change of the contract; README.md documents the same schema.
//
// The rules the harness relies on beyond the schema, each with its reason
// (README's "The worker contract" states them too):
//
//   - Output is read through ParseEvent, ParseFeedUpdate and
//     ParseDeadLetter; what they refuse is a contract violation that fails
//     the spec (never dropped), so stdout carries events only.
//   - Times are RFC 3339, fractional seconds allowed. Event.TS is the
//     worker's wall clock, which the harness compares with its own: the
//     worker runs on the harness's host, so no clock of its own making.
//   - Kinds are structured: an error's kind is Detail[DetailKind]
//     (ErrorKind*), a dead letter's is ReasonKind (DeadLetter*). Error and
//     Reason are free text, never matched. An error event is information:
//     no spec fails because one was printed.
//   - An assigned, revoked or lost event with no partitions is a no-op
//     (franz-go revokes nothing at the end of every cooperative session).
//   - A partition with no committed offset is read from its earliest
//     offset, not its end: posts may be published before the group joins.
//   - Commit at least about once a second while consuming: the control's
//     lag bound (50 records at 50 posts/s) leaves about a second of
//     uncommitted work.
//   - Exactly-once: transactional.id derives from the environment alone
//     (GROUP_INSTANCE_ID, else WORKER_ID), so a worker restarted in place
//     fences its dead incarnation and aborts its open transaction; otherwise
//     read_committed readers wait for transaction.timeout.ms.
//   - A static member restarted in place sends JoinGroup protocols and
//     metadata byte-identical to its previous incarnation's: the embedded
//     broker (kfake) rebalances on any difference.
//   - A worker dropped for exceeding MAX_POLL_INTERVAL_MS says so with an
//     error event of kind ErrorKindMaxPollExceeded. Being dropped is its
//     own job (the slow-handler spec wants its partitions moved): a client
//     with no max.poll.interval of its own (franz-go) needs a watchdog.
//   - Under KIP-848 a static member refused with UNRELEASED_INSTANCE_ID
//     keeps joining (error event of kind ErrorKindRejoinRefused) instead of
//     exiting.
//   - The commit latency histogram on /metrics is optional (only the
//     benchmark reads it, and says when it is absent).
package contract

import "time"

// Topic defaults.
const (
	DefaultPostsTopic = "posts"
	DefaultFeedTopic  = "feed-updates"
	DefaultDLQTopic   = "posts-dlq"
)

// Post is the value of a record on the posts topic; its key is the author id
// in decimal.
type Post struct {
	ID        string    `json:"post_id"`
	Author    int       `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
	Seq       int64     `json:"seq"` // the producer's sequence number, 0-based
	Body      string    `json:"body,omitempty"`
}

// FeedUpdate is the value of a record on the feed-updates topic; its key is
// the follower id in decimal. One post fans out to one update per follower.
type FeedUpdate struct {
	PostID          string    `json:"post_id"`
	Author          int       `json:"author_id"`
	Follower        int       `json:"follower_id"`
	Worker          string    `json:"worker"`
	SourcePartition int32     `json:"source_partition"`
	SourceOffset    int64     `json:"source_offset"`
	ProducedAt      time.Time `json:"produced_at"`
}

// DeadLetter is the value of a record on the dead-letter topic: a post the
// worker could not process, with why, and where it came from. Its key is the
// original record's key.
//
// ReasonKind is what the harness judges (one of the DeadLetter* kinds);
// Reason is free text for humans and never matched. Raw is the original
// record value: Go encodes []byte as standard base64, and a worker may
// instead send the value as a JSON string of its text (see RawIs).
type DeadLetter struct {
	Reason          string    `json:"reason"`
	ReasonKind      string    `json:"reason_kind"`
	SourcePartition int32     `json:"source_partition"`
	SourceOffset    int64     `json:"source_offset"`
	Worker          string    `json:"worker"`
	Raw             []byte    `json:"raw"`
	At              time.Time `json:"at"`
}

// EventKind names a lifecycle event.
type EventKind string

// The lifecycle events, in the order a worker's life usually prints them.
// After revoked or lost naming a partition the worker produces nothing more
// from it (no feed update with a later record timestamp) until assigned
// names it again (verify.NoWriteAfterRevoke).
const (
	EventStarted    EventKind = "started"     // configuration accepted, clients created
	EventAssigned   EventKind = "assigned"    // partitions added to the assignment
	EventRevoked    EventKind = "revoked"     // partitions given back cleanly (work committed)
	EventLost       EventKind = "lost"        // partitions lost (session expired, fenced): nothing committed for them
	EventCommitted  EventKind = "committed"   // offsets committed (next offset to read, per partition)
	EventStopping   EventKind = "stopping"    // shutdown began (signal received)
	EventStopped    EventKind = "stopped"     // shutdown finished; the process exits next
	EventError      EventKind = "error"       // an error the worker survived, or the fatal one it exits with
	EventDeadLetter EventKind = "dead_letter" // a poison record was sent to the DLQ
)

// Event is one JSON line on the worker's stdout. TS is RFC 3339 (fractional
// seconds allowed, as Go's time.Time marshals it), read with the harness's
// own clock in mind: the worker runs on the harness's host. Detail is an
// object of string values; Detail[DetailKind] names the kind of an error
// event when the harness must tell it apart (ErrorKind*), because the
// harness never matches Error's wording. ParseEvent is how the harness
// reads a line.
type Event struct {
	TS         time.Time         `json:"ts"`
	Worker     string            `json:"worker"`
	Event      EventKind         `json:"event"`
	Partitions []int32           `json:"partitions,omitempty"`
	Offsets    map[int32]int64   `json:"offsets,omitempty"` // committed: partition -> next offset
	MemberID   string            `json:"member_id,omitempty"`
	Generation int32             `json:"generation,omitempty"`
	Error      string            `json:"error,omitempty"`
	Detail     map[string]string `json:"detail,omitempty"`
}

// Detail keys the harness reads.
const (
	// DetailKind names the kind of an error event (ErrorKind*). Optional
	// for errors the harness does not tell apart.
	DetailKind = "kind"
	// DetailHeldFor is, on an ErrorKindRejoinRefused event, how long the
	// instance id has been refused so far (a Go duration, "1.5s"; free
	// text for humans).
	DetailHeldFor = "held_for"
)

// Error kinds (Event.Detail[DetailKind] on error events). An error event is
// information, not a verdict: the harness never fails a spec because a
// worker printed one; it judges exits, restarts, records and the group.
const (
	// ErrorKindRejoinRefused: a static member (GROUP_INSTANCE_ID) restarted
	// in place under GROUP_PROTOCOL=consumer was refused with
	// UNRELEASED_INSTANCE_ID and is joining again. The refused-rejoin spec
	// counts these events to know its fault bit.
	ErrorKindRejoinRefused = "rejoin-refused"
	// ErrorKindMaxPollExceeded: the worker went longer than
	// MAX_POLL_INTERVAL_MS between polls (a slow handler) and was dropped
	// from the group; printed once it notices (its slow post done). The
	// slow-handler spec requires one from the slow worker.
	ErrorKindMaxPollExceeded = "max-poll-exceeded"
)

// Dead-letter reason kinds (DeadLetter.ReasonKind).
const (
	// DeadLetterUnparsable: the value is not a post (empty, not JSON,
	// truncated, wrong field types, or no post_id).
	DeadLetterUnparsable = "unparsable"
	// DeadLetterUnknownAuthor: a well-formed post whose author_id the
	// social graph (GRAPH_SEED, GRAPH_USERS) does not know.
	DeadLetterUnknownAuthor = "unknown-author"
)

// Environment variables the worker reads. Every one has a default except
// EnvBootstrap, EnvGroupID and EnvWorkerID.
const (
	EnvBootstrap         = "KAFKA_BOOTSTRAP"       // host:port[,host:port...]
	EnvGroupID           = "GROUP_ID"              // consumer group id
	EnvWorkerID          = "WORKER_ID"             // names the worker in events, records, client.id
	EnvPostsTopic        = "POSTS_TOPIC"           // default "posts"
	EnvFeedTopic         = "FEED_TOPIC"            // default "feed-updates"
	EnvDLQTopic          = "DLQ_TOPIC"             // default "posts-dlq"
	EnvAssignor          = "ASSIGNOR"              // range | roundrobin | cooperative-sticky (classic); uniform | range (consumer)
	EnvGroupProtocol     = "GROUP_PROTOCOL"        // classic | consumer (KIP-848)
	EnvInstanceID        = "GROUP_INSTANCE_ID"     // static membership when set
	EnvSessionTimeoutMS  = "SESSION_TIMEOUT_MS"    // default 6000 (classic only)
	EnvHeartbeatMS       = "HEARTBEAT_INTERVAL_MS" // default 1000 (classic only)
	EnvMaxPollMS         = "MAX_POLL_INTERVAL_MS"  // default 30000
	EnvDelivery          = "DELIVERY"              // at-least-once | exactly-once
	EnvGraphSeed         = "GRAPH_SEED"            // default 1
	EnvGraphUsers        = "GRAPH_USERS"           // default 1000
	EnvHTTPAddr          = "HTTP_ADDR"             // default ":8080"
	EnvProcessDelayMS    = "PROCESS_DELAY_MS"      // per-record processing delay, default 0
	EnvShutdownTimeoutMS = "SHUTDOWN_TIMEOUT_MS"   // default 10000
)

// Delivery modes.
const (
	DeliveryAtLeastOnce = "at-least-once"
	DeliveryExactlyOnce = "exactly-once"
)

// Assignors and group protocols.
const (
	AssignorRange             = "range"
	AssignorRoundRobin        = "roundrobin"
	AssignorCooperativeSticky = "cooperative-sticky"
	// AssignorUniform is a server-side (KIP-848) assignor; with
	// GROUP_PROTOCOL=consumer, ASSIGNOR may be uniform or range (sent as
	// group.remote.assignor) or unset (the broker's default).
	AssignorUniform  = "uniform"
	ProtocolClassic  = "classic"
	ProtocolConsumer = "consumer"
)

// HTTP endpoints the worker serves on EnvHTTPAddr.
const (
	PathHealth  = "/healthz" // 200 once the consumer is created, 503 while stopping
	PathStatus  = "/status"  // Status as JSON
	PathMetrics = "/metrics" // Prometheus text format
)

// Status is the JSON body of PathStatus.
type Status struct {
	Worker      string          `json:"worker"`
	MemberID    string          `json:"member_id"`
	Generation  int32           `json:"generation"`
	Assignor    string          `json:"assignor"`
	Protocol    string          `json:"protocol"`
	Assigned    []int32         `json:"assigned"`
	Positions   map[int32]int64 `json:"positions"`
	Committed   map[int32]int64 `json:"committed"`
	Consumed    int64           `json:"consumed"`
	Produced    int64           `json:"produced"`
	DeadLetters int64           `json:"dead_letters"`
	Stopping    bool            `json:"stopping"`
}

// Exit codes.
const (
	ExitOK              = 0 // clean shutdown
	ExitFatal           = 1 // a fatal Kafka error
	ExitBadConfig       = 2 // the environment did not validate
	ExitShutdownTimeout = 3 // shutdown did not finish within the bound
	// ExitSecondSignal: a second SIGTERM or SIGINT during shutdown exits
	// at once (128 + SIGINT, the shell's convention for an interrupt).
	ExitSecondSignal = 130
)
