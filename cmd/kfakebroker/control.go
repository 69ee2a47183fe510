package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The control API, for a test harness:
//
//	GET    /healthz              200 {"status":"ok","brokers":[...]}
//	GET    /coordinator?group=G  200 {"group":G,"node":N,"advertise":"host:port"}
//	GET    /group?group=G        200 kfake.GroupInfo, 404 if unknown
//	GET    /faults               200 [{"id":..,"hits":..,"spec":{..}}]
//	POST   /faults               201 {"id":"1","hits":0}  body: faultSpec; "client"
//	                             selects one client's requests (see faultSpec)
//	DELETE /faults/{id}          200 {"id":"1","hits":N}, 404 if unknown
//	GET|POST /holds, DELETE /holds/{id}: requests held back per client (holds.go)
//	GET    /audit[?since=SEQ]    200 {"started","seq","dropped","incomplete","entries":[...]}
//	                             entries after SEQ (history.AuditEntry), see audit.go
//
// Errors are {"error":"..."} with a 4xx status.

// faultSpec is the JSON form of a kfake.Fault.
type faultSpec struct {
	// Keys names request kinds, by name ("Heartbeat", "join_group",
	// "OffsetCommit") or number (12). Empty means all.
	Keys       []json.RawMessage `json:"keys,omitempty"`
	Nodes      []int32           `json:"nodes,omitempty"`
	Topic      string            `json:"topic,omitempty"`
	Partitions []int32           `json:"partitions,omitempty"`
	Group      string            `json:"group,omitempty"`
	TxnID      string            `json:"txn_id,omitempty"`
	TopLevel   bool              `json:"top_level,omitempty"`
	Resource   string            `json:"resource,omitempty"`
	// Client selects one client's requests by the client id in their
	// header: Client itself or Client + "-" and anything (a worker "w1"
	// and its producer "w1-producer", not "w10"); only for the
	// audited request kinds (Produce, OffsetCommit, TxnOffsetCommit,
	// AddOffsetsToTxn, EndTxn, SyncGroup), which Keys must name.
	Client string `json:"client,omitempty"`
	// Error is a Kafka error name ("COORDINATOR_NOT_AVAILABLE") or code
	// (15); empty means UNKNOWN_SERVER_ERROR.
	Error json.RawMessage `json:"error,omitempty"`
	// Count is how many requests to fail: 0 means one, -1 until deleted.
	Count   int  `json:"count,omitempty"`
	Observe bool `json:"observe,omitempty"`
}

type installedFault struct {
	id   string
	spec faultSpec
	h    *kfake.FaultHandle
}

type controlAPI struct {
	cluster *kfake.Cluster
	addrs   []boundAddr

	mu     sync.Mutex
	nextID int
	faults map[string]*installedFault

	audit *audit
}

func newControlAPI(c *kfake.Cluster, addrs []boundAddr, a *audit) *controlAPI {
	return &controlAPI{cluster: c, addrs: addrs, faults: map[string]*installedFault{}, audit: a}
}

func (a *controlAPI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /coordinator", a.coordinator)
	mux.HandleFunc("GET /group", a.group)
	mux.HandleFunc("GET /faults", a.listFaults)
	mux.HandleFunc("POST /faults", a.addFault)
	mux.HandleFunc("DELETE /faults/{id}", a.deleteFault)
	mux.HandleFunc("GET /audit", a.auditLog)
	mux.HandleFunc("GET /holds", a.listHolds)
	mux.HandleFunc("POST /holds", a.addHold)
	mux.HandleFunc("DELETE /holds/{id}", a.deleteHold)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func (a *controlAPI) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "brokers": a.addrs})
}

func (a *controlAPI) coordinator(w http.ResponseWriter, r *http.Request) {
	g := r.URL.Query().Get("group")
	if g == "" {
		writeErr(w, http.StatusBadRequest, errors.New("missing ?group="))
		return
	}
	n := a.cluster.CoordinatorFor(g)
	resp := map[string]any{"group": g, "node": n}
	for _, b := range a.addrs {
		if b.Node == n {
			resp["advertise"] = b.Advertise
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

func (a *controlAPI) group(w http.ResponseWriter, r *http.Request) {
	g := r.URL.Query().Get("group")
	if g == "" {
		writeErr(w, http.StatusBadRequest, errors.New("missing ?group="))
		return
	}
	info := a.cluster.GroupInfo(g)
	if info == nil {
		writeErr(w, http.StatusNotFound, fmt.Errorf("group %q not known", g))
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func (a *controlAPI) listFaults(w http.ResponseWriter, _ *http.Request) {
	a.mu.Lock()
	out := make([]map[string]any, 0, len(a.faults))
	for _, f := range a.faults {
		out = append(out, map[string]any{"id": f.id, "hits": f.h.Hits(), "spec": f.spec})
	}
	a.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		x, _ := strconv.Atoi(out[i]["id"].(string))
		y, _ := strconv.Atoi(out[j]["id"].(string))
		return x < y
	})
	writeJSON(w, http.StatusOK, out)
}

func (a *controlAPI) addFault(w http.ResponseWriter, r *http.Request) {
	var spec faultSpec
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf("bad fault JSON: %w", err))
		return
	}
	f, err := spec.toFault(a.audit.clients.clientOf)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	a.mu.Lock()
	a.nextID++
	id := strconv.Itoa(a.nextID)
	inst := &installedFault{id: id, spec: spec, h: a.cluster.Fault(f)}
	a.faults[id] = inst
	a.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "hits": 0})
}

func (a *controlAPI) deleteFault(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a.mu.Lock()
	f, ok := a.faults[id]
	delete(a.faults, id)
	a.mu.Unlock()
	if !ok {
		writeErr(w, http.StatusNotFound, fmt.Errorf("no fault %q", id))
		return
	}
	f.h.Remove()
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "hits": f.h.Hits()})
}

// removeAll uninstalls every fault and hold (at shutdown).
func (a *controlAPI) removeAll() {
	a.audit.holds.removeAll()
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, f := range a.faults {
		f.h.Remove()
		delete(a.faults, id)
	}
}

// toFault builds the kfake.Fault; clientOf names a request's client (for
// Client).
func (s faultSpec) toFault(clientOf func(kmsg.Request) string) (kfake.Fault, error) {
	f := kfake.Fault{
		Nodes:      s.Nodes,
		Topic:      s.Topic,
		Partitions: s.Partitions,
		Group:      s.Group,
		TxnID:      s.TxnID,
		TopLevel:   s.TopLevel,
		Resource:   s.Resource,
		Count:      s.Count,
		Observe:    s.Observe,
	}
	if s.Count < -1 {
		return f, fmt.Errorf("count %d: want -1 (until deleted), 0 (once) or a positive number", s.Count)
	}
	for _, raw := range s.Keys {
		k, err := parseKey(raw)
		if err != nil {
			return f, err
		}
		f.Keys = append(f.Keys, k)
	}
	if s.Client != "" {
		if len(f.Keys) == 0 {
			return f, errors.New("client: name the request keys (Produce, OffsetCommit, ...)")
		}
		for _, k := range f.Keys {
			if !clientSelectable(k) {
				return f, fmt.Errorf("client: %s requests cannot be selected by client (only %v)", kmsg.NameForKey(int16(k)), auditedKeys)
			}
		}
		f.When = clientIs(s.Client, clientOf)
	}
	if len(s.Error) > 0 && string(s.Error) != "null" {
		e, err := parseKafkaErr(s.Error)
		if err != nil {
			return f, err
		}
		f.Err = e
	}
	return f, nil
}

// clientIs matches requests sent by client. kfake calls When once per entity
// of a request (each partition of a produce), always on its one loop, so
// the last request's answer is kept rather than hashed again.
func clientIs(client string, clientOf func(kmsg.Request) string) func(kmsg.Request) bool {
	var last kmsg.Request
	var match bool
	return func(req kmsg.Request) bool {
		if req != last {
			last, match = req, clientMatches(clientOf(req), client)
		}
		return match
	}
}

// normName folds "JoinGroup", "join_group" and "JOIN-GROUP" together.
func normName(s string) string {
	return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(s)))
}

var keyByName = func() map[string]kmsg.Key {
	m := map[string]kmsg.Key{}
	for k := int16(0); k < 1000; k++ {
		if n := kmsg.NameForKey(k); n != "Unknown" {
			m[normName(n)] = kmsg.Key(k)
		}
	}
	return m
}()

func parseKey(raw json.RawMessage) (kmsg.Key, error) {
	var n int16
	if err := json.Unmarshal(raw, &n); err == nil {
		if kmsg.NameForKey(n) == "Unknown" {
			return 0, fmt.Errorf("unknown request key %d", n)
		}
		return kmsg.Key(n), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("request key %s: want a name or a number", raw)
	}
	if k, ok := keyByName[normName(s)]; ok {
		return k, nil
	}
	if n, err := strconv.ParseInt(s, 10, 16); err == nil && kmsg.NameForKey(int16(n)) != "Unknown" {
		return kmsg.Key(n), nil
	}
	return 0, fmt.Errorf("unknown request key %q", s)
}

var errByName = func() map[string]*kerr.Error {
	m := map[string]*kerr.Error{}
	for c := int16(-1); c < 1000; c++ {
		if e := kerr.TypedErrorForCode(c); e != nil && e.Code == c {
			m[normName(e.Message)] = e
		}
	}
	// Kafka renamed NOT_LEADER_FOR_PARTITION (code 6) in 2.x; kerr keeps
	// the old name.
	m[normName("NOT_LEADER_OR_FOLLOWER")] = kerr.NotLeaderForPartition
	return m
}()

func parseKafkaErr(raw json.RawMessage) (*kerr.Error, error) {
	var code int16
	if err := json.Unmarshal(raw, &code); err == nil {
		e := kerr.TypedErrorForCode(code)
		if e == nil || e.Code != code {
			return nil, fmt.Errorf("unknown or zero Kafka error code %d", code)
		}
		return e, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("error %s: want a Kafka error name or code", raw)
	}
	if e, ok := errByName[normName(s)]; ok {
		return e, nil
	}
	if n, err := strconv.ParseInt(s, 10, 16); err == nil {
		return parseKafkaErr(json.RawMessage(strconv.Itoa(int(n))))
	}
	return nil, fmt.Errorf("unknown Kafka error %q", s)
}

// auditLog serves the audit's entries after ?since= (default: all).
func (a *controlAPI) auditLog(w http.ResponseWriter, r *http.Request) {
	since := int64(0)
	if s := r.URL.Query().Get("since"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			writeErr(w, http.StatusBadRequest, fmt.Errorf("since %q: want a sequence number >= 0", s))
			return
		}
		since = n
	}
	writeJSON(w, http.StatusOK, a.audit.view(since))
}
