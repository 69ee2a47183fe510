package verify

import (
	"testing"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestKeptNotReplayed(t *testing.T) {
	kept := map[int32]string{0: "w1"}
	good := ht.New(2).Update(9*s, "p1", 1, "w1", 0, 0).Update(11*s, "p2", 1, "w1", 0, 1).
		Update(11*s, "p3", 1, "w2", 1, 0).Update(12*s, "p3", 1, "w3", 1, 0). // partition 1 moved: not judged
		History()
	wantPass(t, KeptNotReplayed(good, kept, ht.At(10*s), ht.At(20*s)))

	// w1 rewound partition 0 on the incremental assign at +10s.
	bad := ht.New(2).Update(9*s, "p1", 1, "w1", 0, 0).Update(9*s, "p2", 1, "w1", 0, 1).
		Update(11*s, "p1", 1, "w1", 0, 0).Update(11*s, "p2", 1, "w1", 0, 1).History()
	wantFail(t, KeptNotReplayed(bad, kept, ht.At(10*s), ht.At(20*s)), ClassReplayedKept, "2 updates were fanned out again, on partitions 0", "w1 fanned out partition 0 offset 0 again at +11s (first at +9s)")

	wantFail(t, KeptNotReplayed(good, nil, ht.At(10*s), ht.At(20*s)), ClassNoObservations, "no partition was kept")
	wantFail(t, KeptNotReplayed(good, kept, ht.At(30*s), ht.At(40*s)), ClassNoObservations, "no update of a kept partition")
}
