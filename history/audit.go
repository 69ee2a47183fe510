package history

import "time"

// Audit entry kinds: what the broker recorded.
const (
	AuditOffsetCommit    = "offset_commit"      // a plain OffsetCommit
	AuditTxnOffsetCommit = "txn_offset_commit"  // offsets staged in a transaction
	AuditAddOffsetsToTxn = "add_offsets_to_txn" // a transaction joined a group's offsets
	AuditEndTxn          = "end_txn"            // a transaction committed or aborted
	AuditAssignment      = "assignment"         // the coordinator handed out partitions
	AuditAppend          = "append"             // a produce batch to an audited topic partition
)

// Audit outcomes.
const (
	OutcomeAccepted = "accepted" // the broker answered with no error
	OutcomeRefused  = "refused"  // the broker answered with an error code
	OutcomeUnknown  = "unknown"  // no answer was seen (connection gone, broker stopped)
)

// AuditOffset is one partition's offset in a commit, with the broker's
// answer for that partition (0 when accepted or not yet answered).
type AuditOffset struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	ErrorCode int16  `json:"error_code,omitempty"`
}

// AuditMember is one member's share of an assignment.
type AuditMember struct {
	MemberID   string             `json:"member_id"`
	InstanceID string             `json:"instance_id,omitempty"`
	ClientID   string             `json:"client_id,omitempty"`
	Partitions map[string][]int32 `json:"partitions"` // topic -> partitions
}

// AuditRecord is one record of an appended batch, parsed from its JSON
// value: a feed update (PostID, Follower set) or a dead letter (Reason set).
// Err says why the value could not be parsed; such a record is kept, never
// dropped.
type AuditRecord struct {
	OffsetDelta     int32  `json:"offset_delta"`
	PostID          string `json:"post_id,omitempty"`
	Follower        int    `json:"follower_id,omitempty"`
	Worker          string `json:"worker,omitempty"`
	SourcePartition int32  `json:"source_partition"`
	SourceOffset    int64  `json:"source_offset"`
	Reason          string `json:"reason,omitempty"`
	Err             string `json:"error,omitempty"`
}

// AuditEntry is one thing the broker did, in the broker's order (Seq) and by
// its clock (At). Requests are recorded when the broker takes them up, before
// it handles them, so Seq is the order the broker processed them in; their
// Outcome is filled in from the answer the broker wrote. Consumer-protocol
// (KIP-848) assignments are read from the heartbeat answers, so their Seq is
// the order the answers were written, just after processing.
type AuditEntry struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	Node     int32     `json:"node"`
	ClientID string    `json:"client_id,omitempty"`
	Outcome  string    `json:"outcome"`
	// ErrorCode is the answer's error (the first non-zero one of a
	// per-partition answer); 0 when accepted.
	ErrorCode int16 `json:"error_code,omitempty"`

	// Group requests and assignments.
	Group      string `json:"group,omitempty"`
	MemberID   string `json:"member_id,omitempty"`
	InstanceID string `json:"instance_id,omitempty"`
	// Generation is the classic generation or the KIP-848 member epoch.
	Generation int32  `json:"generation"`
	Protocol   string `json:"protocol,omitempty"` // assignments: "classic" or "consumer"

	// Transactions and idempotent produce.
	TransactionalID string `json:"transactional_id,omitempty"`
	ProducerID      int64  `json:"producer_id"`
	ProducerEpoch   int16  `json:"producer_epoch"`
	Commit          bool   `json:"commit,omitempty"` // EndTxn: commit, not abort

	Offsets     []AuditOffset `json:"offsets,omitempty"`
	Assignments []AuditMember `json:"assignments,omitempty"`

	// Appends: one entry per produced topic partition.
	Topic      string        `json:"topic,omitempty"`
	Partition  int32         `json:"partition"`
	BaseOffset int64         `json:"base_offset"` // -1 until answered
	Records    []AuditRecord `json:"records,omitempty"`
}

// AuditLog is the broker's audit as the harness fetched it.
type AuditLog struct {
	// Present is false when the broker has no audit (an external cluster,
	// or a broker answering 404): audit-based checks are then not
	// applicable. Reason says why.
	Present bool   `json:"present"`
	Reason  string `json:"reason,omitempty"`
	// ReadErr is set when the broker keeps an audit (an embedded broker)
	// but the harness could not read it: checks then fail, they are not
	// merely not applicable.
	ReadErr string `json:"read_error,omitempty"`
	// Started is when the broker began auditing (its first start; a
	// restart that restored the audit keeps it).
	Started time.Time `json:"started"`
	// Dropped counts entries the broker let go of to stay within its
	// bound; Incomplete says the audit has a hole for another reason (the
	// broker restarted without its saved audit). Either makes checks that
	// need every entry not applicable.
	Dropped    int64        `json:"dropped"`
	Incomplete string       `json:"incomplete,omitempty"`
	Entries    []AuditEntry `json:"entries"`
}
