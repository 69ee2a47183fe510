// Package history is what a chaos spec records while it runs and what the
// checkers (package verify) and the timeline (package timeline) read
// afterwards. It holds no Docker or Kafka client: fixtures write into a
// Recorder, and a History is plain data that can be saved, loaded and fed
// to the checkers in a unit test.
//
// All times are wall-clock times from the harness host's clock, except
// WorkerEvent.TS, which is the worker's own clock (the same host clock
// when the worker runs in a local container).
package history

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// PostAck is a post the broker acknowledged to the harness's producer.
type PostAck struct {
	At        time.Time `json:"at"`
	PostID    string    `json:"post_id"`
	Author    int       `json:"author_id"`
	Partition int32     `json:"partition"`
	Offset    int64     `json:"offset"`
	// Timestamp is the post record's Kafka timestamp as the broker stored
	// it (millisecond resolution). The topics are CreateTime, so it is the
	// harness producer's clock when the post was handed to the client, a
	// few milliseconds before the broker appended it. Zero in histories
	// recorded before it was kept.
	Timestamp time.Time `json:"timestamp,omitzero"`
}

// UpdateSeen is a feed update the verifier read from the feed-updates topic.
type UpdateSeen struct {
	At              time.Time `json:"at"`
	PostID          string    `json:"post_id"`
	Follower        int       `json:"follower_id"`
	Worker          string    `json:"worker"`
	SourcePartition int32     `json:"source_partition"`
	SourceOffset    int64     `json:"source_offset"`
	// Timestamp is the feed update record's Kafka timestamp (millisecond
	// resolution). The topics are CreateTime, so it is the worker's clock
	// when it produced the update (librdkafka stamps a record at produce
	// time), not the broker's append time; the worker's clock is the
	// harness host's clock in a local container. Timestamp minus the
	// post's PostAck.Timestamp is the update's end-to-end latency (see
	// verify.Latencies). Zero in histories recorded before it was kept.
	Timestamp time.Time `json:"timestamp,omitzero"`
}

// DeadLetterSeen is a record the verifier read from the dead-letter topic:
// the post at SourcePartition/SourceOffset is accounted for, not lost.
// ReasonKind is what checkers judge; Reason is the worker's free text; Raw
// is the raw field as sent (base64 or text, see contract.RawIs).
type DeadLetterSeen struct {
	At              time.Time `json:"at"`
	Reason          string    `json:"reason"`
	ReasonKind      string    `json:"reason_kind"`
	Raw             string    `json:"raw,omitempty"`
	SourcePartition int32     `json:"source_partition"`
	SourceOffset    int64     `json:"source_offset"`
}

// WorkerEvent is one lifecycle line a worker printed.
type WorkerEvent struct {
	TS         time.Time       `json:"ts"`
	Worker     string          `json:"worker"`
	Event      string          `json:"event"`
	Partitions []int32         `json:"partitions,omitempty"`
	Offsets    map[int32]int64 `json:"offsets,omitempty"`
	Error      string          `json:"error,omitempty"`
	// Detail is the event's detail object; Detail["kind"] names an error's
	// kind (contract.DetailKind).
	Detail map[string]string `json:"detail,omitempty"`
}

// Sources of a contract violation.
const (
	SourceStdout     = "stdout"      // a worker's event line
	SourceFeed       = "feed-update" // a record on the feed-updates topic
	SourceDeadLetter = "dead-letter" // a record on the dead-letter topic
)

// Violation is worker output the harness could not read under the
// contract: kept, never dropped, and judged by verify.ContractHonoured.
type Violation struct {
	At        time.Time `json:"at"`
	Source    string    `json:"source"`              // Source* constants
	Worker    string    `json:"worker,omitempty"`    // for stdout lines: the worker that printed it
	Partition int32     `json:"partition,omitempty"` // for records: where it is
	Offset    int64     `json:"offset,omitempty"`
	Line      string    `json:"line"`   // the line or record value, truncated to MaxViolationLine bytes
	Reason    string    `json:"reason"` // why the parser refused it
}

// MaxViolationLine bounds Violation.Line.
const MaxViolationLine = 300

// Truncate cuts b to MaxViolationLine bytes, marking the cut.
func Truncate(b []byte) string {
	if len(b) <= MaxViolationLine {
		return string(b)
	}
	return string(b[:MaxViolationLine]) + fmt.Sprintf("... (%d bytes)", len(b))
}

// Member is one group member in a snapshot.
type Member struct {
	Worker     string  `json:"worker"` // the client id, which the worker sets to its worker id
	MemberID   string  `json:"member_id"`
	Partitions []int32 `json:"partitions"`
}

// GroupSnapshot is the group as the observer saw it at one instant.
type GroupSnapshot struct {
	At         time.Time `json:"at"`
	State      string    `json:"state"` // Stable, PreparingRebalance, CompletingRebalance, Empty, Dead, ...
	Generation int32     `json:"generation"`
	Members    []Member  `json:"members"`
	Err        string    `json:"error,omitempty"` // the observer could not describe the group
}

// LagSample is committed offsets and end offsets of the consumed topic at one
// instant. Committed[p] is -1 when nothing is committed for p yet.
type LagSample struct {
	At        time.Time       `json:"at"`
	Committed map[int32]int64 `json:"committed"`
	End       map[int32]int64 `json:"end"`
}

// Lag returns the total lag of the sample: the sum over partitions of end
// minus committed (end minus zero where nothing is committed yet).
func (s LagSample) Lag() int64 {
	var total int64
	for p, end := range s.End {
		c := s.Committed[p]
		if c < 0 {
			c = 0
		}
		if end > c {
			total += end - c
		}
	}
	return total
}

// Fault phases.
const (
	PhaseInject = "inject"
	PhaseHeal   = "heal"
	PhaseBit    = "bit" // the fault's symptom became visible
)

// FaultMark is a fault being injected, seen to bite, or healed.
type FaultMark struct {
	At     time.Time `json:"at"`
	Fault  string    `json:"fault"`
	Target string    `json:"target,omitempty"`
	Phase  string    `json:"phase"`
	Seed   int64     `json:"seed,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Note is a free-form harness annotation (load started, drain began, ...).
type Note struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Verdict is one checker's result, recorded so the timeline can show it.
type Verdict struct {
	At       time.Time     `json:"at"`
	Check    string        `json:"check"`
	Pass     bool          `json:"pass"`
	Class    string        `json:"class,omitempty"` // anomaly class, e.g. "lost", "unowned", "nonmonotonic"
	Message  string        `json:"message"`
	Measured time.Duration `json:"measured,omitempty"`
	Bound    time.Duration `json:"bound,omitempty"`
	// FirstAt is when the first counter-example happened, if known.
	FirstAt time.Time `json:"first_at,omitempty"`
}

// History is everything one spec recorded. Slices are in recording order.
type History struct {
	Suite       string           `json:"suite"`
	Spec        string           `json:"spec"`
	Start       time.Time        `json:"start"`
	End         time.Time        `json:"end"`
	Partitions  int32            `json:"partitions"` // of the posts topic
	Posts       []PostAck        `json:"posts"`
	Updates     []UpdateSeen     `json:"updates"`
	DeadLetters []DeadLetterSeen `json:"dead_letters"`
	Events      []WorkerEvent    `json:"events"`
	Snapshots   []GroupSnapshot  `json:"snapshots"`
	Lag         []LagSample      `json:"lag"`
	Faults      []FaultMark      `json:"faults"`
	Notes       []Note           `json:"notes"`
	Verdicts    []Verdict        `json:"verdicts"`
	// LoadStopped is when the harness stopped producing posts (zero while
	// the load runs, or if it never ran).
	LoadStopped time.Time `json:"load_stopped,omitempty"`
	// Audit is the broker's own record of commits, assignments and
	// appends, synced once when the spec drains (see AuditLog.Present).
	Audit      AuditLog    `json:"audit"`
	Violations []Violation `json:"violations,omitempty"`
}

// Recorder collects a History while a spec runs. All methods are safe for
// concurrent use; Snapshot returns a deep enough copy to read while recording
// goes on (slices are copied, their elements are treated as immutable).
type Recorder struct {
	mu sync.Mutex
	h  History
}

// NewRecorder starts a history for one spec at start.
func NewRecorder(suite, spec string, partitions int32, start time.Time) *Recorder {
	return &Recorder{h: History{Suite: suite, Spec: spec, Partitions: partitions, Start: start}}
}

func (r *Recorder) PostAcked(a PostAck) { r.mu.Lock(); r.h.Posts = append(r.h.Posts, a); r.mu.Unlock() }
func (r *Recorder) UpdateSeen(u UpdateSeen) {
	r.mu.Lock()
	r.h.Updates = append(r.h.Updates, u)
	r.mu.Unlock()
}
func (r *Recorder) DeadLetter(d DeadLetterSeen) {
	r.mu.Lock()
	r.h.DeadLetters = append(r.h.DeadLetters, d)
	r.mu.Unlock()
}
func (r *Recorder) WorkerEvent(e WorkerEvent) {
	r.mu.Lock()
	r.h.Events = append(r.h.Events, e)
	r.mu.Unlock()
}
func (r *Recorder) Violation(v Violation) {
	r.mu.Lock()
	r.h.Violations = append(r.h.Violations, v)
	r.mu.Unlock()
}
func (r *Recorder) GroupSnapshot(s GroupSnapshot) {
	r.mu.Lock()
	r.h.Snapshots = append(r.h.Snapshots, s)
	r.mu.Unlock()
}
func (r *Recorder) LagSample(s LagSample) { r.mu.Lock(); r.h.Lag = append(r.h.Lag, s); r.mu.Unlock() }
func (r *Recorder) Fault(f FaultMark)     { r.mu.Lock(); r.h.Faults = append(r.h.Faults, f); r.mu.Unlock() }
func (r *Recorder) Verdict(v Verdict) {
	r.mu.Lock()
	r.h.Verdicts = append(r.h.Verdicts, v)
	r.mu.Unlock()
}

// SetAudit stores the broker's audit, replacing any earlier one.
func (r *Recorder) SetAudit(a AuditLog) {
	r.mu.Lock()
	r.h.Audit = a
	r.mu.Unlock()
}

// Note records a harness annotation at time at.
func (r *Recorder) Note(at time.Time, text string) {
	r.mu.Lock()
	r.h.Notes = append(r.h.Notes, Note{At: at, Text: text})
	r.mu.Unlock()
}

// Snapshot returns a copy of the history so far, with End set to now and
// events sorted by their own timestamps.
func (r *Recorder) Snapshot() History {
	r.mu.Lock()
	h := r.h
	h.Posts = append([]PostAck(nil), r.h.Posts...)
	h.Updates = append([]UpdateSeen(nil), r.h.Updates...)
	h.DeadLetters = append([]DeadLetterSeen(nil), r.h.DeadLetters...)
	h.Events = append([]WorkerEvent(nil), r.h.Events...)
	h.Snapshots = append([]GroupSnapshot(nil), r.h.Snapshots...)
	h.Lag = append([]LagSample(nil), r.h.Lag...)
	h.Faults = append([]FaultMark(nil), r.h.Faults...)
	h.Notes = append([]Note(nil), r.h.Notes...)
	h.Verdicts = append([]Verdict(nil), r.h.Verdicts...)
	h.Audit.Entries = append([]AuditEntry(nil), r.h.Audit.Entries...)
	h.Violations = append([]Violation(nil), r.h.Violations...)
	r.mu.Unlock()
	h.End = time.Now()
	sort.SliceStable(h.Events, func(i, j int) bool { return h.Events[i].TS.Before(h.Events[j].TS) })
	return h
}

// LastSnapshot returns the most recent group snapshot, if any.
func (r *Recorder) LastSnapshot() (GroupSnapshot, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.h.Snapshots) == 0 {
		return GroupSnapshot{}, false
	}
	return r.h.Snapshots[len(r.h.Snapshots)-1], true
}

// SnapshotBefore returns the last error-free group snapshot taken at or
// before t, if any: the group as it was when a fault was injected.
func (r *Recorder) SnapshotBefore(t time.Time) (GroupSnapshot, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.h.Snapshots) - 1; i >= 0; i-- {
		if s := r.h.Snapshots[i]; s.Err == "" && !s.At.After(t) {
			return s, true
		}
	}
	return GroupSnapshot{}, false
}

// LagBefore returns the last lag sample taken at or before t, if any: the
// baseline a stall is measured from.
func (r *Recorder) LagBefore(t time.Time) (LagSample, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.h.Lag) - 1; i >= 0; i-- {
		if s := r.h.Lag[i]; !s.At.After(t) {
			return s, true
		}
	}
	return LagSample{}, false
}

// LoadStopped records when the harness stopped producing posts (once: the
// first call wins). Lag judged "held under its threshold" is judged up to
// this instant; after it lag falls by itself.
func (r *Recorder) LoadStopped(at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.h.LoadStopped.IsZero() {
		r.h.LoadStopped = at
	}
}

// LastLag returns the most recent lag sample, if any.
func (r *Recorder) LastLag() (LagSample, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.h.Lag) == 0 {
		return LagSample{}, false
	}
	return r.h.Lag[len(r.h.Lag)-1], true
}

// Counts returns how many posts were acked and updates seen so far.
func (r *Recorder) Counts() (posts, updates int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.h.Posts), len(r.h.Updates)
}
