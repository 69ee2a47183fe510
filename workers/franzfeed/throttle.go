package franzfeed

import (
	"maps"
	"time"
)

// CommitLog batches committed offsets into at most one committed event per
// interval; Flush empties it at once (before revoked, lost and stopped).
// Not safe for concurrent use.
type CommitLog struct {
	every   time.Duration
	last    time.Time
	pending map[int32]int64
}

// NewCommitLog returns a CommitLog emitting at most once per every.
func NewCommitLog(every time.Duration) *CommitLog {
	return &CommitLog{every: every, pending: map[int32]int64{}}
}

// Add records committed offsets and returns what to print now (nil if the
// interval has not passed).
func (c *CommitLog) Add(offs map[int32]int64, now time.Time) map[int32]int64 {
	for p, o := range offs {
		if cur, ok := c.pending[p]; !ok || o > cur {
			c.pending[p] = o
		}
	}
	if now.Sub(c.last) < c.every {
		return nil
	}
	return c.Flush(now)
}

// Flush returns everything not printed yet (nil if nothing).
func (c *CommitLog) Flush(now time.Time) map[int32]int64 {
	if len(c.pending) == 0 {
		return nil
	}
	out := maps.Clone(c.pending)
	clear(c.pending)
	c.last = now
	return out
}
