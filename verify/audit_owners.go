package verify

import (
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// holding is one member's hold on a posts partition, from an accepted
// assignment.
type holding struct {
	member, client string // member id; client id (the worker), or "member <id>" when the client sent none
	gen            int32  // generation (classic) or member epoch (KIP-848)
	since          time.Time
}

// owners replays the audit's accepted assignments, in the broker's order,
// into who holds each posts partition of each group: a classic assignment
// (the leader's SyncGroup the coordinator accepted) replaces its group's
// whole ownership at its generation; a KIP-848 heartbeat answer replaces
// one member's set and takes its partitions from any other member.
// released, when set, hears of every hold that ends; given of every hold
// that begins. Not safe for concurrent use.
type owners struct {
	byGroup  map[string]map[int32]holding
	applied  int
	released func(hd holding, p int32, at time.Time)
	given    func(client string, p int32)
}

func (o *owners) apply(e history.AuditEntry) {
	o.applied++
	if o.byGroup == nil {
		o.byGroup = map[string]map[int32]holding{}
	}
	g := o.byGroup[e.Group]
	if g == nil {
		g = map[int32]holding{}
		o.byGroup[e.Group] = g
	}
	release := func(hd holding, p int32) {
		if o.released != nil {
			o.released(hd, p, e.At)
		}
		delete(g, p)
	}
	if e.Protocol != "consumer" { // classic: the new generation replaces all
		for p, hd := range g {
			release(hd, p)
		}
	} else {
		for _, m := range e.Assignments { // consumer: this member's set replaces its own
			for p, hd := range g {
				if hd.member == m.MemberID {
					release(hd, p)
				}
			}
		}
	}
	for _, m := range e.Assignments {
		client := m.ClientID
		if client == "" {
			client = "member " + m.MemberID
		}
		for _, p := range m.Partitions[postsTopic] {
			if hd, ok := g[p]; ok {
				release(hd, p)
			}
			g[p] = holding{m.MemberID, client, e.Generation, e.At}
			if o.given != nil {
				o.given(client, p)
			}
		}
	}
}

// holdersOf returns every group's hold on partition p, by group name.
func (o *owners) holdersOf(p int32) map[string]holding {
	out := map[string]holding{}
	for g, ps := range o.byGroup {
		if hd, ok := ps[p]; ok {
			out[g] = hd
		}
	}
	return out
}

// acceptedAssignments returns the audit's accepted assignments in order.
func acceptedAssignments(es []history.AuditEntry) []history.AuditEntry {
	var asg []history.AuditEntry
	for _, e := range es {
		if e.Kind == history.AuditAssignment && e.Outcome == history.OutcomeAccepted {
			asg = append(asg, e)
		}
	}
	return asg
}

// sortedGroups returns the keys of m in order.
func sortedGroups(m map[string]holding) []string {
	gs := make([]string, 0, len(m))
	for g := range m {
		gs = append(gs, g)
	}
	sort.Strings(gs)
	return gs
}
