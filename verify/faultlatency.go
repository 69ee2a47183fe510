package verify

import (
	"sort"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
)

// Fault latency phases.
const (
	PhaseDuring = "during" // from the fault's inject to its heal (or the end)
	PhaseAfter  = "after"  // from the heal to the end
)

// PhaseLatency is the feed-update latency of the partitions one fault
// affected, over one phase of it.
type PhaseLatency struct {
	Fault      string           `json:"fault"`
	Target     string           `json:"target,omitempty"`
	Phase      string           `json:"phase"`      // PhaseDuring or PhaseAfter
	Partitions []int32          `json:"partitions"` // the affected source partitions
	From, To   time.Time        `json:"-"`
	Latency    PartitionLatency `json:"latency"` // of those partitions together (Partition -1)
}

// FaultLatencies measures, for every fault injected in h (each inject
// mark, in time order), the feed-update latency of the partitions it
// affected during the fault (posts stamped from the inject to the fault's
// next heal mark, or to h.End when it was not healed before the history
// was taken) and after it (from the heal to h.End; only when healed). The
// affected partitions are those the target owned in the last valid group
// snapshot at or before the inject; a target that owned nothing then, or
// names no member (the broker, a link shared by all), affects every
// partition of the posts topic. A target naming several workers
// ("w1,w2" or "w1+w2") affects the partitions of each. Latencies are
// measured as Latencies does (never-seen updates count until h.End when g
// is given).
func FaultLatencies(h history.History, g *graph.Graph) []PhaseLatency {
	marks := append([]history.FaultMark(nil), h.Faults...)
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].At.Before(marks[j].At) })
	snaps := validSnapshots(h)
	var out []PhaseLatency
	for i, m := range marks {
		if m.Phase != history.PhaseInject {
			continue
		}
		var heal time.Time
		for _, n := range marks[i+1:] {
			if n.Phase == history.PhaseHeal && n.Fault == m.Fault && n.Target == m.Target {
				heal = n.At
				break
			}
		}
		parts := affected(snaps, m.Target, m.At, h.Partitions)
		sub := onPartitions(h, parts)
		during := PhaseLatency{Fault: m.Fault, Target: m.Target, Phase: PhaseDuring, Partitions: parts, From: m.At, To: heal}
		if heal.IsZero() {
			during.To = h.End
		}
		during.Latency = Latencies(sub, g, during.From, during.To).All
		out = append(out, during)
		if !heal.IsZero() {
			after := PhaseLatency{Fault: m.Fault, Target: m.Target, Phase: PhaseAfter, Partitions: parts, From: heal, To: h.End}
			after.Latency = Latencies(sub, g, after.From, after.To).All
			out = append(out, after)
		}
	}
	return out
}

// affected returns the partitions the target's workers owned in the last
// snapshot of snaps (validSnapshots) at or before t, or all n partitions
// when they owned none.
func affected(snaps []history.GroupSnapshot, target string, t time.Time, n int32) []int32 {
	names := strings.FieldsFunc(target, func(r rune) bool { return r == ',' || r == '+' || r == ' ' })
	last, ok := snapshotAt(snaps, t)
	var out []int32
	if ok {
		for _, m := range last.Members {
			for _, name := range names {
				if isMember(m, name) {
					out = append(out, m.Partitions...)
				}
			}
		}
	}
	if len(out) == 0 {
		return AllPartitions(n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// onPartitions returns h with only the posts of the given partitions.
func onPartitions(h history.History, parts []int32) history.History {
	keep := map[int32]bool{}
	for _, p := range parts {
		keep[p] = true
	}
	posts := make([]history.PostAck, 0, len(h.Posts))
	for _, a := range h.Posts {
		if keep[a.Partition] {
			posts = append(posts, a)
		}
	}
	h.Posts = posts
	return h
}
