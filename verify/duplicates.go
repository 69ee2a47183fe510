package verify

import "github.com/streamsocial/feedchaos/history"

// DuplicateCount returns how many extra copies of (post, follower) feed
// updates h.Updates holds: an update seen three times counts two. It is
// what at-least-once delivery may cost after a fault; the run summary
// reports it per spec, and NoDuplicates judges it where zero is required
// (exactly-once, and the no-fault control).
func DuplicateCount(h history.History) int {
	type key struct {
		post     string
		follower int
	}
	seen := make(map[key]int, len(h.Updates))
	extra := 0
	for _, u := range h.Updates {
		k := key{u.PostID, u.Follower}
		if seen[k] > 0 {
			extra++
		}
		seen[k]++
	}
	return extra
}
