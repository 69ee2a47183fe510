// Package timeline turns a recorded history.History into what a person reads
// after a chaos spec: one event model for every source (faults, worker
// lifecycle, group snapshots, lag, producer and verifier throughput,
// verdicts, notes), on one clock (time since History.Start), written as
// JSONL, as an aligned plain-text timeline and as a self-contained HTML page
// with a swimlane per worker.
//
// The JSONL file is the source of truth: it holds everything the text and
// HTML renderings need, so `go run ./cmd/timeline` can re-render a page from
// a timeline.jsonl alone. All functions are pure and safe for concurrent use
// on distinct arguments.
package timeline

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Event sources.
const (
	SourceFault    = "fault"
	SourceWorker   = "worker"
	SourceGroup    = "group"
	SourceLag      = "lag"
	SourceProducer = "producer"
	SourceVerifier = "verifier"
	SourceVerdict  = "verdict"
	SourceNote     = "note"
	SourceMeta     = "meta" // only the JSONL header line
)

// Event kinds that are not a fault phase or a worker lifecycle event name
// (those pass through verbatim: inject/bit/heal, started/assigned/...).
const (
	KindSnapshot  = "snapshot"  // group membership, assignment or state changed
	KindRebalance = "rebalance" // group generation changed
	KindError     = "error"     // the observer could not describe the group
	KindSample    = "sample"    // lag, at most one per second
	KindProgress  = "progress"  // producer / verifier counts for one second
	KindLatency   = "latency"   // p99 feed-update latency per source partition of the posts stamped in one second
	KindPass      = "pass"
	KindFail      = "fail"
	KindNote      = "note"
)

// Event is one thing that happened, from any source, on one clock.
//
// Fields by source (numbers come back as float64 after a JSONL round trip;
// use the Int/Str/... accessors, which accept both):
//
//	fault:    fault, target, seed, detail
//	worker:   offsets (partition -> next offset, string keys), error
//	group:    generation, prev_generation, state, members, assignment
//	          (worker -> partitions, the whole group), joined, left, changed
//	          (workers whose assignment changed); error for kind "error"
//	lag:      total, max_partition, partitions (partition -> lag, string keys)
//	producer: acked (this second), total
//	verifier: updates, dead_letters (this second), total_updates, total_dead_letters
//	verdict:  check, class, message, measured, bound (ns), first_t (ns since start)
type Event struct {
	T          time.Duration  `json:"t"` // since History.Start, nanoseconds in JSON
	At         time.Time      `json:"at"`
	Source     string         `json:"source"`
	Kind       string         `json:"kind"`
	Worker     string         `json:"worker,omitempty"`
	Partitions []int32        `json:"partitions,omitempty"`
	Text       string         `json:"text"`
	Fields     map[string]any `json:"fields,omitempty"`
}

// FromHistory converts h into events sorted by T (stable: events at the same
// instant keep the order notes, faults, group, worker, lag, producer,
// verifier, verdicts). Group snapshots become an event only when the
// generation, state, membership or assignment changed (a run of failed polls
// becomes one "error" event); lag becomes at most one "sample" per second
// (the largest total lag of that second); posts, updates and dead letters
// become one "progress" event per second that had any.
func FromHistory(h history.History) []Event {
	start := h.Start
	rel := func(t time.Time) time.Duration {
		if t.IsZero() {
			return 0
		}
		return t.Sub(start)
	}
	workers := map[string]bool{}
	for _, e := range h.Events {
		workers[e.Worker] = true
	}
	for _, s := range h.Snapshots {
		for _, m := range s.Members {
			workers[m.Worker] = true
		}
	}

	var out []Event
	for _, n := range h.Notes {
		out = append(out, Event{T: rel(n.At), At: n.At, Source: SourceNote, Kind: KindNote, Text: n.Text})
	}
	for _, f := range h.Faults {
		out = append(out, faultEvent(f, rel(f.At), workers[f.Target]))
	}
	out = append(out, groupEvents(h.Snapshots, rel)...)
	for _, we := range h.Events {
		out = append(out, workerEvent(we, rel(we.TS)))
	}
	out = append(out, lagEvents(h.Lag, rel)...)
	out = append(out, progressEvents(h, rel)...)
	out = append(out, auditEvents(h.Audit, rel)...)
	out = append(out, latencyEvents(h, rel)...)
	for _, v := range h.Verdicts {
		at := v.At
		if at.IsZero() {
			at = h.End
		}
		out = append(out, verdictEvent(v, rel(at), at, rel))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].T < out[j].T })
	return out
}

func faultEvent(f history.FaultMark, t time.Duration, targetIsWorker bool) Event {
	e := Event{T: t, At: f.At, Source: SourceFault, Kind: f.Phase, Fields: map[string]any{"fault": f.Fault}}
	if f.Target != "" {
		e.Fields["target"] = f.Target
		if targetIsWorker {
			e.Worker = f.Target
		}
	}
	if f.Seed != 0 {
		e.Fields["seed"] = f.Seed
	}
	if f.Detail != "" {
		e.Fields["detail"] = f.Detail
	}
	var b strings.Builder
	b.WriteString(f.Fault)
	if f.Target != "" && !targetIsWorker {
		b.WriteString(" on " + f.Target)
	}
	if f.Detail != "" {
		b.WriteString(": " + f.Detail)
	}
	if f.Seed != 0 {
		fmt.Fprintf(&b, " (seed %d)", f.Seed)
	}
	e.Text = b.String()
	return e
}

func workerEvent(we history.WorkerEvent, t time.Duration) Event {
	e := Event{T: t, At: we.TS, Source: SourceWorker, Kind: we.Event, Worker: we.Worker,
		Partitions: sortedCopy(we.Partitions)}
	var b strings.Builder
	b.WriteString(we.Event)
	if len(e.Partitions) > 0 {
		b.WriteString(" " + fmtParts(e.Partitions))
	}
	if len(we.Offsets) > 0 {
		offs := make(map[string]int64, len(we.Offsets))
		ps := make([]int32, 0, len(we.Offsets))
		for p, o := range we.Offsets {
			offs[strconv.Itoa(int(p))] = o
			ps = append(ps, p)
		}
		sortInt32(ps)
		if len(e.Partitions) == 0 {
			e.Partitions = ps
		}
		e.Fields = map[string]any{"offsets": offs}
		b.WriteString(" offsets")
		for i, p := range ps {
			if i == 8 {
				fmt.Fprintf(&b, " …(+%d)", len(ps)-i)
				break
			}
			fmt.Fprintf(&b, " p%d=%d", p, we.Offsets[p])
		}
	}
	if we.Error != "" {
		if e.Fields == nil {
			e.Fields = map[string]any{}
		}
		e.Fields["error"] = we.Error
		b.WriteString(": " + we.Error)
	}
	e.Text = b.String()
	return e
}

// groupState is one snapshot reduced to what we compare.
type groupState struct {
	gen    int32
	state  string
	assign map[string][]int32
}

func (g groupState) equal(o groupState) bool {
	if g.gen != o.gen || g.state != o.state || len(g.assign) != len(o.assign) {
		return false
	}
	for w, ps := range g.assign {
		ops, ok := o.assign[w]
		if !ok || len(ops) != len(ps) {
			return false
		}
		for i := range ps {
			if ps[i] != ops[i] {
				return false
			}
		}
	}
	return true
}

func groupEvents(snaps []history.GroupSnapshot, rel func(time.Time) time.Duration) []Event {
	var out []Event
	var prev groupState
	have, inError := false, false
	for _, s := range snaps {
		if s.Err != "" {
			if !inError {
				out = append(out, Event{T: rel(s.At), At: s.At, Source: SourceGroup, Kind: KindError,
					Text: "group not described: " + s.Err, Fields: map[string]any{"error": s.Err}})
			}
			inError = true
			continue
		}
		inError = false
		cur := groupState{gen: s.Generation, state: s.State, assign: make(map[string][]int32, len(s.Members))}
		for _, m := range s.Members {
			// A worker that appears twice (a zombie and its successor) keeps
			// both sets of partitions.
			cur.assign[m.Worker] = sortedCopy(append(cur.assign[m.Worker], m.Partitions...))
		}
		if have && cur.equal(prev) {
			continue
		}
		out = append(out, groupEvent(s, rel(s.At), cur, prev, have))
		prev, have = cur, true
	}
	return out
}

// rebalancing reports whether a group state is a rebalance in progress.
func rebalancing(state string) bool {
	switch state {
	case "PreparingRebalance", "CompletingRebalance", "Assigning", "Reconciling":
		return true
	}
	return false
}

// groupEvent describes a changed snapshot. It is a rebalance when the group
// enters a rebalancing state, or when the generation or the assignment
// changed without the start of that rebalance having been seen (brokers
// that keep generation 0, as the embedded one does, still show every
// rebalance).
func groupEvent(s history.GroupSnapshot, t time.Duration, cur, prev groupState, havePrev bool) Event {
	kind := KindSnapshot
	genChanged := havePrev && cur.gen != prev.gen
	assignChanged := havePrev && !(groupState{assign: cur.assign}).equal(groupState{assign: prev.assign})
	if havePrev && !rebalancing(prev.state) && (genChanged || assignChanged || rebalancing(cur.state)) {
		kind = KindRebalance
	}
	var joined, left, changed []string
	moved := map[int32]bool{}
	for w, ps := range cur.assign {
		ops, ok := prev.assign[w]
		if !ok {
			joined = append(joined, w)
		}
		if !equalInt32(ps, ops) {
			changed = append(changed, w)
			for _, p := range symDiff(ps, ops) {
				moved[p] = true
			}
		}
	}
	for w, ops := range prev.assign {
		if _, ok := cur.assign[w]; !ok {
			left = append(left, w)
			changed = append(changed, w)
			for _, p := range ops {
				moved[p] = true
			}
		}
	}
	sortNatural(joined)
	sortNatural(left)
	sortNatural(changed)
	parts := make([]int32, 0, len(moved))
	for p := range moved {
		parts = append(parts, p)
	}
	sortInt32(parts)
	total := 0
	for _, ps := range cur.assign {
		total += len(ps)
	}
	fields := map[string]any{
		"generation": cur.gen,
		"state":      cur.state,
		"members":    len(cur.assign),
		"assignment": cur.assign,
	}
	var b strings.Builder
	switch {
	case kind == KindRebalance && rebalancing(cur.state):
		b.WriteString("rebalance started: ")
	case kind == KindRebalance && !genChanged:
		b.WriteString("rebalance: ")
	}
	if genChanged {
		fields["prev_generation"] = prev.gen
		fmt.Fprintf(&b, "generation %d→%d", prev.gen, cur.gen)
	} else {
		fmt.Fprintf(&b, "generation %d", cur.gen)
	}
	fmt.Fprintf(&b, " %s, %d members, %d partitions assigned", cur.state, len(cur.assign), total)
	if len(joined) > 0 {
		fields["joined"] = joined
		b.WriteString("; joined " + fmtNames(joined))
	}
	if len(left) > 0 {
		fields["left"] = left
		b.WriteString("; left " + fmtNames(left))
	}
	if len(changed) > 0 {
		fields["changed"] = changed
		if havePrev {
			n := 0
			for _, w := range changed {
				if _, ok := cur.assign[w]; !ok {
					continue
				}
				if n == 6 {
					b.WriteString(" …")
					break
				}
				add := setMinus(cur.assign[w], prev.assign[w])
				del := setMinus(prev.assign[w], cur.assign[w])
				b.WriteString("; " + w)
				if len(add) > 0 {
					b.WriteString(" +" + fmtParts(add))
				}
				if len(del) > 0 {
					b.WriteString(" -" + fmtParts(del))
				}
				n++
			}
		}
	}
	return Event{T: t, At: s.At, Source: SourceGroup, Kind: kind, Partitions: parts, Text: b.String(), Fields: fields}
}

func lagEvents(samples []history.LagSample, rel func(time.Time) time.Duration) []Event {
	var out []Event
	var best history.LagSample
	var bestTotal int64
	bucket, n := int64(0), 0
	flush := func() {
		if n == 0 {
			return
		}
		per := make(map[string]int64, len(best.End))
		var maxP int32 = -1
		var maxL int64 = -1
		for p, end := range best.End {
			c := best.Committed[p]
			if c < 0 {
				c = 0
			}
			l := end - c
			if l < 0 {
				l = 0
			}
			per[strconv.Itoa(int(p))] = l
			if l > maxL || (l == maxL && p < maxP) {
				maxL, maxP = l, p
			}
		}
		text := fmt.Sprintf("total lag %d", bestTotal)
		if maxP >= 0 && maxL > 0 {
			text += fmt.Sprintf(" (most on p%d: %d)", maxP, maxL)
		}
		out = append(out, Event{T: rel(best.At), At: best.At, Source: SourceLag, Kind: KindSample, Text: text,
			Fields: map[string]any{"total": bestTotal, "max_partition": maxP, "partitions": per, "samples": n}})
		n = 0
	}
	for _, s := range samples {
		b := secondOf(rel(s.At))
		if n > 0 && b != bucket {
			flush()
		}
		bucket = b
		tot := s.Lag()
		if n == 0 || tot > bestTotal {
			best, bestTotal = s, tot
		}
		n++
	}
	flush()
	return out
}

func secondOf(d time.Duration) int64 {
	s := int64(d / time.Second)
	if d < 0 && d%time.Second != 0 {
		s--
	}
	return s
}

// latencyEvents returns one event per second of post record timestamps:
// the p99 end-to-end latency (update record timestamp minus post record
// timestamp, the first copy of each update; see verify.Latencies) of the
// updates of the posts stamped in that second, per source partition, in
// whole milliseconds (field "partitions": partition -> ms), and the worst
// partition ("worst_partition", "worst_ms"). Seconds with no timed update
// have no event; records without timestamps are left out.
func latencyEvents(h history.History, rel func(time.Time) time.Duration) []Event {
	type key struct {
		post     string
		follower int
	}
	posts := map[string]history.PostAck{}
	for _, a := range h.Posts {
		if !a.Timestamp.IsZero() {
			posts[a.PostID] = a
		}
	}
	first := map[key]time.Time{}
	for _, u := range h.Updates {
		if _, ok := posts[u.PostID]; !ok || u.Timestamp.IsZero() {
			continue
		}
		k := key{u.PostID, u.Follower}
		if t, ok := first[k]; !ok || u.Timestamp.Before(t) {
			first[k] = u.Timestamp
		}
	}
	type bucket struct {
		sec  int64
		part int32
	}
	lat := map[bucket][]time.Duration{}
	secs := map[int64]int{}
	for k, t := range first {
		a := posts[k.post]
		b := bucket{secondOf(rel(a.Timestamp)), a.Partition}
		lat[b] = append(lat[b], t.Sub(a.Timestamp))
		secs[b.sec] = 0
	}
	parts := map[int64][]int32{}
	for b := range lat {
		parts[b.sec] = append(parts[b.sec], b.part)
	}
	var out []Event
	for _, s := range sortedKeys(secs) {
		ps := parts[s]
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
		per := make(map[string]int64, len(ps))
		worstP, worst := int32(-1), int64(-1)
		for _, p := range ps {
			ds := lat[bucket{s, p}]
			sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
			i := (99*len(ds)+99)/100 - 1
			ms := ds[i].Milliseconds()
			per[strconv.Itoa(int(p))] = ms
			if ms > worst {
				worstP, worst = p, ms
			}
		}
		out = append(out, Event{T: time.Duration(s) * time.Second, At: h.Start.Add(time.Duration(s) * time.Second),
			Source: SourceVerifier, Kind: KindLatency,
			Text:   fmt.Sprintf("p99 feed latency of the posts stamped in this second: worst p%d %d ms, over %d partitions", worstP, worst, len(ps)),
			Fields: map[string]any{"partitions": per, "worst_partition": worstP, "worst_ms": worst}})
	}
	return out
}

func progressEvents(h history.History, rel func(time.Time) time.Duration) []Event {
	var out []Event
	posts := map[int64]int{}
	for _, p := range h.Posts {
		posts[secondOf(rel(p.At))]++
	}
	var total int
	for _, s := range sortedKeys(posts) {
		n := posts[s]
		total += n
		at := h.Start.Add(time.Duration(s) * time.Second)
		out = append(out, Event{T: time.Duration(s) * time.Second, At: at, Source: SourceProducer, Kind: KindProgress,
			Text:   fmt.Sprintf("%d posts acked/s (total %d)", n, total),
			Fields: map[string]any{"acked": n, "total": total}})
	}
	ups, dls := map[int64]int{}, map[int64]int{}
	for _, u := range h.Updates {
		ups[secondOf(rel(u.At))]++
	}
	for _, d := range h.DeadLetters {
		dls[secondOf(rel(d.At))]++
	}
	secs := map[int64]int{}
	for s := range ups {
		secs[s] = 0
	}
	for s := range dls {
		secs[s] = 0
	}
	var tu, td int
	for _, s := range sortedKeys(secs) {
		u, d := ups[s], dls[s]
		tu += u
		td += d
		text := fmt.Sprintf("%d feed updates seen/s (total %d)", u, tu)
		if d > 0 || td > 0 {
			text += fmt.Sprintf(", %d dead letters/s (total %d)", d, td)
		}
		out = append(out, Event{T: time.Duration(s) * time.Second, At: h.Start.Add(time.Duration(s) * time.Second),
			Source: SourceVerifier, Kind: KindProgress, Text: text,
			Fields: map[string]any{"updates": u, "dead_letters": d, "total_updates": tu, "total_dead_letters": td}})
	}
	return out
}

func verdictEvent(v history.Verdict, t time.Duration, at time.Time, rel func(time.Time) time.Duration) Event {
	kind := KindPass
	if !v.Pass {
		kind = KindFail
	}
	f := map[string]any{"check": v.Check, "message": v.Message}
	var b strings.Builder
	b.WriteString(v.Check)
	if v.Class != "" {
		f["class"] = v.Class
		b.WriteString(" [" + v.Class + "]")
	}
	if v.Measured != 0 || v.Bound != 0 {
		f["measured"] = int64(v.Measured)
		f["bound"] = int64(v.Bound)
		fmt.Fprintf(&b, " measured %v bound %v", v.Measured, v.Bound)
	}
	if !v.FirstAt.IsZero() {
		f["first_t"] = int64(rel(v.FirstAt))
		fmt.Fprintf(&b, " first at %s", FormatT(rel(v.FirstAt)))
	}
	if v.Message != "" {
		b.WriteString(": " + firstLine(v.Message))
	}
	return Event{T: t, At: at, Source: SourceVerdict, Kind: kind, Text: b.String(), Fields: f}
}

// ---- field accessors (work on fresh events and on events read from JSONL)

// Int returns the integer field key of e.
func (e Event) Int(key string) (int64, bool) {
	switch v := e.Fields[key].(type) {
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case float64:
		return int64(v), true
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	}
	return 0, false
}

// Str returns the string field key of e ("" if absent).
func (e Event) Str(key string) string {
	s, _ := e.Fields[key].(string)
	return s
}

// decodeField converts field key of e into dst, whatever its dynamic type
// (native after FromHistory, generic after ReadJSONL).
func decodeField(e Event, key string, dst any) bool {
	v, ok := e.Fields[key]
	if !ok || v == nil {
		return false
	}
	switch d := dst.(type) {
	case *map[string][]int32:
		if m, ok := v.(map[string][]int32); ok {
			*d = m
			return true
		}
	case *map[string]int64:
		if m, ok := v.(map[string]int64); ok {
			*d = m
			return true
		}
	case *[]string:
		if m, ok := v.([]string); ok {
			*d = m
			return true
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	return json.Unmarshal(b, dst) == nil
}

// Assignment returns the whole group's assignment carried by a group
// snapshot/rebalance event.
func (e Event) Assignment() (map[string][]int32, bool) {
	var m map[string][]int32
	ok := decodeField(e, "assignment", &m)
	return m, ok
}

// Duration returns a nanosecond field (measured, bound, first_t) of e.
func (e Event) Duration(key string) (time.Duration, bool) {
	n, ok := e.Int(key)
	return time.Duration(n), ok
}

// ---- small helpers

// FormatT formats a timeline offset as "+12.345s".
func FormatT(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%.3fs", sign, d.Seconds())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func sortedCopy(ps []int32) []int32 {
	if len(ps) == 0 {
		return nil
	}
	c := append([]int32(nil), ps...)
	sortInt32(c)
	// drop duplicates
	out := c[:1]
	for _, p := range c[1:] {
		if p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	return out
}

func sortInt32(ps []int32) { sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] }) }

func sortedKeys(m map[int64]int) []int64 {
	ks := make([]int64, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	return ks
}

func equalInt32(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// setMinus returns the elements of sorted a not in sorted b.
func setMinus(a, b []int32) []int32 {
	var out []int32
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			continue
		}
		out = append(out, x)
	}
	return out
}

func symDiff(a, b []int32) []int32 { return append(setMinus(a, b), setMinus(b, a)...) }

// fmtParts formats partitions compactly: [0-3 7 9-10].
func fmtParts(ps []int32) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j+1] == ps[j]+1 {
			j++
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if j > i+1 {
			fmt.Fprintf(&b, "%d-%d", ps[i], ps[j])
			i = j + 1
			continue
		}
		fmt.Fprintf(&b, "%d", ps[i])
		i++
	}
	b.WriteByte(']')
	return b.String()
}

func fmtNames(ns []string) string {
	if len(ns) > 8 {
		return strings.Join(ns[:8], ",") + fmt.Sprintf(",…(+%d)", len(ns)-8)
	}
	return strings.Join(ns, ",")
}

// lessNatural orders "w2" before "w10".
func lessNatural(a, b string) bool {
	for a != "" && b != "" {
		ca, cb := chunk(a), chunk(b)
		a, b = a[len(ca):], b[len(cb):]
		if ca == cb {
			continue
		}
		if isDigit(ca[0]) && isDigit(cb[0]) {
			ta, tb := strings.TrimLeft(ca, "0"), strings.TrimLeft(cb, "0")
			if len(ta) != len(tb) {
				return len(ta) < len(tb)
			}
			if ta != tb {
				return ta < tb
			}
			return len(ca) < len(cb)
		}
		return ca < cb
	}
	return len(a) < len(b)
}

func chunk(s string) string {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func sortNatural(ns []string) {
	sort.Slice(ns, func(i, j int) bool { return lessNatural(ns[i], ns[j]) })
}
