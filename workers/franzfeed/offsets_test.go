package franzfeed

import (
	"testing"
	"time"
)

func TestPendingIsReadyNotCommitted(t *testing.T) {
	o := NewOffsets()
	o.Ready(0, 10, 1)
	o.Ready(1, 5, 1)
	o.Ready(0, 8, 1) // an older batch after a rewind never moves it back
	if p := o.Pending(nil); len(p) != 2 || p[0].Offset != 10 || p[1].Offset != 5 {
		t.Fatalf("pending %v", p)
	}
	o.Committed(0, 10)
	if p := o.Pending(nil); len(p) != 1 || p[1].Offset != 5 {
		t.Fatalf("after commit, pending %v", p)
	}
	if p := o.Pending([]int32{0}); len(p) != 0 {
		t.Fatalf("pending of committed partition 0: %v", p)
	}
	o.Forget([]int32{1})
	o.Committed(1, 5) // a late answer for a partition given away
	if p := o.Pending(nil); len(p) != 0 || len(o.CommittedCopy()) != 1 {
		t.Fatalf("after forget: pending %v committed %v", p, o.CommittedCopy())
	}
}

func TestCommitLogAtMostOncePerInterval(t *testing.T) {
	c := NewCommitLog(time.Second)
	t0 := time.Unix(1000, 0)
	if got := c.Add(map[int32]int64{0: 5}, t0); got[0] != 5 {
		t.Fatalf("first add printed %v", got)
	}
	if got := c.Add(map[int32]int64{0: 7, 1: 2}, t0.Add(100*time.Millisecond)); got != nil {
		t.Fatalf("second add within the interval printed %v", got)
	}
	if got := c.Flush(t0.Add(200 * time.Millisecond)); got[0] != 7 || got[1] != 2 {
		t.Fatalf("flush %v", got)
	}
	if got := c.Flush(t0.Add(300 * time.Millisecond)); got != nil {
		t.Fatalf("empty flush %v", got)
	}
}

func TestMaxPollOverdueOncePerBatch(t *testing.T) {
	var m maxPoll
	t0 := time.Unix(1000, 0)
	if m.overdue(t0, time.Second) {
		t.Fatal("idle worker overdue")
	}
	m.begin(t0)
	if m.overdue(t0.Add(900*time.Millisecond), time.Second) {
		t.Fatal("overdue within the interval")
	}
	if !m.overdue(t0.Add(1100*time.Millisecond), time.Second) {
		t.Fatal("not overdue past the interval")
	}
	m.left.Store(true)
	if m.overdue(t0.Add(2*time.Second), time.Second) || !m.end() {
		t.Fatal("overdue again after leaving, or end did not report the leave")
	}
	m.begin(t0.Add(3 * time.Second))
	if m.end() {
		t.Fatal("a new batch reported the old leave")
	}
}
