package verify

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestNoLostUpdatesPassesWhenAllSeen(t *testing.T) {
	g := testGraph(t)
	a, _ := authorWith(t, g, 3)
	h := ht.New(6).Snapshot(0, "Stable", 1, fleet()...).
		Post(1*s, "p1", a, 2, 10).Post(2*s, "p2", a, 4, 11).
		FanOut(3*s, g, "w2").History()
	r := NoLostUpdates(h, g)
	wantPass(t, r)
	if !strings.Contains(r.Message, "none lost") {
		t.Errorf("message: %s", r.Message)
	}
}

func TestNoLostUpdatesNamesPostFollowerPartitionOffsetOwner(t *testing.T) {
	g := testGraph(t)
	a, fs := authorWith(t, g, 3)
	h := ht.New(6).Snapshot(0, "Stable", 1, fleet()...).
		Post(1500*ms, "p1", a, 3, 42).Post(2*s, "p2", a, 0, 7).
		FanOut(3*s, g, "w2", ht.Pair{Post: "p1", Follower: fs[1]}).History()
	r := NoLostUpdates(h, g)
	wantFail(t, r, ClassLost, fmt.Sprintf("post p1 -> follower %d (1 of %d updates lost", fs[1], len(fs)), "partition 3 offset 42", "owned by w2", "+1.5s", "1 lost from 1 posts on partitions 3")
	if len(r.Examples) != 1 || !r.FirstAt.Equal(ht.At(1500*ms)) {
		t.Errorf("examples %q first %v", r.Examples, r.FirstAt)
	}
}

func TestNoLostUpdatesOwnerNobody(t *testing.T) {
	g := testGraph(t)
	a, _ := authorWith(t, g, 1)
	// Before any snapshot, and in a snapshot where partition 3 is unowned.
	h := ht.New(6).Post(1*s, "early", a, 3, 1).
		Snapshot(2*s, "Stable", 2, ht.M("w1", 0, 1, 2), ht.M("w3", 4, 5)).
		Post(3*s, "late", a, 3, 2).History()
	r := NoLostUpdates(h, g)
	wantFail(t, r, ClassLost, "post early", "owned by nobody (no snapshot yet)", "post late")
	if len(r.Examples) != 2 {
		t.Fatalf("one example per post, got %q", r.Examples)
	}
	if !strings.Contains(r.Examples[len(r.Examples)-1], "owned by nobody") {
		t.Errorf("last example: %s", r.Examples[len(r.Examples)-1])
	}
}

func TestNoLostUpdatesSmallestFirstAndCapped(t *testing.T) {
	g := testGraph(t)
	a, fs := authorWith(t, g, 7)
	b := ht.New(6)
	for i := 7; i > 0; i-- { // recorded latest first
		b.Post(time.Duration(i)*s, fmt.Sprintf("p%d", i), a, 1, int64(i))
	}
	r := NoLostUpdates(b.History(), g)
	wantFail(t, r, ClassLost, "(2 more)", fmt.Sprintf("and %d more (%d of %d updates lost", len(fs)-5, len(fs), len(fs)))
	if len(r.Examples) != MaxExamples {
		t.Fatalf("examples: %d", len(r.Examples))
	}
	if !strings.HasPrefix(r.Examples[0], fmt.Sprintf("post p1 -> followers %d, %d,", fs[0], fs[1])) {
		t.Errorf("first example should be the earliest ack, smallest follower: %s", r.Examples[0])
	}
	if !r.FirstAt.Equal(ht.At(1 * s)) {
		t.Errorf("FirstAt %v", r.FirstAt)
	}
}

func TestNoLostUpdatesPoisonDeadLettered(t *testing.T) {
	g := testGraph(t)
	a, _ := authorWith(t, g, 1)
	unknown := g.Users() + 5
	h := ht.New(6).Post(1*s, "p1", a, 0, 1).Post(1*s, "poison", unknown, 2, 17).
		FanOut(2*s, g, "w1").DeadLetter(2*s, 2, 17, "unknown author").History()
	r := NoLostUpdates(h, g)
	wantPass(t, r)
	if !strings.Contains(r.Message, "1 poison posts") {
		t.Errorf("message: %s", r.Message)
	}
}

func TestNoLostUpdatesPoisonNotDeadLettered(t *testing.T) {
	g := testGraph(t)
	unknown := g.Users() + 5
	// A dead letter for a different offset does not account for it.
	h := ht.New(6).Snapshot(0, "Stable", 1, fleet()...).
		Post(1*s, "poison", unknown, 2, 17).DeadLetter(2*s, 2, 18, "x").History()
	wantFail(t, NoLostUpdates(h, g), ClassLost, "poison post poison", "partition 2 offset 17", "not in the dead letters", "owned by w2")
}

func TestNoLostUpdatesDeadLetterExcusesOnlyPoison(t *testing.T) {
	g := testGraph(t)
	a, fs := authorWith(t, g, 2)
	// p2 is well-formed and its author is known: a dead letter for it is a
	// worker bug, and its updates are lost.
	h := ht.New(6).Snapshot(0, "Stable", 1, fleet()...).
		Post(1*s, "p1", a, 0, 1).FanOut(2*s, g, "w1").
		Post(3*s, "p2", a, 2, 9).DeadLetter(4*s, 2, 9, "unknown author").History()
	r := NoLostUpdates(h, g)
	wantFail(t, r, ClassLost, fmt.Sprintf("post p2 -> followers %d, %d", fs[0], fs[1]), "partition 2 offset 9",
		"dead-lettered although well-formed with a known author", "1 well-formed posts with a known author dead-lettered")
	if len(r.Examples) != 1 {
		t.Errorf("examples %q", r.Examples)
	}
	// Seen and (wrongly) dead-lettered too: nothing is lost, the message
	// still counts it.
	h = ht.New(6).Post(1*s, "p2", a, 2, 9).FanOut(2*s, g, "w1").DeadLetter(3*s, 2, 9, "x").History()
	r = NoLostUpdates(h, g)
	wantPass(t, r)
	if !strings.Contains(r.Message, "1 well-formed posts with a known author dead-lettered") {
		t.Errorf("message: %s", r.Message)
	}
}

func TestNoLostUpdatesDuplicatesCountedNotFailed(t *testing.T) {
	g := testGraph(t)
	a, fs := authorWith(t, g, 1)
	h := ht.New(6).Post(1*s, "p1", a, 0, 1).FanOut(2*s, g, "w1").
		Update(3*s, "p1", fs[0], "w2", 0, 1).History()
	r := NoLostUpdates(h, g)
	wantPass(t, r)
	if !strings.Contains(r.Message, "1 duplicate copies") {
		t.Errorf("message: %s", r.Message)
	}
}

func TestNoLostUpdatesNoLoadFails(t *testing.T) {
	wantFail(t, NoLostUpdates(ht.New(6).History(), testGraph(t)), ClassNoObservations)
	wantFail(t, NoLostUpdates(ht.New(6).Post(0, "p", 1, 0, 0).History(), nil), ClassNoObservations)
}

func TestNoDuplicates(t *testing.T) {
	g := testGraph(t)
	a, fs := authorWith(t, g, 2)
	good := ht.New(6).Post(1*s, "p1", a, 0, 1).FanOut(2*s, g, "w1")
	wantPass(t, NoDuplicates(good.History()))

	bad := good.Update(9*s, "p1", fs[1], "w2", 0, 1).History()
	r := NoDuplicates(bad)
	wantFail(t, r, ClassDuplicate, fmt.Sprintf("post p1 -> follower %d seen 2 times", fs[1]), "w1 from partition 0 offset 1 at +2s", "w2 from partition 0 offset 1 at +9s", "1 extra copies")
	if !r.FirstAt.Equal(ht.At(9 * s)) {
		t.Errorf("FirstAt %v", r.FirstAt)
	}
	wantFail(t, NoDuplicates(ht.New(6).History()), ClassNoObservations)
}

// A feed-updates record that did not parse is not a seen update: the
// post's updates it would have carried are lost here, and the message
// points at the contract violation.
func TestNoLostUpdatesNamesUnparsableUpdates(t *testing.T) {
	g := testGraph(t)
	a, fs := authorWith(t, g, 3)
	h := ht.New(6).Snapshot(0, "Stable", 1, fleet()...).
		Post(1*s, "p1", a, 2, 10).
		FanOut(3*s, g, "w2", ht.Pair{Post: "p1", Follower: fs[0]}).History()
	h.Violations = append(h.Violations, history.Violation{At: ht.At(3 * s), Source: history.SourceFeed, Partition: 1, Offset: 4, Line: `{"post_id":"p1"`, Reason: "not a JSON object"})
	wantFail(t, NoLostUpdates(h, g), ClassLost, "1 feed-update records that did not parse", CheckContractHonoured)
}
