package main

import (
	"encoding/binary"
	"net"
	"sync"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// auditConn watches one client connection's frames for the audit: request
// frames as kfake reads them, answer frames as kfake writes them. It never
// changes or delays a byte beyond parsing it.
type auditConn struct {
	net.Conn
	a    *audit
	node int32

	rmu  sync.Mutex
	rbuf []byte

	wmu  sync.Mutex
	wbuf []byte

	pmu     sync.Mutex
	pending map[int32]connReq // correlation id -> request

	held *hold // the hold a request of the current Read matched (under rmu)
}

// connReq is what the connection keeps of a request until its answer.
type connReq struct {
	key, version int16
	hash         uint64
	client       string
	cgh          *kmsg.ConsumerGroupHeartbeatRequest
}

// audited says whether answers to key matter to the audit.
func auditedAnswer(key int16) bool {
	for _, k := range auditedKeys {
		if int16(k) == key {
			return true
		}
	}
	return key == int16(kmsg.ConsumerGroupHeartbeat)
}

func (a *audit) wrap(c net.Conn, node int32) net.Conn {
	return &auditConn{Conn: c, a: a, node: node, pending: map[int32]connReq{}}
}

func (c *auditConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.rmu.Lock()
		c.held = nil
		c.rbuf = frames(c.rbuf, p[:n], c.request)
		h := c.held
		c.rmu.Unlock()
		// A held request reaches the broker only after its hold: kfake
		// cannot act on a frame it has not read.
		if h != nil {
			h.wait()
		}
	}
	return n, err
}

func (c *auditConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		c.wmu.Lock()
		c.wbuf = frames(c.wbuf, p[:n], c.answer)
		c.wmu.Unlock()
	}
	return n, err
}

// frames calls fn on every complete size-prefixed frame in held+p and
// returns the incomplete rest, in a buffer of its own (never p, which the
// caller reuses). Whole frames in p are parsed in place, without a copy.
func frames(held, p []byte, fn func([]byte)) []byte {
	buf := p
	if len(held) > 0 {
		buf = append(held, p...)
	}
	for len(buf) >= 4 {
		size := int(binary.BigEndian.Uint32(buf))
		if len(buf) < 4+size {
			break
		}
		fn(buf[4 : 4+size])
		buf = buf[4+size:]
	}
	if len(buf) == 0 {
		return nil
	}
	return append([]byte(nil), buf...)
}

// request parses a request header and notes what the audit needs.
func (c *auditConn) request(frame []byte) {
	r := kbin.Reader{Src: frame}
	key, version, corr := r.Int16(), r.Int16(), r.Int32()
	cid := r.NullableString()
	if !r.Ok() {
		return
	}
	req := kmsg.RequestForKey(key)
	if req == nil {
		return
	}
	req.SetVersion(version)
	if req.IsFlexible() {
		kmsg.SkipTags(&r)
	}
	client := ""
	if cid != nil {
		client = *cid
	}
	if c.held == nil {
		c.held = c.a.holds.match(key, client)
	}
	body := r.Src
	switch key {
	// Not TxnOffsetCommit: a transactional worker's producer sends it with
	// its consumer's member id under the producer's own client id, which
	// would rename the member in every later assignment.
	case int16(kmsg.JoinGroup), int16(kmsg.SyncGroup), int16(kmsg.Heartbeat), int16(kmsg.OffsetCommit), int16(kmsg.ConsumerGroupHeartbeat):
		if req.ReadFrom(body) == nil {
			member, instance := memberOf(req)
			c.a.sawMember(member, client, instance)
		}
	}
	if !auditedAnswer(key) {
		return
	}
	cr := connReq{key: key, version: version, hash: requestHash(key, version, body), client: client}
	c.a.clients.note(cr.hash, client)
	if key == int16(kmsg.ConsumerGroupHeartbeat) {
		cgh, ok := req.(*kmsg.ConsumerGroupHeartbeatRequest)
		if !ok || cgh.ReadFrom(body) != nil {
			return
		}
		cr.cgh = cgh
	}
	c.pmu.Lock()
	c.pending[corr] = cr
	c.pmu.Unlock()
}

func memberOf(req kmsg.Request) (member, instance string) {
	switch r := req.(type) {
	case *kmsg.JoinGroupRequest:
		return r.MemberID, deref(r.InstanceID)
	case *kmsg.SyncGroupRequest:
		return r.MemberID, deref(r.InstanceID)
	case *kmsg.HeartbeatRequest:
		return r.MemberID, deref(r.InstanceID)
	case *kmsg.OffsetCommitRequest:
		return r.MemberID, deref(r.InstanceID)
	case *kmsg.TxnOffsetCommitRequest:
		return r.MemberID, deref(r.InstanceID)
	case *kmsg.ConsumerGroupHeartbeatRequest:
		return r.MemberID, deref(r.InstanceID)
	}
	return "", ""
}

// answer decodes an answer to an audited request and hands it on.
func (c *auditConn) answer(frame []byte) {
	if len(frame) < 4 {
		return
	}
	corr := int32(binary.BigEndian.Uint32(frame))
	c.pmu.Lock()
	cr, ok := c.pending[corr]
	delete(c.pending, corr)
	c.pmu.Unlock()
	if !ok {
		return
	}
	req := kmsg.RequestForKey(cr.key)
	req.SetVersion(cr.version)
	resp := req.ResponseKind()
	resp.SetVersion(cr.version)
	body := frame[4:]
	if resp.IsFlexible() && cr.key != int16(kmsg.ApiVersions) {
		r := kbin.Reader{Src: body}
		kmsg.SkipTags(&r)
		body = r.Src
	}
	if err := resp.ReadFrom(body); err != nil {
		return // the entry keeps Outcome "unknown"
	}
	if cr.cgh != nil {
		c.a.consumerHeartbeat(c.node, cr.client, cr.cgh, resp.(*kmsg.ConsumerGroupHeartbeatResponse))
		return
	}
	c.a.answered(cr.hash, cr.client, resp)
}
