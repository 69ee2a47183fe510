package franzfeed

import (
	"maps"
	"slices"
)

// Offsets tracks, per owned partition, the next offset whose posts are all
// acknowledged (ready) and the next offset the coordinator accepted
// (committed). It is not safe for concurrent use: the worker guards it.
//
// The at-least-once guarantee lives in the callers: Ready is advanced only
// after every record a post fanned out to is acknowledged, and a commit
// sends only Pending offsets, so no offset is committed before its posts'
// feed updates are written.
type Offsets struct {
	ready     map[int32]int64
	epoch     map[int32]int32
	committed map[int32]int64
}

// NewOffsets returns an empty tracker.
func NewOffsets() *Offsets {
	return &Offsets{ready: map[int32]int64{}, epoch: map[int32]int32{}, committed: map[int32]int64{}}
}

// Ready records that every post of partition p below next is done; next
// never moves back (a re-polled record after an abort is below it).
func (o *Offsets) Ready(p int32, next int64, leaderEpoch int32) {
	if cur, ok := o.ready[p]; ok && next <= cur {
		return
	}
	o.ready[p] = next
	o.epoch[p] = leaderEpoch
}

// Pending returns the ready offsets not yet committed (of partitions in
// only, when only is not nil), with their leader epochs.
func (o *Offsets) Pending(only []int32) map[int32]EpochOffset {
	out := map[int32]EpochOffset{}
	for p, next := range o.ready {
		if only != nil && !slices.Contains(only, p) {
			continue
		}
		if c, ok := o.committed[p]; ok && c >= next {
			continue
		}
		out[p] = EpochOffset{Offset: next, Epoch: o.epoch[p]}
	}
	return out
}

// Committed records that the coordinator accepted next for p, if p is still
// tracked (a late answer for a partition given away is ignored).
func (o *Offsets) Committed(p int32, next int64) {
	if _, ok := o.ready[p]; !ok {
		return
	}
	if c, ok := o.committed[p]; !ok || next > c {
		o.committed[p] = next
	}
}

// Forget drops partitions that left the assignment.
func (o *Offsets) Forget(ps []int32) {
	for _, p := range ps {
		delete(o.ready, p)
		delete(o.epoch, p)
		delete(o.committed, p)
	}
}

// Positions returns a copy of the ready offsets.
func (o *Offsets) Positions() map[int32]int64 { return maps.Clone(o.ready) }

// CommittedCopy returns a copy of the committed offsets.
func (o *Offsets) CommittedCopy() map[int32]int64 { return maps.Clone(o.committed) }

// EpochOffset is an offset to commit with the leader epoch of its last
// record (-1 when unknown).
type EpochOffset struct {
	Offset int64
	Epoch  int32
}
