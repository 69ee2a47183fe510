// Package graph is StreamSocial's deterministic social graph: users and who
// follows whom, generated from a seed. The feed worker uses it to fan a post
// out to the author's followers, and the harness uses the very same graph to
// compute which feed updates must exist. Both sides derive it from (seed,
// users) alone, so nothing but two integers crosses the container boundary.
//
// The follower distribution is skewed on purpose, as real follow graphs are:
// a few hot authors have many followers (so one partition is hotter than the
// others), about a tenth of authors have none (a post that fans out to
// nothing must still be consumed and committed), and the rest have a few.
package graph

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
)

// Graph is immutable after New and safe for concurrent use.
type Graph struct {
	seed  uint64
	users int

	once      sync.Once
	followers [][]int // followers[author] sorted ascending
	edges     int
}

// Limits on the graph's size; beyond them a misconfiguration is likelier than
// an intent.
const (
	MinUsers = 2
	MaxUsers = 1_000_000
)

// New returns the graph for seed with users users (ids 0..users-1). It fails
// on a user count outside [MinUsers, MaxUsers].
func New(seed uint64, users int) (*Graph, error) {
	if users < MinUsers || users > MaxUsers {
		return nil, fmt.Errorf("graph: users must be in [%d, %d], got %d", MinUsers, MaxUsers, users)
	}
	return &Graph{seed: seed, users: users}, nil
}

// Seed returns the seed the graph was generated from.
func (g *Graph) Seed() uint64 { return g.seed }

// Users returns the number of users.
func (g *Graph) Users() int { return g.users }

// Followers returns the followers of author, ascending, never including the
// author. The slice is shared: callers must not modify it. An unknown author
// has no followers and ok is false.
func (g *Graph) Followers(author int) (followers []int, ok bool) {
	g.once.Do(g.build)
	if author < 0 || author >= g.users {
		return nil, false
	}
	return g.followers[author], true
}

// Edges returns the total number of follow edges.
func (g *Graph) Edges() int {
	g.once.Do(g.build)
	return g.edges
}

// FollowerCount returns how many followers author has (0 for an unknown one).
func (g *Graph) FollowerCount(author int) int {
	f, _ := g.Followers(author)
	return len(f)
}

func (g *Graph) build() {
	g.followers = make([][]int, g.users)
	for a := 0; a < g.users; a++ {
		r := rand.New(rand.NewPCG(g.seed, uint64(a)*0x9E3779B97F4A7C15+1))
		n := followerCount(r, g.users, a)
		set := make(map[int]struct{}, n)
		for len(set) < n {
			f := r.IntN(g.users)
			if f != a {
				set[f] = struct{}{}
			}
		}
		fs := make([]int, 0, n)
		for f := range set {
			fs = append(fs, f)
		}
		sort.Ints(fs)
		g.followers[a] = fs
		g.edges += n
	}
}

// followerCount draws the skewed follower count of author a: the first
// 0.5% of users (at least one) are hot with up to a fifth of all users
// following them, 10% have none, the rest between 1 and 20.
func followerCount(r *rand.Rand, users, a int) int {
	max := users - 1
	hot := users / 200
	if hot < 1 {
		hot = 1
	}
	var n int
	switch {
	case a < hot:
		n = users / 5
		if n < 1 {
			n = 1
		}
	case r.IntN(10) == 0:
		n = 0
	default:
		n = 1 + r.IntN(20)
	}
	if n > max {
		n = max
	}
	return n
}
