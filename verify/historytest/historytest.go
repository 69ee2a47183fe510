// Package historytest builds small history.History values by hand for unit
// tests of the checkers, the timeline and the suites' self-tests. Times are
// given as offsets from a fixed start (T0), so tests read in "+2s" terms and
// never sleep.
//
//	h := historytest.New(3).
//		Snapshot(1*time.Second, "Stable", 1, historytest.M("w1", 0, 1), historytest.M("w2", 2)).
//		Post(2*time.Second, "p1", 7, 0, 0).
//		History()
package historytest

import (
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
)

// T0 is the Start of every built history.
var T0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// At returns T0 + d.
func At(d time.Duration) time.Time { return T0.Add(d) }

// Builder accumulates a History. Methods append in call order and return
// the builder for chaining. It is not safe for concurrent use.
type Builder struct {
	h   history.History
	seq int64 // last audit Seq given
}

// New starts a history with the given partition count of the posts topic.
func New(partitions int32) *Builder {
	return &Builder{h: history.History{Suite: "test", Spec: "test", Start: T0, Partitions: partitions}}
}

// History returns the built history; End is the latest time recorded (or T0).
func (b *Builder) History() history.History {
	h := b.h
	h.End = T0
	bump := func(t time.Time) {
		if t.After(h.End) {
			h.End = t
		}
	}
	for _, x := range h.Posts {
		bump(x.At)
	}
	for _, x := range h.Audit.Entries {
		bump(x.At)
	}
	for _, x := range h.Updates {
		bump(x.At)
	}
	for _, x := range h.Snapshots {
		bump(x.At)
	}
	for _, x := range h.Lag {
		bump(x.At)
	}
	for _, x := range h.Events {
		bump(x.TS)
	}
	for _, x := range h.Faults {
		bump(x.At)
	}
	return h
}

// Post records an acked post; its record timestamp is its ack time.
func (b *Builder) Post(at time.Duration, id string, author int, partition int32, offset int64) *Builder {
	b.h.Posts = append(b.h.Posts, history.PostAck{At: At(at), PostID: id, Author: author, Partition: partition, Offset: offset, Timestamp: At(at)})
	return b
}

// Update records one feed update seen, claiming the given source; its
// record timestamp is the time it was seen (so its latency is at minus its
// post's at).
func (b *Builder) Update(at time.Duration, id string, follower int, worker string, partition int32, offset int64) *Builder {
	b.h.Updates = append(b.h.Updates, history.UpdateSeen{At: At(at), PostID: id, Follower: follower, Worker: worker, SourcePartition: partition, SourceOffset: offset, Timestamp: At(at)})
	return b
}

// FanOut records, at time at, the updates for every follower in g of every
// post acked so far that has no update yet (the perfect worker), except
// the (post, follower) pairs skip names. Posts of unknown authors are left
// alone (use DeadLetter).
func (b *Builder) FanOut(at time.Duration, g *graph.Graph, worker string, skip ...Pair) *Builder {
	done := map[Pair]bool{}
	for _, u := range b.h.Updates {
		done[Pair{u.PostID, u.Follower}] = true
	}
	sk := map[Pair]bool{}
	for _, s := range skip {
		sk[s] = true
	}
	for _, p := range b.h.Posts {
		fs, _ := g.Followers(p.Author)
		for _, f := range fs {
			k := Pair{p.PostID, f}
			if done[k] || sk[k] {
				continue
			}
			done[k] = true
			b.Update(at, p.PostID, f, worker, p.Partition, p.Offset)
		}
	}
	return b
}

// Pair names one feed update: a post and a follower.
type Pair struct {
	Post     string
	Follower int
}

// DeadLetter records a dead letter for the record at partition/offset.
func (b *Builder) DeadLetter(at time.Duration, partition int32, offset int64, reason string) *Builder {
	b.h.DeadLetters = append(b.h.DeadLetters, history.DeadLetterSeen{At: At(at), Reason: reason, SourcePartition: partition, SourceOffset: offset})
	return b
}

// DeadLetterKind adds a dead letter read at at with a reason kind and the
// raw field as the worker sent it (base64 or text).
func (b *Builder) DeadLetterKind(at time.Duration, partition int32, offset int64, kind, raw string) *Builder {
	b.h.DeadLetters = append(b.h.DeadLetters, history.DeadLetterSeen{At: At(at), Reason: "free text, never judged", ReasonKind: kind, Raw: raw, SourcePartition: partition, SourceOffset: offset})
	return b
}

// M is a member named worker (member id worker+"-m") owning partitions.
func M(worker string, partitions ...int32) history.Member {
	return history.Member{Worker: worker, MemberID: worker + "-m", Partitions: partitions}
}

// Snapshot records a group snapshot.
func (b *Builder) Snapshot(at time.Duration, state string, generation int32, members ...history.Member) *Builder {
	b.h.Snapshots = append(b.h.Snapshots, history.GroupSnapshot{At: At(at), State: state, Generation: generation, Members: members})
	return b
}

// SnapshotErr records a snapshot where the observer failed.
func (b *Builder) SnapshotErr(at time.Duration, err string) *Builder {
	b.h.Snapshots = append(b.h.Snapshots, history.GroupSnapshot{At: At(at), Err: err})
	return b
}

// Stable records a Stable snapshot every step in [from, to] with the same
// generation and members (what a quiet group looks like to the observer).
func (b *Builder) Stable(from, to, step time.Duration, generation int32, members ...history.Member) *Builder {
	for t := from; t <= to; t += step {
		b.Snapshot(t, "Stable", generation, members...)
	}
	return b
}

// Lag records a lag sample with explicit committed and end offsets.
func (b *Builder) Lag(at time.Duration, committed, end map[int32]int64) *Builder {
	b.h.Lag = append(b.h.Lag, history.LagSample{At: At(at), Committed: committed, End: end})
	return b
}

// LagTotal records a lag sample over one partition (0) with the given total
// lag: end = 1000+lag, committed = 1000.
func (b *Builder) LagTotal(at time.Duration, lag int64) *Builder {
	return b.Lag(at, map[int32]int64{0: 1000}, map[int32]int64{0: 1000 + lag})
}

// LoadStopped records when the load stopped.
func (b *Builder) LoadStopped(at time.Duration) *Builder {
	b.h.LoadStopped = At(at)
	return b
}

// Event records a worker lifecycle event.
func (b *Builder) Event(at time.Duration, worker, event string, partitions ...int32) *Builder {
	b.h.Events = append(b.h.Events, history.WorkerEvent{TS: At(at), Worker: worker, Event: event, Partitions: partitions})
	return b
}

// Fault records a fault mark (phase history.PhaseInject, PhaseBit, PhaseHeal).
func (b *Builder) Fault(at time.Duration, fault, target, phase string) *Builder {
	b.h.Faults = append(b.h.Faults, history.FaultMark{At: At(at), Fault: fault, Target: target, Phase: phase})
	return b
}
