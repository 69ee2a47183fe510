package feed

import (
	"maps"
	"testing"
	"time"
)

func TestReadyOffsetsKeepFailedCommitsUntilTheySucceed(t *testing.T) {
	var r readyOffsets
	all := func(int32) bool { return true }
	r.add(map[int32]int64{0: 10, 1: 5})
	r.add(map[int32]int64{0: 7, 2: 3}) // an older offset never replaces a newer one
	if got, want := r.forAssigned(all), map[int32]int64{0: 10, 1: 5, 2: 3}; !maps.Equal(got, want) {
		t.Fatalf("forAssigned = %v, want %v", got, want)
	}
	t0 := time.Unix(100, 0)
	if r.due(t0) {
		t.Fatal("due before any failure")
	}
	r.failed(t0)
	if r.due(t0.Add(commitRetryMin - time.Millisecond)) {
		t.Fatal("due before the first backoff is over")
	}
	if !r.due(t0.Add(commitRetryMin)) {
		t.Fatal("not due after the first backoff: a failed commit would never be retried")
	}
	for range 10 {
		r.failed(t0)
	}
	if r.backoff != commitRetryMax {
		t.Fatalf("backoff after many failures = %s, want the cap %s", r.backoff, commitRetryMax)
	}
	// A later offset arrived for partition 0 while the commit was in flight:
	// the success of the older commit must not forget it.
	r.add(map[int32]int64{0: 12})
	r.succeeded(map[int32]int64{0: 10, 1: 5, 2: 3})
	if got, want := r.forAssigned(all), map[int32]int64{0: 12}; !maps.Equal(got, want) {
		t.Fatalf("after success = %v, want %v", got, want)
	}
	if r.due(t0.Add(time.Hour)) {
		t.Fatal("due after a success reset the backoff")
	}
}

func TestReadyOffsetsForgetPartitionsThatLeft(t *testing.T) {
	var r readyOffsets
	r.add(map[int32]int64{0: 10, 1: 5, 2: 8})
	r.failed(time.Unix(0, 0))
	r.drop([]int32{1})
	got := r.forAssigned(func(p int32) bool { return p != 2 })
	if want := map[int32]int64{0: 10}; !maps.Equal(got, want) {
		t.Fatalf("forAssigned = %v, want %v (1 revoked, 2 no longer assigned)", got, want)
	}
	if got := r.forAssigned(func(int32) bool { return true }); len(got) != 1 {
		t.Fatalf("partition 2 was not forgotten: %v", got)
	}
	r.drop([]int32{0})
	if r.due(time.Unix(1000, 0)) || !r.retryAt.IsZero() {
		t.Fatal("a retry stays armed with nothing left to commit")
	}
}
