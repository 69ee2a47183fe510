package verify

import (
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestDuplicateCount(t *testing.T) {
	h := ht.New(1).Update(s, "p1", 1, "w1", 0, 0).Update(s, "p1", 2, "w1", 0, 0).
		Update(2*s, "p1", 1, "w2", 0, 0).Update(3*s, "p1", 1, "w2", 0, 0).History()
	if n := DuplicateCount(h); n != 2 {
		t.Fatalf("got %d, want 2 (p1->1 seen three times)", n)
	}
	if n := DuplicateCount(ht.New(1).History()); n != 0 {
		t.Fatalf("got %d", n)
	}
}
