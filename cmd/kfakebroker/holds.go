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
	"time"
)

// Holds delay one client's requests of some kinds: the connection that
// reads such a request hands it to the broker only after the hold, so the
// request (and every later one on that connection, which Kafka answers in
// order) is served late but served. This is a broker that is slow for one
// client's commits — the window in which a consumer that commits
// asynchronously has acknowledged work not yet committed.
//
//	GET    /holds          200 [{"id":..,"hits":..,"spec":{..}}]
//	POST   /holds          201 {"id":"1","hits":0}  body: holdSpec
//	DELETE /holds/{id}     200 {"id":"1","hits":N}, 404 if unknown
//
// A request is held once, by the first matching hold; removing a hold
// releases the requests it holds at once. hits counts the matching
// requests; the wait is per read of the connection, so requests that
// arrive in one read (pipelined) are held together, once.
type holdSpec struct {
	// Keys names request kinds by name or number; required.
	Keys []json.RawMessage `json:"keys"`
	// Client is the client id, or its prefix followed by "-" (a worker
	// "w1" and its producer "w1-producer"); required.
	Client string `json:"client"`
	// HoldMS is how long each request is held, in milliseconds (> 0).
	HoldMS int `json:"hold_ms"`
}

type hold struct {
	id      string
	spec    holdSpec
	keys    []int16
	d       time.Duration
	removed chan struct{}
	hits    int64 // guarded by holds.mu
}

type holds struct {
	mu     sync.Mutex
	nextID int
	all    []*hold // in the order added
}

// match returns the hold for a request of key from client, counting it, or
// nil.
func (hs *holds) match(key int16, client string) *hold {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for _, h := range hs.all {
		if !clientMatches(client, h.spec.Client) {
			continue
		}
		for _, k := range h.keys {
			if k == key {
				h.hits++
				return h
			}
		}
	}
	return nil
}

// wait blocks for the hold's duration, or until it is removed.
func (h *hold) wait() {
	t := time.NewTimer(h.d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-h.removed:
	}
}

// clientMatches reports whether id is client or client + "-" and more.
func clientMatches(id, client string) bool {
	return id == client || strings.HasPrefix(id, client+"-")
}

func (hs *holds) add(spec holdSpec) (*hold, error) {
	if spec.Client == "" {
		return nil, errors.New("hold: client is required")
	}
	if spec.HoldMS <= 0 {
		return nil, fmt.Errorf("hold: hold_ms %d: want > 0", spec.HoldMS)
	}
	if len(spec.Keys) == 0 {
		return nil, errors.New("hold: keys are required")
	}
	h := &hold{spec: spec, d: time.Duration(spec.HoldMS) * time.Millisecond, removed: make(chan struct{})}
	for _, raw := range spec.Keys {
		k, err := parseKey(raw)
		if err != nil {
			return nil, err
		}
		h.keys = append(h.keys, int16(k))
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	hs.nextID++
	h.id = strconv.Itoa(hs.nextID)
	hs.all = append(hs.all, h)
	return h, nil
}

func (hs *holds) remove(id string) (int64, bool) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for i, h := range hs.all {
		if h.id == id {
			hs.all = append(hs.all[:i:i], hs.all[i+1:]...)
			close(h.removed)
			return h.hits, true
		}
	}
	return 0, false
}

func (hs *holds) removeAll() {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for _, h := range hs.all {
		close(h.removed)
	}
	hs.all = nil
}

func (hs *holds) list() []map[string]any {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	out := make([]map[string]any, 0, len(hs.all))
	for _, h := range hs.all {
		out = append(out, map[string]any{"id": h.id, "hits": h.hits, "spec": h.spec})
	}
	sort.Slice(out, func(i, j int) bool {
		x, _ := strconv.Atoi(out[i]["id"].(string))
		y, _ := strconv.Atoi(out[j]["id"].(string))
		return x < y
	})
	return out
}

func (a *controlAPI) listHolds(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.audit.holds.list())
}

func (a *controlAPI) addHold(w http.ResponseWriter, r *http.Request) {
	var spec holdSpec
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf("bad hold JSON: %w", err))
		return
	}
	h, err := a.audit.holds.add(spec)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": h.id, "hits": 0})
}

func (a *controlAPI) deleteHold(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	hits, ok := a.audit.holds.remove(id)
	if !ok {
		writeErr(w, http.StatusNotFound, fmt.Errorf("no hold %q", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "hits": hits})
}
