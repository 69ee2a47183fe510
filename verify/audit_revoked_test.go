package verify

import (
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestRevokedWhileOwned(t *testing.T) {
	// Eager: w1 revokes before the generation that gives its partition
	// away; cooperative: the partition is unowned in between; KIP-848: the
	// owner's own answer takes it first.
	good := ht.New(4).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1), ht.AM("w2", 2, 3)).
		Event(2*s, "w1", "revoked", 0, 1).Event(2*s, "w2", "revoked", 2, 3).
		AssignClassic(3*s, "g", 2, ht.AM("w1", 0), ht.AM("w2", 2, 3)). // 1 unowned (cooperative)
		Event(4*s, "w1", "lost").                                      // no partitions: a no-op
		Event(4*s, "w2", "revoked", 1).                                // nobody had 1: fine
		AssignClassic(5*s, "g", 3, ht.AM("w1", 0), ht.AM("w2", 1, 2, 3)).
		AssignConsumer(6*s, "g", "w1", 4).             // w1's own answer takes 0
		Event(6*s+500*ms, "w1", "revoked", 0).         // acknowledged after
		AssignConsumer(7*s, "g", "w3", 1, 0).History() // then 0 goes to w3
	r := RevokedWhileOwned(good, 100*ms)
	wantPass(t, r)

	// A worker frozen past its session: the coordinator gives its
	// partitions away at +8s; thawed at +12s, it prints revoked instead of
	// lost.
	bad := ht.New(4).AssignClassic(0, "g", 1, ht.AM("w1", 0, 1), ht.AM("w2", 2, 3)).
		AssignClassic(8*s, "g", 2, ht.AM("w2", 0, 1, 2, 3)).
		Event(12*s, "w1", "revoked", 0, 1).History()
	r = RevokedWhileOwned(bad, 100*ms)
	wantFail(t, r, ClassRevokedAfterTaken, "w1 printed revoked for partition 0 at +12s, but the coordinator had given it to w2 (group g, generation 2) at +8s, 4s before",
		"2 revoked after another member had them, partitions 0-1")
	if !r.FirstAt.Equal(ht.At(12 * s)) {
		t.Errorf("first %v", r.FirstAt)
	}
	// Within the slack: the broker's and the worker's clocks are compared.
	near := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0)).
		AssignClassic(1*s, "g", 2, ht.AM("w2", 0)).Event(1*s+5*ms, "w1", "revoked", 0).History()
	wantPass(t, RevokedWhileOwned(near, RevokeClockSlack))
	// A thawed worker revoking 175 ms after the move (a real long-pause
	// run) is caught with the default slack.
	thawed := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0)).
		AssignClassic(1*s, "g", 2, ht.AM("w2", 0)).Event(1*s+175*ms, "w1", "revoked", 0).History()
	wantFail(t, RevokedWhileOwned(thawed, RevokeClockSlack), ClassRevokedAfterTaken, "175ms before")

	// No data, no pass.
	wantFail(t, RevokedWhileOwned(ht.New(2).AuditEmpty().Event(s, "w1", "revoked", 0).History(), 0), ClassNoObservations, "no assignment")
	wantFail(t, RevokedWhileOwned(ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0)).Event(s, "w1", "lost", 0).History(), 0), ClassNoObservations, "no worker printed revoked")
	wantNotApplicable(t, RevokedWhileOwned(ht.New(2).AuditAbsent("HTTP 404").Event(s, "w1", "revoked", 0).History(), 0), "HTTP 404")
}

func TestRevokedWhileOwnedKeepsGroupsApart(t *testing.T) {
	// A second group's assignment of the same partition number does not
	// replace the first group's owner: w1 still holds 0 in g.
	h := ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0)).
		AssignClassic(1*s, "other", 1, ht.AM("x1", 0)).
		Event(2*s, "w1", "revoked", 0).History()
	wantPass(t, RevokedWhileOwned(h, RevokeClockSlack))
	// Taken from it in its own group: caught, naming the group.
	h = ht.New(2).AssignClassic(0, "g", 1, ht.AM("w1", 0)).
		AssignClassic(1*s, "other", 1, ht.AM("x1", 0)).
		AssignClassic(2*s, "g", 2, ht.AM("w2", 0)).
		Event(3*s, "w1", "revoked", 0).History()
	wantFail(t, RevokedWhileOwned(h, RevokeClockSlack), ClassRevokedAfterTaken, "(group g, generation 2)")
}
