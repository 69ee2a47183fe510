package main

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// clientIndex remembers which client sent each recent request of the
// audited kinds (auditedKeys), by request hash (requestHash), so that a
// fault can select one client's requests: kfake hands controls and faults
// the decoded request only, while the client id is in the frame's header,
// which the connection (auditConn) reads before kfake decodes the request.
//
// It keeps the last indexCap hashes; identical requests from two clients
// (the same bytes, producer id and sequence included) resolve to the later
// sender, which for produce requests of distinct idempotent producers does
// not happen.
type clientIndex struct {
	mu   sync.Mutex
	by   map[uint64]string
	ring []uint64
	next int
}

const indexCap = 8192

func newClientIndex() *clientIndex {
	return &clientIndex{by: map[uint64]string{}, ring: make([]uint64, 0, indexCap)}
}

// note records that client sent the request with hash.
func (x *clientIndex) note(hash uint64, client string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.by[hash]; !ok {
		if len(x.ring) < indexCap {
			x.ring = append(x.ring, hash)
		} else {
			delete(x.by, x.ring[x.next])
			x.ring[x.next] = hash
			x.next = (x.next + 1) % indexCap
		}
	}
	x.by[hash] = client
}

// clientOf returns the client id of a request the connection has read
// ("" when not indexed: another kind, or forgotten).
func (x *clientIndex) clientOf(req kmsg.Request) string {
	h := requestHash(req.Key(), req.GetVersion(), req.AppendTo(nil))
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.by[h]
}

// clientSelectable reports whether a fault may select key's requests by
// client: the connection indexes only the audited kinds.
func clientSelectable(key kmsg.Key) bool {
	for _, k := range auditedKeys {
		if k == key {
			return true
		}
	}
	return false
}
