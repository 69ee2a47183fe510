package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamsocial/feedchaos/history"
)

// The broker's audit: every commit, transaction end, assignment and append
// to an audited topic, in the order the broker processed them and by its
// clock.
//
// How it sees them. kfake runs every request on one loop, and runs control
// functions on that loop just before handling a request; a control that
// does not handle the request leaves it to the normal handling. So the
// audit's controls see each request at the moment the broker takes it up,
// which fixes Seq and At. Controls see requests only, so the answer is read
// off the wire: every accepted connection is wrapped (auditConn), which
// notes each request frame's hash and client id and, when the broker writes
// the answer with the same correlation id, decodes it and gives the outcome
// to the entries the control recorded for a request with the same hash
// (FIFO among identical requests). KIP-848 assignments exist only in the
// heartbeat answers, so they are recorded from those.
//
// Guarantees: entries are never silently lost. The audit holds at most cap
// items (an entry counts as one plus its records, offsets and members); past
// that the oldest entries go and Dropped counts them. An entry whose answer
// was never seen keeps Outcome "unknown". OffsetCommits kfake handles while
// it closes (its shutdown drain runs no controls) are not recorded.

// Topics whose appends are audited (the contract's defaults).
const (
	auditFeedTopic = "feed-updates"
	auditDLQTopic  = "posts-dlq"
)

// defaultAuditCap bounds the audit's memory (~100-200 bytes per item).
const defaultAuditCap = 1_000_000

// auditFile is where a broker with a data dir saves its audit on close, so
// that a restart continues it.
const auditFile = "kfakebroker-audit.json"

type audit struct {
	cluster *kfake.Cluster
	now     func() time.Time

	mu         sync.Mutex
	cap        int
	items      int
	started    time.Time
	seq        int64
	dropped    int64
	incomplete string
	entries    []*history.AuditEntry // oldest first
	pending    map[uint64][]*pendingReq
	npending   int
	members    map[string]memberIdent // member id -> who, learnt from requests
	topicNames map[[16]byte]string

	clients *clientIndex // request hash -> client id, for faults on one client
	holds   holds        // requests held back per client (holds.go)
}

// pendingReq is the entries one request produced, waiting for its answer.
type pendingReq struct{ entries []*history.AuditEntry }

type memberIdent struct{ client, instance string }

const maxPending = 10000

func newAudit() *audit {
	return &audit{
		now:        time.Now,
		cap:        defaultAuditCap,
		started:    time.Now().UTC(),
		pending:    map[uint64][]*pendingReq{},
		members:    map[string]memberIdent{},
		topicNames: map[[16]byte]string{},
		clients:    newClientIndex(),
	}
}

// auditedKeys are the request kinds the audit's controls record.
var auditedKeys = []kmsg.Key{kmsg.Produce, kmsg.OffsetCommit, kmsg.TxnOffsetCommit, kmsg.AddOffsetsToTxn, kmsg.EndTxn, kmsg.SyncGroup}

// install adds the audit's controls to c. They never handle a request.
func (a *audit) install(c *kfake.Cluster) {
	a.mu.Lock()
	a.cluster = c
	a.mu.Unlock()
	for _, k := range auditedKeys {
		c.ControlKey(int16(k), func(req kmsg.Request) (kmsg.Response, error, bool) {
			a.control(c.CurrentNode(), req)
			return nil, nil, false
		})
	}
}

// requestHash identifies a request by its kind, version and body bytes; the
// control (from the decoded request) and the connection (from the frame)
// compute the same value.
func requestHash(key, version int16, body []byte) uint64 {
	h := fnv.New64a()
	h.Write([]byte{byte(key >> 8), byte(key), byte(version >> 8), byte(version)})
	h.Write(body)
	return h.Sum64()
}

// control records one request at the moment the broker takes it up.
func (a *audit) control(node int32, req kmsg.Request) {
	entries := a.entriesFor(req)
	if len(entries) == 0 {
		return
	}
	at := a.now().UTC()
	hash := requestHash(req.Key(), req.GetVersion(), req.AppendTo(nil))
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range entries {
		e.At, e.Node, e.Outcome = at, node, history.OutcomeUnknown
		a.appendLocked(e)
	}
	a.pending[hash] = append(a.pending[hash], &pendingReq{entries: entries})
	a.npending++
	if a.npending > maxPending {
		a.trimPendingLocked()
	}
}

// trimPendingLocked forgets the oldest waiting request of the longest queue:
// its entries keep Outcome "unknown".
func (a *audit) trimPendingLocked() {
	var longest uint64
	n := 0
	for h, q := range a.pending {
		if len(q) > n {
			longest, n = h, len(q)
		}
	}
	q := a.pending[longest]
	if len(q) <= 1 {
		delete(a.pending, longest)
	} else {
		a.pending[longest] = q[1:]
	}
	a.npending--
}

func entryItems(e *history.AuditEntry) int {
	return 1 + len(e.Records) + len(e.Offsets) + len(e.Assignments)
}

func (a *audit) appendLocked(e *history.AuditEntry) {
	a.seq++
	e.Seq = a.seq
	a.entries = append(a.entries, e)
	a.items += entryItems(e)
	drop := 0
	for a.items > a.cap && drop < len(a.entries)-1 {
		a.items -= entryItems(a.entries[drop])
		drop++
	}
	if drop > 0 {
		a.dropped += int64(drop)
		a.entries = append(a.entries[:0:0], a.entries[drop:]...)
	}
}

// topicName resolves a topic ID. Called from a control (kfake serves admin
// calls while a control runs) or the HTTP handler, never from a connection's
// goroutine (the loop may be waiting on that connection).
func (a *audit) topicName(id [16]byte) string {
	a.mu.Lock()
	n, ok := a.topicNames[id]
	c := a.cluster
	a.mu.Unlock()
	if ok || c == nil {
		return n
	}
	if ti := c.TopicIDInfo(id); ti != nil {
		n = ti.Topic
		a.mu.Lock()
		a.topicNames[id] = n
		a.mu.Unlock()
	}
	return n
}

// entriesFor decodes one request into the entries it makes (none for a
// produce to an unaudited topic or a follower's SyncGroup).
func (a *audit) entriesFor(req kmsg.Request) []*history.AuditEntry {
	switch r := req.(type) {
	case *kmsg.OffsetCommitRequest:
		e := &history.AuditEntry{Kind: history.AuditOffsetCommit, Group: r.Group, MemberID: r.MemberID, Generation: r.Generation, InstanceID: deref(r.InstanceID), ProducerID: -1, ProducerEpoch: -1, BaseOffset: -1}
		for _, t := range r.Topics {
			name := t.Topic
			if name == "" {
				name = a.topicName(t.TopicID)
			}
			for _, p := range t.Partitions {
				e.Offsets = append(e.Offsets, history.AuditOffset{Topic: name, Partition: p.Partition, Offset: p.Offset})
			}
		}
		return []*history.AuditEntry{e}
	case *kmsg.TxnOffsetCommitRequest:
		e := &history.AuditEntry{Kind: history.AuditTxnOffsetCommit, Group: r.Group, MemberID: r.MemberID, Generation: r.Generation, InstanceID: deref(r.InstanceID), TransactionalID: r.TransactionalID, ProducerID: r.ProducerID, ProducerEpoch: r.ProducerEpoch, BaseOffset: -1}
		for _, t := range r.Topics {
			name := t.Topic
			if name == "" {
				name = a.topicName(t.TopicID)
			}
			for _, p := range t.Partitions {
				e.Offsets = append(e.Offsets, history.AuditOffset{Topic: name, Partition: p.Partition, Offset: p.Offset})
			}
		}
		return []*history.AuditEntry{e}
	case *kmsg.AddOffsetsToTxnRequest:
		return []*history.AuditEntry{{Kind: history.AuditAddOffsetsToTxn, Group: r.Group, TransactionalID: r.TransactionalID, ProducerID: r.ProducerID, ProducerEpoch: r.ProducerEpoch, BaseOffset: -1}}
	case *kmsg.EndTxnRequest:
		return []*history.AuditEntry{{Kind: history.AuditEndTxn, TransactionalID: r.TransactionalID, ProducerID: r.ProducerID, ProducerEpoch: r.ProducerEpoch, Commit: r.Commit, BaseOffset: -1}}
	case *kmsg.SyncGroupRequest:
		if len(r.GroupAssignment) == 0 {
			return nil // a follower: the leader's request carries the assignment
		}
		e := &history.AuditEntry{Kind: history.AuditAssignment, Protocol: "classic", Group: r.Group, MemberID: r.MemberID, InstanceID: deref(r.InstanceID), Generation: r.Generation, ProducerID: -1, ProducerEpoch: -1, BaseOffset: -1}
		for _, ga := range r.GroupAssignment {
			m := history.AuditMember{MemberID: ga.MemberID, Partitions: map[string][]int32{}}
			var ma kmsg.ConsumerMemberAssignment
			if err := ma.ReadFrom(ga.MemberAssignment); err != nil {
				m.Partitions = nil
				e.Outcome = fmt.Sprintf("undecodable assignment for %s: %v", ga.MemberID, err)
			}
			for _, t := range ma.Topics {
				m.Partitions[t.Topic] = append(m.Partitions[t.Topic], t.Partitions...)
			}
			e.Assignments = append(e.Assignments, m)
		}
		return []*history.AuditEntry{e}
	case *kmsg.ProduceRequest:
		var out []*history.AuditEntry
		for _, t := range r.Topics {
			name := t.Topic
			if name == "" {
				name = a.topicName(t.TopicID)
			}
			if name != auditFeedTopic && name != auditDLQTopic {
				continue
			}
			for _, p := range t.Partitions {
				e := &history.AuditEntry{Kind: history.AuditAppend, Topic: name, Partition: p.Partition, TransactionalID: deref(r.TransactionID), BaseOffset: -1}
				e.ProducerID, e.ProducerEpoch, e.Records = decodeBatches(p.Records, name == auditFeedTopic)
				out = append(out, e)
			}
		}
		return out
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// sawRequest is called by a connection for every request frame; it learns
// which client and instance a member id belongs to.
func (a *audit) sawMember(memberID, clientID, instanceID string) {
	if memberID == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.members[memberID]; !ok && len(a.members) >= maxPending {
		return // bounded: later members' client ids stay unresolved in assignments
	}
	a.members[memberID] = memberIdent{client: clientID, instance: instanceID}
}

// answered gives a request's answer to the entries its control recorded.
// clientID is the request header's.
func (a *audit) answered(hash uint64, clientID string, resp kmsg.Response) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := a.pending[hash]
	if len(q) == 0 {
		return
	}
	p := q[0]
	if len(q) == 1 {
		delete(a.pending, hash)
	} else {
		a.pending[hash] = q[1:]
	}
	a.npending--
	for _, e := range p.entries {
		e.ClientID = clientID
		setOutcome(e, resp)
	}
}

// setOutcome reads an entry's outcome off its answer.
func setOutcome(e *history.AuditEntry, resp kmsg.Response) {
	code := int16(0)
	first := func(c int16) {
		if code == 0 {
			code = c
		}
	}
	switch r := resp.(type) {
	case *kmsg.OffsetCommitResponse:
		perPartition(e, first, func(set func(int32, int16)) {
			for _, t := range r.Topics {
				for _, p := range t.Partitions {
					set(p.Partition, p.ErrorCode)
				}
			}
		})
	case *kmsg.TxnOffsetCommitResponse:
		perPartition(e, first, func(set func(int32, int16)) {
			for _, t := range r.Topics {
				for _, p := range t.Partitions {
					set(p.Partition, p.ErrorCode)
				}
			}
		})
	case *kmsg.AddOffsetsToTxnResponse:
		first(r.ErrorCode)
	case *kmsg.EndTxnResponse:
		first(r.ErrorCode)
	case *kmsg.SyncGroupResponse:
		first(r.ErrorCode)
	case *kmsg.ProduceResponse:
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				if p.Partition != e.Partition || (t.Topic != "" && t.Topic != e.Topic) {
					continue
				}
				first(p.ErrorCode)
				if p.ErrorCode == 0 {
					e.BaseOffset = p.BaseOffset
				}
			}
		}
	}
	e.ErrorCode = code
	if e.Outcome != history.OutcomeUnknown && e.Outcome != "" {
		return // an undecodable assignment keeps its note
	}
	if code == 0 {
		e.Outcome = history.OutcomeAccepted
	} else {
		e.Outcome = history.OutcomeRefused
	}
}

// consumerHeartbeat records the assignment in a KIP-848 heartbeat answer.
func (a *audit) consumerHeartbeat(node int32, clientID string, req *kmsg.ConsumerGroupHeartbeatRequest, resp *kmsg.ConsumerGroupHeartbeatResponse) {
	if resp.ErrorCode != 0 || resp.Assignment == nil {
		return
	}
	member := deref(resp.MemberID)
	if member == "" {
		member = req.MemberID
	}
	m := history.AuditMember{MemberID: member, InstanceID: deref(req.InstanceID), ClientID: clientID, Partitions: map[string][]int32{}}
	e := &history.AuditEntry{
		At: a.now().UTC(), Kind: history.AuditAssignment, Protocol: "consumer", Node: node, ClientID: clientID,
		Outcome: history.OutcomeAccepted, Group: req.Group, MemberID: member, InstanceID: deref(req.InstanceID),
		Generation: resp.MemberEpoch, ProducerID: -1, ProducerEpoch: -1, BaseOffset: -1,
	}
	// Topic IDs are resolved when the audit is served: this runs on a
	// connection's goroutine, which must not wait on the loop.
	for _, t := range resp.Assignment.Topics {
		key := topicIDKey(t.TopicID)
		m.Partitions[key] = append(m.Partitions[key], t.Partitions...)
	}
	e.Assignments = []history.AuditMember{m}
	a.mu.Lock()
	a.appendLocked(e)
	a.mu.Unlock()
}

const topicIDPrefix = "topic-id:"

func topicIDKey(id [16]byte) string { return fmt.Sprintf("%s%x", topicIDPrefix, id[:]) }

// auditView is the JSON served on GET /audit.
type auditView struct {
	Started    time.Time            `json:"started"`
	Seq        int64                `json:"seq"` // the last seq given out
	Dropped    int64                `json:"dropped"`
	Incomplete string               `json:"incomplete,omitempty"`
	Entries    []history.AuditEntry `json:"entries"`
}

// view copies the entries after since, resolving member client ids and
// KIP-848 topic ids.
func (a *audit) view(since int64) auditView {
	v, ids := a.copyAfter(since)
	names := map[string]string{}
	for _, id := range ids {
		if n := a.topicName(id); n != "" {
			names[topicIDKey(id)] = n
		}
	}
	for i := range v.Entries {
		for j := range v.Entries[i].Assignments {
			ps := v.Entries[i].Assignments[j].Partitions
			for k, p := range ps {
				if n, ok := names[k]; ok {
					delete(ps, k)
					ps[n] = append(ps[n], p...)
				}
			}
		}
	}
	return v
}

// copyAfter copies the entries after since with member client ids
// resolved, and returns the KIP-848 topic ids left to resolve. It does not
// call the cluster, so it is safe after the cluster closed.
func (a *audit) copyAfter(since int64) (auditView, [][16]byte) {
	a.mu.Lock()
	v := auditView{Started: a.started, Seq: a.seq, Dropped: a.dropped, Incomplete: a.incomplete, Entries: []history.AuditEntry{}}
	var ids [][16]byte
	for _, e := range a.entries {
		if e.Seq <= since {
			continue
		}
		c := *e
		c.Offsets = append([]history.AuditOffset(nil), e.Offsets...)
		c.Records = append([]history.AuditRecord(nil), e.Records...)
		c.Assignments = nil
		for _, m := range e.Assignments {
			if who, ok := a.members[m.MemberID]; ok {
				if m.ClientID == "" {
					m.ClientID = who.client
				}
				if m.InstanceID == "" {
					m.InstanceID = who.instance
				}
			}
			ps := map[string][]int32{}
			for t, p := range m.Partitions {
				ps[t] = append([]int32(nil), p...)
				if id, ok := parseTopicIDKey(t); ok {
					ids = append(ids, id)
				}
			}
			m.Partitions = ps
			c.Assignments = append(c.Assignments, m)
		}
		v.Entries = append(v.Entries, c)
	}
	a.mu.Unlock()
	return v, ids
}

func parseTopicIDKey(s string) ([16]byte, bool) {
	var id [16]byte
	if len(s) != len(topicIDPrefix)+32 || s[:len(topicIDPrefix)] != topicIDPrefix {
		return id, false
	}
	b, err := hex.DecodeString(s[len(topicIDPrefix):])
	if err != nil {
		return id, false
	}
	copy(id[:], b)
	return id, true
}

// savedAudit is the audit as saved in the data dir.
type savedAudit struct {
	Started time.Time `json:"started"`
	Seq     int64     `json:"seq"`
	Dropped int64     `json:"dropped"`
	// Incomplete carries an earlier hole over the restart.
	Incomplete string               `json:"incomplete,omitempty"`
	Entries    []history.AuditEntry `json:"entries"`
}

// save writes the audit into dir (on a clean close, after the cluster
// closed), so a restart goes on from it. Member client ids are resolved
// first: the restarted broker does not know the old members.
func (a *audit) save(dir string) error {
	v, _ := a.copyAfter(0)
	s := savedAudit{Started: v.Started, Seq: v.Seq, Dropped: v.Dropped, Incomplete: v.Incomplete, Entries: v.Entries}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encoding audit: %w", err)
	}
	tmp := filepath.Join(dir, auditFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("saving audit: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, auditFile)); err != nil {
		return fmt.Errorf("saving audit: %w", err)
	}
	return nil
}

// load continues the audit saved in dir. restored says the broker restored
// a data dir: without a saved audit the audit then has a hole, which it
// says in Incomplete.
func (a *audit) load(dir string, restored bool) error {
	b, err := os.ReadFile(filepath.Join(dir, auditFile))
	if os.IsNotExist(err) {
		if restored {
			a.mu.Lock()
			a.incomplete = "the broker restored its data dir without a saved audit (it was not closed cleanly): what happened before " + a.started.Format(time.RFC3339Nano) + " is missing"
			a.mu.Unlock()
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading saved audit: %w", err)
	}
	var s savedAudit
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("decoding saved audit %s: %w", filepath.Join(dir, auditFile), err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.started, a.seq, a.dropped, a.incomplete = s.Started, s.Seq, s.Dropped, s.Incomplete
	for i := range s.Entries {
		e := s.Entries[i]
		a.entries = append(a.entries, &e)
		a.items += entryItems(&e)
	}
	// A saved file is consumed: a later unclean stop must not restore it.
	return os.Remove(filepath.Join(dir, auditFile))
}

// perPartition gives each offset of a commit entry its partition's error
// code from an answer (each calls set once per answered partition) and
// passes every code to first.
func perPartition(e *history.AuditEntry, first func(int16), each func(set func(p int32, code int16))) {
	errs := map[int32]int16{}
	each(func(p int32, code int16) {
		errs[p] = code
		first(code)
	})
	for i := range e.Offsets {
		e.Offsets[i].ErrorCode = errs[e.Offsets[i].Partition]
	}
}
